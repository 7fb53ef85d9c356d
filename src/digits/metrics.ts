// The digits lab's own counters, registered on the server's registry when the lab starts:
// the server's metrics know no lab by name. The names are the dashboard's (dashboards/).
import { Counter, type Registry } from "prom-client";
import type { PredictionCounters } from "./predictor.js";

export function digitsCounters(registry: Registry): PredictionCounters {
  const registers = [registry];
  const predictions = new Counter({
    name: "festlab_digit_predictions_total",
    help: "Digit predictions answered, by where the model ran and whether the cache answered instead.",
    labelNames: ["ran_on", "cached"],
    registers,
  });
  const cacheHits = new Counter({
    name: "festlab_digit_prediction_cache_hits_total",
    help: "Digit predictions answered from the cache, without running the model.",
    registers,
  });
  const modelLoads = new Counter({
    name: "festlab_digit_model_loads_total",
    help: "Times the digits model file was read, parsed and built: once at start, plus once a request with model-per-request on.",
    registers,
  });
  return {
    predicted(ranOn, cached) {
      predictions.inc({ ran_on: ranOn, cached: String(cached) });
      if (cached) cacheHits.inc();
    },
    modelLoaded: () => modelLoads.inc(),
  };
}
