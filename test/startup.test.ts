// What only a real process shows: the banner, start-up errors with exit code 1, and the
// crash bug that takes the whole process down.

import { once } from "node:events";
import { chmodSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VERSION } from "../src/version.js";
import { seededFolderForTests, spawnListening, spawnServer } from "./helpers/process.js";

const dir = seededFolderForTests("fest-lab-start-");

async function failsWith(env: Record<string, string>, args: string[] = []) {
  const server = spawnServer({ DB_PATH: join(dir(), "fest.db"), ...env }, args);
  const code = await server.exited;
  return { code, output: server.output() };
}

// Each test starts its own process and waits for its banner or its exit: all at once.
describe.concurrent("start-up", () => {
  it("prints a banner with the URL, mode, switches, database and how to stop", async () => {
    const { server, url } = await spawnListening({ DB_PATH: join(dir(), "fest.db"), BUGGY: "1" });
    try {
      const text = server.output();
      expect(text).toContain(`Fest Lab ${VERSION} listening on ${url}`);
      expect(text).toMatch(/mode: +optimized/);
      expect(text).toMatch(/switches: +checkout-crash /);
      expect(text).toContain("fest.db");
      // The digits lab's own line (src/labs/): its address, its model and how right it is.
      expect(text).toMatch(
        new RegExp(
          `^ {2}digits: +${url}/predict, model \\S+: \\d+\\.\\d % right on \\d+ held-out digits$`,
          "m",
        ),
      );
      expect(text).toContain("Ctrl+C");
    } finally {
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    }
  });

  it("an unknown MODE stops the start with one line and exit code 1", async () => {
    const { code, output } = await failsWith({ MODE: "turbo" });
    expect(code).toBe(1);
    expect(output.trim()).toBe("fest-lab: MODE=turbo is not allowed: use one of optimized, naive");
  });

  it("an unknown name in BUGS lists the known ones", async () => {
    const { code, output } = await failsWith({ BUGS: "checkout-crsh" });
    expect(code).toBe(1);
    expect(output).toMatch(
      /BUGS names unknown behaviour "checkout-crsh": known names are .*checkout-crash-process/,
    );
  });

  it("a port that is not a number stops the start", async () => {
    const { code, output } = await failsWith({ PORT: "80a" });
    expect(code).toBe(1);
    expect(output.trim()).toBe(
      "fest-lab: PORT=80a is not allowed: use a whole number from 0 to 65535",
    );
  });

  it("a port in use stops the start and says how to pick another", async () => {
    const blocker = createServer().listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, output } = await failsWith({ PORT: String(port) });
      expect(code).toBe(1);
      expect(output).toContain(`fest-lab: port ${port} on 127.0.0.1 is in use`);
      expect(output).toContain("--port");
    } finally {
      blocker.close();
    }
  });

  it("a database path that cannot be written stops the start", async () => {
    const locked = join(dir(), "locked");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    // root writes anywhere, so also try a path under a regular file, which nobody can create.
    const underFile = join(dir(), "fest.db", "inside", "x.db");
    try {
      const { code, output } = await failsWith({ DB_PATH: underFile });
      expect(code).toBe(1);
      expect(output).toContain(`fest-lab: cannot open the database at ${underFile}`);
      expect(output).toContain("DB_PATH");
    } finally {
      chmodSync(locked, 0o700);
    }
  });

  it("checkout-crash-process kills the whole process, and the log says why", async () => {
    const { server, url } = await spawnListening({
      DB_PATH: join(dir(), "fest.db"),
      BUGS: "checkout-crash-process",
    });
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    await expect(fetch(`${url}/checkout`)).rejects.toThrow();
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain("the process is exiting");
    expect(server.output()).toContain("checkout-crash-process");
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it("--help prints the flags and exits 0", async () => {
    const { code, output } = await failsWith({}, ["--help"]);
    expect(code).toBe(0);
    expect(output).toContain("--buggy");
    expect(output).toContain("BUGS");
  });
});
