// What the services supervisor and each service say to each other over the child's IPC
// channel, besides the switch messages of src/workers/messages.ts that both topologies share.
// The "fest-lab:" prefix keeps them apart from prom-client's and Node's own messages.
import type { ServiceName } from "./topology.js";

/** Who a service process is: its name, where it listens, its file, where the others are. */
export interface ServiceRole {
  name: ServiceName;
  /** 127.0.0.1 under the supervisor; HOST when the service runs alone (--service). */
  host: string;
  port: number;
  /** The service's own SQLite file (labs: DB_PATH itself). */
  dbPath: string;
  /** The base URLs of the services it calls: events calls accounts, checkout calls events. */
  upstreams: Partial<Record<ServiceName, string>>;
}

/** Sent by a service. */
export type ServiceMessage =
  | { type: "fest-lab:which-service" }
  | { type: "fest-lab:service-listening"; url: string };

/** Sent by the supervisor. */
export type RoleMessage = { type: "fest-lab:service-role"; role: ServiceRole };

export function isServiceMessage(message: unknown): message is ServiceMessage {
  const type = (message as { type?: unknown } | null)?.type;
  return type === "fest-lab:which-service" || type === "fest-lab:service-listening";
}

export function isRoleMessage(message: unknown): message is RoleMessage {
  return (message as { type?: unknown } | null)?.type === "fest-lab:service-role";
}
