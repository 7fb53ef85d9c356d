// The supervisor's start-up banner: the single-process one (src/server.ts) plus the workers.
import { isAbsolute, relative } from "node:path";
import type { Config } from "../config.js";
import type { Switches } from "../switches.js";

export interface GroupBanner {
  config: Config;
  port: number;
  pids: number[];
  switches: Switches;
  database: { name: string; seeded: boolean; events: number; users: number; registrations: number };
  monitorPath: string | undefined;
}

export function printGroupBanner({
  config,
  port,
  pids,
  switches,
  database,
  monitorPath,
}: GroupBanner) {
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const shown = relative(process.cwd(), database.name);
  const dbShown = shown.startsWith("..") || isAbsolute(shown) ? database.name : shown;
  const on = switches.enabled();
  console.log(
    [
      `Fest Lab listening on ${url}`,
      `  workers:   ${pids.length} processes (pids ${pids.join(", ")}), each with ${config.cpuPoolSize} /cpu thread${config.cpuPoolSize === 1 ? "" : "s"}; a worker that dies is started again`,
      `  mode:      ${config.mode}`,
      `  switches:  ${on.length > 0 ? on.join(", ") : "none on"}  (change them live at ${url}/admin: every worker follows)`,
      `  database:  ${dbShown}${database.seeded ? " (created and seeded now)" : ""}: ${database.events} events, ${database.users} users, ${database.registrations} registrations`,
      `  metrics:   ${url}/metrics (Prometheus text, every worker added up)`,
      `  monitor:   ${monitorPath ? `one line a second for the whole group to ${monitorPath}` : "off (MONITOR_CSV=path or --monitor-csv path writes CPU, memory and event loop to a CSV file)"}`,
      `  try:       ${url}/events?user=locust_user   ${url}/checkout`,
      `  stop:      Ctrl+C (drains every worker)`,
    ].join("\n"),
  );
}
