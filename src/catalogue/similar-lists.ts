// similar-full-scan's fix, made once at seed time: every movie's 10 most similar movies.
//
// Scoring every pair of 50,000 movies is over a billion comparisons, minutes of work. But a
// similar movie shares a keyword (similarity.ts), so an inverted index (keyword -> the movies
// that carry it) hands each movie its only candidates: a few thousand, counted through the
// index, instead of the whole catalogue. The answer is exact, the same top 10 as scoring every
// movie (a test compares it with naive.ts movie by movie).
import { compareRanked, SIMILAR_COUNT, similarityScore } from "./similarity.js";
import type { Movie } from "./types.js";

export interface SimilarEntry {
  /** Index of the similar movie in the list given. */
  index: number;
  score: number;
}

export function similarLists(movies: readonly Movie[]): SimilarEntry[][] {
  const genreBit = new Map<string, number>();
  for (const movie of movies) {
    for (const genre of movie.genres) if (!genreBit.has(genre)) genreBit.set(genre, genreBit.size);
  }
  if (genreBit.size > 31) throw new Error("similarLists keeps genres in a 31-bit mask");
  // Genres as bit masks: the genres two movies share are one AND and a bit count.
  const genreMask = Int32Array.from(movies, (movie) =>
    movie.genres.reduce((mask, genre) => mask | (1 << (genreBit.get(genre) as number)), 0),
  );
  const tagCount = Int32Array.from(movies, (movie) => movie.genres.length + movie.keywords.length);
  const byKeyword = new Map<string, number[]>();
  movies.forEach((movie, index) => {
    for (const keyword of movie.keywords) {
      const list = byKeyword.get(keyword);
      if (list === undefined) byKeyword.set(keyword, [index]);
      else list.push(index);
    }
  });

  // Shared keyword counts for the movie being ranked; `touched` lists the entries to reset.
  const sharedKeywords = new Int32Array(movies.length);
  const touched: number[] = [];

  return movies.map((movie, a) => {
    for (const keyword of movie.keywords) {
      for (const b of byKeyword.get(keyword) ?? []) {
        if (b === a) continue;
        if (sharedKeywords[b] === 0) touched.push(b);
        sharedKeywords[b] = (sharedKeywords[b] ?? 0) + 1;
      }
    }
    const best = new TopTen(movies);
    for (const b of touched) {
      const genres = bitCount((genreMask[a] ?? 0) & (genreMask[b] ?? 0));
      const score = similarityScore(
        genres,
        sharedKeywords[b] ?? 0,
        tagCount[a] ?? 0,
        tagCount[b] ?? 0,
      );
      // Most candidates lose on the score alone: decided here, before any call or allocation.
      if (score > 0 && score >= best.lowestKept) best.offer(b, score);
      sharedKeywords[b] = 0;
    }
    touched.length = 0;
    return best.entries();
  });
}

function bitCount(mask: number): number {
  let n = 0;
  for (let rest = mask; rest !== 0; rest &= rest - 1) n++;
  return n;
}

/** The best SIMILAR_COUNT offers, in rank order (compareRanked); each movie is offered once. */
class TopTen {
  private readonly kept: { index: number; id: string; votes: number; score: number }[] = [];
  /** The score an offer needs to be looked at: the tenth's once ten are kept, else 0. */
  lowestKept = 0;

  constructor(private readonly movies: readonly Movie[]) {}

  offer(index: number, score: number): void {
    if (score === 0) return;
    const last = this.kept.length === SIMILAR_COUNT ? this.kept[SIMILAR_COUNT - 1] : undefined;
    if (last !== undefined && score < last.score) return;
    const movie = this.movies[index] as Movie;
    // Ties on the score are common (scores are small fractions): fewer votes loses at once.
    if (last !== undefined && score === last.score && movie.votes < last.votes) return;
    const ranked = { index, id: movie.id, votes: movie.votes, score };
    if (last !== undefined && compareRanked(ranked, last) >= 0) return;
    let at = this.kept.length;
    while (at > 0 && compareRanked(ranked, this.kept[at - 1] as typeof ranked) < 0) at--;
    this.kept.splice(at, 0, ranked);
    if (this.kept.length > SIMILAR_COUNT) this.kept.pop();
    if (this.kept.length === SIMILAR_COUNT)
      this.lowestKept = this.kept[SIMILAR_COUNT - 1]?.score ?? 0;
  }

  entries(): SimilarEntry[] {
    return this.kept.map(({ index, score }) => ({ index, score }));
  }
}
