// How checkout calls events, against a stand-in events on 127.0.0.1 that fails every call:
// how many calls one /checkout makes with checkout-retry-storm and with the fix, and that an
// open circuit stops the calls altogether.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HttpError } from "../src/http-errors.js";
import { EventsCaller, FIX_RETRIES, STORM_RETRIES } from "../src/services/events-caller.js";
import { ServiceClient } from "../src/services/internal.js";
import { Switches } from "../src/switches.js";

describe("checkout's calls to a failing events", () => {
  let events: Server;
  let client: ServiceClient;
  let calls = 0;

  beforeAll(async () => {
    // Overloaded: every call is refused at once with 503.
    events = createServer((_req, res) => {
      calls++;
      res.writeHead(503).end();
    });
    events.listen(0, "127.0.0.1");
    await once(events, "listening");
    const { port } = events.address() as AddressInfo;
    client = new ServiceClient("events", `http://127.0.0.1:${port}`, "secret");
  });
  beforeEach(() => {
    calls = 0;
  });
  afterAll(() => {
    events.close();
  });

  const failure = async (caller: EventsCaller) => {
    const error = await caller.checkout("locust_user").then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  };

  it("checkout-retry-storm: one /checkout calls events eleven times, at once", async () => {
    const caller = new EventsCaller(client, new Switches(["checkout-retry-storm"]));
    const error = await failure(caller);
    expect(error.status).toBe(502);
    expect(error.details).toMatchObject({ service: "events", attempts: 1 + STORM_RETRIES });
    expect(calls).toBe(1 + STORM_RETRIES);
    // No breaker: the next /checkout storms again.
    await failure(caller);
    expect(calls).toBe(2 * (1 + STORM_RETRIES));
  });

  it("the fix: three calls at most, then an open circuit makes none", async () => {
    const caller = new EventsCaller(client, new Switches());
    const first = await failure(caller);
    expect(first.status).toBe(502);
    expect(first.details.attempts).toBe(1 + FIX_RETRIES);
    expect(calls).toBe(1 + FIX_RETRIES);

    let open: HttpError | undefined;
    for (let page = 0; page < 5 && open === undefined; page++) {
      const error = await failure(caller);
      if (error.status === 503) open = error;
    }
    expect(open?.details).toMatchObject({ service: "events", circuit: "open" });
    expect(open?.headers["retry-after"]).toBe("5");
    const before = calls;
    expect((await failure(caller)).status).toBe(503);
    expect(calls, "an open circuit calls nobody").toBe(before);
  });

  it("a healthy events is called once", async () => {
    const healthy = createServer((_req, res) => {
      calls++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ user: { id: 1 }, lines: [], totalRupees: 0 }));
    });
    healthy.listen(0, "127.0.0.1");
    await once(healthy, "listening");
    try {
      const { port } = healthy.address() as AddressInfo;
      const caller = new EventsCaller(
        new ServiceClient("events", `http://127.0.0.1:${port}`, "secret"),
        new Switches(["checkout-retry-storm"]),
      );
      expect(await caller.checkout("locust_user")).toMatchObject({ found: true });
      expect(calls).toBe(1);
    } finally {
      healthy.close();
    }
  });
});
