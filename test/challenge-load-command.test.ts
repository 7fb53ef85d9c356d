// The load command a challenge prints fits the lesson: it targets the server the student
// talks to and lets users finish at the end, wherever it is shown (terminal, admin page).
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCommand } from "../src/challenge/load-command.js";
import { ADMIN } from "./helpers/admin-api.js";
import { challengeCall } from "./helpers/challenge-cli.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

describe("loadCommand", () => {
  it("adds --host and --stop-timeout 5 to a command that has neither", () => {
    expect(loadCommand("locust -f x.py --headless --run-id r1", "http://10.0.0.5:8000/")).toBe(
      "locust -f x.py --headless --run-id r1 --host http://10.0.0.5:8000 --stop-timeout 5",
    );
  });

  it("keeps a host or stop timeout the challenge file names itself", () => {
    expect(loadCommand("locust -f x.py --host http://127.0.0.1:9100 -s 2", "http://h:1")).toBe(
      "locust -f x.py --host http://127.0.0.1:9100 -s 2",
    );
  });
});

describe("the printed load command", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOG_LEVEL: "warn" });
  });
  afterAll(async () => {
    await request(server.url).post("/admin/challenge/stop").set(ADMIN);
    await server.stop();
  });

  it("carries --host (the --url given) and --stop-timeout 5, in start, status and the admin page", async () => {
    const cli = (args: string[]) =>
      challengeCall(server.url, [...args, "--admin-token", server.adminToken]);
    const started = await cli(["start", "the-knee", "--seed", "7"]);
    expect(started.code).toBe(0);
    const load = (output: string) => /^load: (.*)$/m.exec(output)?.[1] ?? "";
    expect(load(started.output)).toMatch(/^LAB_STAGE_SECONDS=\d+ locust -f /);
    expect(load(started.output)).toContain(`--host ${server.url} --stop-timeout 5`);
    const status = await cli(["status"]);
    expect(load(status.output)).toBe(load(started.output));

    const page = await request(server.url).get("/admin").set(ADMIN).expect(200);
    const host = new URL(server.url).host;
    expect(page.text).toContain(`--host http://${host} --stop-timeout 5`);
  });
});
