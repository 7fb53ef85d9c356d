// /admin/live in a real browser (Debian's chromium) under a short, bounded load: the numbers it
// shows are the server's own counts (/admin/truth), and a switch turned on half-way shows as a
// mark on the time axis with the latency stepping up after it.
import type { Page } from "playwright-core";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_FEST_SIZE } from "../src/fest/seed.js";
import type { TruthReport } from "../src/truth/truth.js";
import { openChromium } from "./helpers/chromium.js";
import { waitFor } from "./helpers/process.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const TOKEN = "test-admin-token";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const EVENTS = "/events?user=locust_user";

let server: TestServer;
beforeAll(async () => {
  // The fest at its real size, so events-slow-loop's cost shows; the catalogue small.
  server = await startTestServer({ ADMIN_TOKEN: TOKEN }, { ...DEFAULT_FEST_SIZE, movies: 400 });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

/** Two clients asking for /events one after the other, for `ms` and at most `count` requests each. */
async function load(ms: number, count: number): Promise<void> {
  const until = Date.now() + ms;
  const client = async () => {
    for (let i = 0; i < count && Date.now() < until; i++) {
      const res = await fetch(`${server.url}${EVENTS}`);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    }
  };
  await Promise.all([client(), client()]);
}

async function truthOfEvents(): Promise<TruthReport["routes"][number] | undefined> {
  const res = await request(server.url).get("/admin/truth").set(AUTH).expect(200);
  return (res.body as TruthReport).routes.find((r) => r.method === "GET" && r.route === "/events");
}

/** The page's "In the window" row of a route: its requests and failures. */
async function windowRow(page: Page, route: string) {
  const cells = await page.$$eval(`#window tr[data-route="${route}"] td`, (tds) =>
    tds.map((td) => (td as unknown as { textContent: string | null }).textContent ?? ""),
  );
  return cells.length === 3 ? { requests: Number(cells[1]), failures: Number(cells[2]) } : null;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe("the live view in Chromium", () => {
  it("shows the server's own counts, and a switch turned on as a mark and a step in the latency", async (context) => {
    const { browser, close } = await openChromium((why) => context.skip(why), {
      width: 1280,
      height: 1600,
    });
    try {
      await browser.setExtraHTTPHeaders(AUTH);
      await request(server.url).post("/admin/truth/reset").set(AUTH).expect(200);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      const opened = await page.goto(`${server.url}/admin/live`);
      expect(opened?.status()).toBe(200);
      await page.waitForSelector("#window", { state: "attached" });

      await load(3_000, 300);
      await request(server.url)
        .put("/admin/switches/events-slow-loop")
        .set(AUTH)
        .send({ on: true })
        .expect(200);
      await load(3_000, 40);

      // Once the last second is drawn, the page's count for the window is the truth's.
      const truth = await truthOfEvents();
      expect(truth?.requests).toBeGreaterThan(10);
      await waitFor(
        async () => (await windowRow(page, "GET /events"))?.requests === truth?.requests,
        10_000,
        `the live view to show ${truth?.requests} GET /events`,
      );
      expect(await windowRow(page, "GET /events")).toEqual({
        requests: truth?.requests,
        failures: truth?.errorAnswers,
      });

      // The change is listed, and marked in the latency chart of /events, whose median steps up.
      expect(await page.textContent("#marks")).toContain("switch: events-slow-loop on");
      await page.selectOption("#latency-route", "GET /events");
      const latency = await page.evaluate(() => {
        const chart = (
          globalThis as unknown as {
            Chart: {
              getChart(id: string): {
                data: { datasets: { label: string; data: (number | null)[] }[] };
                options: { plugins: { liveMarks: { marks: { index: number; text: string }[] } } };
              };
            };
          }
        ).Chart.getChart("chart-latency");
        return {
          p50: chart.data.datasets.find((d) => d.label === "p50")?.data ?? [],
          marks: chart.options.plugins.liveMarks.marks,
        };
      });
      const mark = latency.marks.find((m) => m.text.startsWith("events-slow-loop on"));
      expect(mark, JSON.stringify(latency.marks)).toBeDefined();
      const at = mark?.index ?? 0;
      const seconds = (keep: (i: number) => boolean) =>
        latency.p50.filter((v, i): v is number => v !== null && keep(i));
      const before = seconds((i) => i < at);
      const after = seconds((i) => i > at);
      expect(before.length).toBeGreaterThan(0);
      expect(after.length).toBeGreaterThan(0);
      expect(median(after)).toBeGreaterThan(3 * (median(before) ?? 0));
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);

  it("is an admin page: without the token, 401", async () => {
    await request(server.url).get("/admin/live").expect(401);
    await request(server.url).get("/admin/live/events").expect(401);
  });

  it("names a bad Last-Event-ID", async () => {
    const res = await request(server.url)
      .get("/admin/live/events")
      .set(AUTH)
      .set("Last-Event-ID", "soon")
      .set("accept", "application/json")
      .expect(400);
    expect(res.body).toMatchObject({ parameter: "after" });
  });
});
