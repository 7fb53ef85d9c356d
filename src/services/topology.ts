// The services topology in one table: which service answers which paths, and how long the
// gateway waits for it. The gateway (src/gateway/) reads it as data; the supervisor
// (supervisor.ts) starts one process a row.

import { ConfigError } from "../config.js";
import { LAB_NAMES, type LabName } from "../labs/list.js";

export const SERVICE_NAMES = ["accounts", "events", "checkout", "labs"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** What each service calls: checkout asks events for lines, events asks accounts about users. */
export const CALLS: Record<ServiceName, ServiceName[]> = {
  accounts: [],
  events: ["accounts"],
  checkout: ["events"],
  labs: [],
};

export interface ServiceRoute {
  name: ServiceName;
  /** What it does, for the banner and docs/shapes.md. */
  serves: string;
  /**
   * The paths the gateway sends it; the last service takes every path the others do not.
   * Given the path as the service's router compares it (src/gateway/routed-path.ts): lower
   * case, slashes folded, no trailing slash, so /Events and //events/ go where /events does.
   */
  matches(path: string): boolean;
  /**
   * How long the gateway waits for a byte of the answer before it gives up with 504. Each
   * bound sits above the slowest answer a lab asks the service for (accounts: a scrypt hash;
   * events and checkout: a naive twin under load; labs: `/io?ms=10000`), so a 504 always
   * means "too slow", never "a lab's normal".
   */
  timeoutMs: number;
  /** The fest services each own a copy of the seeded fest tables; labs keeps DB_PATH. */
  ownsFestCopy: boolean;
}

/** The lab the accounts, events and checkout services split between them. */
const SPLIT_LAB: LabName = "fest";

/** The labs service's share: every other lab in the list, so a new lab lands there by itself. */
const LABS_SERVED = LAB_NAMES.filter((name) => name !== SPLIT_LAB);

const exactly =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

export const SERVICE_ROUTES: readonly ServiceRoute[] = [
  {
    name: "accounts",
    serves: "/signup /login /logout",
    matches: exactly("/signup", "/login", "/logout"),
    timeoutMs: 10_000,
    ownsFestCopy: true,
  },
  {
    name: "events",
    serves: "/events /events/<id>/register /my-events",
    matches: (path) => path === "/events" || path.startsWith("/events/") || path === "/my-events",
    timeoutMs: 15_000,
    ownsFestCopy: true,
  },
  {
    name: "checkout",
    serves: "/checkout (lines and prices from events, over HTTP)",
    matches: exactly("/checkout"),
    timeoutMs: 15_000,
    ownsFestCopy: true,
  },
  {
    name: "labs",
    serves: `everything else: / /admin and the labs ${LABS_SERVED.join(", ")}`,
    matches: () => true,
    timeoutMs: 30_000,
    ownsFestCopy: false,
  },
];

/** Internal JSON routes live under this path, in any case; the gateway never forwards it. */
export const INTERNAL_PREFIX = "/internal";

/** UPSTREAMS names services of this table only; a typo would start the service here unseen. */
export function checkUpstreams(
  upstreams: Record<string, string>,
): Partial<Record<ServiceName, string>> {
  for (const name of Object.keys(upstreams)) {
    if (!isServiceName(name)) {
      throw new ConfigError(
        `UPSTREAMS names "${name}", which is not a service: use ${SERVICE_NAMES.join(", ")}`,
      );
    }
  }
  return upstreams as Partial<Record<ServiceName, string>>;
}
