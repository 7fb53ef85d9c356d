// A first start seeds (and, without a model, trains) in a worker thread and says each step at
// the default log level; what it did still reaches the banner's facts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SMALL_SEED, startTestServer, type TestServer } from "./helpers/server.js";

let server: TestServer;
// A database file of its own that is not there yet: the other tests' servers start on a copy
// of one seeded before them.
const dir = mkdtempSync(join(tmpdir(), "fest-lab-first-start-"));
beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: "info", DB_PATH: join(dir, "fest.db") });
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("prints a progress line per seeding step, and knows it seeded", () => {
  const lines = server.logs.filter((line) => line.startsWith("INFO:     data: "));
  expect(lines[0]).toContain("seeding it from the fixed seed");
  expect(lines.join("")).toContain(
    `fest: ${SMALL_SEED.events} events, ${SMALL_SEED.users} users, ${SMALL_SEED.registrations} registrations in `,
  );
  expect(lines.join("")).toContain("a copy of the fest data for resets in ");
  expect(server.seeded).toBe(true);
});
