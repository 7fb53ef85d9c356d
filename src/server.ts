// `npm start`: read the config, open the database, build the app, listen, and shut down
// cleanly on Ctrl+C or SIGTERM. Every start-up problem ends here as one line and exit code 1.
import { availableParallelism } from "node:os";
import { isAbsolute, relative } from "node:path";
import { ConfigError, readConfig, USAGE } from "./config.js";
import { DatabaseOpenError, tableCounts } from "./database.js";
import { createLogger } from "./observe/log.js";
import { MonitorFileError } from "./observe/monitor.js";
import { ListenError, startLab } from "./start.js";

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
  const { config } = result;
  const log = createLogger(config.logLevel);
  const lab = await startLab(config, { log });

  process.on("uncaughtException", (error) => {
    // checkout-crash-process lands here on purpose: say why the process is going away.
    process.stderr.write(
      `ERROR:    the process is exiting: an exception nothing caught took the whole monolith down\n${error.stack ?? error}\n`,
    );
    process.exit(1);
  });

  const counts = tableCounts(lab.db);
  const shown = relative(process.cwd(), lab.db.name);
  const dbShown = shown.startsWith("..") || isAbsolute(shown) ? lab.db.name : shown;
  const on = lab.switches.enabled();
  console.log(
    [
      `Fest Lab listening on ${lab.url}`,
      `  mode:      ${config.mode}`,
      `  switches:  ${on.length > 0 ? on.join(", ") : "none on"}  (change them live at ${lab.url}/admin)`,
      `  database:  ${dbShown}${lab.seeded ? " (created and seeded now)" : ""}: ${counts.events} events, ${counts.users} users, ${counts.registrations} registrations, ${counts.movies} movies`,
      `  metrics:   ${lab.url}/metrics (Prometheus text)`,
      `  monitor:   ${lab.monitor ? `one line a second to ${lab.monitor.path}` : "off (MONITOR_CSV=path or --monitor-csv path writes CPU, memory and event loop to a CSV file)"}`,
      `  try:       ${lab.url}/events?user=locust_user   ${lab.url}/checkout   ${lab.url}/api/id/tt0068646`,
      `  stop:      Ctrl+C`,
    ].join("\n"),
  );

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
    lab.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `fest-lab: shutting down failed: ${(error as Error)?.stack ?? error}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof DatabaseOpenError ||
    error instanceof ListenError ||
    error instanceof MonitorFileError
  ) {
    process.stderr.write(`fest-lab: ${error.message}\n`);
  } else {
    process.stderr.write(`fest-lab: could not start: ${(error as Error)?.stack ?? error}\n`);
  }
  process.exit(1);
});
