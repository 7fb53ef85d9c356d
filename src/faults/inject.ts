// Where faults act on a request. Express finds the route; a small router mounted first in the
// app mirrors every faultable route (same patterns, same methods, same order), so the fault
// decision is keyed by the route pattern Express itself matches, and runs before any route
// reads or writes data: an injected error before a registration writes nothing. The fast
// /health, answered before Express, is checked by withHealthFaults with the pattern "/health".
import {
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import { type RequestHandler, Router } from "express";
import { isHealthRequest } from "../bench/health.js";
import { answerAndClose } from "../connection/answer.js";
import { HttpError } from "../http-errors.js";
import { askGatewayToDrop, tellGatewayItWaits } from "./behind-gateway.js";
import { delayMs } from "./draw.js";
import type { Decision, Faults } from "./faults.js";
import { type FaultSpecError, MAX_DELAY_MS, parseFaults, type RequestFault } from "./spec.js";
import type { AppRoute } from "./targets.js";

/** What the injector tells the ground truth about each request it touched. */
export interface FaultMarks {
  markFault(res: ServerResponse, kind: RequestFault["kind"], route: string): void;
  countIgnoredHeaders(): void;
}

const ERROR_HEADER = "x-fault-error";
const DELAY_HEADER = "x-fault-delay";

export class FaultInjector {
  private router: Router | undefined;

  constructor(
    private readonly faults: Faults,
    private readonly marks: FaultMarks,
    /** Under --services: the client's connection is the gateway's to reset, close or keep waiting. */
    private readonly behindGateway = false,
  ) {}

  /** Mounted first in the app; does nothing until the routes are known (useRoutes). */
  readonly expressHandler: RequestHandler = (req, res, next) => {
    // Ignored headers were counted already, by withHealthFaults, which every request passes.
    if (this.router === undefined || !this.worthChecking(req, false)) {
      next();
      return;
    }
    this.router(req, res, next);
  };

  /** The mirror router: one handler per faultable route, in the app's order. */
  useRoutes(routes: readonly AppRoute[]): void {
    const router = Router();
    for (const { pattern, methods } of routes) {
      if (pattern === "/health") continue; // answered before Express: withHealthFaults
      for (const method of methods) {
        if (method === "HEAD") continue; // a GET route matches HEAD too
        const handler: RequestHandler = (req, res, next) =>
          // "router" leaves the mirror router: one decision a request, then the app's own route.
          this.apply(req, res, pattern, (error) => next(error ?? "router"));
        router[method.toLowerCase() as "get"](pattern, handler);
      }
    }
    this.router = router;
  }

  /** For the fast /health: the same decision, keyed "/health", at a boolean's cost when idle. */
  withHealthFaults(next: RequestListener): RequestListener {
    return (req, res) => {
      if (!this.worthChecking(req, true) || !isHealthRequest(req)) {
        next(req, res);
        return;
      }
      this.apply(req, res, "/health", (error) => {
        if (error === undefined) next(req, res);
        else answerAndClose(req, res, error.status, { error: error.message, ...error.details });
      });
    };
  }

  /** Any rule set, headers obeyed, or a fault header to count as ignored. */
  private worthChecking(req: IncomingMessage, countIgnored: boolean): boolean {
    if (this.faults.active || this.faults.headersAllowed) return true;
    if (
      countIgnored &&
      (req.headers[ERROR_HEADER] !== undefined || req.headers[DELAY_HEADER] !== undefined)
    ) {
      this.marks.countIgnoredHeaders();
    }
    return false;
  }

  private apply(
    req: IncomingMessage,
    res: ServerResponse,
    pattern: string,
    proceed: (error?: HttpError) => void,
  ): void {
    let fromHeaders: RequestFault[];
    try {
      fromHeaders = this.faults.headersAllowed ? headerFaults(req) : [];
    } catch (error) {
      proceed(error as HttpError);
      return;
    }
    if (fromHeaders.length === 0 && !this.faults.mayFault(pattern)) {
      proceed();
      return;
    }
    const decision = this.faults.decide(req.method ?? "GET", pattern, fromHeaders);
    if (decision.delay === undefined) {
      this.end(req, res, pattern, decision, proceed);
      return;
    }
    this.marks.markFault(res, "delay", pattern);
    if (this.behindGateway) tellGatewayItWaits(res);
    const ms = delayMs(decision.delay.delay, decision.delayDraw, MAX_DELAY_MS);
    const timer = setTimeout(() => {
      // A client that left during the delay gets nothing run on its behalf.
      if (!res.destroyed) this.end(req, res, pattern, decision, proceed);
    }, ms);
    res.once("close", () => clearTimeout(timer));
  }

  private end(
    req: IncomingMessage,
    res: ServerResponse,
    pattern: string,
    { end }: Decision,
    proceed: (error?: HttpError) => void,
  ): void {
    if (end === undefined) {
      proceed();
      return;
    }
    this.marks.markFault(res, end.kind, pattern);
    if (end.kind === "error") {
      // While a challenge runs the rule is its secret: the status alone is what a student measures.
      const body = JSON.stringify(
        this.faults.hiddenBecause === undefined
          ? {
              error: `injected fault: ${end.text} (see GET /admin/faults)`,
              injected: true,
              status: end.status,
            }
          : { error: STATUS_CODES[end.status] ?? "error", status: end.status },
      );
      res.writeHead(end.status, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(body),
        "cache-control": "no-store",
      });
      res.end(body);
    } else if (end.kind === "reset") {
      // A TCP RST, not a polite FIN: what a crashed proxy or a dropped NAT entry looks like.
      if (this.behindGateway) askGatewayToDrop(res, "reset");
      else req.socket.resetAndDestroy();
    } else {
      // hang: say nothing; the client gives up first, or the cap ends the connection.
      if (this.behindGateway) tellGatewayItWaits(res);
      const timer = setTimeout(() => {
        if (this.behindGateway) askGatewayToDrop(res, "close");
        else req.socket.destroy();
      }, end.hangMs);
      timer.unref();
      res.once("close", () => clearTimeout(timer));
    }
  }
}

/**
 * FAULT_HEADERS=1 only: `X-Fault-Error: 503` or `503@10%`, `X-Fault-Delay: 200ms@50%` or
 * `p50=50ms,p99=400ms`. Written like a rule's argument and rate, for this one request.
 */
function headerFaults(req: IncomingMessage): RequestFault[] {
  const rules: RequestFault[] = [];
  for (const [header, kind] of [
    [ERROR_HEADER, "error"],
    [DELAY_HEADER, "delay"],
  ] as const) {
    const value = req.headers[header];
    if (typeof value !== "string") continue;
    const rated = value.includes("@") ? value : `${value}@100%`;
    try {
      rules.push(...parseFaults(`${kind}:${rated}:*`).requests);
    } catch (error) {
      const problem = error as FaultSpecError;
      const name = header === ERROR_HEADER ? "X-Fault-Error" : "X-Fault-Delay";
      throw new HttpError(400, `${name}: ${problem.field}: ${problem.allowed}`, {
        parameter: name,
        allowed:
          header === ERROR_HEADER
            ? "a status 400-599, optionally @RATE%: 503@10%"
            : "200ms, 1.5s or p50=50ms,p99=400ms, optionally @RATE%",
      });
    }
  }
  return rules;
}
