// Each lab's router sees only the requests under the paths it names (src/mount-paths.ts): the
// pattern matches as Express matches a path, every route a lab has lies under its paths, and
// a request reaches its lab whole, in any case, while other paths fall through to the 404.
import request from "supertest";
import { describe, expect, it } from "vitest";
import { underPaths } from "../src/mount-paths.js";
import { serverForTests } from "./helpers/server.js";

describe("underPaths", () => {
  const pattern = underPaths(["/api", "/status"]);

  it("matches a named first segment, alone or with more below it, in any case", () => {
    for (const path of ["/api", "/api/", "/api/id/tt0068646", "/API/Id/x", "/status", "/status/"]) {
      expect(pattern.test(path), path).toBe(true);
    }
  });

  it("matches no other segment, no longer name and no deeper occurrence", () => {
    for (const path of ["/", "/apis", "/statusx", "/events/api", "//api", "/%61pi", "/predict"]) {
      expect(pattern.test(path), path).toBe(false);
    }
  });

  it("matches no characters, so Express strips nothing from the path", () => {
    expect(pattern.exec("/api/id/tt0068646")?.[0]).toBe("");
  });

  it("takes whole first segments only", () => {
    expect(() => underPaths(["api"])).toThrow(/first segment/);
    expect(() => underPaths(["/api/id"])).toThrow(/first segment/);
    expect(() => underPaths(["/:lab"])).toThrow(/first segment/);
    expect(() => underPaths([])).toThrow(/at least one/);
  });
});

/** A router layer as Express 5's router keeps it: a route, or a mounted handler (a router). */
interface RouterLayer {
  rawPath?: unknown;
  route?: { path?: unknown };
  handle?: { stack?: RouterLayer[] };
}

/** Every path a router's layers are written with, its nested routers' included. */
function layerPaths(stack: readonly RouterLayer[]): string[] {
  return stack.flatMap((layer) => {
    const own = layer.route?.path ?? layer.rawPath;
    const paths = (Array.isArray(own) ? own : [own]).map(String);
    const nested = layer.handle?.stack;
    return Array.isArray(nested) ? [...paths, ...layerPaths(nested)] : paths;
  });
}

describe("the labs' paths", () => {
  const server = serverForTests();

  it("every route and middleware of a lab that names its paths lies under them", () => {
    const named = server().labs.filter((lab) => lab.paths !== undefined);
    expect(named.map((lab) => lab.name)).toEqual(["bench", "digits", "catalogue"]);
    for (const lab of named) {
      const pattern = underPaths(lab.paths ?? []);
      const stack = (lab.router as unknown as { stack: RouterLayer[] }).stack;
      const paths = layerPaths(stack);
      expect(paths.length, lab.name).toBeGreaterThan(0);
      for (const path of paths) expect(pattern.test(path), `${lab.name}: ${path}`).toBe(true);
    }
  });

  it("a request reaches its lab's router with its path whole, in any case", async () => {
    const res = await request(server().url).get("/STATUS");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ok", lab: "catalogue" });
    const bad = await request(server().url).get("/api/id/nope");
    expect(bad.status).toBe(400);
    expect(bad.body.parameter).toBe("id");
  });

  it("a path under no lab's name, or past a lab's name, is the 404 page", async () => {
    for (const path of ["/statusx", "/io/more", "/nowhere"]) {
      const res = await request(server().url).get(path).set("Accept", "application/json");
      expect(res.status, path).toBe(404);
      expect(res.body.error, path).toBe(`no page at GET ${path}`);
    }
  });
});
