// The fest lab's switches: the crash inside the request, the slow twins that answer the
// same content, and how MODE and BUGGY set them.
import request from "supertest";
import { describe, expect, it } from "vitest";
import { GENERATED_USER_PASSWORD } from "../src/fest/seed.js";
import { NAIVE_SWITCHES, SWITCH_NAMES } from "../src/switches.js";
import { serverForTests, withSwitch } from "./helpers/server.js";

const json = { Accept: "application/json" };

describe("checkout-crash (BUGGY=1)", () => {
  const server = serverForTests({ BUGGY: "1" });

  it("BUGGY=1 switches checkout-crash on and nothing else", () => {
    expect(server().switches.enabled()).toEqual(["checkout-crash"]);
  });

  it("/checkout is a 500 page that names the bug and shows its stack", async () => {
    const res = await request(server().url).get("/checkout");
    expect(res.status).toBe(500);
    expect(res.text).toContain("checkout-crash");
    expect(res.text).toContain("switched on on purpose");
    expect(res.text).toContain("ZeroDivisionError");
    expect(res.text).toMatch(/at .*checkout\.(ts|js):\d+/);
  });

  it("the JSON answer names the bug too", async () => {
    const res = await request(server().url).get("/checkout").set(json);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({
      bug: "checkout-crash",
      error: expect.stringContaining("division by zero"),
    });
  });

  it("the stack goes to the server log", async () => {
    await request(server().url).get("/checkout");
    expect(
      server().logs.some(
        (l) =>
          l.startsWith("ERROR:") &&
          l.includes("switch checkout-crash is on") &&
          l.includes("checkoutFor"),
      ),
    ).toBe(true);
  });

  it("every other route stays fine while checkout crashes", async () => {
    for (const path of [
      "/events?user=locust_user",
      "/my-events?user=locust_user",
      "/health",
      "/",
    ]) {
      const res = await request(server().url).get(path);
      expect(res.status, path).toBe(200);
    }
  });

  it("switching it off mends checkout for the next request", async () => {
    const res = await withSwitch(server(), "checkout-crash", false, () =>
      request(server().url).get("/checkout"),
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain("Total Payable");
    expect(server().logs.some((l) => l.includes("switch checkout-crash turned off by test"))).toBe(
      true,
    );
  });
});

describe("naive and optimized answers are identical in content", () => {
  const naive = serverForTests({ MODE: "naive" });
  const optimized = serverForTests({ MODE: "optimized" });

  it("MODE=naive switches on every slow twin and no crash", () => {
    // Which switches are slow twins is said once, in src/switches.ts; here, that MODE reaches them.
    expect(naive().switches.enabled()).toEqual([...NAIVE_SWITCHES]);
    for (const crash of SWITCH_NAMES.filter((name) => name.includes("crash"))) {
      expect(naive().switches.isOn(crash), crash).toBe(false);
    }
    expect(optimized().switches.enabled()).toEqual([]);
  });

  for (const path of [
    "/events?user=locust_user",
    "/events",
    "/my-events?user=locust_user",
    "/checkout",
    "/checkout?user=user0007",
    "/my-events?user=user0007",
  ]) {
    it(`${path} answers the same JSON and HTML in both modes`, async () => {
      const [a, b] = await Promise.all([
        request(naive().url).get(path).set(json),
        request(optimized().url).get(path).set(json),
      ]);
      expect(a.status).toBe(200);
      expect(a.body).toEqual(b.body);
      const [htmlA, htmlB] = await Promise.all([
        request(naive().url).get(path),
        request(optimized().url).get(path),
      ]);
      const strip = (html: string) => html.replace(/<p class="mode">.*?<\/p>/s, "");
      expect(strip(htmlA.text)).toBe(strip(htmlB.text));
    });
  }

  it("after registrations the counts still agree in both modes", async () => {
    for (const server of [naive(), optimized()]) {
      const user = request.agent(server.url);
      await user
        .post("/login")
        .set(json)
        .send({ username: "user0011", password: GENERATED_USER_PASSWORD })
        .expect(200);
      for (const eventId of [3, 5]) {
        const res = await user.post(`/events/${eventId}/register`).set(json);
        expect([200, 201]).toContain(res.status);
      }
    }
    const [a, b] = await Promise.all([
      request(naive().url).get("/events?user=user0011").set(json),
      request(optimized().url).get("/events?user=user0011").set(json),
    ]);
    expect(a.body).toEqual(b.body);
  });
});

describe("BUGS names behaviours one by one", () => {
  const server = serverForTests({ BUGS: "events-slow-loop, checkout-slow-loop" });

  it("only the named ones are on, and the pages still answer", async () => {
    expect(server().switches.enabled()).toEqual(["checkout-slow-loop", "events-slow-loop"]);
    expect((await request(server().url).get("/events?user=locust_user")).status).toBe(200);
    expect((await request(server().url).get("/checkout")).text).toContain("Total Payable");
  });
});
