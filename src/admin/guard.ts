// Who may flip switches. Without ADMIN_TOKEN: clients on this machine only (loopback), so a
// server started with HOST=0.0.0.0 for a lab network cannot be steered by its load testers.
// With ADMIN_TOKEN: any client that proves it knows the token, by an
// `Authorization: Bearer <token>` header (the API) or the cookie the login form sets (the
// page: a browser cannot send a Bearer header when it navigates).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler } from "express";
import { Forbidden, Unauthorized } from "../http-errors.js";
import { sendPage, wantsJson } from "../respond.js";

export const ADMIN_COOKIE = "fest_admin";
export const WWW_AUTHENTICATE = 'Bearer realm="fest-lab admin"';

/** 127.0.0.0/8, ::1, and IPv4 loopback written as IPv6 (::ffff:127.x.x.x). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === "::1") return true;
  const v4 = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

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

function presentsToken(req: Request, token: string): boolean {
  const header = req.get("authorization");
  if (header !== undefined) {
    const bearer = /^Bearer +(\S+) *$/i.exec(header);
    return bearer?.[1] !== undefined && tokensMatch(bearer[1], token);
  }
  const cookie = (req.cookies as Record<string, unknown> | undefined)?.[ADMIN_COOKIE];
  return typeof cookie === "string" && tokensMatch(cookie, adminCookieValue(token));
}

export function adminGuard(adminToken: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (adminToken === undefined) {
      const client = req.socket.remoteAddress;
      if (isLoopback(client)) {
        next();
        return;
      }
      throw new Forbidden(
        `the admin page and API answer clients on this machine only (you are ${client ?? "unknown"}): start the server with ADMIN_TOKEN=<secret> (or --admin-token) and send Authorization: Bearer <secret>`,
      );
    }
    if (presentsToken(req, adminToken)) {
      next();
      return;
    }
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

/**
 * The admin forms change state with a cookie or a loopback address as the only proof, so a
 * page on another site must not be able to post them (cross-site request forgery).
 * Browsers say where a form came from; the API's PUT with a JSON body is already out of a
 * foreign page's reach without CORS, which this server never grants.
 */
export function refuseCrossSiteForm(req: Request): void {
  const site = req.get("sec-fetch-site");
  const origin = req.get("origin");
  const crossSite =
    (site !== undefined && site !== "same-origin" && site !== "none") ||
    (origin !== undefined && originHost(origin) !== req.get("host"));
  if (crossSite) {
    throw new Forbidden(
      "a form from another site cannot change switches here: use the /admin page itself, or the JSON API",
    );
  }
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined; // "null" and other opaque origins never match
  }
}
