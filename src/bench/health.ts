// GET /health is the baseline every lab compares against, so it is answered straight on
// node:http, before Express builds its request and walks its router: the cheapest answer
// the server can give. The access log still sees it (it wraps this handler).
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { VERSION, VERSION_HEADER } from "../version.js";

const BODY = JSON.stringify({ status: "ok", version: VERSION });
const HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "content-length": Buffer.byteLength(BODY),
  "cache-control": "no-store",
  // Named here, so the shell's response adds nothing and node:http takes its fast path
  // (src/connection/shell-response.ts).
  [VERSION_HEADER]: VERSION,
};

// HEAD answers wherever GET does, as Express does for its routes: node:http sends the
// headers (Content-Length included) and drops the body of an answer to HEAD by itself.
export function isHealthRequest(req: IncomingMessage): boolean {
  return (
    (req.method === "GET" || req.method === "HEAD") &&
    (req.url === "/health" || req.url?.startsWith("/health?") === true)
  );
}

export function withFastHealth(next: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (!isHealthRequest(req)) {
      next(req, res);
      return;
    }
    res.writeHead(200, HEADERS);
    res.end(BODY);
  };
}
