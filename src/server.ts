// `npm start`: read the config, open the database, build the app, listen, and shut down
// cleanly on Ctrl+C or SIGTERM. Every start-up problem ends here as one line and exit code 1.
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { AdminTokenFileError, resolveAdminCredential } from "./admin-credential.js";
import { bannerText } from "./banner.js";
import { readConfig, USAGE } from "./config.js";
import { tableCounts } from "./database.js";
import { joinGroup } from "./group/join.js";
import { createLogger } from "./observe/log.js";
import { runServiceAlone } from "./services/service-alone.js";
import { superviseServices } from "./services/supervisor.js";
import { startServer } from "./start.js";
import { StartupError } from "./startup-error.js";
import { superviseWorkers } from "./workers/supervisor.js";

async function main(): Promise<void> {
  const result = readConfig({
    env: process.env,
    argv: process.argv.slice(2),
    cpuCount: availableParallelism(),
  });
  if (result.kind === "help") {
    console.log(USAGE);
    return;
  }
  // The admin credential, once for every shape: the supervisors, the gateway and the banner
  // know it, and each member's startServer finds it given (or reads the same file).
  const config = {
    ...result.config,
    adminToken: resolveAdminCredential(result.config.adminToken, result.config.dbPath).token,
  };
  const log = createLogger(config.logLevel);
  // SERVICE=NAME: one service of the services topology alone (src/services/service-alone.ts).
  if (config.service !== undefined) return runServiceAlone(config, config.service, log);
  // WORKERS=N: this process supervises N workers (src/workers/); each worker runs the rest.
  if (config.workers > 0 && cluster.isPrimary && !config.services) {
    return superviseWorkers(config, log);
  }
  // SERVICES=1: this process runs the gateway and supervises the services (src/services/).
  if (config.services) return superviseServices(config, log);
  const member = cluster.isWorker ? await joinGroup(config) : undefined;
  const server = await startServer(member?.config ?? config, { log, ...member?.startOptions });
  member?.started(server);

  process.on("uncaughtException", (error) => {
    // checkout-crash-process lands here on purpose: say why the process is going away.
    process.stderr.write(
      `ERROR:    the process is exiting: an exception nothing caught took ${member === undefined ? "the whole monolith" : "this worker"} down\n${error.stack ?? error}\n`,
    );
    process.exit(1);
  });

  // Before the banner: a test (or a person) that signals as soon as it reads the banner is
  // answered by the drain, not by Node's default of dying at once.
  // The first signal drains (src/connection/drain.ts); a second one means "now": exit at once,
  // with code 1 because requests in flight were cut.
  let draining = false;
  const stop = (signal: string) => {
    if (draining) {
      process.stderr.write(
        `${signal} again: exiting now, cutting what is in flight (exit code 1)\n`,
      );
      process.exit(1);
    }
    draining = true;
    console.log(
      `\n${signal}: draining: no new connections, requests in flight get up to ${config.shutdownGraceMs} ms; ${signal === "SIGINT" ? "Ctrl+C" : signal} again exits at once`,
    );
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `fest-lab: shutting down failed: ${(error as Error)?.stack ?? error}\n`,
        );
        process.exit(1);
      },
    );
  };
  // A worker ignores Ctrl+C (see joinGroup): its supervisor sends it SIGTERM.
  if (member === undefined) process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  // A worker's supervisor prints the one banner for the group.
  if (member === undefined) {
    console.log(
      bannerText({
        config,
        url: server.url,
        switches: server.switches,
        database: { name: server.db.name, seeded: server.seeded, ...tableCounts(server.db) },
        monitorPath: server.monitor?.path,
        labs: server.labs,
        faultsText: server.faults.text,
      }),
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof StartupError || error instanceof AdminTokenFileError) {
    process.stderr.write(`fest-lab: ${error.message}\n`);
  } else {
    process.stderr.write(`fest-lab: could not start: ${(error as Error)?.stack ?? error}\n`);
  }
  process.exit(1);
});
