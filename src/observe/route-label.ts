import type { IncomingMessage } from "node:http";
import { isHealthRequest } from "../bench/health.js";

/**
 * The route pattern ("/events/:id/register"), never the raw URL: one time series per URL
 * would grow without bound. Express has set req.route on this same request object by the
 * time the answer is sent; the fast /health never reaches Express.
 */
export function routeLabel(req: IncomingMessage): string {
  const { route, baseUrl } = req as IncomingMessage & {
    route?: { path?: unknown };
    baseUrl?: string;
  };
  if (typeof route?.path === "string") return (baseUrl ?? "") + route.path;
  if (isHealthRequest(req)) return "/health";
  return "unmatched";
}
