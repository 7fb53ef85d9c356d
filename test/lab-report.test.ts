// `npm run lab`: a short real run of the built CLI against two real servers, what it writes,
// and the report as a browser draws it (Debian's chromium, driven by playwright-core).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Comparison, SettingResult } from "../measure/compare.js";
import { summaryTable } from "../measure/compare-table.js";
import { renderReport } from "../measure/report.js";
import { LatencySamples } from "../measure/samples.js";
import { parseSetting, settingEnv, switchesOn } from "../measure/setting.js";
import { projectRoot } from "../src/paths.js";
import { NAIVE_SWITCHES } from "../src/switches.js";
import { openChromium } from "./helpers/chromium.js";

const run = promisify(execFile);
const LAB_CLI = join(projectRoot, "dist", "cmd", "lab.js");

async function lab(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [LAB_CLI, ...args], {
      cwd: projectRoot,
      timeout: 60_000,
      // The lab's servers inherit it: the tiny test model, not a full training per server.
      env: { ...process.env, MODEL_PATH: inject("tinyModelPath") },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("npm run lab on a short run", () => {
  const out = mkdtempSync(join(tmpdir(), "fest-lab-report-test-"));
  let result: Awaited<ReturnType<typeof lab>>;
  let comparison: Comparison;

  beforeAll(async () => {
    result = await lab([
      ...["--a", "naive", "--b", "mode=optimized bugs=io-blocking"],
      ...["--route", "/events?user=locust_user", "--duration", "2", "--connections", "2"],
      ...["--seed-size", "small", "--out", out],
    ]);
    comparison = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  }, 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("loads both settings and writes their figures to results.json", () => {
    expect(result.code, result.stderr).toBe(0);
    expect(comparison.options).toMatchObject({ route: "/events?user=locust_user", connections: 2 });
    const [a, b] = comparison.settings;
    expect(a).toMatchObject({ side: "a", label: "naive", env: { MODE: "naive" } });
    expect(a.switchesOn).toContain("events-slow-loop");
    expect(b).toMatchObject({ side: "b", switchesOn: ["io-blocking"] });
    for (const setting of comparison.settings) {
      expect(setting.requests).toBeGreaterThan(0);
      expect(setting.errors.total).toBe(0);
      expect(setting.serverExited).toBe(false);
      expect(setting.statusCodes["200"]).toBe(setting.requests);
      expect(setting.latencyMs.p50).toBeLessThanOrEqual(setting.latencyMs.p95);
      expect(setting.latencyMs.p95).toBeLessThanOrEqual(setting.latencyMs.p99);
      expect(setting.perSecond.length).toBeGreaterThanOrEqual(2);
      expect(setting.perSecond.reduce((sum, p) => sum + p.requests, 0)).toBe(setting.requests);
    }
    expect(comparison.ratio.p99).toBeCloseTo(b.latencyMs.p99 / a.latencyMs.p99);
  });

  it("prints a table with both settings and the ratio b/a", () => {
    expect(result.stdout).toMatch(/setting\s+requests\/s\s+p50 ms\s+p95 ms\s+p99 ms\s+errors/);
    expect(result.stdout).toMatch(/^a: naive\s+\d/m);
    expect(result.stdout).toMatch(/^b: mode=optimized bugs=io-blocking\s+\d/m);
    expect(result.stdout).toMatch(/^b\/a\s+[\d.]+x/m);
    expect(result.stdout).toContain("… a: naive  2/2 s");
  });

  it("writes a report that needs no server and no network", () => {
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("Chart.js v4");
    // Chart.js and the data are inlined; the browser test below also watches every request.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img|fetch\(/);
  });

  it("draws every chart in headless Chromium", async (context) => {
    const { browser, close } = await openChromium((why) => context.skip(why));
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on("request", (request) => requests.push(request.url()));
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`file://${join(out, "report.html")}`);
      await page.waitForSelector("body[data-charts-drawn='3']", { timeout: 15_000 });
      // A drawn chart has opaque pixels; a blank canvas is all transparent.
      const painted = await page.$$eval("canvas", (canvases) =>
        canvases.map((canvas) => {
          const { width, height } = canvas;
          const pixels = canvas.getContext("2d")?.getImageData(0, 0, width, height).data ?? [];
          let opaque = 0;
          for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) opaque++;
          return { id: canvas.id, width, opaque };
        }),
      );
      expect(errors).toEqual([]);
      expect(requests.filter((url) => !url.startsWith("file://"))).toEqual([]);
      expect(painted.map((c) => c.id)).toEqual(["percentiles", "throughput", "latency"]);
      for (const canvas of painted) {
        expect(canvas.width, canvas.id).toBeGreaterThan(100);
        expect(canvas.opaque, canvas.id).toBeGreaterThan(1000);
      }
      // The latency axes end above their largest value, so no bar or line runs into the top.
      const axes = await page.evaluate(() =>
        ["percentiles", "latency"].map((id) => {
          const chart = (
            globalThis as unknown as {
              Chart: {
                getChart(id: string): {
                  scales: { y: { max: number } };
                  data: { datasets: { data: unknown[] }[] };
                };
              };
            }
          ).Chart.getChart(id);
          const values = chart.data.datasets
            .flatMap((d) => d.data)
            .filter((v): v is number => typeof v === "number");
          return { id, max: chart.scales.y.max, largest: Math.max(...values) };
        }),
      );
      for (const axis of axes) expect(axis.max, axis.id).toBeGreaterThan(axis.largest);
    } finally {
      await close();
    }
  }, 60_000);
});

describe("npm run lab with bad options", () => {
  it("shows what a closed-loop client hides: a stall is in the fixed-rate probe's tail", async () => {
    const stallOut = mkdtempSync(join(tmpdir(), "fest-lab-stall-test-"));
    try {
      const stalled = await lab([
        ...["--a", "optimized", "--b", "faults=stall:400ms/1s", "--route", "/health"],
        ...["--duration", "3", "--connections", "4", "--probe-rate", "50"],
        ...["--seed-size", "small", "--out", stallOut],
      ]);
      expect(stalled.code, stalled.stderr).toBe(0);
      expect(stalled.stdout).toContain("fixed-rate probe");
      const { settings } = JSON.parse(readFileSync(join(stallOut, "results.json"), "utf8"));
      const [a, b] = settings as [SettingResult, SettingResult];
      expect(a.env.FAULTS).toBe("");
      expect(b.env.FAULTS).toBe("stall:400ms/1s");
      for (const side of [a, b]) expect(side.probe?.failures).toBe(0);
      // About 40 % of b's probes land in a stall and wait for its end; a's do not wait, and
      // b's closed-loop clients, each waiting for its answer, sent only 4 requests a stall.
      // b's own closed-loop figure is measured in the same seconds as its probe, so it is the
      // firm comparison; a's probe ran in other seconds, on a machine that may be busier then.
      const [probeA, probeB] = [a.probe?.p95Ms ?? 0, b.probe?.p95Ms ?? 0];
      expect(probeB).toBeGreaterThan(5 * b.latencyMs.p95);
      expect(probeB).toBeGreaterThan(3 * probeA);
    } finally {
      rmSync(stallOut, { recursive: true, force: true });
    }
  }, 60_000);

  it("rejects an unknown switch name and lists the known ones", async () => {
    const { code, stderr } = await lab(["--a", "bugs=events-slow-loop,nope"]);
    expect(code).toBe(1);
    expect(stderr).toContain('--a names unknown switch "nope"');
    expect(stderr).toContain("known names are checkout-crash,");
  });

  it("rejects a setting word it does not understand, a bad duration and a foreign route", async () => {
    expect((await lab(["--b", "mode=fast"])).stderr).toContain('"mode=fast" is not understood');
    expect((await lab(["--duration", "301"])).stderr).toContain("from 1 to 300");
    expect((await lab(["--route", "//example.com/"])).stderr).toContain("--route //example.com/");
  });
});

describe("the report's HTML", () => {
  it("keeps a hostile label from closing its script or adding markup", () => {
    const hostile = "</script><img src=x onerror=alert(1)>";
    const setting: SettingResult = {
      side: "a",
      label: hostile,
      env: {},
      switchesOn: [],
      serverExited: false,
      durationSeconds: 1,
      requests: 1,
      requestsPerSecond: 1,
      latencyMs: { min: 1, mean: 1, p50: 1, p90: 1, p95: 1, p99: 1, p99_9: 1, max: 1 },
      errors: { non2xx: 0, connection: 0, timeouts: 0, total: 0 },
      statusCodes: { "200": 1 },
      percentiles: [{ percentile: 50, ms: 1 }],
      perSecond: [{ second: 1, requests: 1, p50Ms: 1, p99Ms: 1 }],
    };
    const html = renderReport(
      {
        createdAt: "now",
        options: {
          route: `/health?x=${hostile}`,
          connections: 1,
          durationSeconds: 1,
          probeRate: 0,
          seedSize: "small",
          data: { events: 1, users: 1, registrations: 0 },
          node: "v20",
        },
        settings: [setting, { ...setting, side: "b" }],
        ratio: { requestsPerSecond: 1, p50: 1, p95: 1, p99: 1, errors: Number.NaN },
      },
      "/* chart.js */",
    );
    expect(html).not.toContain("</script><img");
    expect(html).not.toContain("<img");
    const data = html.match(/<script type="application\/json" id="lab-data">(.*?)<\/script>/s);
    expect(JSON.parse(data?.[1] ?? "").settings[0].label).toBe(hostile);
  });
});

describe("the lab's table", () => {
  it("says the probe adds load, and that a probe's time at the timeout is no answer time", () => {
    const setting: SettingResult = {
      side: "a",
      label: "naive",
      env: {},
      switchesOn: [],
      serverExited: false,
      durationSeconds: 5,
      requests: 20,
      requestsPerSecond: 4,
      latencyMs: { min: 1, mean: 1, p50: 1, p90: 1, p95: 1, p99: 1, p99_9: 1, max: 1 },
      errors: { non2xx: 0, connection: 0, timeouts: 0, total: 0 },
      statusCodes: { "200": 20 },
      percentiles: [{ percentile: 50, ms: 1 }],
      perSecond: [{ second: 1, requests: 4, p50Ms: 1, p99Ms: 1 }],
      probe: {
        requests: 100,
        failures: 64,
        timedOut: 64,
        medianMs: 10001,
        p95Ms: 10003,
        p99Ms: 10004,
      },
    };
    const calm = { requests: 100, failures: 0, timedOut: 0, medianMs: 2, p95Ms: 4, p99Ms: 9 };
    const table = summaryTable({
      createdAt: "now",
      options: {
        route: "/events?user=locust_user",
        connections: 10,
        durationSeconds: 5,
        probeRate: 20,
        seedSize: "small",
        data: { events: 1, users: 1, registrations: 0 },
        node: "v20",
      },
      settings: [setting, { ...setting, side: "b", label: "optimized", probe: calm }],
      ratio: { requestsPerSecond: 1, p50: 1, p95: 1, p99: 1, errors: Number.NaN },
    }).replace(/\s+/g, " ");
    expect(table).toContain("The probe sends 20 requests a second");
    expect(table).toContain("it adds load too");
    expect(table).toContain("a: naive: 64 of 100 probe requests got no answer within 10 s");
    expect(table).not.toContain("b: optimized: 0 of");
  });
});

describe("a lab setting", () => {
  it("names the server's whole switch environment, so nothing leaks in from the shell", () => {
    const setting = parseSetting("--a", "  mode=optimized   bugs=io-blocking,cpu-inline buggy ");
    expect(setting.label).toBe("mode=optimized bugs=io-blocking,cpu-inline buggy");
    expect(settingEnv(setting)).toEqual({
      MODE: "optimized",
      BUGGY: "1",
      BUGS: "io-blocking,cpu-inline",
      FAULTS: "",
      SERVICES: "0",
    });
    expect(settingEnv(parseSetting("--b", "optimized"))).toEqual({
      MODE: "optimized",
      BUGGY: "0",
      BUGS: "",
      FAULTS: "",
      SERVICES: "0",
    });
  });

  it("passes faults to the server in the FAULTS syntax, checked before any server starts", () => {
    const setting = parseSetting("--b", "optimized faults=stall:300ms/2s;error:503@10%:/events");
    expect(settingEnv(setting).FAULTS).toBe("stall:300ms/2s;error:503@10%:/events");
    expect(() => parseSetting("--b", "faults=explode@10%:*")).toThrow(/--b faults=explode@10%:\*/);
  });

  it("turns on what the server would: naive's slow twins, buggy's crash", () => {
    // The slow twins are listed once, in src/switches.ts; the server starts from that list.
    expect(switchesOn(parseSetting("--a", "naive"))).toEqual([...NAIVE_SWITCHES]);
    expect(switchesOn(parseSetting("--a", "buggy=1 bugs=io-blocking"))).toEqual([
      "checkout-crash",
      "io-blocking",
    ]);
  });
});

describe("latency percentiles", () => {
  it("are nearest-rank figures over every sample, below a millisecond too", () => {
    const samples = new LatencySamples();
    // 1..10000 µs, added out of order and past the first buffer's size.
    for (let i = 10_000; i >= 1; i--) samples.add(i / 1000, i <= 5000 ? 0 : 1);
    expect(samples.summary()).toMatchObject({ min: 0.001, p50: 5, p95: 9.5, p99: 9.9, max: 10 });
    expect(samples.bySecond(2)).toEqual([
      { requests: 5000, p50: 2.5, p99: 4.95 },
      { requests: 5000, p50: 7.5, p99: 9.95 },
    ]);
  });
});
