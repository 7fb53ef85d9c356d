-- Fest Lab schema. The indexes are the ones the optimized queries use; the naive
-- twins in src/fest/naive.ts ignore them on purpose.

CREATE TABLE IF NOT EXISTS users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  password_hash TEXT NOT NULL,  -- scrypt$<salt hex>$<hash hex>
  created_at    TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS events (
  id            INTEGER PRIMARY KEY,
  title         TEXT NOT NULL,
  venue         TEXT NOT NULL,
  starts_at     TEXT NOT NULL,
  price_rupees  INTEGER NOT NULL CHECK (price_rupees >= 0),
  capacity      INTEGER NOT NULL CHECK (capacity > 0),
  -- Kept in step with registrations inside the registering transaction, so the
  -- listing reads one number instead of counting rows.
  seats_taken   INTEGER NOT NULL DEFAULT 0 CHECK (seats_taken >= 0 AND seats_taken <= capacity)
);

CREATE TABLE IF NOT EXISTS registrations (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users(id),
  event_id      INTEGER NOT NULL REFERENCES events(id),
  registered_at TEXT NOT NULL,
  UNIQUE (user_id, event_id)  -- registering twice keeps one row; also the index for "my" rows
);

CREATE INDEX IF NOT EXISTS events_by_start ON events (starts_at, id);

CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- The catalogue lab (src/catalogue/). Genres and keywords are comma-separated lists: the
-- similarity of two movies is computed from them (src/catalogue/similarity.ts).
CREATE TABLE IF NOT EXISTS movies (
  id        TEXT PRIMARY KEY,  -- IMDb style: tt + 7 digits
  title     TEXT NOT NULL,
  year      INTEGER NOT NULL,
  genres    TEXT NOT NULL,
  keywords  TEXT NOT NULL,
  rating    REAL NOT NULL,
  votes     INTEGER NOT NULL
);

-- title-scan's fix: the lookup `title = ? COLLATE NOCASE AND year = ?` is a search in this
-- index; `lower(title) = ?` (the naive twin) cannot use it and reads every row.
CREATE INDEX IF NOT EXISTS movies_by_title_year ON movies (title COLLATE NOCASE, year);

-- similar-full-scan's fix: each movie's 10 most similar movies, computed once at seed time
-- and read in rank order through the primary key. Both ids are movies(id); no REFERENCES,
-- because the seed writes 500,000 rows at once and checking each would slow the first start.
CREATE TABLE IF NOT EXISTS similar_movies (
  movie_id   TEXT NOT NULL,
  rank       INTEGER NOT NULL,
  similar_id TEXT NOT NULL,
  score      REAL NOT NULL,
  PRIMARY KEY (movie_id, rank)
) WITHOUT ROWID;

-- Each challenge's progress on this server (src/challenge/progress.ts): written when a challenge
-- starts and when a graded verify answers, kept across restarts and POST /admin/reset, cleared
-- only by `npm run challenge -- progress --clear` (DELETE /admin/challenge/progress).
CREATE TABLE IF NOT EXISTS challenge_progress (
  challenge      TEXT PRIMARY KEY,
  seed           INTEGER NOT NULL,  -- the last start's
  run_id         TEXT NOT NULL,
  first_at       TEXT NOT NULL,     -- the first start
  last_at        TEXT NOT NULL,     -- the last start or graded verify
  runs           INTEGER NOT NULL DEFAULT 0,  -- starts
  attempts       INTEGER NOT NULL DEFAULT 0,  -- graded verifies
  passed_at      TEXT,              -- the first graded verify that passed, and what it was
  passed_seed    INTEGER,
  passed_run_id  TEXT,
  passed_answers TEXT,              -- JSON: the answers given, in the questions' order
  student        TEXT,              -- the last student a completion code was made for
  code           TEXT
);
