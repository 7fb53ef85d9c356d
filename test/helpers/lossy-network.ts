// was-it-the-network as its tests play it: the seeds of its two kinds of variant, one request
// through the network with its status (or none), and the server's own counts for a run.
import { request as httpRequest } from "node:http";
import { expect } from "vitest";
import type { TruthReport } from "../../src/truth/truth.js";

/**
 * Seeds of was-it-the-network: 2 the server resets 6 % (the network delays a quarter), 4 the
 * network resets 5 % (and delays a quarter) in front of a server that drops nothing.
 */
export const SERVER_SEED = 2;
export const NETWORK_SEED = 4;

/** No answer at all (a reset, a close) is undefined; otherwise the status. */
export function statusThrough(url: string, runId: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = httpRequest(
      `${url}/events?user=locust_user`,
      { agent: false, headers: { "X-Run-Id": runId }, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
        res.on("error", () => resolve(undefined));
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer within 10 s")));
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

/** The requests the server counted for the run, and how many of them it answered with no status. */
export function serverCounts(truth: TruthReport) {
  const requests = truth.routes.reduce((n, r) => n + r.requests, 0);
  const answered = truth.routes.reduce(
    (n, r) => n + Object.values(r.statuses).reduce((a, b) => a + b, 0),
    0,
  );
  return { requests, unanswered: requests - answered };
}

type AdminJson = (method: string, path: string, body?: unknown) => Promise<Record<string, string>>;

/** Starts the seed's variant; the run id and the network's address from the load command. */
export async function startNetworkChallenge(adminJson: AdminJson, serverUrl: string, seed: number) {
  const state = await adminJson("POST", "/admin/challenge/start", {
    name: "was-it-the-network",
    seed,
  });
  const host = /--host (http:\/\/127\.0\.0\.1:\d+) /.exec(state.load ?? "")?.[1];
  expect(host, state.load).toBeDefined();
  expect(host).not.toBe(serverUrl);
  expect(state.brief).toContain(host);
  return { runId: state.runId as string, host: host as string };
}
