// The catalogue lab: the seed lab's three requests, bad input named, the two switches giving
// the same answers, and the slow twins slow for the reason in their names (what they read and
// score, never a time).
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_MOVIES_SQL, TITLE_SCAN_SQL } from "../src/catalogue/naive.js";
import { SIMILAR_LIST_SQL, TITLE_LOOKUP_SQL } from "../src/catalogue/queries.js";
import { seededDatabaseForTests } from "./helpers/process.js";
import { SMALL_SEED, serverForTests, startTestServer, type TestServer } from "./helpers/server.js";

/** Enough movies that The Godfather has ten similar ones, few enough to seed at once. */
const MOVIES = 3000;
const SIZE = { ...SMALL_SEED, movies: MOVIES };
const json = { Accept: "application/json" };
// Every server here reads the catalogue only: one database, seeded once, for all of them.
const DB_PATH = seededDatabaseForTests("fest-lab-catalogue-", SIZE);

describe("the catalogue's requests (optimized)", () => {
  const server = serverForTests({ DB_PATH });

  it("GET /status is small JSON with the catalogue's size and the mode", async () => {
    const res = await request(server().url).get("/status");
    expect(res.status).toBe(200);
    expect(res.type).toBe("application/json");
    expect(res.body).toEqual({ status: "ok", lab: "catalogue", movies: MOVIES, mode: "optimized" });
  });

  it("GET /api/id/tt0068646 answers The Godfather and its 10 most similar movies, as JSON without asking", async () => {
    // The seed lab's locustfile sends no Accept header: requests' default is */*.
    const res = await request(server().url).get("/api/id/tt0068646").set("Accept", "*/*");
    expect(res.status).toBe(200);
    expect(res.type).toBe("application/json");
    expect(res.body.movie).toMatchObject({ id: "tt0068646", title: "The Godfather", year: 1972 });
    expect(res.body.movie.genres).toEqual(["Crime", "Drama"]);
    expect(res.body.similar).toHaveLength(10);
    expect(res.body.similarFrom).toBe("precomputed");
    expect(res.body.moviesScored).toBe(0);
    const scores = res.body.similar.map((movie: { score: number }) => movie.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const similar of res.body.similar) {
      expect(similar.id).not.toBe("tt0068646");
      expect(similar.score).toBeGreaterThan(0);
      expect(similar.score).toBeLessThanOrEqual(1);
      // Why: at least one shared keyword, each one really in both movies.
      expect(similar.shared.keywords.length).toBeGreaterThan(0);
      for (const keyword of similar.shared.keywords) {
        expect(res.body.movie.keywords).toContain(keyword);
        expect(similar.keywords).toContain(keyword);
      }
    }
  });

  it("GET /api/title/The godfather/1972 finds the same movie by title in any case, with the same list", async () => {
    const byId = await request(server().url).get("/api/id/tt0068646");
    for (const path of [
      "/api/title/The%20godfather/1972",
      "/api/title/THE%20GODFATHER/1972",
      "/api/title/the%20godfather/1972",
    ]) {
      const res = await request(server().url).get(path);
      expect(res.status, path).toBe(200);
      expect(res.body, path).toEqual(byId.body);
    }
  });

  it("a title that repeats across years answers the movie of the year asked for", async () => {
    const old = await request(server().url).get("/api/title/dune/1984");
    const remake = await request(server().url).get("/api/title/Dune/2021");
    expect(old.body.movie).toMatchObject({ id: "tt0087182", year: 1984 });
    expect(remake.body.movie).toMatchObject({ id: "tt1160419", year: 2021 });
    const repeated = server()
      .db.prepare(
        "SELECT COUNT(*) AS n FROM (SELECT title FROM movies GROUP BY title HAVING COUNT(DISTINCT year) > 1)",
      )
      .get() as { n: number };
    expect(repeated.n).toBeGreaterThan(10);
  });

  it("a browser asking for HTML gets a page with the movie and its 10 similar movies", async () => {
    const res = await request(server().url)
      .get("/api/id/tt0068646")
      .set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
    expect(res.status).toBe(200);
    expect(res.type).toBe("text/html");
    expect(res.text).toContain("The Godfather (1972)");
    expect(res.text.match(/data-movie-id=/g)).toHaveLength(10);
  });

  it("the catalogue's routes appear in /metrics by their patterns", async () => {
    await request(server().url).get("/status");
    await request(server().url).get("/api/id/tt0068646");
    await request(server().url).get("/api/title/The%20godfather/1972");
    const metrics = await request(server().url).get("/metrics");
    for (const route of ["/status", "/api/id/:id", "/api/title/:title/:year"]) {
      expect(metrics.text).toMatch(
        new RegExp(
          `festlab_http_request_duration_seconds_count\\{[^}]*route="${route.replaceAll("/", "\\/")}"`,
        ),
      );
    }
    expect(metrics.text).toContain('festlab_switch_on{name="similar-full-scan"} 0');
    expect(metrics.text).toContain('festlab_switch_on{name="title-scan"} 0');
  });

  it("the home page lists the catalogue's switches on the catalogue's card", async () => {
    const res = await request(server().url).get("/");
    const card = /<section class="lab" id="lab-catalogue">[\s\S]*?<\/section>/.exec(res.text)?.[0];
    expect(card).toContain("<code>similar-full-scan</code>");
    expect(card).toContain("<code>title-scan</code>");
    expect(card).not.toContain("<code>events-slow-loop</code>");
  });
});

describe("bad input and missing movies", () => {
  const server = serverForTests({ DB_PATH });

  const bad: [string, string][] = [
    ["/api/id/tt123", "id"],
    ["/api/id/tt123456789", "id"],
    ["/api/id/nm0068646", "id"],
    ["/api/id/TT0068646", "id"],
    ["/api/id/tt0068646x", "id"],
    ["/api/id", "id"],
    ["/api/title/The%20godfather/72", "year"],
    ["/api/title/The%20godfather/1800", "year"],
    ["/api/title/The%20godfather/2999", "year"],
    ["/api/title/The%20godfather/19a2", "year"],
    ["/api/title/The%20godfather", "year"],
    ["/api/title/The%20godfather/", "year"],
    ["/api/title//1972", "title"],
    ["/api/title/%20%20/1972", "title"],
    [`/api/title/${"x".repeat(201)}/1972`, "title"],
    ["/api/title", "title"],
  ];
  it.each(bad)("%s is a 400 naming %s and what is allowed", async (path, parameter) => {
    const res = await request(server().url).get(path);
    expect(res.status).toBe(400);
    expect(res.type).toBe("application/json");
    expect(res.body.parameter).toBe(parameter);
    expect(res.body.allowed).toEqual(expect.any(String));
    expect(res.body.error).toContain(parameter);
  });

  it("a bad id asked for as HTML gets an HTML page naming the parameter", async () => {
    const res = await request(server().url).get("/api/id/tt1").set("Accept", "text/html");
    expect(res.status).toBe(400);
    expect(res.type).toBe("text/html");
    expect(res.text).toContain("id: an IMDb-style id");
  });

  it("a well-formed id that is not in the catalogue is a 404 that says so", async () => {
    const res = await request(server().url).get("/api/id/tt00000001").set(json);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("no movie with id tt00000001 in the catalogue");
  });

  it("a well-formed title and year that are not in the catalogue are a 404 that says so", async () => {
    const res = await request(server().url).get("/api/title/The%20Godfather/1973");
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('no movie titled "The Godfather" from 1973 in the catalogue');
  });
});

describe("similar-full-scan and title-scan answer the same, the slow way", () => {
  let naive: TestServer;
  let optimized: TestServer;
  beforeAll(async () => {
    [naive, optimized] = await Promise.all([
      startTestServer({ DB_PATH, MODE: "naive" }),
      startTestServer({ DB_PATH }),
    ]);
  });
  afterAll(async () => {
    await naive.stop();
    await optimized.stop();
  });

  it("MODE=naive switches both catalogue twins on", () => {
    expect(naive.switches.isOn("similar-full-scan")).toBe(true);
    expect(naive.switches.isOn("title-scan")).toBe(true);
    expect(optimized.switches.isOn("similar-full-scan")).toBe(false);
  });

  it("both modes answer the same movie and the same top 10 for every lookup", async () => {
    const sample = optimized.db
      .prepare("SELECT id, title, year FROM movies ORDER BY id LIMIT 15")
      .all() as { id: string; title: string; year: number }[];
    const paths = [
      "/api/id/tt0068646",
      "/api/title/The%20godfather/1972",
      "/api/title/scarface/1932",
      ...sample.map((movie) => `/api/id/${movie.id}`),
      ...sample.map((movie) => `/api/title/${encodeURIComponent(movie.title)}/${movie.year}`),
    ];
    for (const path of paths) {
      const fast = await request(optimized.url).get(path);
      const slow = await request(naive.url).get(path);
      expect(fast.status, path).toBe(200);
      expect(slow.status, path).toBe(200);
      expect(slow.body.movie, path).toEqual(fast.body.movie);
      expect(slow.body.similar, path).toEqual(fast.body.similar);
    }
  });

  it("similar-full-scan scores every other movie on each request; the list scores none", async () => {
    const slow = await request(naive.url).get("/api/id/tt0068646");
    const fast = await request(optimized.url).get("/api/id/tt0068646");
    expect(slow.body).toMatchObject({ similarFrom: "full-scan", moviesScored: MOVIES - 1 });
    expect(fast.body).toMatchObject({ similarFrom: "precomputed", moviesScored: 0 });
  });

  it("flipping similar-full-scan live changes how, not what", async () => {
    const before = await request(optimized.url).get("/api/id/tt0111161");
    optimized.switches.set("similar-full-scan", true, "test");
    try {
      const during = await request(optimized.url).get("/api/id/tt0111161");
      expect(during.body.similarFrom).toBe("full-scan");
      expect(during.body.similar).toEqual(before.body.similar);
    } finally {
      optimized.switches.set("similar-full-scan", false, "test");
    }
  });

  function plan(server: TestServer, sql: string): string {
    const rows = server.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all("tt0068646", 1972) as {
      detail: string;
    }[];
    return rows.map((row) => row.detail).join("; ");
  }

  it("title-scan reads every row; its fix searches the NOCASE index on title and year", () => {
    expect(plan(optimized, TITLE_SCAN_SQL)).toMatch(/^SCAN movies/);
    expect(plan(optimized, TITLE_LOOKUP_SQL)).toContain(
      "SEARCH movies USING INDEX movies_by_title_year (title=? AND year=?)",
    );
  });

  it("similar-full-scan reads the whole catalogue; its fix reads one list by its key", () => {
    expect(optimized.db.prepare(`EXPLAIN QUERY PLAN ${ALL_MOVIES_SQL}`).all()).toEqual([
      expect.objectContaining({ detail: "SCAN movies" }),
    ]);
    const list = optimized.db
      .prepare(`EXPLAIN QUERY PLAN ${SIMILAR_LIST_SQL}`)
      .all("tt0068646") as { detail: string }[];
    expect(list.map((row) => row.detail)).toEqual([
      "SEARCH s USING PRIMARY KEY (movie_id=?)",
      "SEARCH m USING INDEX sqlite_autoindex_movies_1 (id=?)",
    ]);
  });
});
