// The one HTTP server shell: the single process, a worker, a fest service and the gateway
// each put their handler inside it, so every shape has the same door. From the outside in:
//
//   request watch    tells the counters (metrics, the truth) and the drain when a request
//                    starts and ends (request-watch.ts)
//   access log       one line an answer
//   drain refusal    503 once shutting down
//   door rules       one Host, a body no larger than any route reads (door.ts)
//   handler          the shape's own: the app, or the gateway's proxy
//
// and, below the handler, what node:http enforces: the whole headers within 10 s, the whole
// request within 30 s, idle keep-alive connections kept 65 s. Every answer's headers, whoever
// writes them, pass the shell's response (shell-response.ts): it adds the version header
// (every answer says which build it came from, refusals included) and, once draining,
// Connection: close.
import { once } from "node:events";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { withAccessLog } from "../observe/access-log.js";
import type { Logger } from "../observe/log.js";
import { type RequestWatcher, watchRequests } from "../observe/request-watch.js";
import { StartupError } from "../startup-error.js";
import type { TrustProxy } from "../trust-proxy.js";
import { doorRefusal, withDoorRules } from "./door.js";
import { Drain, type DrainReport } from "./drain.js";
import { type AppPrototypes, shellClasses } from "./shell-response.js";

/**
 * A slow-header client (slowloris) holds a connection until this runs out; Node's default
 * of 60 s lets a few hundred of them sit for minutes. Ten seconds is ample for any real client.
 */
export const HEADERS_TIMEOUT_MS = 10_000;
/**
 * The whole request (headers and body) must arrive within this; longer than the longest
 * /io (10 s) and /cpu, so no answer a lab asks for is ever near it.
 */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Load tests open many keep-alive connections; keep them longer than a client's idle gap. */
const KEEP_ALIVE_MS = 65_000;

export class ListenError extends StartupError {
  override name = "ListenError";
}

export interface ShellOptions {
  host: string;
  port: number;
  log: Logger;
  /** Inside the shell's layers: the app, or the gateway's proxy. */
  handler: RequestListener;
  /** Told of every request, the shell's own refusals included; the drain is added last. */
  watchers?: readonly RequestWatcher[];
  /** How long a client may take to send a request's headers; tests shorten it. */
  headersTimeoutMs?: number;
  /** Who cannot listen, in the error: "the gateway", "the events service". */
  name?: string;
  /** Called with the node server before it listens, e.g. to count its connections. */
  beforeListen?(http: Server): void;
  /** TRUST_PROXY: the access log names the forwarded client when a trusted proxy sent it. */
  trustProxy?: TrustProxy;
  /**
   * The Express app the handler runs: node:http makes each request's objects as classes that
   * carry its methods, and the app's `request` and `response` are pointed at those classes'
   * prototypes, so Express changes no object's prototype (see shell-response.ts).
   */
  appPrototypes?: AppPrototypes;
}

export interface Shell {
  /** http://host:port, the host in brackets when it is IPv6. */
  url: string;
  http: Server;
  drain: Drain;
  /** The drain (drain.ts): stop listening, finish what is in flight for up to graceMs. */
  close(graceMs: number): Promise<DrainReport>;
}

export async function serveHttp(options: ShellOptions): Promise<Shell> {
  const headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const drain = new Drain(options.log);
  const http = createServer({
    ...shellClasses(() => drain.started, options.appPrototypes),
    headersTimeout,
    requestTimeout: Math.max(REQUEST_TIMEOUT_MS, headersTimeout),
    // Node checks both timeouts on this interval (30 s by default): check often enough that a
    // slow client is dropped within a second of its limit. The sweep is cheap.
    connectionsCheckingInterval: Math.min(1_000, headersTimeout),
  });
  http.keepAliveTimeout = KEEP_ALIVE_MS;
  drain.watch(http);
  const listener = watchRequests(
    [...(options.watchers ?? []), drain],
    withAccessLog(
      drain.refuseWhileDraining(withDoorRules(options.handler)),
      options.log,
      options.trustProxy,
    ),
  );
  http.on("request", listener);
  // `Expect: 100-continue` (curl asks it for a large upload): say "go on" only to a request the
  // door lets in; one it refuses hears the refusal and never sends its body.
  http.on("checkContinue", (req, res) => {
    if (doorRefusal(req) === undefined && !drain.started) res.writeContinue();
    listener(req, res);
  });
  options.beforeListen?.(http);
  try {
    http.listen(options.port, options.host);
    await once(http, "listening");
  } catch (error) {
    throw new ListenError(listenMessage(options, error as NodeJS.ErrnoException));
  }
  const { port } = http.address() as AddressInfo;
  let closing: Promise<DrainReport> | undefined;
  return {
    url: `http://${hostInUrl(options.host)}:${port}`,
    http,
    drain,
    close(graceMs) {
      closing ??= drain.drain(graceMs);
      return closing;
    },
  };
}

/** An IPv6 address goes in brackets in a URL: http://[::1]:8000. */
export function hostInUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function listenMessage(options: ShellOptions, error: NodeJS.ErrnoException): string {
  const where = `port ${options.port} on ${options.host}`;
  const who = options.name === undefined ? "" : `${options.name}: `;
  if (error.code === "EADDRINUSE") {
    return `${who}${where} is in use: stop the other server, or choose another port with PORT=8001 or --port 8001`;
  }
  if (error.code === "EACCES")
    return `${who}${where} needs privileges: choose a port above 1023 with PORT or --port`;
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
    return `${who}HOST=${options.host} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its own addresses`;
  }
  return `${who}cannot listen on ${where}: ${error.message}`;
}
