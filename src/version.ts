// The version every answer carries (X-Fest-Lab-Version), /health reports and the banner shows:
// package.json's, read once at load, so a student's screenshot names the build it came from.
import { readFileSync } from "node:fs";
import type { IncomingMessage, RequestListener } from "node:http";
import { join } from "node:path";
import { projectRoot } from "./paths.js";

export const VERSION_HEADER = "X-Fest-Lab-Version";

export const VERSION: string = (
  JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { version: string }
).version;

/**
 * Outermost on node:http: one setHeader a request, before any answer (a refusal too) is
 * written. Requests whose every answer writes the header itself are left alone (the fast
 * /health, whose refusals come from answer()): a header set beforehand sends node:http's
 * writeHead down its slow path, which sets and checks each header again, a few per cent of
 * /health's CPU in its profile.
 */
export function withVersionHeader(
  next: RequestListener,
  carriesItsOwn: (req: IncomingMessage) => boolean = () => false,
): RequestListener {
  return (req, res) => {
    if (!carriesItsOwn(req)) res.setHeader(VERSION_HEADER, VERSION);
    next(req, res);
  };
}
