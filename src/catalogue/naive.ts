// The slow twins of queries.ts, each named after the switch that turns it on. They answer
// exactly what CatalogueQueries answers; only the way there differs, and each is slow for the
// reason in its name and no other (no sleeps; statements prepared once).
import type { Database, Statement } from "better-sqlite3";
import type { CatalogueReads } from "./queries.js";
import { asSimilar, compareRanked, SIMILAR_COUNT, similarity } from "./similarity.js";
import { type Movie, type MovieRow, type SimilarMovie, toMovie } from "./types.js";

/** title-scan: lower(title) must be computed for every row, so no index can answer it. */
export const TITLE_SCAN_SQL = `
  SELECT * FROM movies
  WHERE lower(title) = lower(?) AND year = ?
  ORDER BY votes DESC, id LIMIT 1`;

/** similar-full-scan: the whole catalogue, every request. */
export const ALL_MOVIES_SQL = "SELECT * FROM movies";

export class NaiveCatalogue implements CatalogueReads {
  private readonly titleScan: Statement<[string, number], MovieRow>;
  private readonly allMovies: Statement<[], MovieRow>;

  constructor(db: Database) {
    this.titleScan = db.prepare(TITLE_SCAN_SQL);
    this.allMovies = db.prepare(ALL_MOVIES_SQL);
  }

  // title-scan: SQLite reads all rows and lowers each title to compare it.
  movieByTitle(title: string, year: number): Movie | undefined {
    const row = this.titleScan.get(title, year);
    return row === undefined ? undefined : toMovie(row);
  }

  // similar-full-scan: read every movie, score each against this one in JavaScript, sort,
  // keep ten. The work grows with the catalogue, on every request.
  similarTo(movie: Movie): { similar: SimilarMovie[]; moviesScored: number } {
    const scored: { other: Movie; id: string; votes: number; score: number }[] = [];
    let moviesScored = 0;
    for (const row of this.allMovies.iterate()) {
      if (row.id === movie.id) continue;
      const other = toMovie(row);
      const score = similarity(movie, other);
      moviesScored++;
      if (score > 0) scored.push({ other, id: other.id, votes: other.votes, score });
    }
    scored.sort(compareRanked);
    const similar = scored
      .slice(0, SIMILAR_COUNT)
      .map(({ other, score }) => asSimilar(movie, other, score));
    return { similar, moviesScored };
  }
}
