// A member joining its group (a worker of WORKERS=N, a service of SERVICES=1): before it
// serves anything it asks the supervisor for the group's state (switches as they are now, not
// as the start settings say, so a replacement behaves like the member it replaces), then runs
// its server with the seams of src/start.ts filled in: its switch registry, a switch change
// that goes through the supervisor, and /metrics for the whole group.
import type { Config } from "../config.js";
import type { LiveFigures, LivePoint } from "../live/live-figures.js";
import { type MonitorSources, startSampler } from "../observe/monitor.js";
import type { FollowShared, SharedChange } from "../shared-change.js";
import type { RunningServer, StartOptions } from "../start.js";
import { SWITCH_NAMES, Switches } from "../switches.js";
import type { GroundTruth } from "../truth/truth.js";
import { isSupervisorMessage, type MemberMessage, type SupervisorMessage } from "./messages.js";
import { PendingReplies } from "./replies.js";

/** The supervisor waits up to 2 s for each member; this bound covers that and a slow scrape. */
const ANSWER_TIMEOUT_MS = 5_000;
const STATE_TIMEOUT_MS = 10_000;
const USAGE_EVERY_MS = 1_000;
/** On every answer from a worker: the pid of the process that answered. */
export const WORKER_HEADER = "X-Fest-Worker";

type State = Extract<SupervisorMessage, { type: "fest-lab:state" }>;
type Answer = Extract<SupervisorMessage, { type: "fest-lab:answer" }>;

export interface JoinedMember {
  /** This member's settings: the group's session secret; the supervisor writes MONITOR_CSV. */
  config: Config;
  startOptions: Required<
    Pick<
      StartOptions,
      | "switches"
      | "applySwitch"
      | "scrapeMetrics"
      | "applyShared"
      | "followShared"
      | "groupTruth"
      | "groupLive"
      | "groupNetwork"
    >
  >;
  /** Once the server listens: answer the supervisor's scrapes, and report usage when asked. */
  started(server: RunningServer): void;
  /** MONITOR_CSV: this member's figures once a second, when the supervisor writes the file. */
  reportUsage(sources: MonitorSources): void;
  /** The truth this member answers the supervisor's truth requests with (a fest service's). */
  reportTruth(truth: GroundTruth): void;
  /** The live figures this member answers the supervisor's live requests with (a fest service's). */
  reportLive(live: LiveFigures): void;
}

export async function joinGroup(config: Config): Promise<JoinedMember> {
  const switches = new Switches();
  const answers = new PendingReplies<Answer>();
  let server: RunningServer | undefined;
  let truth: GroundTruth | undefined;
  let live: LiveFigures | undefined;
  // The changes that came before the server could follow them: applied when it can.
  let follow: FollowShared | undefined;
  const early: [SharedChange, string][] = [];
  let receiveState: (state: State) => void = () => {};
  const stateReceived = new Promise<State>((resolve) => {
    receiveState = resolve;
  });

  process.on("message", (message: unknown) => {
    if (!isSupervisorMessage(message)) return; // prom-client's and Node's own messages
    switch (message.type) {
      case "fest-lab:state":
        receiveState(message);
        return;
      case "fest-lab:switch":
        // The supervisor logged the change once; the worker only follows it.
        switches.set(message.name, message.on, "the supervisor");
        send({ type: "fest-lab:reply", id: message.id });
        return;
      case "fest-lab:shared":
        try {
          if (follow === undefined) early.push([message.change, message.by]);
          else follow(message.change, message.by);
        } catch (error) {
          // Checked where it was asked for; a member that still cannot follow says so and serves on.
          process.stderr.write(
            `WARNING:  this member could not follow the group's change: ${(error as Error).message}\n`,
          );
        }
        send({ type: "fest-lab:reply", id: message.id });
        return;
      case "fest-lab:collect-truth":
        send({
          type: "fest-lab:reply",
          id: message.id,
          truth: truth?.report(message.run),
          samples: truth?.latencySamples(message.run),
        });
        return;
      case "fest-lab:collect-live":
        // Asked means watched: a member samples from its first question on, like the one the page reached.
        live?.watched();
        send({ type: "fest-lab:reply", id: message.id, live: live?.pointsSince(message.sinceMs) });
        return;
      case "fest-lab:collect-metrics":
        if (server === undefined) send({ type: "fest-lab:reply", id: message.id });
        else
          void server.metrics.registry
            .getMetricsAsJSON()
            .then((metrics) => send({ type: "fest-lab:reply", id: message.id, metrics }));
        return;
      case "fest-lab:answer":
        answers.settle(message.id, message);
        return;
    }
  });
  // Ctrl+C reaches every process in the terminal's group. A worker leaves it to the
  // supervisor, which sends each worker SIGTERM: one signal, one drain.
  process.on("SIGINT", () => {});

  send({ type: "fest-lab:hello" });
  const state = await Promise.race([
    stateReceived,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error("the supervisor sent no state within 10 s")),
        STATE_TIMEOUT_MS,
      ).unref(),
    ),
  ]);
  for (const name of SWITCH_NAMES) switches.set(name, state.on.includes(name), "the supervisor");

  const ask = async (question: (id: number) => MemberMessage, what: string) => {
    const { id, reply } = answers.expect(ANSWER_TIMEOUT_MS);
    send(question(id));
    const answer = await reply;
    if (answer === undefined) {
      throw new Error(`the supervisor did not answer ${what} within ${ANSWER_TIMEOUT_MS} ms`);
    }
    if (answer.error !== undefined) throw new Error(`${what}: ${answer.error}`);
    return answer;
  };

  const member: JoinedMember = {
    config: { ...config, sessionSecret: state.sessionSecret, monitorCsv: undefined },
    startOptions: {
      switches,
      applySwitch: async (name, on, by) => {
        await ask((id) => ({ type: "fest-lab:set-switch", id, name, on, by }), "a switch change");
      },
      scrapeMetrics: async () =>
        (await ask((id) => ({ type: "fest-lab:group-metrics", id }), "a metrics scrape")).text ??
        "",
      applyShared: async (change, by) => {
        await ask((id) => ({ type: "fest-lab:share", id, change, by }), "a change");
      },
      followShared(following) {
        follow = following;
        // What the group shares now first, then what changed while this member started.
        following(state.shared, "the supervisor");
        for (const [change, by] of early.splice(0)) following(change, by);
      },
      groupTruth: async (run) =>
        (
          await ask(
            (id) => ({ type: "fest-lab:group-truth", id, ...(run === undefined ? {} : { run }) }),
            "the truth",
          )
        ).truth,
      groupNetwork: async (run) =>
        (await ask((id) => ({ type: "fest-lab:group-network", id, run }), "the network")).network,
      groupLive: async (after): Promise<LivePoint[]> =>
        (await ask((id) => ({ type: "fest-lab:group-live", id, after }), "the live figures"))
          .live ?? [],
    },
    started(running) {
      server = running;
      truth = running.truth;
      live = running.live;
      // Which worker answered: students see the group share the load and a replacement's
      // new pid. Prepended, so it is set before any route (the fast /health too) answers.
      const pid = String(process.pid);
      if (!config.services) {
        running.http.prependListener("request", (_req, res) => res.setHeader(WORKER_HEADER, pid));
      }
      member.reportUsage({
        requests: () => ({
          done: running.metrics.requestsDone,
          inFlight: running.metrics.inFlight,
        }),
        cpuPoolStats: () => running.cpuPool.stats(),
      });
    },
    reportTruth(counted) {
      truth = counted;
    },
    reportLive(figures) {
      live = figures;
    },
    reportUsage(sources) {
      if (!state.reportUsage) return;
      const sampler = startSampler(sources);
      setInterval(
        () => send({ type: "fest-lab:usage", sample: sampler.take() }),
        USAGE_EVERY_MS,
      ).unref();
    },
  };
  return member;
}

/** Nothing to do when the channel is gone: the supervisor died and this worker follows. */
function send(message: MemberMessage): void {
  if (process.connected) process.send?.(message);
}
