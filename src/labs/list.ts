// Every lab, listed once: how it starts and, when it has banner lines, how it describes itself
// to a process that starts no lab (src/labs/lab.ts). The order is the order the app mounts
// their routers, a reset visits them and the banner prints their lines. Each lab names the
// paths its routes start with, and its router sees only those requests; fest names none (its
// basics read the login for every page, the 404 page's included), so it comes last and sees
// every request the others leave. Adding a lab is one folder (routes, queries, naive twins, a
// lab.ts that returns a Lab) and one line here.
import { benchLab } from "../bench/lab.js";
import { catalogueLab } from "../catalogue/lab.js";
import type { Config } from "../config.js";
import { describeDigits, digitsLab } from "../digits/lab.js";
import { festLab } from "../fest/lab.js";
import type { Logger } from "../observe/log.js";
import type { Lab, LabBanner, LabModule, LabParts, LabStart } from "./lab.js";

const LABS = {
  bench: { start: benchLab },
  digits: { start: digitsLab, describe: describeDigits },
  catalogue: { start: catalogueLab },
  fest: { start: festLab },
} satisfies Record<string, LabModule>;

export type LabName = keyof typeof LABS;

/** Every lab's name, in list order: for what describes the labs without starting them. */
export const LAB_NAMES = Object.keys(LABS) as LabName[];

/** Each lab as started, with what is its own beside the interface (a pool, a model). */
export type RunningLabs = { [Name in keyof typeof LABS]: ReturnType<(typeof LABS)[Name]["start"]> };

export function startLabs(parts: LabParts, start: LabStart): RunningLabs {
  const running: Record<string, Lab> = {};
  for (const [name, module] of Object.entries(LABS) as [string, LabModule][]) {
    const lab = module.start(parts, start);
    // Registered as each lab starts: a lab that fails to start undoes those before it.
    const { close } = lab;
    if (close !== undefined) parts.cleanup.add(() => close.call(lab));
    running[name] = lab;
  }
  // Each entry is what its own start returned, as the mapped type says.
  return running as RunningLabs;
}

/** The labs in mount order, for what treats every lab alike. */
export function labList(labs: RunningLabs): Lab[] {
  return Object.values(labs);
}

/** The banner's lab lines where no lab runs: each lab's own description, in list order. */
export function describeLabs(config: Config, start: LabStart, log: Logger): LabBanner[] {
  return (Object.values(LABS) as LabModule[]).map(
    (module) => module.describe?.(config, start, log) ?? {},
  );
}
