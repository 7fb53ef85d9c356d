// Which routes a fault may name: the app's own route patterns, read once from its routers
// after they are built, plus the fast /health. /admin (the switches, the faults and the truth)
// /metrics and /runs are never faulted, so the tools that measure a fault always answer; nor is
// the pages' stylesheet, which the page set-up answers before the fault injector.
import type { Express } from "express";
import { STYLESHEET_PATH } from "../page-style.js";
import { type FaultPlan, FaultSpecError } from "./spec.js";

export interface AppRoute {
  /** The pattern as the router holds it: "/events/:id/register". */
  pattern: string;
  /** Upper case; GET implies HEAD, as Express answers HEAD with a GET route. */
  methods: string[];
}

interface RouterLayer {
  route?: { path?: unknown; methods?: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

export function isNeverFaulted(pattern: string): boolean {
  return (
    pattern === "/metrics" ||
    pattern === "/admin" ||
    pattern.startsWith("/admin/") ||
    // A load tool's question before it starts: has this run id had a load (src/truth/run-check.ts).
    pattern.startsWith("/runs/") ||
    // A fest service's calls from another (src/services/internal.ts): no client sends them.
    pattern.startsWith("/internal/") ||
    // Every page's look (src/page-style.ts), answered ahead of the faults: no lab's route.
    pattern === STYLESHEET_PATH
  );
}

/** The app's routes in the order its routers try them, the never-faulted ones left out. */
export function faultableRoutes(app: Express): AppRoute[] {
  const routes: AppRoute[] = [{ pattern: "/health", methods: ["GET", "HEAD"] }];
  const walk = (stack: RouterLayer[]) => {
    for (const layer of stack) {
      if (layer.route !== undefined && typeof layer.route.path === "string") {
        if (isNeverFaulted(layer.route.path)) continue;
        const methods = Object.keys(layer.route.methods ?? {}).map((m) => m.toUpperCase());
        if (methods.includes("GET")) methods.push("HEAD");
        routes.push({ pattern: layer.route.path, methods });
      } else if (Array.isArray(layer.handle?.stack)) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
  return routes;
}

/** A rule must name a route (and method) the app has: a typo would otherwise fault nothing. */
export function checkTargets(plan: FaultPlan, routes: readonly AppRoute[]): void {
  plan.requests.forEach((rule, index) => {
    const { method, route } = rule;
    const fail = (allowed: string) => new FaultSpecError(index + 1, "target", rule.text, allowed);
    if (route !== undefined && isNeverFaulted(route)) {
      throw fail(
        `${route} is never faulted: /admin, /metrics and /runs must answer while you measure, /internal is one service's call to another, not a client's, and ${STYLESHEET_PATH} is every page's look, no lab's route`,
      );
    }
    const named = routes.filter((r) => route === undefined || r.pattern === route);
    if (named.length === 0) {
      const patterns = [...new Set(routes.map((r) => r.pattern))].join(", ");
      throw fail(`the route pattern ${route} matches no route; the routes are ${patterns}`);
    }
    if (method !== undefined && !named.some((r) => r.methods.includes(method))) {
      throw fail(`no route answers ${method}${route === undefined ? "" : ` ${route}`}`);
    }
  });
}
