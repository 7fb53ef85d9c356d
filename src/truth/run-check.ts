// GET /runs/<id>: {"run": id, "loaded": true|false}, has a load already sent requests with
// this run id (since the last reset)? The Locust scenarios ask it before they send anything
// (locust-scenarios/lab_common.py) and refuse to start a second load on a used run id: its
// counts would add to the first one's, and a challenge graded on the sum is graded wrong.
// Open to every client, as X-Run-Id is: it answers only yes or no, never a count.
import { Router } from "express";
import { BadInput } from "../http-errors.js";
import { RUN_ID, type TruthReport } from "./truth.js";

export function runCheckRouter(
  truthReport: (runId: string) => Promise<TruthReport | undefined>,
): Router {
  const router = Router();
  router.get("/runs/:id", async (req, res) => {
    const run = req.params.id;
    if (!RUN_ID.test(run)) {
      throw new BadInput("id", "a run id: 1 to 64 letters, digits, '.', '_' or '-'");
    }
    // The whole group's truth (src/group/), so any member answers for every member's counts.
    const report = await truthReport(run);
    const loaded = (report?.routes ?? []).some((route) => route.requests > 0);
    res.json({ run, loaded });
  });
  return router;
}
