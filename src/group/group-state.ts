// What the supervisor holds for the whole group and answers its members about: the switch
// state (the one authority: a member's admin change goes through here and reaches every
// member before the admin page answers) and /metrics for all members together.
import { AggregatorRegistry, Registry } from "prom-client";
import type { Logger } from "../observe/log.js";
import type { Switches, SwitchName } from "../switches.js";
import type { MemberMessage, MetricsJson, SupervisorMessage } from "./messages.js";
import { PendingReplies } from "./replies.js";

/** A worker that has not acknowledged a switch change by then is left behind (and logged). */
const SWITCH_ACK_TIMEOUT_MS = 2_000;
/** A worker that has not sent its metrics by then is left out of that scrape. */
const METRICS_TIMEOUT_MS = 2_000;

type Reply = Extract<MemberMessage, { type: "fest-lab:reply" }>;

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
}

export class GroupState {
  readonly registry: Registry;
  private readonly replies = new PendingReplies<Reply>();

  constructor(private readonly parts: GroupStateParts) {
    this.registry = parts.registry ?? new Registry();
  }

  /** Answers one message from a worker; messages that are not ours are left alone. */
  handle(worker: GroupMember, message: MemberMessage): void {
    switch (message.type) {
      case "fest-lab:hello":
        send(worker, {
          type: "fest-lab:state",
          on: this.parts.switches.enabled(),
          sessionSecret: this.parts.sessionSecret,
          reportUsage: this.parts.reportUsage,
        });
        return;
      case "fest-lab:reply":
        this.replies.settle(message.id, message);
        return;
      case "fest-lab:set-switch":
        void this.setSwitch(message.name, message.on, message.by).then(
          () => send(worker, { type: "fest-lab:answer", id: message.id }),
          (error: Error) =>
            send(worker, { type: "fest-lab:answer", id: message.id, error: error.message }),
        );
        return;
      case "fest-lab:group-metrics":
        void this.metricsText().then(
          (text) => send(worker, { type: "fest-lab:answer", id: message.id, text }),
          (error: Error) =>
            send(worker, { type: "fest-lab:answer", id: message.id, error: error.message }),
        );
        return;
      default:
        return;
    }
  }

  /** Sets the switch here (the log line is written once, here), then in every worker. */
  async setSwitch(name: SwitchName, on: boolean, by: string): Promise<void> {
    this.parts.switches.set(name, on, by);
    const asked = this.parts.members().length;
    const acks = await this.askEveryMember(
      (id) => ({ type: "fest-lab:switch", id, name, on }),
      SWITCH_ACK_TIMEOUT_MS,
    );
    if (acks.length < asked) {
      const member = this.parts.memberName;
      this.parts.log.warn(
        `switch ${name}: ${asked - acks.length} of ${asked} ${member}s did not confirm within ${SWITCH_ACK_TIMEOUT_MS} ms (dying or busy); a restarted ${member} starts with the new state`,
      );
    }
  }

  /** Every worker's registry and the supervisor's, added up by prom-client's aggregators. */
  async metricsText(): Promise<string> {
    const replies = await this.askEveryMember(
      (id) => ({ type: "fest-lab:collect-metrics", id }),
      METRICS_TIMEOUT_MS,
    );
    const each: MetricsJson[] = replies.flatMap((reply) => (reply.metrics ? [reply.metrics] : []));
    each.push(await this.registry.getMetricsAsJSON());
    return AggregatorRegistry.aggregate(each).metrics();
  }

  /** Asks each live worker; a worker that exits or does not answer in time is left out. */
  private async askEveryMember(
    message: (id: number) => SupervisorMessage,
    timeoutMs: number,
  ): Promise<Reply[]> {
    const asks = this.parts.members().map(async (worker) => {
      const { id, reply } = this.replies.expect(timeoutMs);
      const gone = () => this.replies.giveUp(id);
      worker.once("exit", gone);
      if (!send(worker, message(id))) gone();
      try {
        return await reply;
      } finally {
        worker.off("exit", gone);
      }
    });
    return (await Promise.all(asks)).filter((reply) => reply !== undefined);
  }
}

/** False when the worker's channel is already closed (it is dying): nothing to wait for. */
function send(worker: GroupMember, message: SupervisorMessage): boolean {
  if (!worker.isConnected()) return false;
  try {
    worker.send(message);
    return true;
  } catch {
    return false;
  }
}
