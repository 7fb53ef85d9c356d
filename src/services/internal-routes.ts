// The calls one service makes to another (GET /internal/<what>/<username>), answered on
// node:http in front of the service's Express app. A call is JSON for another service, made
// with the shared secret, never a page: it needs none of what a page does (cookies, the
// layout's locals, the fault injector, since internal routes are never faulted, Express's
// routing and ETag). In the events service those cost more CPU per /checkout than reading
// the lines and the total, a cost the monolith does not pay at all (issue 22).
// Around it the service's shell still counts each call in its /metrics, under the route's
// pattern, and its capacity limit still holds; the truth leaves calls out (service-server.ts).
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { answer } from "../connection/answer.js";
import { HttpError } from "../http-errors.js";
import type { Logger } from "../observe/log.js";
import { INTERNAL_HEADER } from "./internal.js";
import { INTERNAL_PREFIX } from "./topology.js";

export interface InternalRoute {
  /** "/internal/checkout/:username": how it is asked for, and its label in /metrics. */
  pattern: `${typeof INTERNAL_PREFIX}/${string}/:username`;
  /** Before answering, while this holds, wait: events-slow and accounts-slow act here. */
  delayMs(): number;
  /** The JSON answer; a thrown HttpError (NotFound) is its status. */
  answer(username: string): unknown;
}

/**
 * Answers `routes` and every other path under /internal (403 without the secret, 404 for an
 * unknown one); passes every other request to `next`.
 */
export function withInternalRoutes(
  secret: string,
  routes: readonly InternalRoute[],
  log: Logger,
  next: RequestListener,
): RequestListener {
  const expected = Buffer.from(secret);
  const byPrefix = routes.map((route) => ({
    route,
    prefix: route.pattern.slice(0, route.pattern.lastIndexOf(":")),
  }));
  return (req, res) => {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    // The path as Express would route it: any case, one trailing slash taken as none.
    const path = (query === -1 ? url : url.slice(0, query)).toLowerCase();
    if (!isInternal(path)) {
      next(req, res);
      return;
    }
    const given = Buffer.from(header(req, INTERNAL_HEADER) ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      fail(
        req,
        res,
        new HttpError(
          403,
          `internal routes answer the other services only (the ${INTERNAL_HEADER} header is missing or wrong)`,
        ),
        log,
      );
      return;
    }
    const bare = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    const found = byPrefix.find(({ prefix }) => bare.startsWith(prefix));
    const raw = found === undefined ? "" : url.slice(found.prefix.length, bare.length);
    if (
      found === undefined ||
      raw === "" ||
      raw.includes("/") ||
      (req.method !== "GET" && req.method !== "HEAD")
    ) {
      const asked = query === -1 ? url : url.slice(0, query);
      fail(req, res, new HttpError(404, `no page at ${req.method} ${asked}`), log);
      return;
    }
    // What routeLabel reads of a request Express routed: /metrics counts it by its pattern.
    (req as IncomingMessage & { route?: { path: string } }).route = {
      path: found.route.pattern,
    };
    let username: string;
    try {
      username = decodeURIComponent(raw);
    } catch {
      fail(req, res, new HttpError(400, `username: "${raw}" is not a valid %-encoding`), log);
      return;
    }
    const reply = async () => {
      try {
        sendJson(res, await found.route.answer(username));
      } catch (error) {
        fail(req, res, error, log);
      }
    };
    const delay = found.route.delayMs();
    if (delay > 0) setTimeout(reply, delay);
    else void reply();
  };
}

function isInternal(path: string): boolean {
  return (
    path.startsWith(INTERNAL_PREFIX) &&
    (path.length === INTERNAL_PREFIX.length || path[INTERNAL_PREFIX.length] === "/")
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** As the service's error handler answers a thrown error: its status, or a logged 500. */
function fail(req: IncomingMessage, res: ServerResponse, error: unknown, log: Logger): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const known = error instanceof HttpError ? error : new HttpError(500, "internal error");
  if (known.status >= 500) {
    log.error(`${req.method} ${req.url} failed:\n${(error as Error)?.stack ?? String(error)}`);
  }
  answer(req, res, known.status, { error: known.message, ...known.details }, known.headers);
}
