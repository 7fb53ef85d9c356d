// npm test only, not test:quick: it runs `npm run lab` against a monolith and a --services group.
// `npm run lab` with the topology as part of a setting: the monolith against the services on
// the same route, each started as `npm start` would, on the same run database.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Comparison } from "../measure/compare.js";
import { parseSetting, settingEnv } from "../measure/setting.js";
import { projectRoot } from "../src/paths.js";

const run = promisify(execFile);

describe("a lab setting's topology", () => {
  it("services, monolith and topology=… set SERVICES, and the default is the monolith", () => {
    expect(settingEnv(parseSetting("--a", "services bugs=checkout-crash-process"))).toEqual({
      MODE: "optimized",
      BUGGY: "0",
      BUGS: "checkout-crash-process",
      FAULTS: "",
      SERVICES: "1",
    });
    expect(settingEnv(parseSetting("--b", "naive topology=monolith")).SERVICES).toBe("0");
    expect(settingEnv(parseSetting("--b", "topology=services")).SERVICES).toBe("1");
    expect(settingEnv(parseSetting("--b", "naive")).SERVICES).toBe("0");
    expect(() => parseSetting("--a", "topology=mesh")).toThrow(/topology=mesh/);
  });
});

describe("npm run lab -- --a monolith --b services", () => {
  const out = mkdtempSync(join(tmpdir(), "fest-lab-services-lab-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  // /events: one hop, no call between services. A /checkout here could meet checkout's 1 s
  // timeout on events when the whole test suite shares two cores, and that is the breaker's
  // lesson (src/services/events-caller.ts), not this test's. A second of load a side is enough
  // to show each setting ran, served 200s only, and was written down.
  it("loads /events on each and writes both to results.json", async () => {
    await run(
      process.execPath,
      [
        join(projectRoot, "dist", "cmd", "lab.js"),
        ...["--a", "monolith", "--b", "services", "--route", "/events?user=locust_user"],
        ...["--duration", "1", "--connections", "2", "--seed-size", "small", "--out", out],
      ],
      {
        cwd: projectRoot,
        timeout: 90_000,
        env: { ...process.env, MODEL_PATH: inject("tinyModelPath") },
      },
    );
    const comparison: Comparison = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    const [a, b] = comparison.settings;
    expect(a).toMatchObject({ label: "monolith", env: { SERVICES: "0" } });
    expect(b).toMatchObject({ label: "services", env: { SERVICES: "1" } });
    for (const setting of comparison.settings) {
      expect(setting.requests).toBeGreaterThan(0);
      expect(setting.errors.total).toBe(0);
      expect(setting.statusCodes["200"]).toBe(setting.requests);
    }
  }, 100_000);
});
