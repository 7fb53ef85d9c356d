// The verdict on each row of a Locust report, from the two sides' figures alone.
import { describe, expect, it } from "vitest";
import { locustRows } from "../src/truth/locust-csv.js";
import type { RouteReport } from "../src/truth/truth.js";
import { compare, sameRoute } from "../src/truth/verify.js";

const CSV = `Type,Name,Request Count,Failure Count,Median Response Time,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,/events,100,0,12,12,13,14,15,16,18,19,20,22,22,22
GET,/io?ms=200,50,3,200,200,200,200,200,200,210,210,210,210,210,210
GET,/checkout,40,0,300,300,400,400,400,500,600,700,800,800,800,800
GET,/my-events,10,0,5,5,5,5,5,5,5,5,5,5,5,5
,Aggregated,200,3,12,12,13,14,15,16,18,19,20,22,22,22
`;

function server(route: string, requests: number, extra: Partial<RouteReport> = {}): RouteReport {
  return {
    method: "GET",
    route,
    requests,
    statuses: { 200: requests },
    errorAnswers: 0,
    clientLeftFirst: 0,
    faults: { error: 0, delay: 0, reset: 0, hang: 0 },
    bytesSent: 0,
    latencyMs: { answered: requests, p50: 11, p95: 17, p99: 19 },
    ...extra,
  };
}

describe("npm run verify's verdicts", () => {
  const rows = locustRows(CSV);
  const verdicts = compare(rows, [
    server("/events", 100),
    server("/io", 50, { faults: { error: 0, delay: 0, reset: 3, hang: 0 }, statuses: { 200: 47 } }),
    server("/checkout", 40, { latencyMs: { answered: 40, p50: 20, p95: 30, p99: 40 } }),
    server("/my-events", 12, { latencyMs: { answered: 12, p50: 4, p95: 5, p99: 5 } }),
  ]).map((c) => `${c.locust.name}: ${c.verdict}`);

  it("explains each difference in a word", () => {
    expect(verdicts).toEqual([
      "/events: match",
      "/io?ms=200: the server reset these",
      "/checkout: queued before the server read them",
      "/my-events: other clients",
    ]);
  });

  it("matches Locust's names to route patterns", () => {
    expect(sameRoute("/events/[id]/register", "/events/:id/register")).toBe(true);
    expect(sameRoute("/events/5/register", "/events/:id/register")).toBe(true);
    expect(sameRoute("/io?ms=200", "/io")).toBe(true);
    expect(sameRoute("/events", "/my-events")).toBe(false);
  });

  it("matches a name that says its method or a label (predict.py's) to its route", () => {
    expect(sameRoute("GET /predict", "/predict", "GET")).toBe(true);
    expect(sameRoute("POST /predict (JSON)", "/predict", "POST")).toBe(true);
    expect(sameRoute("POST /predict (PNG)", "/predict", "POST")).toBe(true);
    expect(sameRoute("GET /predict", "/predict", "POST")).toBe(false);
    expect(sameRoute("POST /predict (JSON)", "/predict/x", "POST")).toBe(false);
  });

  it("says a failure the server did not make was never seen by it, and more requests on the server other clients", () => {
    const [lost, reset, queued] = compare(
      locustRows(`Type,Name,Request Count,Failure Count,Median Response Time,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,/events,100,5,12,12,13,14,15,16,18,19,20,22,22,22
GET,/my-events,100,5,12,12,13,14,15,16,18,19,20,22,22,22
GET,/health,100,0,300,300,300,300,300,300,300,300,300,300,300,300
`),
      [
        server("/events", 96, { statuses: { 200: 95, 500: 1 }, errorAnswers: 1 }),
        server("/my-events", 100, {
          faults: { error: 0, delay: 0, reset: 2, hang: 3 },
          statuses: { 200: 95 },
        }),
        server("/health", 100, { latencyMs: { answered: 100, p50: 1, p95: 2, p99: 3 } }),
      ],
    ).map((c) => c.verdict);
    // 4 requests never reached the server: the network's, whatever the server failed itself.
    expect(lost).toBe("the server never saw these");
    // Every failure is a connection the server reset or left hanging: the server's own doing.
    expect(reset).toBe("the server reset these");
    // The server answered /health in 3 ms; the rest of Locust's 300 ms was before its clock.
    expect(queued).toBe("queued before the server read them");
  });

  it("refuses a file that is not a Locust stats CSV, naming the column", () => {
    expect(() => locustRows("a,b\n1,2\n")).toThrow(/column "Request Count" is missing/);
  });
});
