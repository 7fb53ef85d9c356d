// What the gateway's /metrics adds under SERVICES=1: the supervisor's own figures (restarts,
// which services are up) and every service's own /metrics, each sample labelled with its
// service.
import { Counter, Gauge, Registry } from "prom-client";
import { mergeLabelled } from "../observe/labelled-text.js";

export class ServicesMetrics {
  readonly registry = new Registry();
  readonly restarts: Counter;

  constructor(
    /** Every service, those UPSTREAMS says run elsewhere too. */
    private readonly services: readonly { name: string; url: string }[],
    /** The services this supervisor starts, and whether each listens now. */
    supervised: readonly string[],
    isListening: (name: string) => boolean,
  ) {
    const registers = [this.registry];
    this.restarts = new Counter({
      name: "festlab_service_restarts_total",
      help: "Service processes the supervisor started again after one died (SERVICES=1).",
      labelNames: ["service"],
      registers,
    });
    new Gauge({
      name: "festlab_service_up",
      help: "1 while the service's process is started and listening, 0 while it is down or restarting (SERVICES=1).",
      labelNames: ["service"],
      registers,
      collect() {
        for (const name of supervised) this.set({ service: name }, isListening(name) ? 1 : 0);
      },
    });
  }

  /** The supervisor's figures, then each service's; a service down or slow is left out. */
  async text(): Promise<string> {
    const texts = await Promise.all(
      this.services.map(async ({ name, url }) => {
        try {
          const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) });
          return { labels: { service: name }, text: res.ok ? await res.text() : "" };
        } catch {
          return { labels: { service: name }, text: "" };
        }
      }),
    );
    return `${await this.registry.metrics()}\n${mergeLabelled(texts)}`;
  }
}
