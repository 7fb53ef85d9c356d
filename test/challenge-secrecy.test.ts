// npm test only, not test:quick: it starts all 33 challenge variants, each with traffic.
// While a challenge runs, nothing a client sees without the instructor's view names what it
// broke (src/withheld.ts). For every shipped challenge and every one of its variants:
// start it, send a little traffic with its run id to the routes challenges touch, read every
// page and document a student can (the admin credential included, as a student's own commands
// hold it), and look for the variant's cause in them: its switches, its faults' text and kinds,
// its capacity limit. A switch's name is on some pages anyway (the home page lists every
// switch, a question lists options), so a page may name it no more often than the same page
// does with that switch turned off while the challenge still runs. Then the instructor's view,
// asked for by name, shows it all. (In WORKERS and the services shape: test/challenge-shapes.test.ts.)
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pickVariant } from "../src/challenge/challenges.js";
import { type Challenge, loadChallenges, type Variant } from "../src/challenge/definition.js";
import { projectRoot } from "../src/paths.js";
import { ADMIN } from "./helpers/admin-api.js";
import { send } from "./helpers/fresh-connection.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const CHALLENGES = loadChallenges(join(projectRoot, "challenges"));

/** Fields and series that say which twin ran or which fault acted: never seen while one runs. */
const TELL_TALES = [
  '"ranOn"',
  '"waitedWith"',
  '"modelLoadMs"',
  '"cached"',
  '"resetByFault"',
  '"bug"',
  '"injected"',
  "injected fault",
  '"on":true',
  '"on":false',
  '<strong class="on">on</strong>',
  "festlab_switch_on{",
  "festlab_faults_injected_total{",
  "festlab_digit_predictions_total{",
  "festlab_digit_model_loads_total ",
  "festlab_cpu_pool_tasks_completed_total ",
];

/** A seed that picks each variant of the challenge (the same seed, the same variant). */
function seedsOf(challenge: Challenge): Map<Variant, number> {
  const seeds = new Map<Variant, number>();
  for (let seed = 0; seed < 5_000 && seeds.size < challenge.variants.length; seed++) {
    const variant = pickVariant(challenge, seed);
    if (!seeds.has(variant)) seeds.set(variant, seed);
  }
  return seeds;
}

function occurrences(text: string, word: string): number {
  return text.split(word).length - 1;
}

const PIXELS = JSON.stringify({
  pixels: Array.from({ length: 784 }, (_, i) => ((i * 13) % 256) / 255),
});

/** Runs the tasks, at most `width` at once. */
async function atMost(width: number, tasks: (() => Promise<void>)[]): Promise<void> {
  const queue = [...tasks];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let task = queue.shift(); task !== undefined; task = queue.shift()) await task();
    }),
  );
}

/**
 * What a student's load and browser see: each answer's status, headers and body, by request.
 * Three at a time (each on its own connection): below the smallest capacity limit a variant
 * sets (4 in flight), so no read is refused for the reads beside it.
 */
async function studentView(url: string, runId: string, variant: Variant) {
  const seen = new Map<string, string>();
  const get = async (path: string, headers: Record<string, string> = {}, key = path) => {
    try {
      const answer = await send(`${url}${path}`, { headers: { "X-Run-Id": runId, ...headers } });
      const { date: _date, etag: _etag, ...kept } = answer.headers;
      seen.set(key, `${answer.status} ${JSON.stringify(kept)}\n${answer.body}`);
    } catch {
      seen.set(key, "no answer"); // a reset: nothing to read
    }
  };
  const html = { Accept: "text/html" };
  const json = { Accept: "application/json" };
  const admin = async (path: string, accept = "application/json") => {
    const answer = await request(url).get(path).set(ADMIN).set("Accept", accept);
    seen.set(path, answer.text);
  };
  // Twice in turn: the second prediction is the one a cache would answer.
  const predictions = async () => {
    for (const attempt of ["first", "again"]) {
      try {
        const answer = await send(`${url}/predict`, {
          method: "POST",
          headers: { "X-Run-Id": runId, "Content-Type": "application/json" },
          body: PIXELS,
        });
        seen.set(`POST /predict (${attempt})`, answer.body);
      } catch {
        seen.set(`POST /predict (${attempt})`, "no answer");
      }
    }
  };
  await atMost(3, [
    () => get("/", html, "/ (html)"),
    () => get("/", json, "/ (json)"),
    () => get("/events?user=locust_user", html),
    () => get("/my-events?user=locust_user", html),
    // checkout-crash-process would take this test's process down with the server.
    ...(variant.switches.includes("checkout-crash-process")
      ? []
      : [
          () => get("/checkout?user=locust_user", html, "/checkout (html)"),
          () => get("/checkout?user=locust_user", json, "/checkout (json)"),
        ]),
    () => get("/health"),
    () => get("/cpu?n=20000"),
    () => get("/io?ms=20"),
    () => get("/predict", html),
    predictions,
  ]);
  if (variant.capacity !== undefined) {
    // More at once than the limit lets run: the refusals' 503 bodies too.
    const burst = await Promise.allSettled(
      Array.from({ length: variant.capacity.maxInFlight + 3 }, () =>
        send(`${url}/io?ms=300`, { headers: { "X-Run-Id": runId } }),
      ),
    );
    const bodies = burst.map((a) => (a.status === "fulfilled" ? a.value.body : ""));
    seen.set("/io burst", bodies.join("\n"));
  }
  // After the load: /admin/truth and the live view read what it did.
  await atMost(3, [
    () => admin("/admin", "text/html"),
    () => admin("/admin/challenge"),
    () => admin("/admin/challenges"),
    () => admin("/admin/switches"),
    () => admin("/admin/faults"),
    () => admin("/admin/truth"),
    () => admin(`/admin/truth?run=${runId}`),
    () => admin("/admin/live/events"),
    async () => {
      seen.set("/metrics", (await request(url).get("/metrics")).text);
    },
  ]);
  return seen;
}

describe("while a challenge runs, no answer a client sees without the instructor's view names its cause", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOG_LEVEL: "info" });
    // The live view samples from its first request on: its points are there to read.
    await request(server.url).get("/admin/live/events").set(ADMIN).expect(200);
  });
  afterAll(() => server.stop());

  // A challenge for another shape (slow-service: --services) is refused here; its own lesson
  // test (test/challenge-new-lessons.test.ts) reads its pages and /metrics for its cause.
  const cases = CHALLENGES.filter((challenge) => challenge.shape === undefined).flatMap(
    (challenge) =>
      [...seedsOf(challenge)].map(([variant, seed]) => ({
        challenge,
        variant,
        seed,
        label: `${challenge.name} seed ${seed} (variant ${challenge.variants.indexOf(variant) + 1} of ${challenge.variants.length})`,
      })),
  );

  it("finds a seed for every variant of every shipped challenge", () => {
    for (const challenge of CHALLENGES) {
      expect(seedsOf(challenge).size, challenge.name).toBe(challenge.variants.length);
    }
  });

  it.each(cases)("$label", async ({ challenge, variant, seed }) => {
    const logsBefore = server.logs.length;
    const started = await request(server.url)
      .post("/admin/challenge/start")
      .set(ADMIN)
      .send({ name: challenge.name, seed })
      .expect(200);
    const runId = started.body.runId as string;
    try {
      const student = await studentView(server.url, runId, variant);
      const log = server.logs.slice(logsBefore).join("\n");

      // The same pages with the variant's switches off, the challenge still running (and hiding).
      for (const name of variant.switches) {
        await request(server.url)
          .put(`/admin/switches/${name}`)
          .set(ADMIN)
          .send({ on: false })
          .expect(200);
      }
      const reference = await studentView(server.url, runId, variant);

      for (const [what, text] of student) {
        for (const tell of TELL_TALES) expect(text, `${what} says ${tell}`).not.toContain(tell);
        for (const name of variant.switches) {
          const allowed = occurrences(reference.get(what) ?? "", name);
          expect(occurrences(text, name), `${what} names ${name}`).toBeLessThanOrEqual(allowed);
        }
        for (const rule of faultTexts(variant)) {
          expect(text, `${what} shows the fault ${rule}`).not.toContain(rule);
        }
        for (const kind of faultKinds(variant)) {
          expect(text, `${what} counts ${kind} faults`).not.toMatch(
            new RegExp(`"${kind}":\\d|kind="${kind}"`),
          );
        }
        if (variant.capacity !== undefined) {
          const limit = variant.capacity.maxInFlight;
          expect(text, `${what} shows the limit`).not.toMatch(
            new RegExp(
              `maxInFlight|maxWaiting|\\b${limit} (requests )?in flight|_IN_FLIGHT\\)?=?${limit}\\b`,
            ),
          );
        }
      }
      for (const name of variant.switches) expect(log, `the log names ${name}`).not.toContain(name);
      for (const rule of faultTexts(variant)) expect(log).not.toContain(rule);

      // The instructor's view, asked for by name with the credential, shows the cause.
      const instructor = await request(server.url)
        .get("/admin/challenge?view=instructor")
        .set(ADMIN)
        .expect(200);
      const shown = JSON.stringify(instructor.body.instructor);
      for (const name of variant.switches) expect(shown).toContain(name);
      for (const rule of faultTexts(variant)) expect(shown).toContain(rule);
      if (variant.capacity !== undefined) {
        expect(instructor.body.instructor.capacity).toEqual(variant.capacity);
      }
      if (faultKinds(variant).length > 0) {
        const truth = await request(server.url)
          .get(`/admin/truth?run=${runId}&view=instructor`)
          .set(ADMIN)
          .expect(200);
        for (const route of truth.body.routes) expect(route.faults).toBeDefined();
        expect(truth.body.withheld).toBeUndefined();
      }
    } finally {
      await request(server.url).post("/admin/challenge/stop").set(ADMIN).expect(200);
    }
  });
});

/** The variant's fault rules as written, each alone and all together. */
function faultTexts(variant: Variant): string[] {
  const text = variant.faults.trim();
  if (text === "") return [];
  return [text, ...text.split(";").map((rule) => rule.trim())];
}

/** The request fault kinds the variant sets (a stall is no per-request kind). */
function faultKinds(variant: Variant): string[] {
  return faultTexts(variant)
    .slice(1)
    .map((rule) => /^(error|delay|reset|hang)\b/.exec(rule)?.[1])
    .filter((kind): kind is string => kind !== undefined);
}
