// SERVICES=1 (`npm start -- --services`): the fest as a gateway in front of separate services.
// This process prepares the data (DB_PATH once, then each fest service's own copy beside it),
// forks one process per service on 127.0.0.1 (but those UPSTREAMS says run elsewhere), each on
// a port chosen here and kept across restarts, and runs the gateway on the usual port. The
// loop (restart with backoff, the group's state, the drain) is the group's (src/group/).
// The lesson: the checkout crash that takes the monolith down now costs /checkout alone.
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Counter, Gauge, Registry } from "prom-client";
import { servicesBannerText } from "../banner.js";
import { type Config, ConfigError } from "../config.js";
import { freePort } from "../free-port.js";
import { startGateway } from "../gateway/gateway.js";
import { superviseGroup } from "../group/supervisor.js";
import { mergeLabelled } from "../observe/labelled-text.js";
import type { Logger } from "../observe/log.js";
import { distDir } from "../paths.js";
import { Switches } from "../switches.js";
import { isServiceMessage, type RoleMessage, type ServiceRole } from "./messages.js";
import { databaseOf, prepareServiceData } from "./service-database.js";
import {
  checkUpstreams,
  INTERNAL_PREFIX,
  refuseOneServerSettings,
  SERVICE_ROUTES,
  type ServiceName,
} from "./topology.js";

export const SERVICE_ENTRY = join(distDir, "src", "services", "service-process.js");

export async function superviseServices(config: Config, log: Logger): Promise<void> {
  if (config.workers > 0) {
    throw new ConfigError(
      `SERVICES=1 and WORKERS=${config.workers} do not go together: choose the services topology or a group of monolith workers`,
    );
  }
  refuseOneServerSettings(config);
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

  const switches = Switches.fromStartup(config);
  const registry = new Registry();
  const restarts = new Counter({
    name: "festlab_service_restarts_total",
    help: "Service processes the supervisor started again after one died (SERVICES=1).",
    labelNames: ["service"],
    registers: [registry],
  });

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

  // The gateway listens once every service does: a client that finds the port open, a load
  // tool waiting for /health say, must not meet 502s from services still starting.
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
  const group = await superviseGroup(
    {
      noun: "service",
      keys: local.map((route) => route.name),
      label: (key) => `service ${key}`,
      via: (key) => `the ${key} service`,
      fork(key, events) {
        const child = fork(SERVICE_ENTRY, process.argv.slice(2), {
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        });
        // A send to a child whose channel just closed reports here; its exit comes below.
        child.on("error", (error) => log.warn(`service ${key}: ${error.message}`));
        child.on("message", (message: unknown) => {
          if (!isServiceMessage(message)) events.message(message);
          else if (message.type === "fest-lab:service-listening") events.listening();
          else {
            const answer: RoleMessage = {
              type: "fest-lab:service-role",
              role: roleOf(key as ServiceName),
            };
            child.send(answer);
          }
        });
        child.once("exit", (code, signal) => events.exited(code, signal));
        return {
          pid: child.pid,
          isConnected: () => child.connected,
          isDead: () => child.exitCode !== null || child.signalCode !== null,
          send: (message) => child.send(message),
          once: (event, listener) => child.once(event, listener),
          off: (event, listener) => child.off(event, listener),
          kill: (signal) => child.kill(signal),
        };
      },
      whileDown: "the gateway answers 502 for its paths meanwhile; ",
      where: (key) => ` at ${urlOf(key as ServiceName)}`,
      restarted: (key) => restarts.inc({ service: key }),
      front: { name: "the gateway", close: () => gateway?.close(config.shutdownGraceMs) },
    },
    {
      log,
      switches,
      // Every service verifies the one session cookie with this secret (see fest-apps.ts).
      sessionSecret: config.sessionSecret ?? randomBytes(32).toString("hex"),
      monitorCsv: undefined,
    },
  );
  new Gauge({
    name: "festlab_service_up",
    help: "1 while the service's process is started and listening, 0 while it is down or restarting (SERVICES=1).",
    labelNames: ["service"],
    registers: [registry],
    collect() {
      for (const route of local)
        this.set({ service: route.name }, group.isListening(route.name) ? 1 : 0);
    },
  });

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
    adminToken: config.adminToken,
    // A running challenge hides which switches it turned on, on the gateway's pages too.
    pageLocals: () => ({
      mode: config.mode,
      switchesHidden: switches.hiddenBecause,
      switchesOn: switches.hiddenBecause === undefined ? switches.enabled() : [],
    }),
    moreMetrics: async () =>
      `${await registry.metrics()}\n${await servicesMetrics(SERVICE_ROUTES.map((route) => [route.name, urlOf(route.name)]))}`,
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

/**
 * Every service's own /metrics, each sample labelled service="NAME", families merged; a
 * service that is down or slow is left out of this scrape (festlab_service_up says so).
 */
async function servicesMetrics(services: [string, string][]): Promise<string> {
  const texts = await Promise.all(
    services.map(async ([name, url]) => {
      try {
        const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) });
        return { labels: { service: name }, text: res.ok ? await res.text() : "" };
      } catch {
        return { labels: { service: name }, text: "" };
      }
    }),
  );
  return mergeLabelled(texts);
}
