// SERVICE=NAME (--service NAME): one service of the services topology alone, on HOST:PORT,
// with no supervisor and no gateway in this process. The same split then runs on several
// machines or under an orchestrator: a gateway started with --services --upstream NAME=URL
// forwards to it, and the services that call it are told where with --upstream too.
//
// Alone, a service takes its switches from MODE, BUGGY and BUGS at start: /admin changes
// switches in the processes of its own supervisor only, and nothing restarts this one when it
// dies (that is the orchestrator's job, or a terminal's).
import type { Config } from "../config.js";
import { ConfigError } from "../config.js";
import type { Logger } from "../observe/log.js";
import { startServer } from "../start.js";
import { Switches } from "../switches.js";
import { VERSION } from "../version.js";
import { drainOn, exitOnCrash } from "./lifecycle.js";
import { databaseOf, prepareServiceData } from "./service-database.js";
import { startFestService } from "./service-server.js";
import { CALLS, checkUpstreams, isServiceName, SERVICE_NAMES, SERVICE_ROUTES } from "./topology.js";

export async function runServiceAlone(config: Config, service: string, log: Logger): Promise<void> {
  if (!isServiceName(service)) {
    throw new ConfigError(
      `SERVICE=${service} is not allowed: use one of ${SERVICE_NAMES.join(", ")}`,
    );
  }
  if (config.services || config.workers > 0) {
    throw new ConfigError(
      `SERVICE=${service} runs one service alone; it does not go with ${config.services ? "SERVICES=1 (the gateway and every service)" : "WORKERS"}`,
    );
  }
  const upstreams = checkUpstreams(config.upstreams);
  const missing = CALLS[service].filter((name) => upstreams[name] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `SERVICE=${service} calls the ${missing.join(" and ")} service: say where with UPSTREAMS=${missing[0]}=http://HOST:PORT (or --upstream ${missing[0]}=http://HOST:PORT)`,
    );
  }
  if (service !== "labs") {
    if (config.sessionSecret === undefined) {
      throw new ConfigError(
        `SERVICE=${service} needs SESSION_SECRET, the same for every service: each verifies the session cookie with it, and internal calls prove themselves with a key made from it`,
      );
    }
  }
  await prepareServiceData(config, [service], log);
  const switches = Switches.fromStartup(config);
  switches.onChange((name, on, by) =>
    log.warn(`switch ${name} turned ${on ? "on" : "off"} by ${by}`),
  );
  exitOnCrash(
    service,
    "nothing restarts a service started alone: its orchestrator or its terminal must",
  );
  const running =
    service === "labs"
      ? await startServer(config, { log, switches })
      : await startFestService(
          {
            name: service,
            host: config.host,
            port: config.port,
            dbPath: databaseOf(config.dbPath, service),
            upstreams,
          },
          config,
          { switches, log, sessionSecret: config.sessionSecret as string, inGroup: false },
        );
  drainOn(["SIGINT", "SIGTERM"], () => running.close(config.shutdownGraceMs));
  const route = SERVICE_ROUTES.find((each) => each.name === service);
  const on = switches.enabled();
  console.log(
    [
      `Fest Lab ${VERSION}: the ${service} service alone, listening on ${running.url}`,
      `  serves:    ${route?.serves}`,
      ...CALLS[service].map((name) => `  calls:     ${name} at ${upstreams[name]}`),
      `  data:      ${databaseOf(config.dbPath, service)}`,
      `  switches:  ${on.length > 0 ? on.join(", ") : "none on"} (from MODE, BUGGY and BUGS at start)`,
      "  stop:      Ctrl+C",
    ].join("\n"),
  );
}
