// Every lab one click from the home page, in a real browser (Debian's chromium): each link of
// the navigation bar and of the labs' cards is clicked from the home page, and the page it
// opens must be that lab's, answered 200. The admin pages need the token, which the browser
// sends as a header, as a script would.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openChromium } from "./helpers/chromium.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const TOKEN = "test-admin-token";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ ADMIN_TOKEN: TOKEN });
});
afterAll(async () => {
  await server?.stop();
});

/** A link (its container, its href) and a piece of the page it must open. */
const LINKS: [string, string, string][] = [
  ["nav.labs", "/events", "data-event-id"],
  ["nav.labs", "/my-events", "My events"],
  ["nav.labs", "/checkout", "Total Payable"],
  ["nav.labs", "/api/id/tt0068646", "The Godfather"],
  ["nav.labs", "/predict", "Draw a digit"],
  ["nav.labs", "/health", '"status":"ok"'],
  ["nav.labs", "/io?ms=200", '"waitedMs":200'],
  ["nav.labs", "/cpu?n=350000", '"checksum"'],
  ["nav.labs", "/admin#challenge", 'id="challenge"'],
  ["nav.labs", "/admin", 'id="switches"'],
  ["nav.labs", "/metrics", "festlab_http_request_duration_seconds"],
  ["#lab-fest", "/events?user=locust_user", "data-event-id"],
  ["#lab-fest", "/my-events?user=locust_user", "data-event-id"],
  ["#lab-fest", "/login", 'action="/login"'],
  ["#lab-fest", "/signup", 'action="/signup"'],
  ["#lab-bench", "/health", '"status":"ok"'],
  ["#lab-bench", "/cpu?n=350000", '"primes"'],
  ["#lab-catalogue", "/api/id/tt0068646", "The Godfather"],
  ["#lab-catalogue", "/api/title/The%20godfather/1972", "The Godfather"],
  ["#lab-catalogue", "/status", '"lab":"catalogue"'],
  ["#lab-digits", "/predict", "Draw a digit"],
  ["#lab-faults", "/admin#faults", 'id="faults-text"'],
  ["#lab-faults", "/admin/truth", '"routes"'],
  ["#lab-challenges", "/admin#challenge", "Challenges"],
  ["#lab-measuring", "/metrics", "festlab_"],
];

/** Tabs that click links at once. */
const TABS = 3;

async function clickFromHome(page: Page, container: string, href: string) {
  await page.goto(`${server.url}/`);
  const link = page.locator(`${container} a[href="${href}"]`);
  expect(await link.count(), `${container} links ${href}`).toBe(1);
  const [response] = await Promise.all([page.waitForNavigation(), link.click()]);
  return { status: response?.status(), body: await page.content(), url: page.url() };
}

describe("the home page in Chromium", () => {
  it("reaches every lab in one click, from the navigation bar and from each lab's card", async (context) => {
    const { browser, close } = await openChromium((why) => context.skip(why));
    try {
      await browser.setExtraHTTPHeaders({ authorization: `Bearer ${TOKEN}` });
      const errors: string[] = [];
      const newPage = async () => {
        const page = await browser.newPage();
        page.on("pageerror", (error) => errors.push(error.message));
        return page;
      };
      // A few tabs click their share of the links at once: each click is mostly the browser
      // waiting for two pages from the server.
      const tabs = await Promise.all(Array.from({ length: TABS }, newPage));
      await Promise.all(
        tabs.map(async (tab, t) => {
          for (const [container, href, shows] of LINKS.filter((_, i) => i % TABS === t)) {
            const opened = await clickFromHome(tab, container, href);
            expect(opened.status, `${container} ${href}`).toBe(200);
            expect(opened.url).toBe(`${server.url}${href}`);
            expect(opened.body, `${container} ${href}`).toContain(shows);
          }
        }),
      );
      const page = tabs[0] ?? (await newPage());
      // Every card of the home page is one of the labs above, each with its switches and lesson.
      await page.goto(`${server.url}/`);
      // The look comes from /layout.css: the header is the brand's blue only if it loaded.
      const headerColour = await page
        .locator("header")
        .evaluate(
          (header) => header.ownerDocument.defaultView?.getComputedStyle(header).backgroundColor,
        );
      expect(headerColour).toBe("rgb(40, 53, 147)");
      const cards = await page.locator("section.lab").evaluateAll((sections) =>
        sections.map((s) => ({
          id: s.id,
          switches: s.querySelectorAll(".switches code").length,
          lesson: s.querySelector(".lesson")?.textContent ?? "",
        })),
      );
      expect(cards.map((c) => c.id)).toEqual([
        "lab-fest",
        "lab-bench",
        "lab-catalogue",
        "lab-digits",
        "lab-services",
        "lab-faults",
        "lab-challenges",
        "lab-measuring",
      ]);
      for (const card of cards) expect(card.lesson, card.id).toMatch(/docs\/[a-z-]+\.md/);
      const switchesOnCards = cards.reduce((sum, c) => sum + c.switches, 0);
      const listed = (
        (await await fetch(`${server.url}/admin/switches`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        }).then((r) => r.json())) as { switches: unknown[] }
      ).switches.length;
      expect(switchesOnCards).toBe(listed);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);
});

describe("the home page while a challenge runs", () => {
  it("lists every lab's switches but marks none of them on", async () => {
    const started = await fetch(`${server.url}/admin/challenge/start`, {
      method: "POST",
      headers: { ...{ authorization: `Bearer ${TOKEN}` }, "content-type": "application/json" },
      body: JSON.stringify({ name: "slow-listing", seed: 1 }),
    });
    expect(started.status).toBe(200);
    try {
      const home = await (await fetch(`${server.url}/`)).text();
      expect(home).toContain("<code>events-slow-loop</code>");
      expect(home).not.toContain('class="on"');
    } finally {
      const stopped = await fetch(`${server.url}/admin/challenge/stop`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(stopped.status).toBe(200);
    }
    // With no challenge, a switch that is on is marked on its card.
    server.switches.set("events-slow-loop", true);
    try {
      const home = await (await fetch(`${server.url}/`)).text();
      expect(home).toMatch(/<code>events-slow-loop<\/code><\/a> <strong class="on">on<\/strong>/);
    } finally {
      server.switches.set("events-slow-loop", false);
    }
  });
});
