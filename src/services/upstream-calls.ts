// festlab_upstream_calls_total: every call one fest service makes to another, by the service
// called and how the call ended. Counted where the call is made, so a retry is a call: the
// gateway's /metrics shows it under the calling service (service="checkout"), and calls per
// /checkout is this count over the /checkout requests. That ratio is 1 when the services are
// healthy and 1 + the retries during a retry storm (checkout-retry-storm).
import { Counter, type Registry } from "prom-client";
import type { CallOutcome, ServiceClient } from "./internal.js";

const NAME = "festlab_upstream_calls_total";

/** `client`, counted on `registry` (one counter a registry, whichever clients share it). */
export function countedCalls(client: ServiceClient, registry: Registry): ServiceClient {
  const counter =
    (registry.getSingleMetric(NAME) as Counter<"upstream" | "outcome"> | undefined) ??
    new Counter({
      name: NAME,
      help: 'Calls this service made to another (retries included), by the service called and how each ended: "answered", "not-found", "failed" (an error status), "timeout", "down".',
      labelNames: ["upstream", "outcome"],
      registers: [registry],
    });
  return client.observed((outcome: CallOutcome) => counter.inc({ upstream: client.name, outcome }));
}
