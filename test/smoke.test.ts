// `npm run smoke`: every lab's main requests pass against a default server, a crashing checkout
// fails by name, and a port where nothing listens says so; every answer carries the version.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../src/paths.js";
import { runSmoke } from "../src/smoke/run-smoke.js";
import { VERSION } from "../src/version.js";
import { TEST_ADMIN_TOKEN } from "./helpers/admin-api.js";
import { freePort } from "./helpers/process.js";
import { serverForTests } from "./helpers/server.js";

const SMOKE = join(projectRoot, "dist", "cmd", "smoke.js");

/** The built program, bounded; resolves with its exit code and output whatever the code. */
async function smoke(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [SMOKE, ...args], {
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe("a default server", () => {
  // No ADMIN_TOKEN: smoke reads the token the server keeps beside its DB_PATH, as
  // `npm run smoke` does beside db/fest.db; nobody types it.
  const server = serverForTests({ LOG_LEVEL: "warn", ADMIN_TOKEN: "" });

  it("passes every check, one line each and a verdict, exit 0", async () => {
    const { code, output } = await smoke([server().url], { DB_PATH: server().dbPath });
    const lines = output.trim().split("\n");
    expect(lines).toHaveLength(13);
    for (const name of ["fest: checkout", "catalogue: by title", "digits: predict"]) {
      expect(lines.find((line) => line.startsWith(name))).toMatch(/ 200 .* ok$/);
    }
    expect(lines.at(-1)).toBe(
      `smoke: ok: all 12 checks passed against ${server().url} (Fest Lab ${VERSION})`,
    );
    expect(code).toBe(0);
  });

  it("every answer carries X-Fest-Lab-Version, and /health reports it", async () => {
    const health = await request(server().url).get("/health").expect(200);
    expect(health.headers["x-fest-lab-version"]).toBe(VERSION);
    expect(health.body.version).toBe(VERSION);
    const missing = await request(server().url).get("/no-such-page").expect(404);
    expect(missing.headers["x-fest-lab-version"]).toBe(VERSION);
  });
});

describe("a server with checkout-crash on", () => {
  const server = serverForTests({ LOG_LEVEL: "error", BUGS: "checkout-crash" });

  it("fails, naming the checkout check and its 500", async () => {
    const report = await runSmoke(server().url, { adminToken: TEST_ADMIN_TOKEN });
    expect(report.ok).toBe(false);
    expect(report.results.filter((result) => !result.ok).map((result) => result.name)).toEqual([
      "fest: checkout",
    ]);
    const { code, output } = await smoke([server().url], { ADMIN_TOKEN: TEST_ADMIN_TOKEN });
    expect(output).toMatch(/^fest: checkout +500 .*FAIL expected 200, got 500/m);
    expect(output).toMatch(/^smoke: FAILED 1 of 12 checks .*: fest: checkout$/m);
    expect(code).toBe(1);
  });
});

it("says nothing listens when nothing does, exit 1", async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  const { code, output } = await smoke([url], {});
  expect(output).toContain(`nothing listens at ${url}`);
  expect(output.trim().split("\n").at(-1)).toBe(`smoke: FAILED: nothing listens at ${url}`);
  expect(code).toBe(1);
});
