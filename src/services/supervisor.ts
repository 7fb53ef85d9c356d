// SERVICES=1 (`npm start -- --services`): the fest as a gateway in front of separate services.
// This process prepares the data (DB_PATH once, then each fest service's own copy beside it),
// forks one process per service on 127.0.0.1 (but those UPSTREAMS says run elsewhere), each on
// a port chosen here and kept across restarts, restarts a service that dies (with the backoff
// of WORKERS=N), holds the switch state every service follows, and runs the gateway on the
// usual port.
// The lesson: the checkout crash that takes the monolith down now costs /checkout alone.
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Counter, Gauge, Registry } from "prom-client";
import { servicesBannerText } from "../banner.js";
import { type Config, ConfigError } from "../config.js";
import { freePort } from "../free-port.js";
import { startGateway } from "../gateway/gateway.js";
import { mergeLabelled } from "../observe/labelled-text.js";
import type { Logger } from "../observe/log.js";
import { distDir } from "../paths.js";
import { Switches } from "../switches.js";
import { nextQuickDeaths, restartDelayMs } from "../workers/backoff.js";
import { type GroupMember, GroupState } from "../workers/group-state.js";
import { isWorkerMessage } from "../workers/messages.js";
import { isServiceMessage, type RoleMessage, type ServiceRole } from "./messages.js";
import { databaseOf, prepareServiceData } from "./service-database.js";
import {
  checkUpstreams,
  INTERNAL_PREFIX,
  refuseOneServerSettings,
  SERVICE_ROUTES,
  type ServiceName,
  type ServiceRoute,
} from "./topology.js";

export const SERVICE_ENTRY = join(distDir, "src", "services", "service-process.js");

/** One service; its process changes each time one dies and is replaced. */
interface Slot {
  route: ServiceRoute;
  role: ServiceRole;
  url: string;
  child: ChildProcess;
  member: GroupMember;
  startedAt: number;
  quickDeaths: number;
  listening: boolean;
  /**
   * It has asked for the group's state: from then on it gets every switch change. Before, it
   * would drop one (nothing listens yet) and hold a switch change up for the ack timeout.
   */
  joined: boolean;
  /** Has any process of this service ever listened? If not, a death is a failed start. */
  everListened: boolean;
  replacing?: { pid: number | undefined; diedAt: number };
  restartTimer?: NodeJS.Timeout;
}

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
  switches.onChange((name, on, by) =>
    log.warn(`switch ${name} turned ${on ? "on" : "off"} by ${by}`),
  );
  const registry = new Registry();
  const restarts = new Counter({
    name: "festlab_service_restarts_total",
    help: "Service processes the supervisor started again after one died (SERVICES=1).",
    labelNames: ["service"],
    registers: [registry],
  });
  const slots = new Map<ServiceName, Slot>();
  new Gauge({
    name: "festlab_service_up",
    help: "1 while the service's process is started and listening, 0 while it is down or restarting (SERVICES=1).",
    labelNames: ["service"],
    registers: [registry],
    collect() {
      for (const slot of slots.values())
        this.set({ service: slot.route.name }, slot.listening ? 1 : 0);
    },
  });

  const state = new GroupState({
    switches,
    // Every service verifies the one session cookie with this secret (see fest-apps.ts).
    sessionSecret: config.sessionSecret ?? randomBytes(32).toString("hex"),
    reportUsage: false,
    log,
    memberName: "service",
    workers: () =>
      [...slots.values()]
        .filter((slot) => slot.joined && slot.child.connected)
        .map((slot) => slot.member),
    listening: () => [...slots.values()].filter((slot) => slot.listening).length,
  });

  // Ports chosen once: a replacement listens where the one it replaces did, so the gateway
  // and the services that call it need no new address.
  const ports = new Map<ServiceName, number>();
  for (const route of local) ports.set(route.name, await freePort());
  const urlOf = (name: ServiceName) => elsewhere[name] ?? `http://127.0.0.1:${ports.get(name)}`;
  const roleOf = (route: ServiceRoute): ServiceRole => ({
    name: route.name,
    host: "127.0.0.1",
    port: ports.get(route.name) as number,
    dbPath: databaseOf(config.dbPath, route.name),
    upstreams: { accounts: urlOf("accounts"), events: urlOf("events") },
  });

  // The gateway listens once every service does (below): a client that finds the port open,
  // a load tool waiting for /health say, must not meet 502s from services still starting.
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
  let shuttingDown = false;
  let announced: () => void = () => {};
  const allListening = new Promise<void>((resolve) => {
    announced = resolve;
  });

  const start = (route: ServiceRoute, quickDeaths = 0, replacing?: Slot["replacing"]) => {
    const child = fork(SERVICE_ENTRY, process.argv.slice(2), {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const member: GroupMember = {
      isConnected: () => child.connected,
      send: (message) => child.send(message),
      once: (event, listener) => child.once(event, listener),
      off: (event, listener) => child.off(event, listener),
    };
    const slot: Slot = {
      route,
      role: roleOf(route),
      url: urlOf(route.name),
      child,
      member,
      startedAt: Date.now(),
      quickDeaths,
      listening: false,
      joined: false,
      everListened: slots.get(route.name)?.everListened ?? false,
      replacing,
    };
    slots.set(route.name, slot);
    // A send to a child whose channel just closed reports here; its exit is handled below.
    child.on("error", (error) => log.warn(`service ${route.name}: ${error.message}`));
    child.on("message", (message: unknown) => {
      if (isServiceMessage(message)) {
        if (message.type === "fest-lab:which-service") {
          const answer: RoleMessage = { type: "fest-lab:service-role", role: slot.role };
          child.send(answer);
        } else listened(slot);
      } else if (isWorkerMessage(message)) {
        if (message.type === "fest-lab:hello") slot.joined = true;
        state.handle(member, {
          ...message,
          ...(message.type === "fest-lab:set-switch"
            ? { by: `${message.by} (via the ${route.name} service)` }
            : {}),
        } as typeof message);
      }
    });
    child.once("exit", (code, signal) => exited(slot, code, signal));
  };

  const listened = (slot: Slot) => {
    slot.listening = true;
    slot.everListened = true;
    if (slot.replacing !== undefined) {
      log.warn(
        `service ${slot.route.name} is back: pid ${slot.child.pid} answering at ${slot.url} ${Date.now() - slot.replacing.diedAt} ms after pid ${slot.replacing.pid} died`,
      );
    }
    if ([...slots.values()].every((each) => each.listening)) announced();
  };

  const exited = (slot: Slot, code: number | null, signal: NodeJS.Signals | null) => {
    if (slots.get(slot.route.name) !== slot) return;
    slot.listening = false;
    const pid = slot.child.pid;
    if (shuttingDown) {
      slots.delete(slot.route.name);
      if (slots.size === 0) finishShutdown();
      return;
    }
    if (!slot.everListened) {
      // It never started: a port taken, a file it cannot open; its own line above says which.
      log.error(`service ${slot.route.name} (pid ${pid}) could not start; stopping every service`);
      void stopEverything(1);
      return;
    }
    const quickDeaths = nextQuickDeaths(slot.quickDeaths, Date.now() - slot.startedAt);
    const delay = restartDelayMs(quickDeaths);
    const diedAt = Date.now();
    log.warn(
      `service ${slot.route.name} (pid ${pid}) exited ${exitReason(code, signal)}; the gateway answers 502 for its paths meanwhile; ${
        delay === 0
          ? "starting a new one now"
          : `starting a new one in ${delay} ms (${quickDeaths} deaths in a row soon after starting)`
      }`,
    );
    restarts.inc({ service: slot.route.name });
    const restart = () => {
      if (!shuttingDown) start(slot.route, quickDeaths, { pid, diedAt });
    };
    if (delay === 0) restart();
    else slot.restartTimer = setTimeout(restart, delay);
  };

  let exitCode = 0;
  const finishShutdown = () => {
    console.log("every service has stopped");
    process.exit(exitCode);
  };
  const stopEverything = async (code: number) => {
    shuttingDown = true;
    exitCode = code;
    for (const slot of slots.values()) {
      clearTimeout(slot.restartTimer);
      if (slot.child.exitCode !== null || slot.child.signalCode !== null) {
        slots.delete(slot.route.name);
      }
    }
    // The gateway first: no new requests, those in flight finish; each service drains its own.
    const gatewayClosed = gateway?.close(config.shutdownGraceMs);
    for (const slot of slots.values()) slot.child.kill("SIGTERM");
    await gatewayClosed;
    if (slots.size === 0) finishShutdown();
  };
  const stop = (signal: string) => {
    if (shuttingDown) {
      console.log(`${signal} again: stopping every service at once`);
      for (const slot of slots.values()) slot.child.kill("SIGKILL");
      process.exit(1);
    }
    console.log(
      `\n${signal}: draining the gateway and ${slots.size} services (Ctrl+C again to stop at once)`,
    );
    void stopEverything(0);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  for (const route of local) start(route);
  if (local.length === 0) announced();
  await allListening;
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
    pageLocals: () => ({ mode: config.mode, switchesOn: switches.enabled() }),
    moreMetrics: async () =>
      `${await registry.metrics()}\n${await servicesMetrics(SERVICE_ROUTES.map((route) => [route.name, urlOf(route.name)]))}`,
  });
  console.log(
    servicesBannerText({
      config,
      url: gateway.url,
      switches,
      services: SERVICE_ROUTES.map((route) => {
        const slot = slots.get(route.name);
        return {
          name: route.name,
          url: urlOf(route.name),
          state:
            elsewhere[route.name] !== undefined
              ? "elsewhere"
              : slot?.listening
                ? "up"
                : "restarting",
          pid: slot?.child.pid,
          serves: route.serves,
        };
      }),
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

function exitReason(code: number | null, signal: string | null): string {
  if (signal !== null) return `killed by ${signal}`;
  if (code === 1) return "with code 1 (an exception nothing caught, or a failed start: see above)";
  return `with code ${code}`;
}
