// The gateway's own figures, per upstream: what a student compares with the monolith's
// festlab_http_* to see what the hops cost, and how often a service was down or too slow.
import { performance } from "node:perf_hooks";
import { Counter, Histogram, Registry } from "prom-client";
import { DURATION_BUCKETS } from "../observe/metrics.js";

/** Seconds: the services' own buckets, so the two read side by side, and 30 s, the longest timeout. */
const GATEWAY_BUCKETS = [...DURATION_BUCKETS, 30];

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"upstream" | "status">;
  private readonly duration: Histogram<"upstream">;
  private readonly failures: Counter<"upstream" | "reason">;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "festlab_gateway_requests_total",
      help: "Requests the gateway answered, by the service it sent them to and the status (502: down, 504: too slow).",
      labelNames: ["upstream", "status"],
      registers,
    });
    this.duration = new Histogram({
      name: "festlab_gateway_request_duration_seconds",
      help: "Time from the gateway receiving a request to its answer, by upstream service: the service's time plus the hop.",
      labelNames: ["upstream"],
      buckets: GATEWAY_BUCKETS,
      registers,
    });
    this.failures = new Counter({
      name: "festlab_gateway_upstream_failures_total",
      help: 'Requests a service did not answer: reason "down" (refused or cut: 502) or "timeout" (504).',
      labelNames: ["upstream", "reason"],
      registers,
    });
  }

  /** Call when a request arrives; call what it returns when its answer is done. */
  started(): (upstream: string, status: number) => void {
    const began = performance.now();
    return (upstream, status) => {
      this.requests.inc({ upstream, status: String(status) });
      this.duration.observe({ upstream }, (performance.now() - began) / 1000);
    };
  }

  failed(upstream: string, reason: "down" | "timeout"): void {
    this.failures.inc({ upstream, reason });
  }
}
