// The optimized catalogue reads, prepared once: a movie by id (primary key), by title and year
// (the NOCASE index), and its similar movies from the list computed at seed time. Their slow
// twins live in naive.ts, one per switch.
//
// Each statement answers its rows as arrays in a fixed column order (better-sqlite3's raw
// mode), which the lookup turns into the answer's objects once: an object row, made property
// by property in the driver and then copied into a Movie, was a second object a row (with the
// score split off by a rest copy, a third), about 1.5 KB a lookup and a sixth of the
// driver's time. Every request's garbage brings the next young-generation GC closer, and at
// 10 connections each GC pause lands in ten requests' latency.
import type { Database, Statement } from "better-sqlite3";
import { asSimilar } from "./similarity.js";
import { type Movie, type MovieColumns, movieFromColumns, type SimilarMovie } from "./types.js";

/** A movie's columns in MovieColumns' order (types.ts); `m.` where movies is joined as m. */
const MOVIE_COLUMNS = "id, title, year, genres, keywords, rating, votes";
const JOINED_MOVIE_COLUMNS = "m.id, m.title, m.year, m.genres, m.keywords, m.rating, m.votes";

/** title-scan's fix: COLLATE NOCASE makes the comparison the one the index is sorted by. */
export const TITLE_LOOKUP_SQL = `
  SELECT ${MOVIE_COLUMNS} FROM movies
  WHERE title = ? COLLATE NOCASE AND year = ?
  ORDER BY votes DESC, id LIMIT 1`;

/** similar-full-scan's fix: ten rows in rank order through the list's primary key. */
export const SIMILAR_LIST_SQL = `
  SELECT ${JOINED_MOVIE_COLUMNS}, s.score FROM similar_movies s JOIN movies m ON m.id = s.similar_id
  WHERE s.movie_id = ?
  ORDER BY s.rank`;

/** A similar list's row: the movie's columns, then its score. */
type SimilarColumns = [...MovieColumns, score: number];
const SCORE_COLUMN = 7;

/** The reads a lookup needs; naive.ts answers the same calls the slow way. */
export interface CatalogueReads {
  movieByTitle(title: string, year: number): Movie | undefined;
  similarTo(movie: Movie): { similar: SimilarMovie[]; moviesScored: number };
}

export class CatalogueQueries implements CatalogueReads {
  private readonly byId: Statement<[string], MovieColumns>;
  private readonly byTitle: Statement<[string, number], MovieColumns>;
  private readonly similarList: Statement<[string], SimilarColumns>;
  private readonly count: Statement<[], { n: number }>;

  constructor(db: Database) {
    // Prepared once, the raw ones typed with the arrays raw mode gives.
    this.byId = db
      .prepare(`SELECT ${MOVIE_COLUMNS} FROM movies WHERE id = ?`)
      .raw() as unknown as Statement<[string], MovieColumns>;
    this.byTitle = db.prepare(TITLE_LOOKUP_SQL).raw() as unknown as Statement<
      [string, number],
      MovieColumns
    >;
    this.similarList = db.prepare(SIMILAR_LIST_SQL).raw() as unknown as Statement<
      [string],
      SimilarColumns
    >;
    this.count = db.prepare("SELECT COUNT(*) AS n FROM movies");
  }

  /** Both switches leave this one alone: the id is the primary key on either path. */
  movieById(id: string): Movie | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : movieFromColumns(row);
  }

  movieByTitle(title: string, year: number): Movie | undefined {
    const row = this.byTitle.get(title, year);
    return row === undefined ? undefined : movieFromColumns(row);
  }

  similarTo(movie: Movie): { similar: SimilarMovie[]; moviesScored: number } {
    const rows = this.similarList.all(movie.id);
    const similar: SimilarMovie[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as SimilarColumns;
      similar[i] = asSimilar(movie, movieFromColumns(row), row[SCORE_COLUMN]);
    }
    return { similar, moviesScored: 0 };
  }

  movieCount(): number {
    return this.count.get()?.n ?? 0;
  }
}
