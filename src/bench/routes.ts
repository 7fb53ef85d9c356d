// HTTP for the bench lab: GET /io (a wait that costs no CPU) and GET /cpu (real CPU work).
// GET /health is answered before Express, in health.ts. Each route asks the switch registry
// which twin to run; the answer has the same shape either way and says which one ran, except
// while a challenge runs: then which twin ran is the answer to find (src/withheld.ts).
import { Router } from "express";
import { ServiceUnavailable } from "../http-errors.js";
import type { Switches } from "../switches.js";
import { withoutFields } from "../withheld.js";
import { PoolFull } from "../worker-pool.js";
import type { CpuRunner } from "./cpu-pool.js";
import { countPrimes } from "./cpu-task.js";
import { cpuNParam, ioMsParam } from "./input.js";
import { sleepBlocking, waitWithTimer } from "./io-wait.js";

/** A full queue drains in well under a second at the default work size. */
const RETRY_AFTER_SECONDS = 1;

export function benchRouter(switches: Switches, cpu: CpuRunner): Router {
  const router = Router();
  const ranOn = <T extends { ranOn: string }>(answer: T) =>
    withoutFields(answer, switches.hiddenBecause, ["ranOn"]);

  router.get("/io", async (req, res) => {
    const ms = ioMsParam(req.query.ms);
    const blocking = switches.isOn("io-blocking");
    const startedAt = new Date();
    const started = performance.now();
    if (blocking) sleepBlocking(ms);
    else await waitWithTimer(ms);
    const answer = {
      waitedMs: ms,
      elapsedMs: roundMs(performance.now() - started),
      waitedWith: blocking ? "blocking-sleep" : "timer",
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
    };
    res.json(withoutFields(answer, switches.hiddenBecause, ["waitedWith"]));
  });

  router.get("/cpu", async (req, res) => {
    const n = cpuNParam(req.query.n);
    if (switches.isOn("cpu-inline")) {
      // cpu-inline: the work runs right here, on the event loop; every other request waits.
      res.json(ranOn({ ...countPrimes({ n }), ranOn: "event-loop" }));
      return;
    }
    // A client that gives up (a load tester's timeout, a closed tab) cancels its task, so the
    // pool does not spend a thread on an answer nobody will read.
    const cancel = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) cancel.abort(new Error("the client closed the connection"));
    });
    try {
      const result = await cpu.run({ n }, cancel.signal);
      res.json(ranOn({ ...result, ranOn: "worker-pool" }));
    } catch (error) {
      if (cancel.signal.aborted) return; // nobody is left to answer
      if (error instanceof PoolFull) {
        throw new ServiceUnavailable(
          `/cpu is at capacity: ${error.message}; retry after ${RETRY_AFTER_SECONDS} s`,
          RETRY_AFTER_SECONDS,
        );
      }
      throw error;
    }
  });

  return router;
}

function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
