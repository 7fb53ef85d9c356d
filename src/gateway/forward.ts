// One request forwarded to the service that owns it, on node:http: the request's method, path,
// headers and body go out over a kept-alive connection, the service's status, headers and body
// stream back. What a proxy must add, and nothing else:
//   - X-Forwarded-For, -Port, -Proto and -Host, appended as http-proxy did before it, so a
//     service with TRUST_PROXY sees the client behind the gateway (and behind nginx too);
//   - the client's own Host, so a service's Host checks see what the client sent;
//   - no hop-by-hop headers: they describe one connection, not the request. A client's
//     "Connection: close" would otherwise close the kept-alive connection to the service,
//     and a service's would close the client's;
//   - an end to the wait: no byte from the service within its timeout is a 504, a connection
//     refused or cut before an answer is a 502 (the caller's `failed` answers both), a
//     service that dies half-way through an answer cuts the client's too, and a client that
//     goes away ends the call to the service.
// It replaced http-proxy-middleware: on the gateway's path that library (with http-proxy and
// the Express app around it) cost about as much CPU as the events page itself, per request,
// and the gateway must be a small share of what the hop costs (issue 22).
//
// The call to the service goes out on undici, Node's own HTTP client (fetch is built on it),
// through its lowest API, dispatch: the answer comes back as status, raw headers and chunks,
// with no stream or response object made for it. node:http's client cost about 60 µs of CPU a
// call on the lab machine against about 40 µs for undici's dispatch (a 20-line proxy of each,
// in front of the same bare server), and every /checkout under --services makes two such
// calls: the gateway's and checkout's to events.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { Agent, type Dispatcher } from "undici";
import { DROP_HEADER, dropAskedFor } from "../faults/behind-gateway.js";
import { type UpstreamAddress, upstreamAddress } from "./upstream-address.js";

export interface ForwardTarget {
  name: string;
  /** Where the service listens now, e.g. http://127.0.0.1:41234. */
  url: string;
  /** How long to wait for a byte of the answer: past it the call is a timeout. */
  timeoutMs: number;
}

export type ForwardFailure = "down" | "timeout";

/**
 * Request headers never forwarded: they are about the client's connection to the gateway.
 * Expect too: the gateway's shell said "100 Continue" to the client itself (http-shell.ts), and
 * the body is streamed to the service as it comes.
 */
const REQUEST_HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "expect",
]);
/**
 * Response headers never copied: the gateway frames its own answer (Content-Length when the
 * service sent one, else chunked) and keeps its own connection to the client.
 */
const RESPONSE_HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
]);

/** "102 Processing": the service says a fault's wait is on purpose (src/faults/behind-gateway.ts). */
const PROCESSING = 102;

/**
 * The connections to one service: one pool of kept-alive sockets. Without keep-alive each
 * request would open a TCP connection on both sides, which under load cost about 30x the
 * monolith's p50 on a two-core machine. The pool's own timers are off: the forwarder keeps
 * its own wait for the answer's headers, since a "102 Processing" must end it (a fault's
 * delay may last longer than any timeout), and the idle wait between the answer's chunks is
 * given with each call.
 */
export class Forwarder {
  private readonly agent = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
  private address: UpstreamAddress | undefined;

  /**
   * Sends `req` to `target` and its answer to `res`. `failed` is called at most once, when the
   * service did not answer; it answers the client (or, when the answer had begun, the
   * forwarder cuts it). A client that leaves is nobody's failure.
   */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: ForwardTarget,
    failed: (reason: ForwardFailure, detail: string) => void,
  ): void {
    const address = this.addressOf(target.url);
    // settled: how the call ends is decided (an answer came, it failed, or the client left);
    // what undici says after that is about a call nobody waits for.
    let settled = false;
    let relaying = false;
    let dropped = false;
    let timedOut = false;
    let abortCall: ((error?: Error) => void) | undefined;
    let resume: () => void = () => {};
    const stop = () => abortCall?.(new Error("the client left or the wait ran out"));
    const fail = (detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      failed(timedOut ? "timeout" : "down", detail);
    };
    // No answer within the timeout: a timeout, unless the service said it waits on purpose.
    const timer = setTimeout(() => {
      timedOut = true;
      fail(`no answer within ${target.timeoutMs} ms`);
      stop();
    }, target.timeoutMs);
    // The client went away before its answer was out: stop asking the service.
    res.once("close", () => {
      if (res.writableFinished || dropped) return;
      settled = true;
      clearTimeout(timer);
      stop();
    });
    const handler: Dispatcher.DispatchHandlers = {
      onConnect(abort) {
        abortCall = abort;
        if (settled) stop();
      },
      onHeaders(status, rawHeaders, resumeReading, statusText) {
        if (status < 200) {
          if (status === PROCESSING) clearTimeout(timer);
          return true;
        }
        if (settled) return true;
        settled = true;
        clearTimeout(timer);
        const drop = droppedBy(rawHeaders);
        if (drop !== undefined) {
          // A fault's reset, or a hang's end: done to the client's connection, as one process
          // does it to its own; the service's kept-alive connection stays.
          dropped = true;
          if (drop === "reset") req.socket.resetAndDestroy();
          else req.socket.destroy();
          return true;
        }
        relaying = true;
        resume = resumeReading;
        res.statusCode = status;
        if (statusText) res.statusMessage = statusText;
        copyHeaders(rawHeaders, res);
        return true;
      },
      onData(chunk) {
        if (!relaying || res.destroyed) return true;
        if (res.write(chunk)) return true;
        // The client's connection is full: undici stops reading the service until it drains.
        res.once("drain", resume);
        return false;
      },
      onComplete() {
        if (relaying && !res.destroyed) res.end();
      },
      onError(error) {
        // A service that dies half-way through an answer: end the client's too, rather than
        // leave it waiting for bytes that will never come.
        if (relaying) res.destroy();
        else fail((error as NodeJS.ErrnoException).code ?? error.message);
      },
    };
    this.agent.dispatch(
      {
        origin: address.origin,
        path: req.url ?? "/",
        method: (req.method ?? "GET") as Dispatcher.HttpMethod,
        headers: forwardedHeaders(req),
        body: hasBody(req) ? bodyOf(req) : null,
        bodyTimeout: target.timeoutMs,
      },
      handler,
    );
  }

  /** Ends the kept-alive connections: the gateway is closing. */
  close(): void {
    this.agent.destroy().catch(() => {});
  }

  /** Read at each request: a service restarted elsewhere (another port) is reached at once. */
  private addressOf(url: string): UpstreamAddress {
    if (this.address?.url !== url) this.address = upstreamAddress(url);
    return this.address;
  }
}

/** The drop a service asked for in its raw headers, if any. */
function droppedBy(rawHeaders: Buffer[]): ReturnType<typeof dropAskedFor> {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as Buffer;
    if (name.length === DROP_HEADER.length && name.toString("latin1").toLowerCase() === DROP_HEADER)
      return dropAskedFor((rawHeaders[i + 1] as Buffer).toString("latin1"));
  }
  return undefined;
}

/**
 * The service's headers onto the client's answer, each field line as the service sent it
 * (Set-Cookie twice stays twice), names in lower case as node:http's own proxying gave them.
 */
function copyHeaders(rawHeaders: Buffer[], res: ServerResponse): void {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as Buffer).toString("latin1").toLowerCase();
    if (RESPONSE_HOP_BY_HOP.has(name)) continue;
    res.appendHeader(name, (rawHeaders[i + 1] as Buffer).toString("latin1"));
  }
}

/**
 * The client's body as undici reads it: chunk by chunk, as it arrives. Not the request itself:
 * undici destroys a stream it was given once it has sent it, and takes an IncomingMessage's
 * socket away first (sets it to null), which every later look at the client's connection
 * (the request's watch, a fault's reset) needs.
 */
function bodyOf(req: IncomingMessage): Readable {
  return Readable.from(req, { objectMode: false });
}

/** A GET without Content-Length or Transfer-Encoding has no body to stream: end at once. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** The client's headers, less the hop-by-hop ones, plus the X-Forwarded-* four. */
function forwardedHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const incoming = req.headers;
  const headers: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value !== undefined && !REQUEST_HOP_BY_HOP.has(name)) headers[name] = value;
  }
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  const host = incoming.host;
  const port = host?.match(/:(\d+)$/)?.[1] ?? (secure ? "443" : "80");
  appendForwarded(headers, "x-forwarded-for", req.socket.remoteAddress ?? "");
  appendForwarded(headers, "x-forwarded-port", port);
  appendForwarded(headers, "x-forwarded-proto", secure ? "https" : "http");
  headers["x-forwarded-host"] = incoming["x-forwarded-host"] ?? host ?? "";
  return headers;
}

/** Each proxy on the way adds its hop at the end: "client, proxy1". */
function appendForwarded(
  headers: Record<string, string | string[]>,
  name: string,
  value: string,
): void {
  const before = headers[name];
  headers[name] = before === undefined || before === "" ? value : `${before},${value}`;
}
