// The optimized catalogue reads, prepared once: a movie by id (primary key), by title and year
// (the NOCASE index), and its similar movies from the list computed at seed time. Their slow
// twins live in naive.ts, one per switch.
import type { Database, Statement } from "better-sqlite3";
import { asSimilar } from "./similarity.js";
import { type Movie, type MovieRow, type SimilarMovie, toMovie } from "./types.js";

/** title-scan's fix: COLLATE NOCASE makes the comparison the one the index is sorted by. */
export const TITLE_LOOKUP_SQL = `
  SELECT * FROM movies
  WHERE title = ? COLLATE NOCASE AND year = ?
  ORDER BY votes DESC, id LIMIT 1`;

/** similar-full-scan's fix: ten rows in rank order through the list's primary key. */
export const SIMILAR_LIST_SQL = `
  SELECT m.*, s.score FROM similar_movies s JOIN movies m ON m.id = s.similar_id
  WHERE s.movie_id = ?
  ORDER BY s.rank`;

/** The reads a lookup needs; naive.ts answers the same calls the slow way. */
export interface CatalogueReads {
  movieByTitle(title: string, year: number): Movie | undefined;
  similarTo(movie: Movie): { similar: SimilarMovie[]; moviesScored: number };
}

export class CatalogueQueries implements CatalogueReads {
  private readonly byId: Statement<[string], MovieRow>;
  private readonly byTitle: Statement<[string, number], MovieRow>;
  private readonly similarList: Statement<[string], MovieRow & { score: number }>;
  private readonly count: Statement<[], { n: number }>;

  constructor(db: Database) {
    this.byId = db.prepare("SELECT * FROM movies WHERE id = ?");
    this.byTitle = db.prepare(TITLE_LOOKUP_SQL);
    this.similarList = db.prepare(SIMILAR_LIST_SQL);
    this.count = db.prepare("SELECT COUNT(*) AS n FROM movies");
  }

  /** Both switches leave this one alone: the id is the primary key on either path. */
  movieById(id: string): Movie | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : toMovie(row);
  }

  movieByTitle(title: string, year: number): Movie | undefined {
    const row = this.byTitle.get(title, year);
    return row === undefined ? undefined : toMovie(row);
  }

  similarTo(movie: Movie): { similar: SimilarMovie[]; moviesScored: number } {
    const similar = this.similarList
      .all(movie.id)
      .map(({ score, ...row }) => asSimilar(movie, toMovie(row), score));
    return { similar, moviesScored: 0 };
  }

  movieCount(): number {
    return this.count.get()?.n ?? 0;
  }
}
