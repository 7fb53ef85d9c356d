// POST /predict and GET /predict against the real server (with the tiny test model): the
// answer's shape, each switch's effect, the cache, the counters, and every bad input refused
// with a 4xx that names it before anything reaches the pool.
import { PNG } from "pngjs";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const json = { Accept: "application/json" };
const pixels = () => server.model.examples[3]?.pixels ?? [];

function png(width: number, height: number, colorType: 0 | 2 = 0): Buffer {
  const image = new PNG({ width, height, colorType });
  image.data.fill(0);
  for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
  return PNG.sync.write(image, { colorType });
}

describe("POST /predict", () => {
  it("answers a digit, ten probabilities, the time and where it ran, then the same from the cache", async () => {
    const first = await request(server.url).post("/predict").send({ pixels: pixels() });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ ranOn: "worker-pool", cached: false, modelLoadMs: 0 });
    expect(first.body.probabilities).toHaveLength(10);
    expect(first.body.digit).toBe(
      first.body.probabilities.indexOf(Math.max(...first.body.probabilities)),
    );
    const again = await request(server.url)
      .post("/predict")
      .send({ pixels: pixels().map((v) => v / 255) });
    expect(again.body).toMatchObject({ digit: first.body.digit, cached: true });
    const metrics = (await request(server.url).get("/metrics")).text;
    expect(metrics).toMatch(/festlab_digit_prediction_cache_hits_total [1-9]/);
    expect(metrics).toMatch(/festlab_digit_model_loads_total 1\b/);
  });

  it("reads a 28×28 grayscale PNG", async () => {
    const res = await request(server.url)
      .post("/predict")
      .set("Content-Type", "image/png")
      .send(png(28, 28));
    expect(res.status).toBe(200);
    expect(res.body.probabilities).toHaveLength(10);
  });

  it("each switch changes where and how the answer was made", async () => {
    server.switches.set("predict-no-cache", true);
    server.switches.set("model-per-request", true);
    server.switches.set("predict-inline", true);
    try {
      const res = await request(server.url).post("/predict").send({ pixels: pixels() });
      expect(res.body).toMatchObject({ ranOn: "event-loop", cached: false });
      expect(res.body.modelLoadMs).toBeGreaterThan(0);
      expect((await request(server.url).get("/metrics")).text).toMatch(
        /festlab_digit_model_loads_total 2\b/,
      );
    } finally {
      for (const name of ["predict-no-cache", "model-per-request", "predict-inline"] as const) {
        server.switches.set(name, false);
      }
    }
  });

  it.each([
    ["a wrong length", { pixels: [1, 2, 3] }, 400, /pixels: 3 values, expected 784/],
    [
      "a value out of range",
      { pixels: Array(784).fill(0).with(9, 256) },
      400,
      /pixels\[9\]: 256 is out of range/,
    ],
    [
      "a value that is not a number",
      { pixels: Array(784).fill(0).with(4, "x") },
      400,
      /pixels\[4\]: "x" is not a finite number/,
    ],
    ["no pixels", { image: [] }, 400, /pixels: missing/],
  ])("refuses %s, naming it", async (_what, body, status, message) => {
    const before = server.predictPool.stats().completed;
    const res = await request(server.url).post("/predict").set(json).send(body);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
    expect(server.predictPool.stats().completed).toBe(before);
  });

  it("refuses a body that is neither JSON nor PNG (415), a bad PNG (400) and a big body (413)", async () => {
    const text = await request(server.url)
      .post("/predict")
      .set("Content-Type", "text/plain")
      .send("7");
    expect(text.status).toBe(415);
    expect(text.body.error).toMatch(/application\/json, or a 28×28 grayscale PNG as image\/png/);
    const notPng = await request(server.url)
      .post("/predict")
      .set("Content-Type", "image/png")
      .send(Buffer.from("hello"));
    expect(notPng.status).toBe(400);
    expect(notPng.body.error).toMatch(/not a PNG/);
    const big = await request(server.url)
      .post("/predict")
      .set("Content-Type", "image/png")
      .send(png(29, 28));
    expect(big.body.error).toMatch(/the PNG is 29×28, expected 28×28/);
    const colour = await request(server.url)
      .post("/predict")
      .set("Content-Type", "image/png")
      .send(png(28, 28, 2));
    expect(colour.body.error).toMatch(/colour type 2/);
    const huge = await request(server.url)
      .post("/predict")
      .send({ pixels: Array(40_000).fill(0.5) });
    expect(huge.status).toBe(413);
  });
});

describe("GET /predict", () => {
  it("shows a held-out digit with the model's answer, names its slow paths, and lists the switches", async () => {
    const page = await request(server.url).get("/predict?example=2");
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="example-label">2<');
    expect(page.text).toMatch(/the model says <strong id="example-digit">\d<\/strong>/);
    expect(page.text).toContain("the model loaded for every request");
    expect(page.text).toContain('data-switch="model-per-request"');
    expect((await request(server.url).get("/predict?example=99")).status).toBe(400);
  });
});
