// The services' /metrics texts as one exposition: each sample labelled by its service, each
// metric family's HELP and TYPE once, as Prometheus's text format requires.
import { describe, expect, it } from "vitest";
import { mergeLabelled } from "../src/observe/labelled-text.js";

const text = (count: number) =>
  [
    "# HELP festlab_http_requests_total Requests.",
    "# TYPE festlab_http_requests_total counter",
    `festlab_http_requests_total{route="/events",status="200"} ${count}`,
    "# HELP process_start_time_seconds Start time.",
    "# TYPE process_start_time_seconds gauge",
    `process_start_time_seconds ${count}`,
    "",
  ].join("\n");

describe("merging the services' metrics", () => {
  it("labels every sample with its service and keeps one HELP and TYPE per family", () => {
    const merged = mergeLabelled([
      { labels: { service: "events" }, text: text(3) },
      { labels: { service: "checkout" }, text: text(5) },
      { labels: { service: "accounts" }, text: "" },
    ]);
    expect(merged).toBe(
      [
        "# HELP festlab_http_requests_total Requests.",
        "# TYPE festlab_http_requests_total counter",
        'festlab_http_requests_total{service="events",route="/events",status="200"} 3',
        'festlab_http_requests_total{service="checkout",route="/events",status="200"} 5',
        "# HELP process_start_time_seconds Start time.",
        "# TYPE process_start_time_seconds gauge",
        'process_start_time_seconds{service="events"} 3',
        'process_start_time_seconds{service="checkout"} 5',
        "",
      ].join("\n"),
    );
  });
});
