// MONITOR_CSV=path: one line a second of CPU, memory, event loop and load, the same on
// every operating system.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MONITOR_COLUMNS } from "../src/observe/monitor.js";
import { copySmallSeed, seededDatabaseForTests, spawnServer, waitFor } from "./helpers/process.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fest-lab-monitor-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readRows(path: string): { header: string[]; rows: string[][] } {
  const lines = existsSync(path) ? readFileSync(path, "utf8").split("\n") : [];
  const whole = lines.slice(0, -1); // the last piece is "" once a line is complete
  return {
    header: (whole[0] ?? "").split(","),
    rows: whole.slice(1).map((line) => line.split(",")),
  };
}

// Each block has its own server and file, and most of a test is waiting for the monitor's
// next second: the blocks run at once.
describe.concurrent("MONITOR_CSV", () => {
  // The in-process servers read the data only: one seeded database for all of them.
  const dbPath = seededDatabaseForTests("fest-lab-monitor-data-");

  describe("the resource monitor", () => {
    let server: TestServer;
    let path: string;
    beforeAll(async () => {
      path = join(dir, "resources.csv");
      server = await startTestServer({ DB_PATH: dbPath, MONITOR_CSV: path, LOG_LEVEL: "warn" });
    });
    afterAll(() => server.stop());

    it("writes a header, then one well-formed line a second", async () => {
      await waitFor(() => readRows(path).rows.length >= 2, 10_000, "two monitor lines");
      const { header, rows } = readRows(path);
      expect(header).toEqual([...MONITOR_COLUMNS]);
      for (const row of rows) {
        expect(row).toHaveLength(MONITOR_COLUMNS.length);
        const value = Object.fromEntries(MONITOR_COLUMNS.map((name, i) => [name, row[i] ?? ""]));
        expect(new Date(value.time as string).toISOString()).toBe(value.time);
        for (const name of MONITOR_COLUMNS.slice(1)) {
          const number = Number(value[name]);
          expect(Number.isFinite(number), `${name}=${value[name]}`).toBe(true);
          expect(number, name).toBeGreaterThanOrEqual(0);
        }
        expect(Number(value.rss_mb)).toBeGreaterThan(0);
        expect(Number(value.heap_used_mb)).toBeGreaterThan(0);
        expect(Number(value.event_loop_utilization)).toBeLessThanOrEqual(1);
      }
      const times = rows.map((row) => Date.parse(row[0] ?? ""));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    });

    it("counts requests per second", async () => {
      const column = MONITOR_COLUMNS.indexOf("requests_per_second");
      await waitFor(
        async () => {
          await Promise.all(Array.from({ length: 20 }, () => request(server.url).get("/health")));
          return readRows(path).rows.some((row) => Number(row[column]) > 0);
        },
        10_000,
        "a line with requests",
      );
    });
  });

  describe("an existing monitor file", () => {
    it("gets new lines under its one header after a restart", async () => {
      const path = join(dir, "again.csv");
      for (let start = 1; start <= 2; start++) {
        const server = await startTestServer({
          DB_PATH: dbPath,
          MONITOR_CSV: path,
          LOG_LEVEL: "warn",
        });
        try {
          await waitFor(() => readRows(path).rows.length >= start, 10_000, `line ${start}`);
        } finally {
          await server.stop();
        }
      }
      const text = readFileSync(path, "utf8");
      expect(text.split("\n").filter((line) => line.startsWith("time,"))).toHaveLength(1);
    });

    it("a file that cannot be written stops the start, naming MONITOR_CSV", async () => {
      const path = join(dir, "no-such-folder", "m.csv");
      await expect(startTestServer({ DB_PATH: dbPath, MONITOR_CSV: path })).rejects.toThrow(
        /MONITOR_CSV=.*no-such-folder.*cannot be written/,
      );
    });
  });

  describe("npm start with --monitor-csv", () => {
    it("says in the banner where the monitor writes, and writes there", async () => {
      const dbPath = join(dir, "fest.db");
      copySmallSeed(dbPath);
      const path = join(dir, "flag.csv");
      const server = spawnServer({ PORT: "0", DB_PATH: dbPath }, ["--monitor-csv", path]);
      try {
        await waitFor(() => server.output().includes("stop:"), 20_000, "the banner");
        expect(server.output()).toMatch(/monitor: +one line a second to .*flag\.csv/);
        await waitFor(() => readRows(path).rows.length >= 1, 10_000, "a monitor line");
      } finally {
        server.child.kill("SIGTERM");
        expect(await server.exited).toBe(0);
      }
    });
  });
});
