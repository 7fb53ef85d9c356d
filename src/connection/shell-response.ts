// The response every request of the shell gets: its writeHead is the one place every answer's
// headers pass through (Node's own 400s, the door's and the drain's refusals, the fast
// /health, Express's routes, the gateway's proxied answers; end() and write() without a
// writeHead call it too), so the shell adds what every answer says there, once:
//   - X-Fest-Lab-Version, unless the answer already names it;
//   - Connection: close once the drain has begun (drain.ts), so a client sends nothing more
//     down a connection about to end.
// An answer that brings the version in its own constant header object (the fast /health,
// answer.ts's refusals) goes out untouched, down node:http's fast path: a header set
// beforehand with setHeader sends writeHead down its slow path, which sets and checks every
// header again (a few per cent of /health's CPU in issue 22's profile).
import { IncomingMessage, ServerResponse } from "node:http";
import { VERSION, VERSION_HEADER } from "../version.js";

/** node:http's own, called with the arguments as given (its overloads are one function). */
const nodeWriteHead = ServerResponse.prototype.writeHead as (
  this: ServerResponse,
  statusCode: number,
  reason?: unknown,
  headers?: unknown,
) => ServerResponse;

/** An Express app's prototypes for its requests and responses: app.request, app.response. */
export interface AppPrototypes {
  request: object;
  response: object;
}

/** What createServer makes each request's objects with (its IncomingMessage, ServerResponse options). */
interface ShellClasses {
  IncomingMessage?: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

/**
 * The request and response classes for node:http's createServer. With an Express app's
 * prototypes, each request's objects are born with them: Express gives every request its
 * methods with Object.setPrototypeOf(req, app.request) (and res), and on objects node:http
 * had made with its plain prototypes V8 then kept each request's whole object graph alive
 * through the next young-generation GC: about 25 KB a request promoted to old space (read
 * with --trace-gc-nvp on /my-events, /status and a bare Express app; none for plain
 * node:http), a mark-compact every couple of seconds and slower scavenges, the pauses in every
 * page's p99 (issue 22). Born with them, Express's call changes nothing and nothing is promoted.
 */
export function shellClasses(closing: () => boolean, app?: AppPrototypes): ShellClasses {
  function writeHead(
    this: ServerResponse,
    statusCode: number,
    reason?: unknown,
    headers?: unknown,
  ): ServerResponse {
    // A second writeHead gets node:http's own error, not setHeader's.
    if (this.headersSent) return nodeWriteHead.call(this, statusCode, reason, headers);
    const given = typeof reason === "string" ? headers : reason;
    if (closing()) this.setHeader("connection", "close");
    if (!namesVersion(given) && !this.hasHeader(VERSION_HEADER)) {
      this.setHeader(VERSION_HEADER, VERSION);
    }
    return nodeWriteHead.call(this, statusCode, reason, headers);
  }
  // node:http passes a response its request and options (highWaterMark...). Named arguments,
  // not a rest array: this runs once a request, /health's included.
  function ShellResponse(this: ServerResponse, req: IncomingMessage, options: unknown) {
    nodeResponse.call(this, req, options);
    // An own property, not the prototype's: the prototype is Express's (app.response) or
    // node:http's, and neither is ours to change.
    this.writeHead = writeHead as ServerResponse["writeHead"];
  }
  ShellResponse.prototype = app?.response ?? ServerResponse.prototype;
  if (app === undefined)
    return { ServerResponse: ShellResponse as unknown as typeof ServerResponse };
  function AppRequest(this: IncomingMessage, socket: unknown) {
    nodeRequest.call(this, socket);
  }
  AppRequest.prototype = app.request;
  return {
    IncomingMessage: AppRequest as unknown as typeof IncomingMessage,
    ServerResponse: ShellResponse as unknown as typeof ServerResponse,
  };
}

/** node:http's constructors, called on an object whose prototype is already chosen. */
const nodeResponse = ServerResponse as unknown as (
  this: ServerResponse,
  req: IncomingMessage,
  options: unknown,
) => void;
const nodeRequest = IncomingMessage as unknown as (this: IncomingMessage, socket: unknown) => void;

/** A header object (not an array of pairs) that sets the version itself, in our spelling. */
function namesVersion(headers: unknown): boolean {
  return (
    typeof headers === "object" &&
    headers !== null &&
    !Array.isArray(headers) &&
    (headers as Record<string, unknown>)[VERSION_HEADER] !== undefined
  );
}
