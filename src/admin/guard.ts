// Who may flip switches. Without ADMIN_TOKEN: clients on this machine only (loopback), so a
// server started with HOST=0.0.0.0 for a lab network cannot be steered by its load testers,
// asking for this machine by a loopback name (or one in ADMIN_HOSTS), from the admin page
// itself or a script, so a web page in the operator's browser cannot steer it either.
// With ADMIN_TOKEN: any client that proves it knows the token, by an
// `Authorization: Bearer <token>` header (the API) or the cookie the login form sets (the
// page: a browser cannot send a Bearer header when it navigates).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler } from "express";
import { isLoopback } from "../connection/loopback.js";
import { crossSiteReason } from "../cross-site.js";
import { Forbidden, TooManyRequests, Unauthorized } from "../http-errors.js";
import { sendPage, wantsJson } from "../respond.js";
import type { WrongTokenLimiter } from "./wrong-tokens.js";

export const ADMIN_COOKIE = "fest_admin";
export const WWW_AUTHENTICATE = 'Bearer realm="fest-lab admin"';

/**
 * Constant time: both sides are hashed to 32 bytes first, so neither the content nor the
 * length of a wrong guess changes how long the comparison takes.
 */
export function tokensMatch(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The login cookie holds a value derived from the token, not the token itself, and changes
 * when the token changes: a restart with a new token logs every browser out.
 */
export function adminCookieValue(token: string): string {
  return createHmac("sha256", token).update("fest-lab admin page").digest("hex");
}

/** "none" when the request offers no token at all: only a wrong one counts as a guess. */
function presentedToken(req: Request, token: string): "right" | "wrong" | "none" {
  const header = req.get("authorization");
  if (header !== undefined) {
    const bearer = /^Bearer +(\S+) *$/i.exec(header);
    return bearer?.[1] !== undefined && tokensMatch(bearer[1], token) ? "right" : "wrong";
  }
  const cookie = (req.cookies as Record<string, unknown> | undefined)?.[ADMIN_COOKIE];
  if (cookie === undefined) return "none";
  return typeof cookie === "string" && tokensMatch(cookie, adminCookieValue(token))
    ? "right"
    : "wrong";
}

export interface AdminAccess {
  adminToken: string | undefined;
  /** ADMIN_HOSTS: names besides the loopback ones that a tokenless admin request may use. */
  adminHosts: readonly string[];
  wrongTokens: WrongTokenLimiter;
}

/**
 * Runs before every admin route, the login form included: the checks that need no token.
 * A browser's request must come from the admin page itself. Without a token, the client
 * must be on this machine and name this machine in Host: a page whose name was rebound to
 * 127.0.0.1 (DNS rebinding) reaches the loopback address but still sends its own name.
 * With a token, a client that guessed wrong too often waits.
 */
export function adminGate({ adminToken, adminHosts, wrongTokens }: AdminAccess): RequestHandler {
  return (req, _res, next) => {
    const crossSite = crossSiteReason(req);
    if (crossSite !== undefined) {
      throw new Forbidden(
        `the admin page and API answer their own page only, and this request came from another site: ${crossSite}. Open ${req.protocol}://${req.get("host") ?? "127.0.0.1:8000"}/admin itself, or use curl`,
      );
    }
    if (adminToken === undefined) {
      const client = req.socket.remoteAddress;
      if (!isLoopback(client)) {
        throw new Forbidden(
          `the admin page and API answer clients on this machine only (you are ${client ?? "unknown"}): start the server with ADMIN_TOKEN=<secret> (or --admin-token) and send Authorization: Bearer <secret>`,
        );
      }
      const host = req.get("host");
      if (!isAdminHost(host, adminHosts)) {
        throw new Forbidden(
          `the admin page and API answer requests for this machine only, and Host is "${host ?? ""}" (allowed: localhost, 127.x.x.x, [::1]${adminHosts.map((name) => `, ${name}`).join("")}, any port): to allow another name, start the server with ADMIN_HOSTS=${hostName(host ?? "") ?? "name"} (or --admin-hosts), or with ADMIN_TOKEN`,
        );
      }
      next();
      return;
    }
    const wait = wrongTokens.waitSeconds(clientOf(req));
    if (wait > 0) {
      throw new TooManyRequests(
        `too many wrong admin tokens from ${clientOf(req)}: try again in ${wait} s`,
        wait,
      );
    }
    next();
  };
}

/** After adminGate and the login form: with a token set, every admin request must show it. */
export function requireAdminToken({ adminToken, wrongTokens }: AdminAccess): RequestHandler {
  return (req, res, next) => {
    if (adminToken === undefined) {
      next();
      return;
    }
    const shown = presentedToken(req, adminToken);
    if (shown === "right") {
      next();
      return;
    }
    if (shown === "wrong") wrongTokens.recordWrong(clientOf(req));
    res.set("WWW-Authenticate", WWW_AUTHENTICATE);
    if (req.method === "GET" && !wantsJson(req)) {
      sendPage(req, res, { view: "admin-login.njk", data: {}, status: 401 });
      return;
    }
    throw new Unauthorized(
      "admin requests need the header Authorization: Bearer <token>, with the ADMIN_TOKEN the server was started with",
    );
  };
}

/** The loopback names, or one listed in ADMIN_HOSTS; any port, any case. */
export function isAdminHost(host: string | undefined, adminHosts: readonly string[]): boolean {
  const name = host === undefined ? undefined : hostName(host);
  if (name === undefined) return false;
  if (name === "localhost" || name === "[::1]") return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true;
  return adminHosts.includes(name);
}

/** "Name:8000" -> "name", "[::1]:8000" -> "[::1]"; undefined when it is no plain host. */
function hostName(host: string): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/.exec(host.toLowerCase());
  return match?.[1];
}

export function clientOf(req: Request): string {
  return req.socket.remoteAddress ?? "an unknown address";
}
