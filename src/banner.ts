// The start-up banner: where the server listens, what is on, where the data is, how to stop.
// One process and a supervised group (src/workers/) print the same lines; a group adds one
// for its workers and says that every worker follows.
import { isAbsolute, relative } from "node:path";
import { adminTokenPath, readAdminTokenFile } from "./admin-credential.js";
import type { Config } from "./config.js";
import { isLoopback } from "./connection/loopback.js";
import type { LabBanner } from "./labs/lab.js";
import type { Switches } from "./switches.js";
import { VERSION } from "./version.js";

export interface BannerFacts {
  config: Config;
  url: string;
  switches: Switches;
  database: {
    name: string;
    seeded: boolean;
    events: number;
    users: number;
    registrations: number;
    movies: number;
  };
  monitorPath: string | undefined;
  /** The labs, in list order: each says its own lines (src/labs/). */
  labs: readonly LabBanner[];
  /** The faults injected at start, in FAULTS syntax; empty for none. */
  faultsText: string;
  /** The workers' pids, when a supervisor runs a group. */
  workerPids?: number[];
}

export function bannerText({
  config,
  url,
  switches,
  database,
  monitorPath,
  labs,
  faultsText,
  workerPids,
}: BannerFacts): string {
  const group = workerPids !== undefined;
  const shown = relative(process.cwd(), database.name);
  const dbShown = shown.startsWith("..") || isAbsolute(shown) ? database.name : shown;
  const on = switches.enabled();
  const threads = `${config.cpuPoolSize} /cpu thread${config.cpuPoolSize === 1 ? "" : "s"}`;
  return [
    `Fest Lab ${VERSION} listening on ${url}`,
    ...(group
      ? [
          `  workers:   ${workerPids.length} processes (pids ${workerPids.join(", ")}), each with ${threads}; a worker that dies is started again`,
        ]
      : []),
    `  mode:      ${config.mode}`,
    `  switches:  ${on.length > 0 ? on.join(", ") : "none on"}  (change them live at ${url}/admin${group ? ": every worker follows" : ""})`,
    `  database:  ${dbShown}${database.seeded ? " (created and seeded now)" : ""}: ${database.events} events, ${database.users} users, ${database.registrations} registrations, ${database.movies} movies`,
    ...labs.flatMap((lab) => lab.bannerLines?.(url) ?? []),
    `  faults:    ${faultsText || "none"}${faultsText ? ` (FAULT_SEED=${config.faultSeed})` : ""}${config.faultHeaders ? "; X-Fault-* headers obeyed" : ""}`,
    `  capacity:  ${config.maxInFlight > 0 ? `${config.maxInFlight} in flight, ${config.maxWaiting} waiting, then 503` : "no limit (MAX_IN_FLIGHT=N sets one)"}`,
    `  truth:     ${url}/admin/truth (the server's own counts${group ? ", each worker's own" : ""})`,
    `  metrics:   ${url}/metrics (Prometheus text${group ? ", every worker added up" : ""})`,
    `  monitor:   ${monitorPath ? `one line a second${group ? " for the whole group" : ""} to ${monitorPath}` : "off (MONITOR_CSV=path or --monitor-csv path writes CPU, memory and event loop to a CSV file)"}`,
    `  try:       ${url}/events?user=locust_user   ${url}/checkout   ${url}/api/id/tt0068646`,
    ...adminLines(config, url),
    `  stop:      Ctrl+C${group ? " (drains every worker)" : ""}`,
  ].join("\n");
}

export interface ServicesBannerFacts {
  config: Config;
  /** The gateway's address: the one students and load tests use. */
  url: string;
  switches: Switches;
  services: {
    name: string;
    url: string;
    /** elsewhere: UPSTREAMS names its address; this process did not start it. */
    state: "up" | "restarting" | "elsewhere";
    pid: number | undefined;
    serves: string;
  }[];
  database: BannerFacts["database"];
}

/** SERVICES=1: the gateway's address, then one line a service with its address and state. */
export function servicesBannerText({
  config,
  url,
  switches,
  services,
  database,
}: ServicesBannerFacts): string {
  const on = switches.enabled();
  const width = Math.max(...services.map((service) => service.name.length));
  const shown = relative(process.cwd(), database.name);
  const dbShown = shown.startsWith("..") || isAbsolute(shown) ? database.name : shown;
  return [
    `Fest Lab ${VERSION} listening on ${url}: a gateway in front of ${services.length} services`,
    ...services.map(
      (service, i) =>
        `  ${i === 0 ? "services:" : "         "}  ${service.name.padEnd(width)}  ${service.url}  ${service.state}${service.pid === undefined ? "" : ` (pid ${service.pid})`}  ${service.serves}`,
    ),
    `  mode:      ${config.mode}`,
    `  switches:  ${on.length > 0 ? on.join(", ") : "none on"}  (change them live at ${url}/admin: every service follows)`,
    `  database:  ${dbShown}${database.seeded ? " (created and seeded now)" : ""}: ${database.events} events, ${database.users} users, ${database.registrations} registrations, ${database.movies} movies; each fest service has its own copy of the fest tables beside it`,
    `  metrics:   ${url}/metrics (the gateway's figures per upstream, then every service's own, labelled service=...)`,
    `  try:       ${url}/events?user=locust_user   ${url}/checkout`,
    ...adminLines(config, url),
    "  stop:      Ctrl+C (drains the gateway and every service); a service that dies is started again",
  ].join("\n");
}

/**
 * The admin link (opening it logs the browser in), where its token comes from, and, when
 * other machines can reach the server (HOST not loopback, or a proxy in front), what they
 * can reach: the admin only with the token, and every user's pages by `?user=`.
 */
function adminLines(config: Config, url: string): string[] {
  const token = config.adminToken ?? "";
  const file = adminTokenPath(config.dbPath);
  const shown = relative(process.cwd(), file);
  const fileShown = shown.startsWith("..") || isAbsolute(shown) ? file : shown;
  const kept = keptIn(file) === token;
  const source = kept
    ? `generated and kept in ${fileShown}, readable by you only; smoke, verify and challenge read it`
    : "given by ADMIN_TOKEN";
  const lines = [
    `  admin:     ${url}/admin?token=${encodeURIComponent(token)}  (the token: ${source})`,
  ];
  const loopbackOnly = isLoopback(config.host);
  if (!loopbackOnly || config.trustProxy !== undefined) {
    const who =
      config.trustProxy !== undefined
        ? `behind a reverse proxy (TRUST_PROXY=${config.trustProxy.text})`
        : `other machines reach it (HOST=${config.host})`;
    lines.push(
      `  exposed:   ${who}: /admin answers only the admin token (${kept ? `the one in ${fileShown}` : "ADMIN_TOKEN"}); pages read with ?user= are public to anyone who can reach it`,
    );
  }
  return lines;
}

/** The token in the file, if one readable is there: with ADMIN_TOKEN given, a bad file is no matter. */
function keptIn(file: string): string | undefined {
  try {
    return readAdminTokenFile(file);
  } catch {
    return undefined;
  }
}
