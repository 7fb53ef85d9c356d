// Calls between services: JSON over HTTP on routes under /internal/, which the gateway never
// forwards. A service answers them only when the request carries the shared internal secret,
// so a client that reaches a service's port directly (HOST=0.0.0.0 on a lab network) cannot
// ask one service about another's users.
//
// The secret is derived from the session secret, which every service holds anyway to verify
// the session cookie: one secret to give a service started on another machine, not two.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { HttpError } from "../http-errors.js";

export const INTERNAL_HEADER = "X-Fest-Internal";

export function internalSecret(sessionSecret: string): string {
  return createHmac("sha256", sessionSecret).update("fest-lab internal calls").digest("hex");
}

/** Mounted on /internal/: a request without the secret is a 403 that says why. */
export function internalOnly(secret: string): RequestHandler {
  const expected = Buffer.from(secret);
  return (req, _res, next) => {
    const given = Buffer.from(req.get(INTERNAL_HEADER) ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpError(
        403,
        `internal routes answer the other services only (the ${INTERNAL_HEADER} header is missing or wrong)`,
      );
    }
    next();
  };
}

/** What a call to another service found: its JSON, or that the thing asked for is not there. */
export type InternalAnswer<T> = { found: true; body: T } | { found: false; status: number };

/**
 * One service's view of another: GET a JSON route with the secret. A service that is down or
 * slower than timeoutMs is a 502 or 504 here, naming it, so a page that depends on it says
 * which service failed instead of a bare 500. A timeout of null waits as long as it takes:
 * checkout-no-timeout's lesson.
 */
export class ServiceClient {
  constructor(
    readonly name: string,
    readonly baseUrl: string,
    private readonly secret: string,
    /** Told how each call ended: what festlab_upstream_calls_total counts (upstream-calls.ts). */
    private readonly observe: (outcome: CallOutcome) => void = () => {},
  ) {}

  /** The same client, telling `observe` how each call ended. */
  observed(observe: (outcome: CallOutcome) => void): ServiceClient {
    return new ServiceClient(this.name, this.baseUrl, this.secret, observe);
  }

  async getJson<T>(path: string, timeoutMs: number | null): Promise<InternalAnswer<T>> {
    let res: globalThis.Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        headers: { [INTERNAL_HEADER]: this.secret, accept: "application/json" },
        signal: timeoutMs === null ? null : AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === "TimeoutError") {
        this.observe("timeout");
        throw new HttpError(504, `the ${this.name} service did not answer within ${timeoutMs} ms`, {
          service: this.name,
        });
      }
      this.observe("down");
      throw new HttpError(502, `the ${this.name} service is down or restarting`, {
        service: this.name,
      });
    }
    if (res.status === 404) {
      this.observe("not-found");
      await res.body?.cancel();
      return { found: false, status: 404 };
    }
    if (!res.ok) {
      this.observe("failed");
      await res.body?.cancel();
      throw new HttpError(502, `the ${this.name} service answered ${res.status}`, {
        service: this.name,
      });
    }
    this.observe("answered");
    return { found: true, body: (await res.json()) as T };
  }
}

/** How one call to another service ended. */
export type CallOutcome = "answered" | "not-found" | "failed" | "timeout" | "down";
