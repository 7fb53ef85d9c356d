// Answers given on node:http, below Express, to a request that no route will see: JSON, or
// one plain line for a browser. Each names its version itself, as the fast /health does, so
// the shell's response adds nothing and node:http writes it on its fast path
// (shell-response.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import { VERSION, VERSION_HEADER } from "../version.js";

/**
 * Ends the connection too, so no later request can follow on a connection the server has
 * already given up on.
 */
export function answerAndClose(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  data: { error: string } & Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  answer(req, res, status, data, { ...headers, connection: "close" });
}

/**
 * Keeps the connection: node:http reads and drops the rest of the request's body, so a client
 * still sending it gets the answer rather than a reset, and the next request can follow.
 */
export function answer(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  data: { error: string } & Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  const html = req.headers.accept?.includes("text/html") === true;
  const body = html ? `${data.error}\n` : JSON.stringify({ ...data, status });
  res.writeHead(status, {
    ...headers,
    "content-type": html ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    [VERSION_HEADER]: VERSION,
  });
  res.end(body);
}
