// Who a fest request is for. Reads: `?user=` (load tests name one), else the signed session
// cookie. Writes: the session's user only, since anyone can type a `?user=`.
import type { CookieOptions, Request, Response } from "express";
import { Forbidden, NotFound, Unauthorized } from "../http-errors.js";
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

/**
 * Secure when the client spoke https: to this server, or to a proxy that TRUST_PROXY names and
 * that said so in X-Forwarded-Proto (req.secure, as Express computes it from "trust proxy").
 */
export function startSession(res: Response, user: User): void {
  res.cookie(SESSION_COOKIE, user.username, { ...COOKIE_OPTIONS, secure: res.req.secure });
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
  const named = requestedUser(req, fallback);
  if (named === undefined) return undefined;
  return { user: knownUser(queries, named.name), via: named.via };
}

/**
 * Whose page a read asks for, by name only: `?user=`, else the session, else (with
 * `fallback: "demo"`) the demo user. Separate from the lookup, so a service that holds no
 * users table (the services topology's checkout) asks another service who that is.
 */
export function requestedUser(
  req: Request,
  fallback: "demo" | "none",
): { name: string; via: ResolvedUser["via"] } | undefined {
  const fromQuery = optionalUserParam(req.query.user);
  if (fromQuery !== undefined) return { name: fromQuery, via: "query" };
  const fromSession = sessionUsername(req);
  if (fromSession !== undefined) return { name: fromSession, via: "session" };
  return fallback === "demo" ? { name: DEMO_USERNAME, via: "demo" } : undefined;
}

/**
 * Who a request that changes data acts for: the logged-in user. `?user=` names a user for
 * the seed labs' reads; it acts only when the server runs with QUERY_USER_WRITES=1.
 */
export function resolveWriter(
  req: Request,
  queries: FestQueries,
  queryUserWrites: boolean,
  action: string,
): ResolvedUser {
  const fromQuery = optionalUserParam(req.query.user);
  if (fromQuery !== undefined && queryUserWrites) {
    return { user: knownUser(queries, fromQuery), via: "query" };
  }
  const fromSession = sessionUsername(req);
  if (fromSession === undefined) {
    throw new Unauthorized(
      fromQuery === undefined
        ? `log in to ${action}`
        : `log in to ${action} (/login?user=${fromQuery}): ?user= names a user for reading pages only; a load test that must write without logging in needs the server started with QUERY_USER_WRITES=1`,
    );
  }
  if (fromQuery !== undefined && fromQuery !== fromSession) {
    throw new Forbidden(
      `?user=${fromQuery} is not the logged-in user (${fromSession}): you can ${action} only for yourself`,
    );
  }
  return { user: knownUser(queries, fromSession), via: "session" };
}

export function knownUser(queries: FestQueries, name: string): User {
  const found = queries.findUser(name);
  if (found === undefined) throw new NotFound(`user "${name}" not found`);
  const { passwordHash: _hash, ...user } = found;
  return user;
}
