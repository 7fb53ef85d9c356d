// The gateway's own figures, per upstream: what a student compares with the monolith's
// festlab_http_* to see what the hops cost, and how often a service was down or too slow.
import { performance } from "node:perf_hooks";
import { Counter, Histogram, Registry } from "prom-client";

/** Seconds, as the services' own histogram, so the two read side by side. */
const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

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
      buckets: DURATION_BUCKETS,
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
