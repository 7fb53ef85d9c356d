// What POST /predict accepts, checked before anything reaches the pool: JSON
// {"pixels": [784 numbers]} or a 28×28 grayscale PNG. Every refusal names what is wrong.
import { PNG } from "pngjs";
import { LARGEST_BODY_BYTES } from "../connection/body-limit.js";
import { BadInput, HttpError } from "../http-errors.js";
import { PIXELS, SIDE } from "./network.js";

/**
 * 784 numbers as JSON text stay under 16 KB; a 28×28 PNG is a few hundred bytes. The largest
 * body of any route, so the door's bound (src/connection/body-limit.ts) is this one.
 */
export const BODY_LIMIT = LARGEST_BODY_BYTES;

export const PIXELS_RULE = `${PIXELS} numbers (28 rows of 28, top left first), each from 0 to 1 or, all of them, from 0 to 255; 0 is the background, the highest value full ink`;

/** A refusal that says what is wrong with which value, then what is allowed. */
function badPixels(parameter: string, problem: string): HttpError {
  return new HttpError(400, `${parameter}: ${problem}; send ${PIXELS_RULE}`, {
    parameter,
    allowed: PIXELS_RULE,
  });
}

/** The body a parser left in req.body, as the ink of each pixel from 0 to 1. */
export function pixelsFromJson(body: unknown): Float32Array {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BadInput("body", `a JSON object {"pixels": [...]} with ${PIXELS_RULE}`);
  }
  const pixels = (body as { pixels?: unknown }).pixels;
  if (!Array.isArray(pixels)) throw new BadInput("pixels", `missing or not a list: ${PIXELS_RULE}`);
  if (pixels.length !== PIXELS) {
    throw badPixels("pixels", `${pixels.length} values, expected ${PIXELS}`);
  }
  let max = 0;
  for (let i = 0; i < PIXELS; i++) {
    const value = pixels[i];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw badPixels(`pixels[${i}]`, `${JSON.stringify(value)} is not a finite number`);
    }
    if (value < 0 || value > 255) {
      throw badPixels(`pixels[${i}]`, `${value} is out of range 0 to 255`);
    }
    if (value > max) max = value;
  }
  // All values at most 1: read as 0 to 1; otherwise as 0 to 255 (what images store).
  const scale = max <= 1 ? 1 : 255;
  return Float32Array.from(pixels as number[], (value) => value / scale);
}

const PNG_COLOR_TYPE_GRAY = 0;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function wrongSize(width: number, height: number): BadInput {
  return new BadInput("body", `the PNG is ${width}×${height}, expected ${SIDE}×${SIDE}`);
}

/** A PNG upload's bytes, as the ink of each pixel from 0 to 1. */
export function pixelsFromPng(bytes: Buffer): Float32Array {
  // Look at the header's size before decoding: a small compressed body can hold a huge image
  // (a "PNG bomb"), and 28×28 is all this route reads. The decoding itself is pngjs's.
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    throw new BadInput("body", "not a PNG (it does not start with the PNG signature)");
  }
  if (bytes.length >= 24) {
    const width = bytes.readUInt32BE(16);
    const height = bytes.readUInt32BE(20);
    if (width !== SIDE || height !== SIDE) throw wrongSize(width, height);
  }
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (error) {
    throw new BadInput("body", `not a readable PNG (${(error as Error).message})`);
  }
  if (png.width !== SIDE || png.height !== SIDE) throw wrongSize(png.width, png.height);
  // pngjs's typings miss colorType, which the decoder sets from the header.
  const colorType = (png as PNG & { colorType?: number }).colorType;
  if (colorType !== PNG_COLOR_TYPE_GRAY) {
    throw new BadInput(
      "body",
      `the PNG is in colour (PNG colour type ${colorType}), expected grayscale without alpha (colour type 0): white ink on black`,
    );
  }
  // pngjs hands back RGBA whatever the file held; in a gray image R, G and B are equal.
  const pixels = new Float32Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) pixels[i] = (png.data[i * 4] as number) / 255;
  return pixels;
}

/** Neither JSON nor PNG: 415, saying what to send instead. */
export function unsupportedBody(contentType: string | undefined): HttpError {
  return new HttpError(
    415,
    `body: send {"pixels": [${PIXELS} numbers]} as application/json, or a ${SIDE}×${SIDE} grayscale PNG as image/png; got ${contentType ? `Content-Type ${contentType}` : "no Content-Type"}`,
    { parameter: "body", allowed: "application/json or image/png" },
  );
}
