// The gateway alone, in front of three stand-in services on 127.0.0.1: one that answers, one
// too slow for its timeout, one whose port nobody listens on. What a student sees of each,
// and what /metrics counts per upstream.
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../src/gateway/gateway.js";
import { freePort } from "./helpers/process.js";
import { openRaw } from "./helpers/raw-http.js";

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("the gateway", () => {
  const seen: IncomingMessage[] = [];
  let upstreamConnections = 0;
  let answering: Server;
  let slow: Server;
  let gateway: RunningGateway;

  beforeAll(async () => {
    answering = createServer((req, res) => {
      seen.push(req);
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          url: req.url,
          forwardedFor: req.headers["x-forwarded-for"],
          host: req.headers.host,
        }),
      );
    });
    answering.on("connection", () => {
      upstreamConnections++;
    });
    // Answers nothing: only the gateway's timeout ends the wait.
    slow = createServer(() => {});
    const answeringUrl = await listen(answering);
    const slowUrl = await listen(slow);
    const nobody = `http://127.0.0.1:${await freePort()}`;
    gateway = await startGateway({
      host: "127.0.0.1",
      port: 0,
      upstreams: [
        { name: "slow", url: slowUrl, matches: (p) => p === "/slow", timeoutMs: 300 },
        { name: "gone", url: nobody, matches: (p) => p === "/gone", timeoutMs: 5_000 },
        { name: "answering", url: answeringUrl, matches: () => true, timeoutMs: 5_000 },
      ],
      internalPrefix: "/internal/",
      pageLocals: () => ({ mode: "optimized", switchesOn: [] }),
      moreMetrics: async () => "# the services' figures\n",
    });
  });

  afterAll(async () => {
    await gateway.close(1_000);
    slow.closeAllConnections();
    answering.close();
    slow.close();
  });

  it("forwards a request by its path, query and Host intact, with X-Forwarded-For", async () => {
    const res = await request(gateway.url)
      .get("/events?user=locust_user")
      .set("Host", "127.0.0.1:8000");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      url: "/events?user=locust_user",
      forwardedFor: "127.0.0.1",
      host: "127.0.0.1:8000",
    });
    expect(res.headers["x-fest-lab-version"]).toBeDefined();
  });

  it("keeps connections alive on both sides: one connection to the service for many requests", async () => {
    const before = upstreamConnections;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${gateway.url}/events`);
      expect(res.headers.get("connection")).not.toBe("close");
      await res.text();
    }
    expect(upstreamConnections - before).toBeLessThanOrEqual(1);
  });

  it("answers 502 with a page naming the service when nothing listens at its address", async () => {
    const page = await request(gateway.url).get("/gone").set("Accept", "text/html");
    expect(page.status).toBe(502);
    expect(page.text).toContain("the gone service");
    expect(page.text).toContain("down or restarting");
    const json = await request(gateway.url).get("/gone").set("Accept", "application/json");
    expect(json.status).toBe(502);
    expect(json.body).toMatchObject({ service: "gone", status: 502 });
  });

  it("answers 504 naming the service when it says nothing within its timeout", async () => {
    const res = await request(gateway.url).get("/slow").set("Accept", "application/json");
    expect(res.status).toBe(504);
    expect(res.body.service).toBe("slow");
    expect(res.body.error).toContain("did not answer within 300 ms");
  });

  it("never forwards an internal route, in any case or with repeated slashes", async () => {
    const before = seen.length;
    for (const path of [
      "/internal/users/locust_user",
      "/INTERNAL/users/locust_user",
      "/Internal/users/locust_user",
      "//internal/users/locust_user",
      "/internal",
    ]) {
      const res = await request(gateway.url).get(path);
      expect(res.status, path).toBe(404);
    }
    expect(seen.length).toBe(before);
  });

  it("sends a path to the upstream the service's router would answer it as", async () => {
    // Express routes /GONE and /gone/ as /gone; the gateway folds // as it forwards.
    for (const path of ["/GONE", "/Gone/", "//gone"]) {
      const res = await request(gateway.url).get(path).set("Accept", "application/json");
      expect(res.status, path).toBe(502);
      expect(res.body.service, path).toBe("gone");
    }
    const folded = await request(gateway.url).get("//events//x?user=a//b");
    expect(folded.body.url).toBe("/events/x?user=a//b");
  });

  it("refuses an admin request without Host in any spelling of /admin, and forwards none of them", async () => {
    const before = seen.length;
    for (const path of ["/admin/switches", "/ADMIN/switches", "//admin/switches"]) {
      // HTTP/1.0 may omit Host; the proxy would otherwise fill in the service's own address.
      const raw = await openRaw(gateway.url);
      raw.socket.write(`GET ${path} HTTP/1.0\r\nAccept: application/json\r\n\r\n`);
      const text = await raw.closed(5_000);
      expect(text, path).toMatch(/^HTTP\/1\.1 403 /);
      expect(text, path).toContain("no Host header");
    }
    expect(seen.length).toBe(before);
  });

  it("two Host headers get 400 from the gateway itself", async () => {
    const before = seen.length;
    const raw = await openRaw(gateway.url);
    raw.socket.write("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n");
    expect(await raw.closed(5_000)).toMatch(/^HTTP\/1\.1 400 /);
    expect(seen.length).toBe(before);
  });

  it("has the monolith's door: 10 s for headers, 30 s for a request", () => {
    expect(gateway.http.headersTimeout).toBe(10_000);
    expect(gateway.http.requestTimeout).toBe(30_000);
  });

  it("counts every answer and every failure per upstream in /metrics, then the services' text", async () => {
    const res = await request(gateway.url).get("/metrics");
    expect(res.status).toBe(200);
    expect(res.text).toMatch(
      /festlab_gateway_requests_total\{upstream="answering",status="200"\} [1-9]/,
    );
    expect(res.text).toMatch(/festlab_gateway_requests_total\{upstream="gone",status="502"\} 5/);
    expect(res.text).toMatch(/festlab_gateway_requests_total\{upstream="slow",status="504"\} 1/);
    expect(res.text).toMatch(
      /festlab_gateway_upstream_failures_total\{upstream="gone",reason="down"\} 5/,
    );
    expect(res.text).toMatch(
      /festlab_gateway_upstream_failures_total\{upstream="slow",reason="timeout"\} 1/,
    );
    expect(res.text).toMatch(/festlab_gateway_request_duration_seconds_count\{upstream="slow"\} 1/);
    expect(res.text).toContain("# the services' figures");
  });
});
