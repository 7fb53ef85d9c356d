// One service of the services topology, as a process the supervisor (supervisor.ts) forks.
// It reads the settings as `npm start` does (the supervisor passes its own flags on, and the
// environment is inherited), asks the supervisor which service it is, joins the group's
// switch state (src/workers/worker.ts, shared with WORKERS=N: a replacement starts with the
// switches as they are now), and serves until SIGTERM or until the supervisor goes away.
import { availableParallelism } from "node:os";
import { ConfigError, readConfig } from "../config.js";
import { joinGroup } from "../group/join.js";
import { createLogger } from "../observe/log.js";
import { startServer } from "../start.js";
import { drainOn, exitOnCrash } from "./lifecycle.js";
import { isRoleMessage, type ServiceMessage, type ServiceRole } from "./messages.js";
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
  const { switches, applySwitch } = member.startOptions;

  exitOnCrash(
    role.name,
    "the gateway answers 502 for its paths until the supervisor starts a new one",
  );

  const running =
    role.name === "labs"
      ? await startServer(config, { log, switches, applySwitch })
      : await startFestService(role, config, {
          switches,
          log,
          sessionSecret: config.sessionSecret ?? "",
        });

  // SIGTERM from the supervisor; "disconnect" when the supervisor itself is gone (killed, say):
  // nobody would restart or stop this service then.
  drainOn(["SIGTERM", "disconnect"], () => running.close(config.shutdownGraceMs));
  send({ type: "fest-lab:service-listening", url: running.url });
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
