// The catalogue's shapes: a row as SQLite stores it, a movie as the answers show it.

export interface MovieRow {
  id: string;
  title: string;
  year: number;
  /** Comma-separated, e.g. "Crime,Drama". */
  genres: string;
  /** Comma-separated, e.g. "mafia,family,betrayal". */
  keywords: string;
  rating: number;
  votes: number;
}

export interface Movie {
  id: string;
  title: string;
  year: number;
  genres: string[];
  keywords: string[];
  rating: number;
  votes: number;
}

export interface SimilarMovie extends Movie {
  /** Jaccard similarity to the movie asked for, 0 to 1 (see similarity.ts). */
  score: number;
  /** Why it is similar: the genres and keywords it shares with the movie asked for. */
  shared: { genres: string[]; keywords: string[] };
}

/** What a lookup answers: the movie, its 10 most similar, and how they were found. */
export interface Lookup {
  movie: Movie;
  similar: SimilarMovie[];
  /** "precomputed" (the list made at seed time) or "full-scan" (similar-full-scan). */
  similarFrom: "precomputed" | "full-scan";
  /** Movies scored by this request: 0 from the list, the whole catalogue in a full scan. */
  moviesScored: number;
}

/** A movie's columns in the order the optimized reads select them (queries.ts, raw mode). */
export type MovieColumns = [
  id: string,
  title: string,
  year: number,
  genres: string,
  keywords: string,
  rating: number,
  votes: number,
];

export function movieFromColumns(row: readonly [...MovieColumns, ...unknown[]]): Movie {
  return {
    id: row[0],
    title: row[1],
    year: row[2],
    genres: splitList(row[3]),
    keywords: splitList(row[4]),
    rating: row[5],
    votes: row[6],
  };
}

export function toMovie(row: MovieRow): Movie {
  return {
    id: row.id,
    title: row.title,
    year: row.year,
    genres: splitList(row.genres),
    keywords: splitList(row.keywords),
    rating: row.rating,
    votes: row.votes,
  };
}

function splitList(text: string): string[] {
  return text === "" ? [] : text.split(",");
}
