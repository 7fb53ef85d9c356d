// The movie catalogue, generated from a fixed seed like the rest of the data: the same movies
// on every machine. A handful of well-known films (The Godfather first: the seed lab asks for
// it) sit among generated ones whose titles repeat across years, as remakes and reused titles
// do. The similar-movie lists (similar-lists.ts) are computed here, once.
import type { Database } from "better-sqlite3";
import { pick, randomInt, seededRandom } from "../random.js";
import { similarLists } from "./similar-lists.js";
import type { Movie } from "./types.js";

/** Enough rows that scoring them all on every request is the lesson: tens of milliseconds. */
export const DEFAULT_MOVIE_COUNT = 50_000;
/** The years the catalogue holds; a lookup for a year outside them is refused as bad input. */
export const FIRST_YEAR = 1920;
export const LAST_YEAR = 2025;

const SEED = 19_720_315;

const GENRES = [
  "Action",
  "Adventure",
  "Animation",
  "Biography",
  "Comedy",
  "Crime",
  "Drama",
  "Family",
  "Fantasy",
  "History",
  "Horror",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
];

// Keywords are "qualifier-subject" pairs plus a few plain ones: about 1,100 in all, so each is
// carried by a few hundred movies, as on a real site. Each genre favours its own share of
// them (KEYWORDS_OF_GENRE), so movies of a genre share keywords, as crime films share "mafia".
const QUALIFIERS = [
  "haunted",
  "stolen",
  "secret",
  "lost",
  "final",
  "broken",
  "hidden",
  "forbidden",
  "deadly",
  "royal",
  "undercover",
  "small-town",
  "family",
  "corrupt",
  "runaway",
  "ancient",
  "robot",
  "double",
  "frozen",
  "last",
  "midnight",
  "golden",
  "poisoned",
  "masked",
  "cursed",
  "missing",
  "twin",
  "rogue",
  "sunken",
  "crooked",
];
const SUBJECTS = [
  "house",
  "diamond",
  "identity",
  "letter",
  "mission",
  "war",
  "heist",
  "love",
  "trial",
  "island",
  "cop",
  "train",
  "city",
  "kingdom",
  "experiment",
  "contract",
  "journey",
  "prophecy",
  "rival",
  "fortune",
  "empire",
  "ransom",
  "treasure",
  "circus",
  "ghost",
  "debt",
  "election",
  "hostage",
  "vault",
  "bride",
  "mine",
  "plague",
  "heir",
  "witness",
  "casino",
  "border",
];
const PLAIN_KEYWORDS = [
  "mafia",
  "organized-crime",
  "betrayal",
  "revenge",
  "new-york",
  "prison",
  "friendship",
  "escape",
  "hope",
  "time-travel",
  "dream",
  "virtual-reality",
  "superhero",
  "joker",
  "spirit-world",
  "class-difference",
  "space-opera",
  "rebellion",
  "desert-planet",
  "drug-lord",
  "world-war-two",
  "nightclub",
];
const KEYWORDS = [
  ...QUALIFIERS.flatMap((q) => SUBJECTS.map((s) => `${q}-${s}`)),
  ...PLAIN_KEYWORDS,
];
const KEYWORDS_OF_GENRE = new Map(
  GENRES.map((genre, g) => [genre, KEYWORDS.filter((_keyword, k) => k % GENRES.length === g)]),
);

const TITLE_FIRST = [
  "Midnight",
  "Silent",
  "Crimson",
  "Golden",
  "Broken",
  "Endless",
  "Wild",
  "Hidden",
  "Last",
  "Burning",
  "Frozen",
  "Electric",
  "Lonely",
  "Savage",
  "Velvet",
  "Iron",
  "Paper",
  "Distant",
  "Scarlet",
  "Hollow",
];
const TITLE_SECOND = [
  "River",
  "Empire",
  "Harbor",
  "Promise",
  "Station",
  "Garden",
  "Horizon",
  "Witness",
  "Summer",
  "Kingdom",
  "Frontier",
  "Letters",
  "Shadows",
  "Orchard",
  "Signal",
  "Mirror",
  "Hunter",
  "Voyage",
  "Machine",
  "Country",
];

/** Films a student would try: their real IMDb ids, titles and years. Dune and Scarface repeat. */
const WELL_KNOWN: readonly Movie[] = [
  famous(
    "tt0068646",
    "The Godfather",
    1972,
    ["Crime", "Drama"],
    ["mafia", "organized-crime", "family-rival", "betrayal", "revenge", "new-york"],
    9.2,
    2_100_000,
  ),
  famous(
    "tt0071562",
    "The Godfather Part II",
    1974,
    ["Crime", "Drama"],
    ["mafia", "organized-crime", "family-empire", "betrayal", "new-york"],
    9.0,
    1_400_000,
  ),
  famous(
    "tt0111161",
    "The Shawshank Redemption",
    1994,
    ["Drama"],
    ["prison", "friendship", "escape", "hope", "corrupt-cop"],
    9.3,
    3_000_000,
  ),
  famous(
    "tt0468569",
    "The Dark Knight",
    2008,
    ["Action", "Crime", "Drama"],
    ["superhero", "joker", "organized-crime", "corrupt-city"],
    9.0,
    2_900_000,
  ),
  famous(
    "tt0110912",
    "Pulp Fiction",
    1994,
    ["Crime", "Drama"],
    ["organized-crime", "nightclub", "stolen-contract", "revenge"],
    8.9,
    2_300_000,
  ),
  famous(
    "tt0034583",
    "Casablanca",
    1942,
    ["Drama", "Romance", "War"],
    ["world-war-two", "nightclub", "lost-love", "stolen-letter"],
    8.5,
    600_000,
  ),
  famous(
    "tt1375666",
    "Inception",
    2010,
    ["Action", "Adventure", "Sci-Fi"],
    ["dream", "heist", "secret-mission", "double-identity"],
    8.8,
    2_600_000,
  ),
  famous(
    "tt0133093",
    "The Matrix",
    1999,
    ["Action", "Sci-Fi"],
    ["virtual-reality", "rebellion", "robot-empire", "secret-identity"],
    8.7,
    2_100_000,
  ),
  famous(
    "tt0245429",
    "Spirited Away",
    2001,
    ["Animation", "Adventure", "Family"],
    ["spirit-world", "haunted-house", "lost-journey", "ancient-kingdom"],
    8.6,
    900_000,
  ),
  famous(
    "tt6751668",
    "Parasite",
    2019,
    ["Comedy", "Drama", "Thriller"],
    ["class-difference", "secret-house", "double-identity", "family-contract"],
    8.5,
    1_000_000,
  ),
  famous(
    "tt0076759",
    "Star Wars",
    1977,
    ["Action", "Adventure", "Fantasy"],
    ["space-opera", "rebellion", "royal-empire", "final-mission"],
    8.6,
    1_400_000,
  ),
  famous(
    "tt0087182",
    "Dune",
    1984,
    ["Action", "Adventure", "Sci-Fi"],
    ["desert-planet", "royal-empire", "ancient-prophecy", "betrayal"],
    6.3,
    160_000,
  ),
  famous(
    "tt1160419",
    "Dune",
    2021,
    ["Action", "Adventure", "Drama"],
    ["desert-planet", "royal-empire", "ancient-prophecy", "rebellion"],
    8.0,
    900_000,
  ),
  famous(
    "tt0022958",
    "Scarface",
    1932,
    ["Action", "Crime", "Drama"],
    ["organized-crime", "mafia", "corrupt-city"],
    7.7,
    30_000,
  ),
  famous(
    "tt0086250",
    "Scarface",
    1983,
    ["Crime", "Drama"],
    ["drug-lord", "organized-crime", "revenge", "deadly-empire"],
    8.3,
    900_000,
  ),
];

function famous(
  id: string,
  title: string,
  year: number,
  genres: string[],
  keywords: string[],
  rating: number,
  votes: number,
): Movie {
  return { id, title, year, genres, keywords, rating, votes };
}

/** `count` movies (at least the well-known ones), the same on every machine. */
export function generateMovies(count: number): Movie[] {
  const random = seededRandom(SEED);
  const movies = [...WELL_KNOWN];
  const ids = new Set(movies.map((movie) => movie.id));
  const titlesInYear = new Set(movies.map((movie) => `${movie.title.toLowerCase()}|${movie.year}`));
  while (movies.length < count) {
    let id: string;
    do id = `tt${String(randomInt(random, 1, 9_999_999)).padStart(7, "0")}`;
    while (ids.has(id));
    ids.add(id);
    const year = randomInt(random, FIRST_YEAR, LAST_YEAR);
    // Titles repeat across years; within one year a repeat becomes a sequel, so a title and
    // a year name one movie.
    const base = `${random() < 0.5 ? "The " : ""}${pick(random, TITLE_FIRST)} ${pick(random, TITLE_SECOND)}`;
    let title = base;
    for (let part = 2; titlesInYear.has(`${title.toLowerCase()}|${year}`); part++) {
      title = `${base} ${part}`;
    }
    titlesInYear.add(`${title.toLowerCase()}|${year}`);
    const genres = distinct(() => pick(random, GENRES), randomInt(random, 1, 3));
    // Four keywords in five come from one of the movie's genres, the rest from anywhere.
    const keyword = () =>
      pick(random, random() < 0.8 ? (KEYWORDS_OF_GENRE.get(pick(random, genres)) ?? []) : KEYWORDS);
    movies.push({
      id,
      title,
      year,
      genres,
      keywords: distinct(keyword, randomInt(random, 3, 6)),
      rating: randomInt(random, 10, 95) / 10,
      // Votes spread over five orders of magnitude, like a real catalogue's long tail.
      votes: Math.floor(10 ** (1 + random() * 5)),
    });
  }
  return movies;
}

function distinct(draw: () => string, count: number): string[] {
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(draw());
  return [...chosen];
}

/** Fills the catalogue tables: the movies, then each one's similar-movie list. */
export function seedCatalogue(db: Database, count: number = DEFAULT_MOVIE_COUNT): void {
  const movies = generateMovies(count);
  const lists = similarLists(movies);
  const insertMovie = db.prepare(
    "INSERT INTO movies (id, title, year, genres, keywords, rating, votes) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const insertSimilar = db.prepare(
    "INSERT INTO similar_movies (movie_id, rank, similar_id, score) VALUES (?, ?, ?, ?)",
  );
  db.transaction(() => {
    db.exec("DELETE FROM similar_movies; DELETE FROM movies;");
    for (const m of movies) {
      insertMovie.run(
        m.id,
        m.title,
        m.year,
        m.genres.join(","),
        m.keywords.join(","),
        m.rating,
        m.votes,
      );
    }
    // In id order, so each row lands at the end of the table's key order: appends, not page splits.
    const byId = movies
      .map((movie, a) => ({ movie, a }))
      .sort((x, y) => (x.movie.id < y.movie.id ? -1 : 1));
    for (const { movie, a } of byId) {
      (lists[a] ?? []).forEach(({ index, score }, rank) => {
        insertSimilar.run(movie.id, rank + 1, (movies[index] as Movie).id, score);
      });
    }
  })();
}
