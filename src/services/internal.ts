// Calls between services: JSON over HTTP on routes under /internal/, which the gateway never
// forwards. A service answers them (internal-routes.ts) only when the request carries the
// shared internal secret, so a client that reaches a service's port directly (HOST=0.0.0.0 on
// a lab network) cannot ask one service about another's users.
//
// The secret is derived from the session secret, which every service holds anyway to verify
// the session cookie: one secret to give a service started on another machine, not two.
import { createHmac } from "node:crypto";
import { Agent, type Dispatcher } from "undici";
import { type UpstreamAddress, upstreamAddress } from "../gateway/upstream-address.js";
import { HttpError } from "../http-errors.js";

export const INTERNAL_HEADER = "X-Fest-Internal";

export function internalSecret(sessionSecret: string): string {
  return createHmac("sha256", sessionSecret).update("fest-lab internal calls").digest("hex");
}

/** What a call to another service found: its JSON, or that the thing asked for is not there. */
export type InternalAnswer<T> = { found: true; body: T } | { found: false; status: number };

/**
 * One service's view of another: GET a JSON route with the secret. A service that is down or
 * slower than timeoutMs is a 502 or 504 here, naming it, so a page that depends on it says
 * which service failed instead of a bare 500. A timeout of null waits as long as it takes:
 * checkout-no-timeout's lesson.
 *
 * undici's dispatch over one pool of kept-alive connections, not fetch: every /checkout makes
 * this call, and fetch's WHATWG streams, Request and AbortSignal cost about 300 µs of CPU a
 * call against about 80 µs for node:http's client (measured on the 2-core lab machine), and
 * dispatch, undici's lowest API beneath fetch, costs less again (src/gateway/forward.ts): a
 * hop the monolith does not pay for at all.
 */
export class ServiceClient {
  private readonly agent: Agent;
  /** baseUrl parsed once, not on every call. */
  private readonly address: UpstreamAddress;
  /** The same two headers on every call, built once. */
  private readonly headers: Record<string, string>;

  constructor(
    readonly name: string,
    readonly baseUrl: string,
    private readonly secret: string,
    /** Told how each call ended: what festlab_upstream_calls_total counts (upstream-calls.ts). */
    private readonly observe: (outcome: CallOutcome) => void = () => {},
    /** An observed copy shares its original's connections (observed()). */
    agent?: Agent,
  ) {
    this.address = upstreamAddress(baseUrl);
    // The call's own timer (below) bounds the whole call: the pool's are off.
    this.agent = agent ?? new Agent({ headersTimeout: 0, bodyTimeout: 0 });
    this.headers = { [INTERNAL_HEADER]: secret, accept: "application/json" };
  }

  /** The same client, on the same connections, telling `observe` how each call ended. */
  observed(observe: (outcome: CallOutcome) => void): ServiceClient {
    return new ServiceClient(this.name, this.baseUrl, this.secret, observe, this.agent);
  }

  getJson<T>(path: string, timeoutMs: number | null): Promise<InternalAnswer<T>> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      let settled = false;
      let abortCall: ((error?: Error) => void) | undefined;
      let status = 0;
      const chunks: Buffer[] = [];
      const settle = (how: CallOutcome, outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.observe(how);
        outcome();
      };
      const failed = () =>
        settle(timedOut ? "timeout" : "down", () =>
          reject(
            timedOut
              ? new HttpError(
                  504,
                  `the ${this.name} service did not answer within ${timeoutMs} ms`,
                  {
                    service: this.name,
                  },
                )
              : new HttpError(502, `the ${this.name} service is down or restarting`, {
                  service: this.name,
                }),
          ),
        );
      const handler: Dispatcher.DispatchHandlers = {
        onConnect(abort) {
          abortCall = abort;
          if (settled) abort(new Error("the call's time ran out"));
        },
        onHeaders: (statusCode) => {
          if (statusCode < 200) return true;
          status = statusCode;
          if (status === 404 || status > 299) {
            settle(status === 404 ? "not-found" : "failed", () =>
              status === 404
                ? resolve({ found: false, status: 404 })
                : reject(
                    new HttpError(502, `the ${this.name} service answered ${status}`, {
                      service: this.name,
                    }),
                  ),
            );
          }
          return true;
        },
        onData(chunk) {
          if (!settled) chunks.push(chunk);
          return true;
        },
        onComplete: () => {
          if (settled) return;
          let body: T;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as T;
          } catch {
            settle("failed", () =>
              reject(
                new HttpError(502, `the ${this.name} service answered something that is not JSON`, {
                  service: this.name,
                }),
              ),
            );
            return;
          }
          settle("answered", () => resolve({ found: true, body }));
        },
        onError: failed,
      };
      if (timeoutMs !== null) {
        // The whole call, answer included, as fetch's timeout signal did; ending the call ends
        // its connection too, so a late answer cannot land on the next call.
        timer = setTimeout(() => {
          timedOut = true;
          failed();
          abortCall?.(new Error("the call's time ran out"));
        }, timeoutMs);
      }
      const { origin, basePath } = this.address;
      this.agent.dispatch(
        { origin, path: basePath + path, method: "GET", headers: this.headers },
        handler,
      );
    });
  }

  /** Ends the kept-alive connections: the service is closing. */
  close(): void {
    this.agent.destroy().catch(() => {});
  }
}

/** How one call to another service ended. */
export type CallOutcome = "answered" | "not-found" | "failed" | "timeout" | "down";
