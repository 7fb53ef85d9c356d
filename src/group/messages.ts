// What a group's supervisor and its members (cluster workers under WORKERS=N, forked services
// under SERVICES=1) say to each other over the IPC channel. Every type starts "fest-lab:", so
// these never collide with prom-client's own cluster messages ("prom-client:...") or Node's
// internal ones, which share the channel.
import type { Registry } from "prom-client";
import type { LivePoint, MemberLivePoint } from "../live/live-figures.js";
import type { NetworkCounts } from "../network/lossy-proxy.js";
import type { ResourceSample } from "../observe/monitor.js";
import type { SharedChange } from "../shared-change.js";
import type { SwitchName } from "../switches.js";
import type { LatencySampleSet, TruthReport } from "../truth/truth.js";

/** One registry's metrics as prom-client's getMetricsAsJSON() gives them. */
export type MetricsJson = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

/** Sent by a member. */
export type MemberMessage =
  /** First thing a worker says: it needs the group's state before it serves anything. */
  | { type: "fest-lab:hello" }
  /** The admin page asked this member to change a switch; answered once every member has it. */
  | { type: "fest-lab:set-switch"; id: number; name: SwitchName; on: boolean; by: string }
  /** GET /metrics came to this member; answered with the whole group's text. */
  | { type: "fest-lab:group-metrics"; id: number }
  /** An admin changed what the group shares; answered once every member has it. */
  | { type: "fest-lab:share"; id: number; change: SharedChange; by: string }
  /** GET /admin/truth (or a challenge's grading) came here: the group's truth, added up. */
  | { type: "fest-lab:group-truth"; id: number; run?: string }
  /** GET /admin/live/events came here: the group's points after second `after`, added up. */
  | { type: "fest-lab:group-live"; id: number; after: number }
  /** A challenge's grading came here: what the group's lossy network lost of the run. */
  | { type: "fest-lab:group-network"; id: number; run: string }
  /** The reply to a supervisor's question with the same id. */
  | {
      type: "fest-lab:reply";
      id: number;
      metrics?: MetricsJson;
      truth?: TruthReport;
      /** With truth: every answered request's time, for the group's exact percentiles. */
      samples?: LatencySampleSet;
      /** This member's live points ending after the asked time. */
      live?: MemberLivePoint[];
    }
  /** This worker's figures for the last second, for MONITOR_CSV. */
  | { type: "fest-lab:usage"; sample: ResourceSample };

/** Sent by the supervisor. */
export type SupervisorMessage =
  /** The reply to hello: what every member shares. */
  | {
      type: "fest-lab:state";
      on: SwitchName[];
      sessionSecret: string;
      /** True when MONITOR_CSV is on: then send usage once a second. */
      reportUsage: boolean;
      /** What the group shares now, as far as it differs from the start settings. */
      shared: SharedChange;
    }
  /** Set this switch, then reply. */
  | { type: "fest-lab:switch"; id: number; name: SwitchName; on: boolean }
  /** Follow this change of what the group shares, then reply. */
  | { type: "fest-lab:shared"; id: number; change: SharedChange; by: string }
  /** Reply with this member's own metrics. */
  | { type: "fest-lab:collect-metrics"; id: number }
  /** Reply with this member's own truth (of one run, when named). */
  | { type: "fest-lab:collect-truth"; id: number; run?: string }
  /** Reply with this member's live points ending after sinceMs (it samples from now on). */
  | { type: "fest-lab:collect-live"; id: number; sinceMs: number }
  /** The answer to a member's question with the same id. */
  | {
      type: "fest-lab:answer";
      id: number;
      text?: string;
      truth?: TruthReport;
      live?: LivePoint[];
      network?: NetworkCounts;
      error?: string;
    };

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
