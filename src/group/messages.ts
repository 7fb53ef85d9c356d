// What a group's supervisor and its members (cluster workers under WORKERS=N, forked services
// under SERVICES=1) say to each other over the IPC channel. Every type starts "fest-lab:", so
// these never collide with prom-client's own cluster messages ("prom-client:...") or Node's
// internal ones, which share the channel.
import type { Registry } from "prom-client";
import type { ResourceSample } from "../observe/monitor.js";
import type { SwitchName } from "../switches.js";

/** One registry's metrics as prom-client's getMetricsAsJSON() gives them. */
export type MetricsJson = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

/** Sent by a member. */
export type MemberMessage =
  /** First thing a worker says: it needs the group's state before it serves anything. */
  | { type: "fest-lab:hello" }
  /** The admin page asked this worker to change a switch; answered once every worker has it. */
  | { type: "fest-lab:set-switch"; id: number; name: SwitchName; on: boolean; by: string }
  /** GET /metrics came to this worker; answered with the whole group's text. */
  | { type: "fest-lab:group-metrics"; id: number }
  /** The reply to a supervisor's question with the same id. */
  | { type: "fest-lab:reply"; id: number; metrics?: MetricsJson }
  /** This worker's figures for the last second, for MONITOR_CSV. */
  | { type: "fest-lab:usage"; sample: ResourceSample };

/** Sent by the supervisor. */
export type SupervisorMessage =
  /** The reply to hello: what every worker shares. */
  | {
      type: "fest-lab:state";
      on: SwitchName[];
      sessionSecret: string;
      /** True when MONITOR_CSV is on: then send usage once a second. */
      reportUsage: boolean;
    }
  /** Set this switch, then reply. */
  | { type: "fest-lab:switch"; id: number; name: SwitchName; on: boolean }
  /** Reply with this worker's own metrics. */
  | { type: "fest-lab:collect-metrics"; id: number }
  /** The answer to a worker's set-switch or group-metrics with the same id. */
  | { type: "fest-lab:answer"; id: number; text?: string; error?: string };

export function isMemberMessage(message: unknown): message is MemberMessage {
  return isOurs(message);
}

export function isSupervisorMessage(message: unknown): message is SupervisorMessage {
  return isOurs(message);
}

function isOurs(message: unknown): boolean {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === "string" && type.startsWith("fest-lab:");
}
