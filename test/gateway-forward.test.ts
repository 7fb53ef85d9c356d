// What the gateway's forwarder (src/gateway/forward.ts) does to a request and its answer on
// the way through, against a stand-in service on 127.0.0.1: bodies both ways, the
// X-Forwarded-* chain, the headers about one connection left behind, a service that dies
// half-way through an answer, and a fault's reset, hang or delay carried out on the client's
// connection as one process does it (src/faults/behind-gateway.ts).
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askGatewayToDrop, tellGatewayItWaits } from "../src/faults/behind-gateway.js";
import { type RunningGateway, startGateway } from "../src/gateway/gateway.js";
import { openRaw } from "./helpers/raw-http.js";

/** The faulty service's timeout at the gateway: its faults last three times as long. */
const QUICK_TIMEOUT_MS = 200;

/** /large: this many 64 KB chunks, each filled with its own number, 16 MB in all. */
const LARGE_CHUNKS = 256;
const largeChunk = (i: number) => Buffer.alloc(64 * 1024, i % 256);

/** A raw GET through the gateway: what came back, and how the connection ended. */
async function rawGet(url: string, path: string): Promise<{ text: string; error?: string }> {
  const raw = await openRaw(url);
  let error: string | undefined;
  raw.socket.on("error", (e: NodeJS.ErrnoException) => {
    error = e.code;
  });
  raw.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  const text = await raw.closed(5_000).catch(() => raw.received());
  return { text, error };
}

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
      if (req.url === "/fault/reset") {
        askGatewayToDrop(res, "reset");
        return;
      }
      if (req.url === "/fault/hang") {
        tellGatewayItWaits(res);
        setTimeout(() => askGatewayToDrop(res, "close"), 3 * QUICK_TIMEOUT_MS);
        return;
      }
      if (req.url?.startsWith("/fault/delay")) {
        // ?said: the delay is announced, as a fault's is; without it, a service slow by accident.
        if (req.url.endsWith("?said")) tellGatewayItWaits(res);
        setTimeout(() => res.end("late"), 3 * QUICK_TIMEOUT_MS);
        return;
      }
      if (req.url === "/large") {
        // Far more than the sockets' buffers hold: the gateway must wait for the client to
        // read (its writes return false) and go on when it has, or the answer stops short.
        res.writeHead(200, { "content-type": "application/octet-stream" });
        for (let i = 0; i < LARGE_CHUNKS; i++) res.write(largeChunk(i));
        res.end();
        return;
      }
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
      upstreams: [
        {
          name: "faulty",
          url,
          matches: (path) => path.startsWith("/fault/"),
          timeoutMs: QUICK_TIMEOUT_MS,
        },
        { name: "service", url, matches: () => true, timeoutMs: 5_000 },
      ],
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

  it("streams an answer larger than the connections hold, whole and in order", async () => {
    const res = await fetch(`${gateway.url}/large`);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBe(LARGE_CHUNKS * 64 * 1024);
    const chunk = 64 * 1024;
    const wrong = Array.from({ length: LARGE_CHUNKS }, (_, i) => i).filter(
      (i) => !body.subarray(i * chunk, (i + 1) * chunk).equals(largeChunk(i)),
    );
    expect(wrong).toEqual([]);
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

  it("resets the client's connection when a service's fault resets, instead of a 502", async () => {
    const { text, error } = await rawGet(gateway.url, "/fault/reset");
    expect(text).toBe("");
    expect(error).toBe("ECONNRESET");
  });

  it("closes the client's connection without an answer when a fault's hang ends, however long past the timeout", async () => {
    const { text, error } = await rawGet(gateway.url, "/fault/hang");
    expect(text).toBe("");
    expect(error).toBeUndefined();
  });

  it("waits past its timeout for a delay the service said is on purpose, and not for one it did not", async () => {
    const said = await fetch(`${gateway.url}/fault/delay?said`);
    expect(said.status).toBe(200);
    expect(await said.text()).toBe("late");
    const unsaid = await fetch(`${gateway.url}/fault/delay`);
    expect(unsaid.status).toBe(504);
    await unsaid.text();
  });
});
