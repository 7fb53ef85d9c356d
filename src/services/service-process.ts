// One service of the services topology, as a process the supervisor (supervisor.ts) forks.
// It reads the settings as `npm start` does (the supervisor passes its own flags on, and the
// environment is inherited), asks the supervisor which service it is, joins the group's
// switch state (src/workers/worker.ts, shared with WORKERS=N: a replacement starts with the
// switches as they are now), and serves until SIGTERM or until the supervisor goes away.
import { availableParallelism } from "node:os";
import { ConfigError, readConfig } from "../config.js";
import type { Counters } from "../counters.js";
import { type JoinedMember, joinGroup } from "../group/join.js";
import { IDLE_POOL } from "../observe/cpu-pool-stats.js";
import { createLogger } from "../observe/log.js";
import { restoreSeedCopy } from "../reset/seed-copy.js";
import { followHere } from "../shared-change.js";
import { startServer } from "../start.js";
import { drainOn, exitOnCrash } from "./lifecycle.js";
import { isRoleMessage, type ServiceMessage, type ServiceRole } from "./messages.js";
import { openServiceDatabase } from "./service-database.js";
import { startFestService } from "./service-server.js";

const ROLE_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const result = readConfig({
    env: process.env,
    argv: process.argv.slice(2),
    cpuCount: availableParallelism(),
  });
  if (result.kind !== "config") throw new ConfigError("a service process takes no --help");
  const role = await askRole();
  const member = await joinGroup(result.config);
  const config = { ...member.config, host: role.host, port: role.port, dbPath: role.dbPath };
  const log = createLogger(config.logLevel);
  const { switches } = member.startOptions;

  exitOnCrash(
    role.name,
    "the gateway answers 502 for its paths until the supervisor starts a new one",
  );

  let running: { url: string; close(graceMs: number): Promise<unknown> };
  if (role.name === "labs") {
    const server = await startServer(config, {
      log,
      ...member.startOptions,
      behindGateway: true,
    });
    member.started(server);
    running = server;
  } else {
    const service = await startFestService(role, config, {
      switches,
      log,
      sessionSecret: config.sessionSecret ?? "",
      inGroup: true,
    });
    followAsFestService(member, service.counters, role.dbPath);
    // The group's truth adds up what each service answered; the gateway counts none.
    member.reportTruth(service.counters.truth);
    member.reportLive(service.counters.live);
    running = service;
    // Its CPU, memory and event loop for MONITOR_CSV; its requests count at the gateway.
    member.reportUsage({
      requests: () => ({ done: 0, inFlight: 0 }),
      cpuPoolStats: () => IDLE_POOL,
    });
  }

  // SIGTERM from the supervisor; "disconnect" when the supervisor itself is gone (killed, say):
  // nobody would restart or stop this service then.
  drainOn(["SIGTERM", "disconnect"], () => running.close(config.shutdownGraceMs));
  send({ type: "fest-lab:service-listening", url: running.url });
}

/**
 * A fest service follows the group's state as the monolith does (src/shared-change.ts): what a
 * challenge hides, the faults, the capacity limit, the truth's runs and resets; and its part
 * of the reset: its truth from zero, its own copy of the fest data back to the seed.
 */
function followAsFestService(member: JoinedMember, counters: Counters, dbPath: string): void {
  const { switches } = member.startOptions;
  const { faults, capacity, truth } = counters;
  member.startOptions.followShared(
    followHere({
      switches,
      faults,
      capacity,
      truth,
      // The challenge API is the labs service's; a fest service only follows its effects.
      challenges: { follow: () => {} },
      onReset: () => {
        const db = openServiceDatabase(dbPath);
        try {
          restoreSeedCopy(db);
        } finally {
          db.close();
        }
      },
    }),
  );
}

function askRole(): Promise<ServiceRole> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("the supervisor named no service within 10 s")),
      ROLE_TIMEOUT_MS,
    );
    const listen = (message: unknown) => {
      if (!isRoleMessage(message)) return;
      clearTimeout(timer);
      process.off("message", listen);
      resolve(message.role);
    };
    process.on("message", listen);
    send({ type: "fest-lab:which-service" });
  });
}

function send(message: ServiceMessage): void {
  if (process.connected) process.send?.(message);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `fest-lab service: could not start: ${error instanceof ConfigError ? error.message : ((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});
