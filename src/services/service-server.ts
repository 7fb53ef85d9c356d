// One fest service (accounts, events or checkout) listening on 127.0.0.1 (or HOST, alone): its
// Express app inside the one server shell (src/connection/http-shell.ts) that the monolith,
// a worker and the gateway use too.
// Around the app, the same counters as the monolith's (src/counters.ts): its truth, its
// faults, its capacity limit, each acting on the requests this service answers.
// The labs service is the monolith's own server (startServer), so it is not built here.
import type { IncomingMessage } from "node:http";
import type { Express } from "express";
import { CleanupStack } from "../cleanup-stack.js";
import type { Config } from "../config.js";
import { serveHttp } from "../connection/http-shell.js";
import { type Counters, countedShell, knowRoutes, makeCounters } from "../counters.js";
import { IDLE_POOL } from "../observe/cpu-pool-stats.js";
import type { Logger } from "../observe/log.js";
import type { Switches } from "../switches.js";
import {
  accountsApp,
  accountsCalls,
  checkoutApp,
  eventsApp,
  eventsCalls,
  type FestServiceParts,
} from "./fest-apps.js";
import { internalSecret, ServiceClient } from "./internal.js";
import { type InternalRoute, withInternalRoutes } from "./internal-routes.js";
import type { ServiceRole } from "./messages.js";
import { openServiceDatabase } from "./service-database.js";
import { INTERNAL_PREFIX } from "./topology.js";

/** On every answer of a service: which one answered, for students and tests. */
export const SERVICE_HEADER = "X-Fest-Service";

export interface RunningService {
  url: string;
  /** Its truth, faults and capacity limit, which it follows the group's changes of. */
  counters: Counters;
  close(graceMs: number): Promise<void>;
}

export interface FestServiceOptions {
  switches: Switches;
  log: Logger;
  sessionSecret: string;
  /** In a group the supervisor logs each change of the faults, and the labs service checks them. */
  inGroup: boolean;
}

export async function startFestService(
  role: ServiceRole,
  config: Config,
  options: FestServiceOptions,
): Promise<RunningService> {
  const cleanup = new CleanupStack();
  let graceMs = config.shutdownGraceMs;
  try {
    const { counters, url } = await serveService(role, config, options, cleanup, () => graceMs);
    let closing: Promise<void> | undefined;
    return {
      url,
      counters,
      close(grace) {
        closing ??= (async () => {
          graceMs = grace;
          await cleanup.run();
        })();
        return closing;
      },
    };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

/** Its data, its counters, its app and the shell, each undone on `cleanup` (last first). */
async function serveService(
  role: ServiceRole,
  config: Config,
  options: FestServiceOptions,
  cleanup: CleanupStack,
  graceMs: () => number,
): Promise<{ counters: Counters; url: string }> {
  const { switches, log, sessionSecret } = options;
  const db = openServiceDatabase(role.dbPath);
  cleanup.add(() => db.close());
  const secret = internalSecret(sessionSecret);
  // A fest service runs no worker pool: its pool figures are zeros, as a monolith's idle one.
  const counters = makeCounters(config, {
    switches,
    log,
    cleanup,
    cpuPoolStats: () => IDLE_POOL,
    logFaultChanges: !options.inGroup,
    // In the group its clients are the gateway's; alone (--service NAME) they are its own.
    behindGateway: options.inGroup,
  });
  const parts: FestServiceParts = {
    config,
    db,
    switches,
    log,
    sessionSecret,
    internalSecret: secret,
    metrics: counters.metrics,
    faultInjector: counters.faultInjector,
  };
  const client = (name: "accounts" | "events") => {
    const url = role.upstreams[name];
    if (url === undefined)
      throw new Error(`the ${role.name} service needs the ${name} service's address`);
    const serviceClient = new ServiceClient(name, url, secret);
    cleanup.add(() => serviceClient.close());
    return serviceClient;
  };
  let app: Express;
  let calls: InternalRoute[] = [];
  if (role.name === "accounts") {
    app = accountsApp(parts);
    calls = accountsCalls(parts);
  } else if (role.name === "events") {
    const accounts = client("accounts");
    app = eventsApp(parts, accounts);
    calls = eventsCalls(parts, accounts);
  } else {
    app = checkoutApp(parts, client("events"));
  }
  // Another service's calls are answered before the app, which never sees them.
  const answer = withInternalRoutes(secret, calls, log, (req, res) => app(req, res));
  // In a group the labs service, which has every service's routes, checks the rules.
  knowRoutes(app, counters, { checkRules: !options.inGroup });
  const shell = await serveHttp({
    host: role.host,
    port: role.port,
    log,
    name: `the ${role.name} service`,
    trustProxy: config.trustProxy,
    headersTimeoutMs: config.headerTimeoutMs,
    appPrototypes: app,
    ...countedShell(
      counters,
      (req, res) => {
        res.setHeader(SERVICE_HEADER, role.name);
        answer(req, res);
      },
      // A call from another service is part of a client's request, counted where it came in.
      { notForTheTruth: isInternalRequest },
    ),
  });
  // Last on the stack, so first to run: answers go out before the data closes.
  cleanup.add(() => shell.close(graceMs()));
  return { counters, url: shell.url };
}

function isInternalRequest(req: IncomingMessage): boolean {
  return req.url?.toLowerCase().startsWith(INTERNAL_PREFIX) === true;
}
