// One fest service (accounts, events or checkout) listening on 127.0.0.1 (or HOST, alone): its
// Express app inside the one server shell (src/connection/http-shell.ts) that the monolith,
// a worker and the gateway use too.
// The labs service is the monolith's own server (startServer), so it is not built here.
import type { Config } from "../config.js";
import { type Shell, serveHttp } from "../connection/http-shell.js";
import { IDLE_POOL } from "../observe/cpu-pool-stats.js";
import type { Logger } from "../observe/log.js";
import { ServerMetrics } from "../observe/metrics.js";
import type { Switches } from "../switches.js";
import { accountsApp, checkoutApp, eventsApp, type FestServiceParts } from "./fest-apps.js";
import { internalSecret, ServiceClient } from "./internal.js";
import type { ServiceRole } from "./messages.js";
import { openServiceDatabase } from "./service-database.js";

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
  const metrics = new ServerMetrics({ switches, cpuPoolStats: () => IDLE_POOL });
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

  let shell: Shell;
  try {
    shell = await serveHttp({
      host: role.host,
      port: role.port,
      log,
      name: `the ${role.name} service`,
      trustProxy: config.trustProxy,
      watchers: [metrics],
      handler: (req, res) => {
        res.setHeader(SERVICE_HEADER, role.name);
        app(req, res);
      },
    });
  } catch (error) {
    db.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: shell.url,
    close(graceMs) {
      closing ??= (async () => {
        await shell.close(graceMs);
        db.close();
      })();
      return closing;
    },
  };
}
