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
import * as http from "node:http";
import * as https from "node:https";
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

/** Request headers never forwarded: they are about the client's connection to the gateway. */
const REQUEST_HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "upgrade"]);
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

/**
 * The connections to one service: one pool of kept-alive sockets. Without keep-alive each
 * request would open a TCP connection on both sides, which under load cost about 30x the
 * monolith's p50 on a two-core machine.
 */
export class Forwarder {
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  private address: UpstreamAddress | undefined;

  /**
   * Sends `req` to `target` and its answer to `res`. `failed` is called at most once, when the
   * service did not answer; it answers the client (or, when the answer had begun, the
   * forwarder cuts it). A client that leaves is nobody's failure.
   */
  forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: ForwardTarget,
    failed: (reason: ForwardFailure, detail: string) => void,
  ): void {
    const address = this.addressOf(target.url);
    let settled = false;
    let timedOut = false;
    let dropped = false;
    const proxyReq = address.request({
      hostname: address.hostname,
      port: address.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req),
      agent: address.secure ? this.httpsAgent : this.httpAgent,
    });
    const fail = (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      failed(timedOut ? "timeout" : "down", error.code ?? error.message);
    };
    // An idle timer on the connection: it runs while no byte of the answer comes.
    proxyReq.setTimeout(target.timeoutMs, () => {
      timedOut = true;
      proxyReq.destroy();
    });
    proxyReq.on("error", fail);
    // A fault's delay or hang, on purpose (src/faults/behind-gateway.ts): the client waits for
    // it as it would for one process, and leaves when it wants to.
    proxyReq.on("information", (info) => {
      if (info.statusCode === 102) proxyReq.setTimeout(0);
    });
    req.on("error", () => proxyReq.destroy());
    // The client went away before its answer was out: stop asking the service.
    res.once("close", () => {
      if (res.writableFinished || dropped) return;
      settled = true;
      proxyReq.destroy();
    });
    proxyReq.on("response", (proxyRes) => {
      // A service that dies half-way through an answer: end the client's too, rather than
      // leave it waiting for bytes that will never come.
      proxyRes.on("error", () => res.destroy());
      proxyRes.on("aborted", () => res.destroy());
      if (settled) {
        proxyRes.resume();
        return;
      }
      settled = true;
      const drop = dropAskedFor(proxyRes.headers[DROP_HEADER]);
      if (drop !== undefined) {
        // A fault's reset, or a hang's end: done to the client's connection, as one process
        // does it to its own; the service's kept-alive connection stays.
        dropped = true;
        proxyRes.resume();
        if (drop === "reset") req.socket.resetAndDestroy();
        else req.socket.destroy();
        return;
      }
      res.statusCode = proxyRes.statusCode ?? 502;
      if (proxyRes.statusMessage) res.statusMessage = proxyRes.statusMessage;
      const headers = proxyRes.headers;
      for (const name in headers) {
        const value = headers[name];
        if (value !== undefined && !RESPONSE_HOP_BY_HOP.has(name)) res.setHeader(name, value);
      }
      relay(proxyRes, res);
    });
    if (hasBody(req)) req.pipe(proxyReq);
    else proxyReq.end();
  }

  /** Ends the kept-alive connections: the gateway is closing. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Read at each request: a service restarted elsewhere (another port) is reached at once. */
  private addressOf(url: string): UpstreamAddress {
    if (this.address?.url !== url) this.address = upstreamAddress(url);
    return this.address;
  }
}

/**
 * The service's body to the client, chunk by chunk, pausing while the client's connection is
 * full. What pipe() does for an answer, without the eight listeners it adds and removes on
 * every answer: a /checkout crosses the gateway once, and the gateway's cost is nearly all
 * node:http's own per-request work (issue 22).
 */
function relay(from: http.IncomingMessage, to: http.ServerResponse): void {
  const resume = () => from.resume();
  from.on("data", (chunk: Buffer) => {
    if (to.write(chunk)) return;
    from.pause();
    to.once("drain", resume);
  });
  from.on("end", () => to.end());
}

/** A GET without Content-Length or Transfer-Encoding has no body to stream: end at once. */
function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** The client's headers, less the hop-by-hop ones, plus the X-Forwarded-* four. */
function forwardedHeaders(req: http.IncomingMessage): http.OutgoingHttpHeaders {
  const incoming = req.headers;
  const headers: http.OutgoingHttpHeaders = {};
  for (const name in incoming) {
    if (!REQUEST_HOP_BY_HOP.has(name)) headers[name] = incoming[name];
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
function appendForwarded(headers: http.OutgoingHttpHeaders, name: string, value: string): void {
  const before = headers[name];
  headers[name] = before === undefined || before === "" ? value : `${before},${value}`;
}
