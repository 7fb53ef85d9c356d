// SERVICES=1 (`npm start -- --services`): the fest as a gateway in front of separate services.
// This process prepares the data (DB_PATH once, then each fest service's own copy beside it),
// forks one process per service on 127.0.0.1 (but those UPSTREAMS says run elsewhere), each on
// a port chosen here and kept across restarts, and runs the gateway on the usual port. The
// loop (restart with backoff, the group's state, the drain) is the group's (src/group/).
// The lesson: the checkout crash that takes the monolith down now costs /checkout alone.

import { randomBytes } from "node:crypto";
import { servicesBannerText } from "../banner.js";
import { type Config, ConfigError } from "../config.js";
import { freePort } from "../free-port.js";
import { type RunningGateway, startGateway } from "../gateway/gateway.js";
import { superviseGroup } from "../group/supervisor.js";
import type { Logger } from "../observe/log.js";
import { Switches } from "../switches.js";
import { withholdMetrics } from "../withheld.js";
import type { ServiceRole } from "./messages.js";
import { databaseOf, prepareServiceData } from "./service-database.js";
import { forkService } from "./service-member.js";
import { ServicesMetrics } from "./services-metrics.js";
import { checkUpstreams, INTERNAL_PREFIX, SERVICE_ROUTES, type ServiceName } from "./topology.js";

export { SERVICE_ENTRY } from "./service-member.js";

export async function superviseServices(config: Config, log: Logger): Promise<void> {
  if (config.workers > 0) {
    throw new ConfigError(
      `SERVICES=1 and WORKERS=${config.workers} do not go together: choose the services topology or a group of monolith workers`,
    );
  }
  const elsewhere = checkUpstreams(config.upstreams);
  const local = SERVICE_ROUTES.filter((route) => elsewhere[route.name] === undefined);
  if (Object.keys(elsewhere).length > 0 && config.sessionSecret === undefined) {
    throw new ConfigError(
      "UPSTREAMS needs SESSION_SECRET, the one the services elsewhere were started with: every service verifies the session cookie with it",
    );
  }
  // The data once, here, before any service starts.
  const { seeded, counts, dbName } = await prepareServiceData(
    config,
    local.map((route) => route.name),
    log,
  );

  // Ports chosen once: a replacement listens where the one it replaces did, so the gateway
  // and the services that call it need no new address.
  const ports = new Map<ServiceName, number>();
  for (const route of local) ports.set(route.name, await freePort());
  const urlOf = (name: ServiceName) => elsewhere[name] ?? `http://127.0.0.1:${ports.get(name)}`;
  const roleOf = (name: ServiceName): ServiceRole => ({
    name,
    host: "127.0.0.1",
    port: ports.get(name) as number,
    dbPath: databaseOf(config.dbPath, name),
    upstreams: { accounts: urlOf("accounts"), events: urlOf("events") },
  });
  const metrics = new ServicesMetrics(
    SERVICE_ROUTES.map((route) => ({ name: route.name, url: urlOf(route.name) })),
    local.map((route) => route.name),
    (name) => group.isListening(name),
  );

  const switches = Switches.fromStartup(config);
  // The gateway listens once every service does: a client that finds the port open, a load
  // tool waiting for /health say, must not meet 502s from services still starting.
  let gateway: RunningGateway | undefined;
  // MONITOR_CSV counts the group's requests at the gateway, each once.
  const door = { done: 0, inFlight: 0 };
  const group = await superviseGroup(
    {
      noun: "service",
      keys: local.map((route) => route.name),
      label: (key) => `service ${key}`,
      via: (key) => `the ${key} service`,
      fork: (key, events) => forkService(roleOf(key as ServiceName), log, events),
      whileDown: "the gateway answers 502 for its paths meanwhile; ",
      where: (key) => ` at ${urlOf(key as ServiceName)}`,
      restarted: (key) => metrics.restarts.inc({ service: key }),
      front: { name: "the gateway", close: () => gateway?.close(config.shutdownGraceMs) },
    },
    {
      log,
      switches,
      // Every service verifies the one session cookie with this secret (see fest-apps.ts).
      sessionSecret: config.sessionSecret ?? randomBytes(32).toString("hex"),
      monitorCsv: config.monitorCsv,
      door: () => door,
      networkTarget: () => gateway?.url,
    },
  );

  gateway = await startGateway({
    host: config.host,
    port: config.port,
    upstreams: SERVICE_ROUTES.map((route) => ({
      name: route.name,
      url: urlOf(route.name),
      matches: route.matches,
      timeoutMs: route.timeoutMs,
    })),
    internalPrefix: INTERNAL_PREFIX,
    headersTimeoutMs: config.headerTimeoutMs,
    // A running challenge hides which switches it turned on, on the gateway's pages too.
    pageLocals: () => ({
      mode: config.mode,
      switchesHidden: switches.hiddenBecause,
      switchesOn: switches.hiddenBecause === undefined ? switches.enabled() : [],
    }),
    // Each service leaves out what a running challenge withholds; so does the sum of them.
    moreMetrics: async () => withholdMetrics(await metrics.text(), switches.hiddenBecause),
  });
  gateway.http.on("request", (_req, res) => {
    door.inFlight++;
    res.once("close", () => {
      door.inFlight--;
      door.done++;
    });
  });
  console.log(
    servicesBannerText({
      config,
      url: gateway.url,
      switches,
      services: SERVICE_ROUTES.map((route) => ({
        name: route.name,
        url: urlOf(route.name),
        state:
          elsewhere[route.name] !== undefined
            ? "elsewhere"
            : group.isListening(route.name)
              ? "up"
              : "restarting",
        pid: group.pid(route.name),
        serves: route.serves,
      })),
      database: { name: dbName, seeded, ...counts },
    }),
  );
}
