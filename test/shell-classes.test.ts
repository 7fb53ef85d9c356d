// The classes the shell gives node:http (src/connection/shell-response.ts): an Express app's
// requests are born with its prototypes, so Express's Object.setPrototypeOf on each request
// changes nothing (it kept each request's objects alive through the next GC, issue 22), and
// Express's methods still work on them; every answer passes the shell's one writeHead.
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { shellClasses } from "../src/connection/shell-response.js";
import { VERSION } from "../src/version.js";

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

async function listen(made: Server): Promise<string> {
  server = made;
  made.listen(0, "127.0.0.1");
  await once(made, "listening");
  return `http://127.0.0.1:${(made.address() as AddressInfo).port}`;
}

describe("the shell's request classes", () => {
  it("an Express app's request and response are born with its prototypes, and its methods work", async () => {
    const app = express();
    const born: { req?: object; res?: object } = {};
    app.get("/who", (req, res) => {
      res.json({ host: req.hostname, query: req.query, header: req.get("x-asked") });
    });
    const made = createServer(
      shellClasses(() => false, app),
      app,
    );
    // Before Express sees the request: what node:http made.
    made.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
      born.req = Object.getPrototypeOf(req);
      born.res = Object.getPrototypeOf(res);
    });
    const url = await listen(made);
    const answer = await fetch(`${url}/who?a=1`, { headers: { "x-asked": "yes" } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-fest-lab-version")).toBe(VERSION);
    expect(await answer.json()).toEqual({ host: "127.0.0.1", query: { a: "1" }, header: "yes" });
    expect(born.req).toBe(app.request);
    expect(born.res).toBe(app.response);
  });

  it("without an app, node:http's own objects, with the version and, once closing, Connection: close", async () => {
    let closing = false;
    const url = await listen(
      createServer(
        shellClasses(() => closing),
        (_req, res) => {
          res.writeHead(200, { "content-type": "text/plain" });
          res.end("ok");
        },
      ),
    );
    const open = await fetch(`${url}/`);
    expect(open.headers.get("x-fest-lab-version")).toBe(VERSION);
    expect(open.headers.get("connection")).toBe("keep-alive");
    await open.text();
    closing = true;
    const last = await fetch(`${url}/`);
    expect(last.headers.get("connection")).toBe("close");
    await last.text();
  });
});
