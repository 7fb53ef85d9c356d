// The gateway of the services topology: one port for every fest URL, each request forwarded
// by its path to the service that owns it. Built on http-proxy-middleware (over http-proxy),
// the proxy Express users reach for, rather than a hand-made one: streaming bodies both ways,
// hop-by-hop headers, X-Forwarded-For and half-closed sockets are its job, not this file's.
//
// It sits in the same server shell as every other server (src/connection/http-shell.ts): the
// one-Host rule, the body bound, the header and request timeouts and the drain are the
// monolith's. What this file adds is the lesson: a per-service timeout (504 when a service is
// too slow), a page that names the service when it is down (502) while every other path keeps
// working, and /metrics counting both per upstream. Every path rule compares the path as the
// service's router will (routed-path.ts).
import { Agent, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import express, { type Request, type Response } from "express";
import { createProxyMiddleware } from "http-proxy-middleware";
import { serveHttp } from "../connection/http-shell.js";
import { createLogger, type Logger } from "../observe/log.js";
import { createViews } from "../views.js";
import { GatewayMetrics } from "./metrics.js";
import { forwardedUrl, isUnder, routedPath } from "./routed-path.js";

export interface Upstream {
  name: string;
  /** Where the service listens now, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Given the path as the router compares it (routedPath): lower case, one slash at a time. */
  matches(path: string): boolean;
  timeoutMs: number;
}

export interface GatewayOptions {
  host: string;
  port: number;
  /** In order: the first whose matches() holds takes the request. */
  upstreams: readonly Upstream[];
  /** Paths under this prefix are never forwarded: the services' internal routes. */
  internalPrefix: string;
  /** What the layout shows on the gateway's own pages (the mode, the switches on). */
  pageLocals(): Record<string, unknown>;
  /** More Prometheus text for /metrics after the gateway's own: the services' figures. */
  moreMetrics(): Promise<string>;
  /** The drain's warnings and, at info, one access line a request. */
  log?: Logger;
  /** How long a client may take to send a request's headers; tests shorten it. */
  headersTimeoutMs?: number;
}

export interface RunningGateway {
  url: string;
  http: Server;
  metrics: GatewayMetrics;
  /** Stops listening, lets requests in flight finish for up to graceMs, then cuts the rest. */
  close(graceMs: number): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const metrics = new GatewayMetrics();
  // Worked out once a request, for the door's rules and each upstream's matches().
  const routedPaths = new WeakMap<IncomingMessage, string>();
  const routedPathOf = (req: IncomingMessage): string => {
    let path = routedPaths.get(req);
    if (path === undefined) {
      path = routedPath(req.url ?? "/");
      routedPaths.set(req, path);
    }
    return path;
  };
  // A request whose upstream did not answer in time: its error is a 504, not a 502.
  const timedOut = new WeakSet<IncomingMessage>();

  const app = express();
  app.disable("x-powered-by");
  createViews().express(app);
  app.set("view cache", true);

  app.get("/metrics", async (_req, res) => {
    const more = await options.moreMetrics().catch(() => "");
    res
      .set("cache-control", "no-store")
      .type(metrics.registry.contentType)
      .send(`${await metrics.registry.metrics()}\n${more}`);
  });

  app.use((req, res, next) => {
    const path = routedPathOf(req);
    if (isUnder(path, options.internalPrefix)) {
      // Internal routes answer the other services only; from outside they do not exist.
      sendGatewayPage(req, res, 404, { error: `no page at ${req.method} ${req.path}` });
      return;
    }
    if (isUnder(path, "/admin")) {
      // Without a Host the proxy would name the service's own loopback address for it, and
      // the admin's Host check (src/admin/guard.ts) would pass: refuse, as the monolith does.
      if (req.get("host") === undefined) {
        sendGatewayPage(req, res, 403, {
          error:
            "admin: the request has no Host header; the admin page and API answer requests that name this machine in Host",
        });
        return;
      }
    }
    next();
  });

  const sendGatewayPage = (
    req: Request,
    res: Response,
    status: number,
    data: { error: string; service?: string },
  ) => {
    res.status(status).set("cache-control", "no-store");
    if (req.accepts(["html", "json"]) === "json") {
      res.json({ ...data, status });
      return;
    }
    res.render("gateway-error.njk", { ...options.pageLocals(), ...data, status });
  };

  // One pool of kept-alive connections per service. Without an agent http-proxy asks each
  // service to close the connection after every answer and passes that "Connection: close"
  // on to the client: a new TCP connection per request on both sides, which under load cost
  // about 30x the monolith's p50 on a two-core machine.
  const agents = options.upstreams.map(() => new Agent({ keepAlive: true }));
  for (const [index, upstream] of options.upstreams.entries()) {
    app.use(
      createProxyMiddleware<Request, Response>({
        pathFilter: (_path, req) => upstream.matches(routedPathOf(req)),
        // Read at each request: a service restarted elsewhere (another host, a new port) is
        // reached without restarting the gateway.
        router: () => upstream.url,
        target: upstream.url,
        // The client's own Host goes on, so a service's Host checks see what the client sent.
        changeOrigin: false,
        xfwd: true,
        agent: agents[index],
        proxyTimeout: upstream.timeoutMs,
        on: {
          proxyReq(proxyReq, req, res) {
            res.locals.upstream = upstream.name;
            proxyReq.once("timeout", () => timedOut.add(req));
          },
          proxyRes(proxyRes, _req, res) {
            // A service that dies half-way through an answer: end the client's too, rather
            // than leave it waiting for bytes that will never come.
            proxyRes.once("aborted", () => res.destroy());
          },
          error(error, req, res) {
            const client = res as Response | Socket;
            if (!("status" in client)) {
              client.destroy();
              return;
            }
            const code = (error as NodeJS.ErrnoException).code ?? error.message;
            const slow = timedOut.has(req);
            metrics.failed(upstream.name, slow ? "timeout" : "down");
            client.locals.upstream = upstream.name;
            if (client.headersSent) {
              client.destroy();
              return;
            }
            sendGatewayPage(req, client, slow ? 504 : 502, {
              service: upstream.name,
              error: slow
                ? `the ${upstream.name} service did not answer within ${upstream.timeoutMs} ms; the gateway gave up (504)`
                : `the ${upstream.name} service is down or restarting (${code} from ${upstream.url}); every other service keeps answering`,
            });
          },
        },
      }),
    );
  }

  const shell = await serveHttp({
    host: options.host,
    port: options.port,
    log: options.log ?? createLogger("warn"),
    name: "the gateway",
    headersTimeoutMs: options.headersTimeoutMs,
    watchers: [metrics],
    handler: (req, res) => {
      // What the rules check is what is forwarded: the path with its slashes folded.
      req.url = forwardedUrl(req.url ?? "/");
      app(req, res);
    },
  });

  let closing: Promise<void> | undefined;
  return {
    url: shell.url,
    http: shell.http,
    metrics,
    close(graceMs) {
      closing ??= (async () => {
        await shell.close(graceMs);
        for (const agent of agents) agent.destroy();
      })();
      return closing;
    },
  };
}
