// The catalogue's data: the same movies on every machine, the films the seed lab asks for,
// and similar-movie lists made at seed time that equal the full scan's answer for every movie.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NaiveCatalogue } from "../src/catalogue/naive.js";
import { CatalogueQueries } from "../src/catalogue/queries.js";
import { FIRST_YEAR, generateMovies, LAST_YEAR } from "../src/catalogue/seed.js";
import { openDatabase } from "../src/database.js";
import { SMALL_SEED } from "./helpers/server.js";

const dir = mkdtempSync(join(tmpdir(), "fest-lab-catalogue-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("catalogue data", () => {
  it("two generations hold the same movies", () => {
    expect(generateMovies(2000)).toEqual(generateMovies(2000));
  });

  it("holds The Godfather and well-formed, unique ids, titles and years", () => {
    const movies = generateMovies(5000);
    expect(movies).toHaveLength(5000);
    expect(movies).toContainEqual(
      expect.objectContaining({ id: "tt0068646", title: "The Godfather", year: 1972 }),
    );
    expect(new Set(movies.map((movie) => movie.id)).size).toBe(5000);
    expect(new Set(movies.map((movie) => `${movie.title.toLowerCase()}|${movie.year}`)).size).toBe(
      5000,
    );
    for (const movie of movies) {
      expect(movie.id).toMatch(/^tt\d{7}$/);
      expect(movie.year).toBeGreaterThanOrEqual(FIRST_YEAR);
      expect(movie.year).toBeLessThanOrEqual(LAST_YEAR);
      expect(movie.genres.length).toBeGreaterThan(0);
      expect(movie.keywords.length).toBeGreaterThan(0);
    }
  });

  it("the lists made at seed time equal the full scan's top 10, movie by movie", () => {
    const { db } = openDatabase(join(dir, "lists.db"), { ...SMALL_SEED, movies: 800 });
    try {
      const queries = new CatalogueQueries(db);
      const naive = new NaiveCatalogue(db);
      const ids = db.prepare("SELECT id FROM movies").pluck().all() as string[];
      expect(ids).toHaveLength(800);
      let withTen = 0;
      for (const id of ids) {
        const movie = queries.movieById(id);
        if (movie === undefined) throw new Error(`${id} vanished`);
        const listed = queries.similarTo(movie).similar;
        expect(listed, id).toEqual(naive.similarTo(movie).similar);
        if (listed.length === 10) withTen++;
      }
      // The comparison means something only if most lists are full.
      expect(withTen).toBeGreaterThan(400);
    } finally {
      db.close();
    }
  });

  it("a database from before the catalogue gets its movies on the next start", () => {
    const path = join(dir, "old.db");
    const first = openDatabase(path, { ...SMALL_SEED, movies: 50 });
    first.db.exec("DELETE FROM similar_movies; DELETE FROM movies;");
    first.db.close();
    const again = openDatabase(path, { ...SMALL_SEED, movies: 50 });
    try {
      expect(again.seeded).toBe(false);
      expect(again.db.prepare("SELECT COUNT(*) FROM movies").pluck().get()).toBe(50);
    } finally {
      again.db.close();
    }
  });
});
