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
import { type IncomingMessage, ServerResponse } from "node:http";
import { VERSION, VERSION_HEADER } from "../version.js";

/** node:http's own, called with the arguments as given (its overloads are one function). */
const nodeWriteHead = ServerResponse.prototype.writeHead as (
  this: ServerResponse,
  statusCode: number,
  reason?: unknown,
  headers?: unknown,
) => ServerResponse;

/** node:http constructs each response with its options (highWaterMark...); @types omits them. */
type ResponseConstructor = new (req: IncomingMessage, options?: object) => ServerResponse;

/** A response class for node:http's createServer({ ServerResponse }). */
export function shellResponse(closing: () => boolean): typeof ServerResponse {
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
  return class ShellResponse extends (ServerResponse as ResponseConstructor) {
    constructor(req: IncomingMessage, options?: object) {
      super(req, options);
      // An own property, not a method: Express gives every response it routes its own
      // prototype (app.response), and a method of this class would be lost with the old one.
      (this as ServerResponse).writeHead = writeHead as ServerResponse["writeHead"];
    }
  } as unknown as typeof ServerResponse;
}

/** A header object (not an array of pairs) that sets the version itself, in our spelling. */
function namesVersion(headers: unknown): boolean {
  return (
    typeof headers === "object" &&
    headers !== null &&
    !Array.isArray(headers) &&
    (headers as Record<string, unknown>)[VERSION_HEADER] !== undefined
  );
}
