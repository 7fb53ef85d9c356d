// Where a prediction is made, as the digits lab's three switches decide:
//   predict-no-cache   off: a repeated input is answered from the cache
//   model-per-request  on:  the model is read, parsed and built again for this request
//   predict-inline     on:  the work runs on the event loop instead of the pool's threads
// The route only parses input and renders; everything a switch changes is in this file.
import type { Switches } from "../switches.js";
import type { Network } from "./network.js";
import type { PredictPool } from "./predict-pool.js";
import { type PredictTask, predictDigit } from "./predict-task.js";
import { type CachedPrediction, PredictionCache } from "./prediction-cache.js";

export interface PredictAnswer extends CachedPrediction {
  /** True when the answer came from the cache, without running the model. */
  cached: boolean;
}

/** What /metrics counts (src/observe/metrics.ts implements it). */
export interface PredictionCounters {
  predicted(ranOn: CachedPrediction["ranOn"], cached: boolean): void;
  modelLoaded(): void;
}

export interface PredictorParts {
  switches: Switches;
  /** Loaded once at start: what every prediction uses unless model-per-request is on. */
  network: Network;
  modelPath: string;
  pool: Pick<PredictPool, "run">;
  counters: PredictionCounters;
}

export class Predictor {
  readonly cache = new PredictionCache();

  constructor(private readonly parts: PredictorParts) {}

  async predict(pixels: Float32Array, signal?: AbortSignal): Promise<PredictAnswer> {
    const { switches, network, modelPath, pool, counters } = this.parts;
    const useCache = !switches.isOn("predict-no-cache");
    const key = useCache ? PredictionCache.keyOf(pixels) : "";
    const hit = useCache ? this.cache.get(key) : undefined;
    if (hit !== undefined) {
      counters.predicted(hit.ranOn, true);
      return { ...hit, cached: true };
    }

    // model-per-request: the lab's first suspect, a model file read for every request.
    const task: PredictTask = {
      pixels,
      loadModelFrom: switches.isOn("model-per-request") ? modelPath : undefined,
    };
    let answer: CachedPrediction;
    if (switches.isOn("predict-inline")) {
      // predict-inline: right here, on the event loop; every other request waits for it.
      answer = { ...predictDigit(network, task), ranOn: "event-loop" };
    } else {
      answer = { ...(await pool.run(task, signal)), ranOn: "worker-pool" };
    }
    if (task.loadModelFrom !== undefined) counters.modelLoaded();
    counters.predicted(answer.ranOn, false);
    if (useCache) this.cache.set(key, answer);
    return { ...answer, cached: false };
  }
}
