// What the gateway's forwarder (src/gateway/forward.ts) does to a request and its answer on
// the way through, against a stand-in service on 127.0.0.1: bodies both ways, the
// X-Forwarded-* chain, the headers about one connection left behind, and a service that dies
// half-way through an answer.
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../src/gateway/gateway.js";
import { openRaw } from "./helpers/raw-http.js";

describe("the gateway's forwarder", () => {
  const seen: { req: IncomingMessage; body: string }[] = [];
  let service: Server;
  let gateway: RunningGateway;

  beforeAll(async () => {
    service = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString();
      seen.push({ req, body });
      if (req.url === "/cut") {
        // Promises more than it sends, then dies.
        res.writeHead(200, { "content-length": "100000", connection: "close" });
        res.write("the first part");
        setImmediate(() => res.socket?.destroy());
        return;
      }
      res.writeHead(201, { "content-type": "text/plain", "x-from-service": "yes" });
      res.end(`echo: ${body}`);
    });
    service.listen(0, "127.0.0.1");
    await once(service, "listening");
    const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
    gateway = await startGateway({
      host: "127.0.0.1",
      port: 0,
      upstreams: [{ name: "service", url, matches: () => true, timeoutMs: 5_000 }],
      internalPrefix: "/internal",
      pageLocals: () => ({ mode: "optimized", switchesOn: [] }),
      moreMetrics: async () => "",
    });
  });

  afterAll(async () => {
    await gateway.close(1_000);
    service.closeAllConnections();
    service.close();
  });

  it("streams a body both ways and passes the service's status and headers", async () => {
    const res = await fetch(`${gateway.url}/signup`, { method: "POST", body: "name=ada" });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-from-service")).toBe("yes");
    expect(await res.text()).toBe("echo: name=ada");
    expect(seen.at(-1)?.req.method).toBe("POST");
  });

  it("adds its hop to the X-Forwarded-* chain a proxy in front started", async () => {
    await fetch(`${gateway.url}/events`, {
      headers: { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https" },
    }).then((res) => res.text());
    const headers = seen.at(-1)?.req.headers;
    expect(headers?.["x-forwarded-for"]).toBe("203.0.113.7,127.0.0.1");
    expect(headers?.["x-forwarded-proto"]).toBe("https,http");
    expect(headers?.["x-forwarded-host"]).toBe(new URL(gateway.url).host);
  });

  it("keeps its connection to the service when a client says Connection: close", async () => {
    const raw = await openRaw(gateway.url);
    raw.socket.write("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    const text = await raw.closed(5_000);
    expect(text).toMatch(/^HTTP\/1\.1 201 /);
    expect(seen.at(-1)?.req.headers.connection).toBe("keep-alive");
  });

  it("cuts the client's answer when the service dies half-way through it", async () => {
    const raw = await openRaw(gateway.url);
    raw.socket.write("GET /cut HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const text = await raw.closed(5_000);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toContain("content-length: 100000");
    expect(text).not.toMatch(/connection: close/i);
    expect(text.length).toBeLessThan(1_000);
  });
});
