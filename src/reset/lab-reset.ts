// POST /admin/reset: every lab back to how it started, without a restart. A running challenge
// stopped and forgotten (it puts back its own switches, faults and capacity limit); the fest data as
// seeded (seed-copy.ts), the digits lab's remembered predictions forgotten, the faults none,
// the switches as the start set them, and the ground truth counting from zero, so two
// identical load runs after a reset get identical counts. The catalogue is read-only: nothing
// to put back.
import type { Faults } from "../faults/faults.js";
import type { Logger } from "../observe/log.js";
import type { ApplyShared } from "../shared-change.js";
import { type ApplySwitch, SWITCH_NAMES, type Switches, type SwitchName } from "../switches.js";
import type { GroundTruth } from "../truth/truth.js";

/**
 * How long a reset waits for the requests already in flight to finish. Longer than any healthy
 * answer but the longest /io (10 s): under a load that never pauses, the reset goes ahead
 * after this and says how many were still running.
 */
export const IN_FLIGHT_WAIT_MS = 5_000;
const POLL_MS = 5;

export interface ResetParts {
  /** The challenges (src/challenge/): clear() stops the running one and forgets the last. */
  challenges: { clear(by: string): Promise<string | undefined> };
  /** Each lab puts back what it keeps (a Lab of src/labs/lab.ts, by its shape). */
  labs: readonly {
    name: string;
    reset?(): { report: unknown; line: string };
  }[];
  switches: Switches;
  applySwitch: ApplySwitch;
  /** The faults and the truth's reset, in this server or in every member of its group. */
  applyShared: ApplyShared;
  /** The switches the start turned on (MODE, BUGGY, BUGS). */
  startSwitches: readonly SwitchName[];
  faults: Faults;
  truth: GroundTruth;
  /** Requests in flight now, the reset's own included. */
  inFlight: () => number;
  log: Logger;
}

/** The reset's answer: what it did, and each lab's own report under the lab's name. */
export type ResetReport = ResetSummary & { [lab: string]: unknown };

interface ResetSummary {
  at: string;
  by: string;
  /** Waiting for the requests in flight, then the reset itself. */
  waitedMs: number;
  tookMs: number;
  /** Requests that were still running when the wait ran out; 0 normally. */
  stillInFlight: number;
  /** The challenge that was running or last stopped, now cleared; undefined when none. */
  challenge: { was: string | undefined };
  faults: { was: string; now: string };
  switches: { on: SwitchName[]; turnedOn: SwitchName[]; turnedOff: SwitchName[] };
  truth: { since: string | undefined };
}

export class LabReset {
  private running: Promise<ResetReport> | undefined;
  /** The last reset's report, for the admin page. */
  last: ResetReport | undefined;

  constructor(private readonly parts: ResetParts) {}

  /** A reset asked for while one runs joins it: both get the same report. */
  run(by: string): Promise<ResetReport> {
    this.running ??= this.reset(by).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async reset(by: string): Promise<ResetReport> {
    const { challenges, labs, switches, applySwitch, applyShared, startSwitches } = this.parts;
    const { faults, truth } = this.parts;
    const { inFlight, log } = this.parts;
    const waitStarted = performance.now();
    // Let the requests that came before finish (1: this one), so their counts and writes land
    // before the reset rather than after it.
    while (inFlight() > 1 && performance.now() - waitStarted < IN_FLIGHT_WAIT_MS) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const stillInFlight = inFlight() - 1;
    const started = performance.now();

    // First: the challenge puts back its capacity limit; the switches and faults follow below.
    const challengeWas = await challenges.clear(by);
    const labReports: Record<string, unknown> = {};
    const labLines: string[] = [];
    for (const lab of labs) {
      if (lab.reset === undefined) continue;
      const { report, line } = lab.reset();
      labReports[lab.name] = report;
      if (line !== "") labLines.push(line);
    }
    const faultsWere = faults.text;
    if (faultsWere !== "") await applyShared({ faults: "" }, by);
    const before = new Set(switches.enabled());
    const start = new Set(startSwitches);
    for (const name of SWITCH_NAMES) {
      if (before.has(name) !== start.has(name)) await applySwitch(name, start.has(name), by);
    }
    // Last, so nothing the reset did is counted in the fresh truth; in every member of a group
    // (which also forgets its own remembered predictions).
    await applyShared({ reset: true }, by);

    const report: ResetReport = {
      at: new Date().toISOString(),
      by,
      waitedMs: Math.round(started - waitStarted),
      tookMs: Math.round(performance.now() - started),
      stillInFlight,
      challenge: { was: challengeWas },
      ...labReports,
      faults: { was: faultsWere, now: faults.text },
      switches: {
        on: switches.enabled(),
        turnedOn: [...start].filter((name) => !before.has(name)),
        turnedOff: [...before].filter((name) => !start.has(name)),
      },
      truth: { since: truth.report()?.since },
    };
    this.last = report;
    log.warn(
      `reset by ${by} in ${report.tookMs} ms${challengeWas === undefined ? "" : ` (challenge ${challengeWas} cleared)`} (waited ${report.waitedMs} ms for ${stillInFlight > 0 ? `requests in flight, ${stillInFlight} still running` : "requests in flight"}): ${labLines.join("; ")}; faults ${faultsWere === "" ? "were none" : `"${faultsWere}" cleared`}; switches on: ${report.switches.on.join(", ") || "none"}; truth from zero`,
    );
    return report;
  }
}
