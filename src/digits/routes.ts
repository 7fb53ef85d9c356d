// HTTP for the digits lab: GET /predict (the page) and POST /predict (the API). Input is
// checked here, before the predictor; the predictor (predictor.ts) is where the switches act.
import express, { type Response, Router } from "express";
import { PNG } from "pngjs";
import { BadInput, ServiceUnavailable } from "../http-errors.js";
import { answerJsonOnly, sendPage } from "../respond.js";
import { SWITCHES, type Switches } from "../switches.js";
import { withoutFields } from "../withheld.js";
import { PoolFull } from "../worker-pool.js";
import { BODY_LIMIT, pixelsFromJson, pixelsFromPng, unsupportedBody } from "./input.js";
import type { Example, ModelFacts } from "./model-file.js";
import { PIXELS, SIDE } from "./network.js";
import type { PredictAnswer, Predictor } from "./predictor.js";

/** A full queue drains in well under a second: a prediction takes a millisecond or so. */
const RETRY_AFTER_SECONDS = 1;

export interface DigitsRouterParts {
  predictor: Predictor;
  switches: Switches;
  facts: ModelFacts;
  examples: readonly Example[];
}

export function digitsRouter({ predictor, switches, facts, examples }: DigitsRouterParts): Router {
  const router = Router();
  // While a challenge runs, where the time went is the answer to find (src/withheld.ts).
  const shown = (answer: PredictAnswer) =>
    withoutFields(answer, switches.hiddenBecause, ["ranOn", "cached", "modelLoadMs"]);
  // Without ?example=, each page view shows the next held-out digit in turn.
  let nextExample = 0;

  router.get("/predict", async (req, res) => {
    const index = exampleParam(req.query.example, examples.length) ?? nextExample;
    nextExample = (index + 1) % Math.max(1, examples.length);
    const example = examples[index];
    const prediction =
      example === undefined
        ? undefined
        : await predictOrRefuse(
            predictor,
            res,
            Float32Array.from(example.pixels, (v) => v / 255),
          );
    if (res.writableEnded || res.destroyed) return;
    sendPage(req, res, {
      view: "predict.njk",
      data: {
        example:
          example === undefined
            ? null
            : {
                label: example.label,
                index: example.index,
                exampleNumber: index,
                png: pngDataUrl(example.pixels),
              },
        examples: examples.length,
        prediction: prediction === undefined ? null : shown(prediction),
        heldOutAccuracy: facts.heldOutAccuracy,
        heldOutDigits: facts.heldOutDigits,
        trainingDigits: facts.trainingDigits,
        hidden: facts.plan.hidden,
        labSwitches: switches
          .list()
          .filter((s) => SWITCHES[s.name].lab === "digits")
          // While a challenge hides the switches, the page does not say which are on.
          .map(({ name, on, description }) => ({
            name,
            on: switches.hiddenBecause === undefined ? on : undefined,
            description,
          })),
        switchesHidden: switches.hiddenBecause,
      },
    });
  });

  // The parsers and JSON-only errors belong to this route alone, not to every request.
  router.post(
    "/predict",
    answerJsonOnly,
    express.json({ limit: BODY_LIMIT }),
    express.raw({ type: "image/png", limit: BODY_LIMIT }),
    async (req, res) => {
      let pixels: Float32Array;
      if (req.is("application/json")) pixels = pixelsFromJson(req.body);
      else if (req.is("image/png") && Buffer.isBuffer(req.body)) pixels = pixelsFromPng(req.body);
      else throw unsupportedBody(req.get("content-type"));
      const answer = await predictOrRefuse(predictor, res, pixels);
      if (answer !== undefined) res.json(shown(answer));
    },
  );

  return router;
}

/**
 * The prediction, cancelled when the client leaves (a load tester's timeout, a closed tab) so
 * no thread works for nobody; undefined then. A full pool is a 503 with Retry-After.
 */
async function predictOrRefuse(
  predictor: Predictor,
  res: Response,
  pixels: Float32Array,
): Promise<PredictAnswer | undefined> {
  const cancel = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) cancel.abort(new Error("the client closed the connection"));
  });
  try {
    return await predictor.predict(pixels, cancel.signal);
  } catch (error) {
    if (cancel.signal.aborted) return undefined; // nobody is left to answer
    if (error instanceof PoolFull) {
      throw new ServiceUnavailable(
        `/predict is at capacity: ${error.message}; retry after ${RETRY_AFTER_SECONDS} s`,
        RETRY_AFTER_SECONDS,
      );
    }
    throw error;
  }
}

function exampleParam(value: unknown, count: number): number | undefined {
  if (value === undefined) return undefined;
  const allowed = `a whole number from 0 to ${count - 1}: which held-out digit to show`;
  if (typeof value !== "string" || !/^\d{1,4}$/.test(value) || Number(value) >= count) {
    throw new BadInput("example", allowed);
  }
  return Number(value);
}

/** The digit as a grayscale PNG, to show on the page and to save and upload. */
function pngDataUrl(pixels: readonly number[]): string {
  const png = new PNG({ width: SIDE, height: SIDE, colorType: 0 });
  for (let i = 0; i < PIXELS; i++) {
    const value = pixels[i] ?? 0;
    png.data[i * 4] = value;
    png.data[i * 4 + 1] = value;
    png.data[i * 4 + 2] = value;
    png.data[i * 4 + 3] = 255;
  }
  const bytes = PNG.sync.write(png, { colorType: 0 });
  return `data:image/png;base64,${bytes.toString("base64")}`;
}
