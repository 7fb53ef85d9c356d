// What "similar" means, defined once: the seed-time lists (similar-lists.ts) and the full scan
// (naive.ts) both rank by these functions, so the two paths answer the same top 10.
//
// Two movies are similar when they share at least one keyword; how similar is the Jaccard
// index of their tags (genres and keywords together): shared tags / all distinct tags of the
// two. A genre alone does not make movies similar: thousands of movies are dramas. Ties go to
// the movie with more votes, then to the smaller id, so every ranking is total and the same
// on every machine.
import type { Movie, SimilarMovie } from "./types.js";

export const SIMILAR_COUNT = 10;

/**
 * The score from counts: genres and keywords in common, and each movie's number of tags
 * (genres + keywords). 0 when no keyword is shared: such movies are not similar at all.
 */
export function similarityScore(
  sharedGenres: number,
  sharedKeywords: number,
  tagsA: number,
  tagsB: number,
): number {
  if (sharedKeywords === 0) return 0;
  const shared = sharedGenres + sharedKeywords;
  return shared / (tagsA + tagsB - shared);
}

export interface Ranked {
  id: string;
  votes: number;
  score: number;
}

/** Negative when `a` ranks before `b`: higher score, then more votes, then the smaller id. */
export function compareRanked(a: Ranked, b: Ranked): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.votes !== b.votes) return b.votes - a.votes;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The tags two movies share, in the order the first movie lists them. */
export function sharedTags(movie: Movie, other: Movie): SimilarMovie["shared"] {
  return {
    genres: movie.genres.filter((genre) => other.genres.includes(genre)),
    keywords: movie.keywords.filter((keyword) => other.keywords.includes(keyword)),
  };
}

/** The score of `other` against `movie`, from their tags. */
export function similarity(movie: Movie, other: Movie): number {
  const { genres, keywords } = sharedTags(movie, other);
  return similarityScore(
    genres.length,
    keywords.length,
    movie.genres.length + movie.keywords.length,
    other.genres.length + other.keywords.length,
  );
}

/**
 * A similar movie as the answers show it: the score, and why (the tags they share). Written
 * out field by field, not as { ...other, score, shared }: on Node 20's V8 an object spread
 * from another and then given more fields survives the next young-generation GC whether or
 * not anything still holds it (a loop that keeps nothing promoted about 2 MB a scavenge; a
 * bare { ...other }, or fields before the spread, promote nothing), so ten of them a lookup
 * made every scavenge copy and promote a megabyte, and the catalogue's p99 paid the pauses.
 */
export function asSimilar(movie: Movie, other: Movie, score: number): SimilarMovie {
  return {
    id: other.id,
    title: other.title,
    year: other.year,
    genres: other.genres,
    keywords: other.keywords,
    rating: other.rating,
    votes: other.votes,
    score,
    shared: sharedTags(movie, other),
  };
}
