// The digits lab's figures, each against the fix of its switch, POSTing one held-out digit:
//   model-per-request against the model loaded once (the median of one request at a time,
//   the cache off on both sides, so every request runs the network);
//   /health's p99 while /predict is saturated, on the pool against predict-inline, with the
//   model loaded per request so each prediction is heavy (the same targets as /cpu's);
//   the cache's hit against a miss, with the model loaded per request.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../src/paths.js";
import { type HealthUnderLoad, healthTailFigures, healthUnderLoad } from "../health-under-load.js";
import { withRunDatabase } from "../run-database.js";
import { withServer } from "../server-process.js";
import { atLeast, defineSuite, type MeasureContext } from "../suite.js";
import { type LatencySample, type RequestShape, sequentialLatency } from "../timed-get.js";

const PREDICT_CONNECTIONS = 8;
/** The tiny data: the digits lab reads none of it. */
const TINY_DATA = { events: 4, users: 4, registrations: 8, movies: 20 };

/** One held-out digit from the Locust fixture, as the JSON body a student's client posts. */
function predictRequest(): RequestShape {
  const fixture = JSON.parse(
    readFileSync(join(projectRoot, "locust-scenarios", "digits_held_out.json"), "utf8"),
  ) as { digits: { pixels: number[] }[] };
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pixels: fixture.digits[7]?.pixels }),
  };
}

interface DigitsRun {
  loadedOnce: LatencySample;
  perRequest: LatencySample;
  pool: HealthUnderLoad;
  inline: HealthUnderLoad;
  cacheHit: LatencySample;
}

async function measure(context: MeasureContext): Promise<DigitsRun> {
  const shape = predictRequest();
  return withRunDatabase(async (dbPath) => {
    const sequential = (bugs: string) =>
      withServer({ DB_PATH: dbPath, BUGS: bugs }, (server) => {
        context.progress(`digits ${bugs}, one POST /predict at a time`);
        return sequentialLatency(`${server.url}/predict`, {
          seconds: context.seconds,
          maxRequests: 5_000,
          shape,
        });
      });
    const saturated = (bugs: string) =>
      withServer({ DB_PATH: dbPath, BUGS: bugs }, (server) => {
        context.progress(`digits ${bugs}, /predict saturated, /health probed`);
        return healthUnderLoad(
          server.url,
          {
            url: `${server.url}/predict`,
            connections: PREDICT_CONNECTIONS,
            ...shape,
            method: "POST",
          },
          context.seconds,
        );
      });
    return {
      loadedOnce: await sequential("predict-no-cache"),
      perRequest: await sequential("predict-no-cache,model-per-request"),
      pool: await saturated("model-per-request,predict-no-cache"),
      inline: await saturated("model-per-request,predict-no-cache,predict-inline"),
      cacheHit: await sequential("model-per-request"),
    };
  }, TINY_DATA);
}

export const digitsSuite = defineSuite<DigitsRun>({
  name: "digits",
  measure,
  title: (_run, context) =>
    `Digits: POST /predict with one held-out digit, each switch against its fix, ${context.seconds} s each`,
  figures: [
    { label: "loaded once p50", unit: "ms", value: (run) => run.loadedOnce.medianMs },
    { label: "model-per-request p50", unit: "ms", value: (run) => run.perRequest.medianMs },
    {
      label: "model-per-request / loaded once p50",
      unit: "x",
      value: (run) => run.perRequest.medianMs / run.loadedOnce.medianMs,
      failed: (run) => run.perRequest.failures + run.loadedOnce.failures,
      target: atLeast(20, "x"),
    },
    ...healthTailFigures<DigitsRun>("/predict", "predict-inline"),
    {
      label: "cache hit p50 (model per request)",
      unit: "ms",
      value: (run) => run.cacheHit.medianMs,
    },
    {
      label: "cache miss / hit p50 (model per request)",
      unit: "x",
      value: (run) => run.perRequest.medianMs / run.cacheHit.medianMs,
      failed: (run) => run.cacheHit.failures,
    },
  ],
});
