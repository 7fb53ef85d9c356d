// Every lab, listed once. The order is the order the app mounts their routers and a reset
// visits them. Adding a lab is one folder (routes, queries, naive twins, a lab.ts that returns
// a Lab) and one line here.
import { benchLab } from "../bench/lab.js";
import { catalogueLab } from "../catalogue/lab.js";
import { type DigitsStart, digitsLab } from "../digits/lab.js";
import { festLab } from "../fest/lab.js";
import type { Lab, LabParts } from "./lab.js";

export function startLabs(parts: LabParts, digits: DigitsStart) {
  // Registered as each lab starts: a lab that fails to start undoes those before it.
  const started = <L extends Lab>(lab: L): L => {
    const { close } = lab;
    if (close !== undefined) parts.cleanup.add(() => close.call(lab));
    return lab;
  };
  return {
    bench: started(benchLab(parts)),
    digits: started(digitsLab(parts, digits)),
    catalogue: started(catalogueLab(parts)),
    fest: started(festLab(parts)),
  } satisfies Record<string, Lab>;
}

export type RunningLabs = ReturnType<typeof startLabs>;

/** The labs in mount order, for what treats every lab alike. */
export function labList(labs: RunningLabs): Lab[] {
  return Object.values(labs);
}
