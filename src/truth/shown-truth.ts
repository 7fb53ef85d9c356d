// GET /admin/truth while a challenge runs, without the instructor's view: every count, but not
// the faults by kind (src/withheld.ts says what a running challenge withholds, and why).
import type { TruthReport } from "./truth.js";

/** The truth as a client without the instructor's view sees it while a challenge runs. */
export type ShownTruth = Omit<TruthReport, "routes" | "connections"> & {
  routes: Omit<TruthReport["routes"][number], "faults">[];
  connections: Omit<TruthReport["connections"], "resetByFault">;
  withheld?: string;
};

/**
 * Every count stays (requests, answers by status, clients that left, latencies, connections
 * opened and closed): from them a student tells who dropped what. The faults by kind go: they
 * are the answer.
 */
export function shownTruth(report: TruthReport, because: string | undefined): ShownTruth {
  if (because === undefined) return report;
  const { resetByFault: _reset, ...connections } = report.connections;
  return {
    ...report,
    withheld: `the faults by kind are ${because}; every count is here`,
    connections,
    routes: report.routes.map(({ faults: _faults, ...route }) => route),
  };
}
