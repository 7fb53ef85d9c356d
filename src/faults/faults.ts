// The faults a server injects now: the rules set at start (FAULTS), replaced live from the
// admin page or API, and the decision for each request. One object per server, passed in.
import { performance } from "node:perf_hooks";
import { drawFor, hashText } from "./draw.js";
import {
  type FaultPlan,
  NO_FAULTS,
  planText,
  type RequestFault,
  type RequestFaultKind,
  type StallFault,
} from "./spec.js";
import { type AppRoute, checkTargets } from "./targets.js";

/** What the faults tell whoever keeps count (the ground truth). */
export interface FaultCounter {
  countStall(): void;
}

export type FaultListener = (text: string, by: string) => void;

/** The faults drawn for one request: an added delay, then at most one way to end it. */
export interface Decision {
  delay: Extract<RequestFault, { kind: "delay" }> | undefined;
  delayDraw: () => number;
  end: Exclude<RequestFault, { kind: "delay" }> | undefined;
}

export class Faults {
  private current: FaultPlan = NO_FAULTS;
  private routes: readonly AppRoute[] | undefined;
  /** Requests decided per "METHOD /pattern" since the faults were last set. */
  private readonly numbers = new Map<string, number>();
  private readonly listeners: FaultListener[] = [];
  private stallTimer: NodeJS.Timeout | undefined;
  /** Set while a challenge runs: the admin page and API (without the token) say this instead. */
  hiddenBecause: string | undefined;

  constructor(
    plan: FaultPlan,
    /** FAULT_SEED: the same seed gives the same requests the same faults. */
    readonly seed: number,
    /** FAULT_HEADERS: whether X-Fault-* request headers are obeyed. */
    readonly headersAllowed: boolean,
    private readonly counter: FaultCounter,
  ) {
    this.current = plan;
  }

  get plan(): FaultPlan {
    return this.current;
  }

  get text(): string {
    return planText(this.current);
  }

  /** True when any request may be faulted: the cheap test every request makes first. */
  get active(): boolean {
    return this.current.requests.length > 0;
  }

  /**
   * The app's routes, once built: checks the start-up rules and starts any stall. With
   * checkRules false the rules are checked where the group's admin answers (the labs service,
   * whose routes are every service's): a fest service follows rules naming others' routes.
   */
  useRoutes(routes: readonly AppRoute[], { checkRules = true } = {}): void {
    if (checkRules) {
      checkTargets(this.current, routes);
      this.routes = routes;
    }
    this.startStall(this.current.stall);
  }

  knownRoutes(): readonly AppRoute[] {
    return this.routes ?? [];
  }

  /** Replaces every rule; request numbers start again at 1, so a run can be replayed. */
  set(plan: FaultPlan, by: string): void {
    if (this.routes !== undefined) checkTargets(plan, this.routes);
    this.current = plan;
    this.numbers.clear();
    this.startStall(plan.stall);
    for (const listener of this.listeners) listener(this.text, by);
  }

  onChange(listener: FaultListener): void {
    this.listeners.push(listener);
  }

  stop(): void {
    clearInterval(this.stallTimer);
    this.stallTimer = undefined;
  }

  /**
   * Draws this request's faults: each rule that names its method and route is tried in order,
   * with a number that depends only on the seed, the route, the request's number on that
   * route and the rule. `extra` are the rules a request's own headers asked for.
   */
  decide(method: string, pattern: string, extra: readonly RequestFault[] = []): Decision {
    const key = `${method} ${pattern}`;
    const n = (this.numbers.get(key) ?? 0) + 1;
    this.numbers.set(key, n);
    const routeKey = hashText(key);
    const decision: Decision = { delay: undefined, delayDraw: Math.random, end: undefined };
    for (const rule of [...this.current.requests, ...extra]) {
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.route !== undefined && rule.route !== pattern) continue;
      const random = drawFor(this.seed, routeKey, n, hashText(rule.text));
      if (random() >= rule.rate) continue;
      if (rule.kind === "delay") {
        if (decision.delay === undefined) {
          decision.delay = rule;
          decision.delayDraw = random;
        }
      } else if (decision.end === undefined) {
        decision.end = rule;
      }
    }
    return decision;
  }

  /** True when some rule could apply to a request to this pattern (any method). */
  mayFault(pattern: string): boolean {
    return this.current.requests.some((rule) => rule.route === undefined || rule.route === pattern);
  }

  private startStall(stall: StallFault | undefined): void {
    this.stop();
    if (stall === undefined) return;
    // A long GC pause, made on purpose: nothing else runs on the event loop while it lasts.
    this.stallTimer = setInterval(() => {
      const until = performance.now() + stall.freezeMs;
      while (performance.now() < until) {
        // busy on purpose
      }
      this.counter.countStall();
    }, stall.everyMs);
    this.stallTimer.unref();
  }
}

export type { RequestFaultKind };
