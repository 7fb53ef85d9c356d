// Every lab, listed once. The order is the order the app mounts their routers and a reset
// visits them. Adding a lab is one folder (routes, queries, naive twins, a lab.ts that returns
// a Lab) and one line here.
import { benchLab } from "../bench/lab.js";
import { catalogueLab } from "../catalogue/lab.js";
import { type DigitsStart, digitsLab } from "../digits/lab.js";
import { festLab } from "../fest/lab.js";
import type { Lab, LabParts } from "./lab.js";

export function startLabs(parts: LabParts, digits: DigitsStart) {
  return {
    bench: benchLab(parts),
    digits: digitsLab(parts, digits),
    catalogue: catalogueLab(parts),
    fest: festLab(parts),
  } satisfies Record<string, Lab>;
}

export type RunningLabs = ReturnType<typeof startLabs>;

/** The labs in mount order, for what treats every lab alike. */
export function labList(labs: RunningLabs): Lab[] {
  return Object.values(labs);
}
