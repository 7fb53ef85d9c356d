// Who may use the admin page and API: a client that shows the admin credential
// (src/admin-credential.ts), by an `Authorization: Bearer <token>` header (the API, curl, the
// project's commands) or by the cookie that the banner's link and the login form set (the page:
// a browser cannot send a Bearer header when it navigates). Being on this machine proves
// nothing: behind a reverse proxy every request comes from loopback. A browser's request must
// also come from the admin page itself, and a client that guessed wrong too often waits.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler } from "express";
import { crossSiteReason } from "../cross-site.js";
import { Forbidden, TooManyRequests, Unauthorized } from "../http-errors.js";
import { sendPage, wantsJson } from "../respond.js";
import { clientOf } from "../trust-proxy.js";
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
  /** ADMIN_TOKEN, or the token generated and kept beside the data: there is always one. */
  adminToken: string;
  wrongTokens: WrongTokenLimiter;
}

/**
 * Runs before every admin route, the login form and the banner's link included: the checks
 * that come before the token. A browser's request must come from the admin page itself (a
 * page on another site, or one whose name was rebound to this address, is refused by its
 * Origin), and a client that sent too many wrong tokens waits.
 */
export function adminGate({ wrongTokens }: AdminAccess): RequestHandler {
  return (req, _res, next) => {
    const crossSite = crossSiteReason(req);
    if (crossSite !== undefined) {
      throw new Forbidden(
        `the admin page and API answer their own page only, and this request came from another site: ${crossSite}. Open ${req.protocol}://${req.get("host") ?? "127.0.0.1:8000"}/admin itself, or use curl`,
      );
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

/** After adminGate, the login form and the link: every admin request must show the token. */
export function requireAdminToken({ adminToken, wrongTokens }: AdminAccess): RequestHandler {
  return (req, res, next) => {
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
      "admin requests need the header Authorization: Bearer <token>, with ADMIN_TOKEN or the token in the admin-token file beside the database (the start-up banner says which)",
    );
  };
}
