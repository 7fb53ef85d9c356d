// The gateway of the services topology: one port for every fest URL, each request forwarded
// by its path to the service that owns it (forward.ts: node:http over kept-alive connections,
// bodies streamed both ways).
//
// It sits in the same server shell as every other server (src/connection/http-shell.ts): the
// one-Host rule, the body bound, the header and request timeouts and the drain are the
// monolith's. What this file adds is the lesson: a per-service timeout (504 when a service is
// too slow), a page that names the service when it is down (502) while every other path keeps
// working, and /metrics counting both per upstream. Every path rule compares the path as the
// service's router will (routed-path.ts). Its own answers (/metrics, its refusals and the
// 502/504 pages) come from a small Express app; a forwarded request never enters it.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import express, { type Express, type Request, type Response } from "express";
import { serveHttp } from "../connection/http-shell.js";
import { createLogger, type Logger } from "../observe/log.js";
import { useViews } from "../views.js";
import { Forwarder } from "./forward.js";
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
  // What the gateway answers itself, by request: its own app reads it (ownAnswers).
  const pages = new WeakMap<IncomingMessage, GatewayPage>();
  const own = ownAnswers(options, metrics, pages);
  const answerItself = (req: IncomingMessage, res: ServerResponse, page: GatewayPage) => {
    pages.set(req, page);
    own(req, res);
  };
  // One pool of kept-alive connections per service.
  const forwarders = options.upstreams.map(() => new Forwarder());

  const handler: RequestListener = (req, res) => {
    // What the rules check is what is forwarded: the path with its slashes folded.
    const url = forwardedUrl(req.url ?? "/");
    req.url = url;
    const path = routedPath(url);
    if (path === "/metrics" && (req.method === "GET" || req.method === "HEAD")) {
      own(req, res);
      return;
    }
    if (isUnder(path, options.internalPrefix)) {
      // Internal routes answer the other services only; from outside they do not exist.
      const query = url.indexOf("?");
      answerItself(req, res, {
        status: 404,
        error: `no page at ${req.method} ${query === -1 ? url : url.slice(0, query)}`,
      });
      return;
    }
    // Without a Host node:http would name the service's own loopback address for it, and the
    // admin's Host check (src/admin/guard.ts) would pass: refuse, as the monolith does.
    if (req.headers.host === undefined && isUnder(path, "/admin")) {
      answerItself(req, res, {
        status: 403,
        error:
          "admin: the request has no Host header; the admin page and API answer requests that name this machine in Host",
      });
      return;
    }
    const index = options.upstreams.findIndex((upstream) => upstream.matches(path));
    const upstream = options.upstreams[index];
    const forwarder = forwarders[index];
    if (upstream === undefined || forwarder === undefined) {
      answerItself(req, res, { status: 404, error: `no service answers ${req.method} ${path}` });
      return;
    }
    metrics.sentTo(res, upstream.name);
    forwarder.forward(req, res, upstream, (reason, detail) => {
      metrics.failed(upstream.name, reason);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const slow = reason === "timeout";
      answerItself(req, res, {
        status: slow ? 504 : 502,
        service: upstream.name,
        error: slow
          ? `the ${upstream.name} service did not answer within ${upstream.timeoutMs} ms; the gateway gave up (504)`
          : `the ${upstream.name} service is down or restarting (${detail} from ${upstream.url}); every other service keeps answering`,
      });
    });
  };

  const shell = await serveHttp({
    host: options.host,
    port: options.port,
    log: options.log ?? createLogger("warn"),
    name: "the gateway",
    headersTimeoutMs: options.headersTimeoutMs,
    watchers: [metrics],
    handler,
  });

  let closing: Promise<void> | undefined;
  return {
    url: shell.url,
    http: shell.http,
    metrics,
    close(graceMs) {
      closing ??= (async () => {
        await shell.close(graceMs);
        for (const forwarder of forwarders) forwarder.close();
      })();
      return closing;
    },
  };
}

/** An answer of the gateway's own: a refusal, or a service that did not answer. */
interface GatewayPage {
  status: number;
  error: string;
  service?: string;
}

/** /metrics, and each GatewayPage as a page (the layout's) or JSON, as the client accepts. */
function ownAnswers(
  options: GatewayOptions,
  metrics: GatewayMetrics,
  pages: WeakMap<IncomingMessage, GatewayPage>,
): Express {
  const app = express();
  app.disable("x-powered-by");
  useViews(app);
  app.set("view cache", true);
  app.use((req: Request, res: Response, next) => {
    const page = pages.get(req);
    if (page === undefined) {
      next();
      return;
    }
    const { status, ...data } = page;
    res.status(status).set("cache-control", "no-store");
    if (req.accepts(["html", "json"]) === "json") {
      res.json({ ...data, status });
      return;
    }
    res.render("gateway-error.njk", { ...options.pageLocals(), ...data, status });
  });
  app.get("/metrics", async (_req, res) => {
    const more = await options.moreMetrics().catch(() => "");
    res
      .set("cache-control", "no-store")
      .type(metrics.registry.contentType)
      .send(`${await metrics.registry.metrics()}\n${more}`);
  });
  return app;
}
