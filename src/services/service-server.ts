// One fest service (accounts, events or checkout) listening on 127.0.0.1 (or HOST, alone): its Express app
// inside the same node:http layers as the monolith's (src/start.ts) that a service needs:
// the version header, one access-log line a request, the drain on SIGTERM, the one-Host check.
// The labs service is the monolith's own server (startServer), so it is not built here.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../config.js";
import { Drain } from "../connection/drain.js";
import { withSingleHost } from "../connection/single-host.js";
import { withAccessLog } from "../observe/access-log.js";
import type { Logger } from "../observe/log.js";
import { ServerMetrics } from "../observe/metrics.js";
import { watchRequests } from "../observe/request-watch.js";
import { ListenError } from "../start.js";
import type { Switches } from "../switches.js";
import { withVersionHeader } from "../version.js";
import { accountsApp, checkoutApp, eventsApp, type FestServiceParts } from "./fest-apps.js";
import { internalSecret, ServiceClient } from "./internal.js";
import type { ServiceRole } from "./messages.js";
import { openServiceDatabase } from "./service-database.js";

const NO_POOL = { threads: 0, busy: 0, queued: 0, rejected: 0, completed: 0 };

/** On every answer of a service: which one answered, for students and tests. */
export const SERVICE_HEADER = "X-Fest-Service";

export interface RunningService {
  url: string;
  close(graceMs: number): Promise<void>;
}

export async function startFestService(
  role: ServiceRole,
  config: Config,
  { switches, log, sessionSecret }: { switches: Switches; log: Logger; sessionSecret: string },
): Promise<RunningService> {
  const db = openServiceDatabase(role.dbPath);
  const secret = internalSecret(sessionSecret);
  // A fest service runs no worker pool: its pool figures are zeros, as a monolith's idle one.
  const metrics = new ServerMetrics({ switches, cpuPoolStats: () => NO_POOL });
  const parts: FestServiceParts = {
    config,
    db,
    switches,
    log,
    sessionSecret,
    internalSecret: secret,
    metrics,
  };
  const client = (name: "accounts" | "events") => {
    const url = role.upstreams[name];
    if (url === undefined)
      throw new Error(`the ${role.name} service needs the ${name} service's address`);
    return new ServiceClient(name, url, secret);
  };
  const app =
    role.name === "accounts"
      ? accountsApp(parts)
      : role.name === "events"
        ? eventsApp(parts, client("accounts"))
        : checkoutApp(parts, client("events"));

  const server = createServer();
  const drain = new Drain(server, log);
  server.on(
    "request",
    withVersionHeader(
      watchRequests(
        [metrics, drain],
        withAccessLog(
          drain.refuseWhileDraining(
            withSingleHost((req, res) => {
              res.setHeader(SERVICE_HEADER, role.name);
              app(req, res);
            }),
          ),
          log,
        ),
      ),
    ),
  );
  server.keepAliveTimeout = 65_000;
  try {
    server.listen(role.port, role.host);
    await once(server, "listening");
  } catch (error) {
    db.close();
    throw new ListenError(
      `the ${role.name} service cannot listen on ${role.host}:${role.port}: ${(error as Error).message}`,
    );
  }
  const { port } = server.address() as AddressInfo;
  const host = role.host.includes(":") ? `[${role.host}]` : role.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close(graceMs) {
      closing ??= (async () => {
        await drain.drain(graceMs);
        db.close();
      })();
      return closing;
    },
  };
}
