// The lab's side-by-side run (`npm run lab`): one database seeded for the run, then each
// setting against its own freshly started server process, one after the other, so the two
// never share the CPU and neither inherits the other's warm caches.
import type { SeedSize } from "../src/database.js";
import type { SwitchName } from "../src/switches.js";
import { type LoadResult, runLoad } from "./load.js";
import { probeLatency } from "./probe.js";
import { withRunDatabase } from "./run-database.js";
import { startServer } from "./server-process.js";
import { type SwitchSetting, settingEnv, switchesOn } from "./setting.js";
import type { LatencySample } from "./timed-get.js";

export class Interrupted extends Error {
  override name = "Interrupted";
}

export interface CompareOptions {
  route: string;
  connections: number;
  duration: number;
  /** Requests a second of the fixed-rate probe beside the load; 0 for none. */
  probeRate: number;
  seedSize: { name: string; size: SeedSize };
  settings: [SwitchSetting, SwitchSetting];
  progress(setting: string, elapsed: number, total: number, requests: number): void;
  /** Ctrl-C: stop the load, stop the server, delete the temp database, then throw. */
  signal?: AbortSignal;
}

export interface SettingResult extends LoadResult {
  /** "a" or "b", as on the command line. */
  side: "a" | "b";
  label: string;
  env: Record<string, string>;
  switchesOn: SwitchName[];
  /** True when the server died under the load (checkout-crash-process does that on purpose). */
  serverExited: boolean;
  /**
   * The same route asked on a fixed schedule while the load ran, whether or not answers came:
   * the times a closed-loop client leaves out when the server stalls (coordinated omission).
   */
  probe?: LatencySample;
}

export interface Comparison {
  createdAt: string;
  options: {
    route: string;
    connections: number;
    durationSeconds: number;
    probeRate: number;
    seedSize: string;
    data: SeedSize;
    node: string;
  };
  settings: [SettingResult, SettingResult];
  /** b divided by a: above 1 means b served more requests a second, or took longer. */
  ratio: { requestsPerSecond: number; p50: number; p95: number; p99: number; errors: number };
}

export async function compareSettings(options: CompareOptions): Promise<Comparison> {
  return withRunDatabase(async (dbPath) => {
    const results: SettingResult[] = [];
    for (const [index, setting] of options.settings.entries()) {
      if (options.signal?.aborted) throw new Interrupted("interrupted: no report written");
      const side = index === 0 ? "a" : "b";
      const env = settingEnv(setting);
      options.progress(`${side}: ${setting.label}`, 0, options.duration, 0);
      const server = await startServer({ ...env, DB_PATH: dbPath });
      try {
        const url = server.url + options.route;
        const loaded = runLoad({
          url,
          connections: options.connections,
          duration: options.duration,
          signal: options.signal,
          onTick: (elapsed, requests) =>
            options.progress(`${side}: ${setting.label}`, elapsed, options.duration, requests),
        });
        const probe =
          options.probeRate > 0
            ? probeLatency(url, {
                seconds: options.duration,
                everyMs: 1000 / options.probeRate,
                signal: options.signal,
              })
            : undefined;
        const load = await loaded;
        const serverExited = server.hasExited();
        results.push({
          side,
          label: setting.label,
          env,
          switchesOn: switchesOn(setting),
          serverExited,
          ...load,
          ...(probe === undefined ? {} : { probe: await probe }),
        });
      } finally {
        await server.stop();
      }
    }
    if (options.signal?.aborted) throw new Interrupted("interrupted: no report written");
    const [a, b] = results as [SettingResult, SettingResult];
    return {
      createdAt: new Date().toISOString(),
      options: {
        route: options.route,
        connections: options.connections,
        durationSeconds: options.duration,
        probeRate: options.probeRate,
        seedSize: options.seedSize.name,
        data: options.seedSize.size,
        node: process.version,
      },
      settings: [a, b],
      ratio: {
        requestsPerSecond: b.requestsPerSecond / a.requestsPerSecond,
        p50: b.latencyMs.p50 / a.latencyMs.p50,
        p95: b.latencyMs.p95 / a.latencyMs.p95,
        p99: b.latencyMs.p99 / a.latencyMs.p99,
        errors: b.errors.total / a.errors.total,
      },
    };
  }, options.seedSize.size);
}
