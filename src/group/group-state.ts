// What the supervisor holds for the whole group and answers its members about: the switch
// state (the one authority: a member's admin change goes through here and reaches every
// member before the admin page answers) and /metrics for all members together.
import { AggregatorRegistry, Registry } from "prom-client";
import { faultsChangeLine } from "../faults/spec.js";
import { addLivePoints } from "../live/add-points.js";
import {
  faultMarkText,
  hiddenMarkText,
  LIVE_DEFAULTS,
  type LivePoint,
  type Mark,
  switchMarkText,
} from "../live/live-figures.js";
import type { LossyNetwork } from "../network/lossy-network.js";
import type { Logger } from "../observe/log.js";
import { mergeShared, type SharedChange } from "../shared-change.js";
import type { Switches, SwitchName } from "../switches.js";
import { addTruths } from "../truth/add.js";
import type { TruthReport } from "../truth/truth.js";
import type { MemberMessage, MetricsJson, SupervisorMessage } from "./messages.js";
import { PendingReplies } from "./replies.js";

/** A member that has not acknowledged a change by then is left behind (and logged). */
const SWITCH_ACK_TIMEOUT_MS = 2_000;
/** A member that has not sent its metrics by then is left out of that scrape. */
const METRICS_TIMEOUT_MS = 2_000;

type Reply = Extract<MemberMessage, { type: "fest-lab:reply" }>;
type Answer = Extract<SupervisorMessage, { type: "fest-lab:answer" }>;

/**
 * What the state needs of a member process: a cluster Worker is one; so is a service of the
 * services topology (src/services/), a child process behind a small adapter.
 */
export interface GroupMember {
  isConnected(): boolean;
  send(message: SupervisorMessage): boolean;
  once(event: "exit", listener: () => void): unknown;
  off(event: "exit", listener: () => void): unknown;
}

export interface GroupStateParts {
  switches: Switches;
  sessionSecret: string;
  reportUsage: boolean;
  log: Logger;
  /** The members alive now that asked for the state: every one of them gets each change. */
  members(): GroupMember[];
  /** What the log calls a member: "worker" or "service". */
  memberName: string;
  /** The supervisor's own figures, added to the members' on every scrape. */
  registry?: Registry;
  /** A challenge's lossy network, run here for the whole group (src/network/). */
  network?: LossyNetwork;
}

export class GroupState {
  readonly registry: Registry;
  /** What the group shares beyond the start settings: a new member is told it first. */
  private shared: SharedChange = {};
  private readonly replies = new PendingReplies<Reply>();
  /** The switch and fault changes of the live view's window, each once: this is where they happen. */
  private readonly marks: Mark[] = [];

  constructor(private readonly parts: GroupStateParts) {
    this.registry = parts.registry ?? new Registry();
  }

  /** Answers one message from a member; messages that are not ours are left alone. */
  handle(member: GroupMember, message: MemberMessage): void {
    /** The answer to the member's question, once the work is done everywhere. */
    const id = "id" in message ? message.id : 0;
    const answer = (work: Promise<Omit<Answer, "type" | "id"> | undefined>) =>
      void work.then(
        (fields) => send(member, { type: "fest-lab:answer", id, ...fields }),
        (error: Error) => send(member, { type: "fest-lab:answer", id, error: error.message }),
      );
    switch (message.type) {
      case "fest-lab:hello":
        send(member, {
          type: "fest-lab:state",
          on: this.parts.switches.enabled(),
          sessionSecret: this.parts.sessionSecret,
          reportUsage: this.parts.reportUsage,
          shared: this.shared,
        });
        return;
      case "fest-lab:reply":
        this.replies.settle(message.id, message);
        return;
      case "fest-lab:set-switch":
        answer(this.setSwitch(message.name, message.on, message.by).then(() => undefined));
        return;
      case "fest-lab:share":
        answer(this.share(message.change, message.by).then(() => undefined));
        return;
      case "fest-lab:group-metrics":
        answer(this.metricsText().then((text) => ({ text })));
        return;
      case "fest-lab:group-truth":
        answer(this.truth(message.run).then((truth) => ({ truth })));
        return;
      case "fest-lab:group-live":
        answer(this.live(message.after).then((live) => ({ live })));
        return;
      case "fest-lab:group-network":
        answer(Promise.resolve({ network: this.parts.network?.counts(message.run) }));
        return;
      default:
        return;
    }
  }

  /**
   * Changes what the group shares: here first (what is hidden, so this supervisor's own log
   * lines hide it too; the faults' one log line), then in every member.
   */
  async share(asked: SharedChange, by: string): Promise<void> {
    const { switches, log } = this.parts;
    // A challenge's lossy network starts or stops here first; the members read its address.
    const change = (await this.parts.network?.follow(asked)) ?? asked;
    if (change.hidden !== undefined) switches.hiddenBecause = change.hidden ?? undefined;
    if (change.faults !== undefined) {
      log.warn(faultsChangeLine(change.faults, by, switches.hiddenBecause));
      this.mark("fault", faultMarkText(change.faults, by));
    }
    this.shared = mergeShared(this.shared, change);
    await this.everyMember("a change", (id) => ({ type: "fest-lab:shared", id, change, by }));
  }

  /** Every member's truth (of one run, when named), added up. */
  async truth(run?: string): Promise<TruthReport | undefined> {
    const replies = await this.askEveryMember(
      (id) => ({ type: "fest-lab:collect-truth", id, ...(run === undefined ? {} : { run }) }),
      METRICS_TIMEOUT_MS,
    );
    return addTruths(
      replies.map((reply) => reply.truth),
      replies.map((reply) => reply.samples),
    );
  }

  /** The live view's points after second `after`: every member's, added up; the marks from here. */
  async live(after: number): Promise<LivePoint[]> {
    const sinceMs = after === 0 ? 0 : (after + 1) * 1000 - 1;
    const replies = await this.askEveryMember(
      (id) => ({ type: "fest-lab:collect-live", id, sinceMs }),
      METRICS_TIMEOUT_MS,
    );
    return addLivePoints(
      replies.map((reply) => reply.live ?? []),
      this.marks,
      after,
      // The supervisor's: one pid for the group, whichever member the page's next request reaches.
      process.pid,
    );
  }

  /** A change as a mark on the live view's time axis; what a running challenge hides stays hidden. */
  private mark(kind: Mark["kind"], text: string): void {
    const hidden = this.parts.switches.hiddenBecause;
    const t = Date.now();
    this.marks.push({ t, kind, text: hidden === undefined ? text : hiddenMarkText(hidden) });
    const oldest = t - LIVE_DEFAULTS.windowSeconds * 1000;
    while ((this.marks[0]?.t ?? t) < oldest) this.marks.shift();
  }

  /** Sets the switch here (the log line is written once, here), then in every member. */
  async setSwitch(name: SwitchName, on: boolean, by: string): Promise<void> {
    this.parts.switches.set(name, on, by);
    this.mark("switch", switchMarkText(name, on, by));
    await this.everyMember(`switch ${name}`, (id) => ({ type: "fest-lab:switch", id, name, on }));
  }

  /** Tells every member, waiting for each to confirm; one that does not is named in the log. */
  private async everyMember(what: string, message: (id: number) => SupervisorMessage) {
    const asked = this.parts.members().length;
    const acks = await this.askEveryMember(message, SWITCH_ACK_TIMEOUT_MS);
    if (acks.length < asked) {
      const member = this.parts.memberName;
      this.parts.log.warn(
        `${what}: ${asked - acks.length} of ${asked} ${member}s did not confirm within ${SWITCH_ACK_TIMEOUT_MS} ms (dying or busy); a restarted ${member} starts with the new state`,
      );
    }
  }

  /** Every member's registry and the supervisor's, added up by prom-client's aggregators. */
  async metricsText(): Promise<string> {
    const replies = await this.askEveryMember(
      (id) => ({ type: "fest-lab:collect-metrics", id }),
      METRICS_TIMEOUT_MS,
    );
    const each: MetricsJson[] = replies.flatMap((reply) => (reply.metrics ? [reply.metrics] : []));
    each.push(await this.registry.getMetricsAsJSON());
    return AggregatorRegistry.aggregate(each).metrics();
  }

  /** Asks each live member; one that exits or does not answer in time is left out. */
  private async askEveryMember(
    message: (id: number) => SupervisorMessage,
    timeoutMs: number,
  ): Promise<Reply[]> {
    const asks = this.parts.members().map(async (member) => {
      const { id, reply } = this.replies.expect(timeoutMs);
      const gone = () => this.replies.giveUp(id);
      member.once("exit", gone);
      if (!send(member, message(id))) gone();
      try {
        return await reply;
      } finally {
        member.off("exit", gone);
      }
    });
    return (await Promise.all(asks)).filter((reply) => reply !== undefined);
  }
}

/** False when the member's channel is already closed (it is dying): nothing to wait for. */
function send(member: GroupMember, message: SupervisorMessage): boolean {
  if (!member.isConnected()) return false;
  try {
    member.send(message);
    return true;
  } catch {
    return false;
  }
}
