// The digits lab: a small neural network that reads a handwritten digit, run in a thread pool,
// with switches that run it inline, skip its cache or reload the model on every request.
// The rest of the server imports this file only; what it needs of the lab is re-exported here.

import type { Registry } from "prom-client";
import type { Config } from "../config.js";
import type { Logger } from "../observe/log.js";
import { type Switches, switchesOfLab } from "../switches.js";
import { loadOrTrainModel, percent, type ReadyModel } from "./first-start.js";
import { digitsCounters } from "./metrics.js";
import { PredictPool } from "./predict-pool.js";
import { Predictor } from "./predictor.js";
import { digitsRouter } from "./routes.js";
import type { TrainingPlan } from "./train.js";

export { loadOrTrainModel, percent, type ReadyModel } from "./first-start.js";
export type { TrainingPlan } from "./train.js";

export type DigitsLab = ReturnType<typeof digitsLab>;

export interface DigitsStart {
  /** How to train the model when MODEL_PATH is missing; tests train a tiny one. */
  trainingPlan?: TrainingPlan;
  /** True when this start's first-start step trained the model already. */
  trainedAtFirstStart: boolean;
}

export function digitsLab(
  parts: {
    config: Config;
    switches: Switches;
    log: Logger;
    registry: Registry;
  },
  start: DigitsStart,
) {
  const { config, switches, log, registry } = parts;
  // Trained here on the first start (a few seconds), read from MODEL_PATH on the others.
  const loaded = loadOrTrainModel(config.modelPath, start.trainingPlan, (line) => log.info(line));
  const model = { ...loaded, trained: loaded.trained || start.trainedAtFirstStart };
  const counters = digitsCounters(registry);
  // The same size and bound as /cpu's pool: one thread per core, by default.
  const predictPool = new PredictPool(config.cpuPoolSize, config.cpuPoolQueue, model.network);
  counters.modelLoaded();
  const predictor = new Predictor({
    switches,
    network: model.network,
    modelPath: config.modelPath,
    pool: predictPool,
    counters,
  });
  const { facts, examples } = model;
  return {
    name: "digits",
    router: digitsRouter({ predictor, switches, facts, examples }),
    paths: ["/predict"],
    switches: switchesOfLab("digits"),
    /** The model as loaded (or trained) at start. */
    model,
    /** The /predict worker threads, each holding the model loaded at start. */
    predictPool,
    predictor,
    bannerLines: (url: string) => modelLines(config, model, url),
    close: () => predictPool.destroy(),
    reset() {
      const forgotten = predictor.cache.clear();
      return {
        report: { predictionsForgotten: forgotten },
        line: `${forgotten} predictions forgotten`,
      };
    },
  };
}

/**
 * The banner's digits line for a process that runs no digits lab (the WORKERS supervisor):
 * the model its workers load, read (or trained, on a first start) here.
 */
export function describeDigits(
  config: Config,
  start: DigitsStart,
  log: Logger,
): { bannerLines(url: string): string[] } {
  const loaded = loadOrTrainModel(config.modelPath, start.trainingPlan, (line) => log.info(line));
  const model = { ...loaded, trained: loaded.trained || start.trainedAtFirstStart };
  return { bannerLines: (url) => modelLines(config, model, url) };
}

function modelLines(config: Config, model: ReadyModel, url: string): string[] {
  return [
    `  digits:    ${url}/predict, model ${config.modelPath}${model.trained ? " (trained now)" : ""}: ${percent(model.facts.heldOutAccuracy)} right on ${model.facts.heldOutDigits} held-out digits`,
  ];
}
