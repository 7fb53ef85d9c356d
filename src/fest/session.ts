// Who a fest request is for: `?user=` (load tests name one), else the signed session cookie.
import type { CookieOptions, Request, Response } from "express";
import { NotFound } from "../http-errors.js";
import { optionalUserParam } from "./input.js";
import type { FestQueries } from "./queries.js";
import type { User } from "./types.js";

export const SESSION_COOKIE = "fest_session";
export const DEMO_USERNAME = "locust_user";

const COOKIE_OPTIONS: CookieOptions = {
  signed: true,
  httpOnly: true,
  sameSite: "lax",
  path: "/",
  maxAge: 7 * 24 * 3600 * 1000,
};

export function startSession(res: Response, user: User): void {
  res.cookie(SESSION_COOKIE, user.username, COOKIE_OPTIONS);
}

export function endSession(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { ...COOKIE_OPTIONS, maxAge: undefined });
}

/** The logged-in user's name, when the signed cookie is present and unaltered. */
export function sessionUsername(req: Request): string | undefined {
  const value = (req.signedCookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof value === "string" && value !== "" ? value : undefined;
}

export interface ResolvedUser {
  user: User;
  /** How the user was named: shown on pages so nobody wonders whose data it is. */
  via: "query" | "session" | "demo";
}

/**
 * `fallback: "demo"` answers for the demo user when nobody is named, which is what the
 * seed lab's `GET /checkout` expects; `fallback: "none"` answers anonymously.
 */
export function resolveUser(req: Request, queries: FestQueries, fallback: "demo"): ResolvedUser;
export function resolveUser(
  req: Request,
  queries: FestQueries,
  fallback: "none",
): ResolvedUser | undefined;
export function resolveUser(
  req: Request,
  queries: FestQueries,
  fallback: "demo" | "none",
): ResolvedUser | undefined {
  const fromQuery = optionalUserParam(req.query.user);
  const fromSession = sessionUsername(req);
  const [name, via] =
    fromQuery !== undefined
      ? [fromQuery, "query" as const]
      : fromSession !== undefined
        ? [fromSession, "session" as const]
        : fallback === "demo"
          ? [DEMO_USERNAME, "demo" as const]
          : [undefined, undefined];
  if (name === undefined || via === undefined) return undefined;
  const found = queries.findUser(name);
  if (found === undefined) throw new NotFound(`user "${name}" not found`);
  const { passwordHash: _hash, ...user } = found;
  return { user, via };
}
