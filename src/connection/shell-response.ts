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

/** An Express app: what node:http's objects must be born as (app.request, app.response). */
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
 * The request and response classes for node:http's createServer. Given an Express app, each
 * request's objects are born with its prototypes: Express gives every request its methods
 * with Object.setPrototypeOf(req, app.request) (and res), and on objects node:http had made
 * with its plain prototypes V8 then kept each request's whole object graph alive through the
 * next young-generation GC: about 25 KB a request promoted to old space (read with
 * --trace-gc-nvp on /my-events, /status and a bare Express app; none for plain node:http), a
 * mark-compact every couple of seconds and slower scavenges (issue 22). So the classes carry
 * Express's methods on their own prototypes and the app is told to use those: Express's call
 * then changes nothing. Classes, not functions that call node:http's constructors on an object
 * of the right prototype: that construction cost every request, /health's included, a fifth of
 * its throughput.
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
  class ShellResponse extends (ServerResponse as ResponseConstructor) {
    constructor(req: IncomingMessage, options?: object) {
      super(req, options);
      // An own property, not a method: a response Express routes may get another prototype
      // (a mounted app's), and a method of this class would be lost with it.
      (this as ServerResponse).writeHead = writeHead as ServerResponse["writeHead"];
    }
  }
  if (app === undefined)
    return { ServerResponse: ShellResponse as unknown as typeof ServerResponse };
  class AppRequest extends IncomingMessage {}
  app.request = adopt(AppRequest.prototype, app.request);
  app.response = adopt(ShellResponse.prototype, app.response);
  return {
    IncomingMessage: AppRequest,
    ServerResponse: ShellResponse as unknown as typeof ServerResponse,
  };
}

/**
 * Express's methods for one app (its own object, over Express's shared one, over node:http's
 * prototype) copied onto a class's prototype, which then stands for it.
 */
function adopt(prototype: object, appObject: object): object {
  // Up to node:http's own prototype, which the class already extends (or the end of the chain).
  const own = Object.getPrototypeOf(prototype) as object;
  for (let from: object | null = appObject; from !== null && from !== own; ) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(from))) {
      if (name !== "constructor" && !Object.hasOwn(prototype, name)) {
        Object.defineProperty(prototype, name, descriptor);
      }
    }
    from = Object.getPrototypeOf(from) as object | null;
  }
  return prototype;
}

/** node:http constructs each response with its options (highWaterMark...); @types omits them. */
type ResponseConstructor = new (req: IncomingMessage, options?: object) => ServerResponse;

/** A header object (not an array of pairs) that sets the version itself, in our spelling. */
function namesVersion(headers: unknown): boolean {
  return (
    typeof headers === "object" &&
    headers !== null &&
    !Array.isArray(headers) &&
    (headers as Record<string, unknown>)[VERSION_HEADER] !== undefined
  );
}
