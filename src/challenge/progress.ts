// Each challenge's progress on this server, in the database (table challenge_progress,
// db/schema.sql): not tried, tried or passed, with the seed, the dates, the runs started and
// the graded attempts. Written by the process that answers the challenge API when a challenge
// starts and when a graded verify answers (never by a member that only follows the change, so
// one event is one write in every shape), kept across restarts and POST /admin/reset, cleared
// only when asked (`npm run challenge -- progress --clear`).
import type { Database } from "better-sqlite3";
import { BadInput, Conflict, NotFound } from "../http-errors.js";
import type { Verification } from "./challenges.js";
import { encodeAnswers, makeCompletionCode } from "./completion-code.js";
import type { Challenge } from "./definition.js";

export type ProgressState = "not tried" | "tried" | "passed";

export interface ProgressRow {
  challenge: string;
  title: string;
  state: ProgressState;
  /** The last start's seed and run id; absent when not tried. */
  seed?: number;
  runId?: string;
  firstAt?: string;
  lastAt?: string;
  runs: number;
  attempts: number;
  passedAt?: string;
  passedSeed?: number;
  student?: string;
  code?: string;
}

interface StoredRow {
  challenge: string;
  seed: number;
  run_id: string;
  first_at: string;
  last_at: string;
  runs: number;
  attempts: number;
  passed_at: string | null;
  passed_seed: number | null;
  passed_run_id: string | null;
  passed_answers: string | null;
  student: string | null;
  code: string | null;
}

export class ChallengeProgress {
  constructor(
    private readonly db: Database,
    private readonly library: readonly Challenge[],
    /** CLASS_KEY: without it there are no completion codes. */
    private readonly classKey: string | undefined,
  ) {}

  started(run: { name: string; seed: number; runId: string; startedAt: string }): void {
    this.db
      .prepare(
        `INSERT INTO challenge_progress (challenge, seed, run_id, first_at, last_at, runs)
         VALUES (@name, @seed, @runId, @startedAt, @startedAt, 1)
         ON CONFLICT (challenge) DO UPDATE SET
           seed = @seed, run_id = @runId, last_at = @startedAt, runs = runs + 1`,
      )
      .run(run);
  }

  /** A graded verify: one attempt more; the first pass is kept with its answers. */
  verified(verification: Verification): void {
    // After stop, verify shows the expected answers: a pass then proves nothing.
    if (verification.ended) return;
    const answers = JSON.stringify(verification.questions.map((q) => q.given));
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO challenge_progress (challenge, seed, run_id, first_at, last_at, runs)
           VALUES (@challenge, @seed, @runId, @at, @at, 1)
           ON CONFLICT (challenge) DO NOTHING`,
        )
        .run(verification);
      this.db
        .prepare(
          `UPDATE challenge_progress SET attempts = attempts + 1, last_at = @at
           WHERE challenge = @challenge`,
        )
        .run(verification);
      if (verification.pass) {
        this.db
          .prepare(
            `UPDATE challenge_progress SET passed_at = @at, passed_seed = @seed,
               passed_run_id = @runId, passed_answers = @answers
             WHERE challenge = @challenge AND passed_at IS NULL`,
          )
          .run({ ...verification, answers });
      }
    })();
  }

  /** Every challenge of the library, tried or not, in the library's order. */
  list(): ProgressRow[] {
    const stored = new Map(
      (this.db.prepare("SELECT * FROM challenge_progress").all() as StoredRow[]).map((row) => [
        row.challenge,
        row,
      ]),
    );
    return this.library.map((challenge) => {
      const row = stored.get(challenge.name);
      if (row === undefined) {
        return {
          challenge: challenge.name,
          title: challenge.title,
          state: "not tried",
          runs: 0,
          attempts: 0,
        };
      }
      return {
        challenge: challenge.name,
        title: challenge.title,
        state: row.passed_at === null ? "tried" : "passed",
        seed: row.seed,
        runId: row.run_id,
        firstAt: row.first_at,
        lastAt: row.last_at,
        runs: row.runs,
        attempts: row.attempts,
        ...(row.passed_at === null
          ? {}
          : { passedAt: row.passed_at, passedSeed: row.passed_seed ?? undefined }),
        ...(row.student === null ? {} : { student: row.student, code: row.code ?? undefined }),
      };
    });
  }

  /** Forgets every challenge's progress; says how many rows went. */
  clear(): number {
    return this.db.prepare("DELETE FROM challenge_progress").run().changes;
  }

  /** The completion code of a challenge's graded pass, for a student (CLASS_KEY needed). */
  completionCode(challengeName: unknown, student: unknown) {
    if (this.classKey === undefined) {
      throw new Conflict(
        "this server has no CLASS_KEY: completion codes are made only by a server the instructor started with one",
      );
    }
    if (typeof student !== "string" || student.trim() === "" || student.length > 100) {
      throw new BadInput("student", "a name, 1 to 100 characters");
    }
    const challenge = this.library.find((c) => c.name === challengeName);
    if (challenge === undefined) {
      throw new NotFound(`no challenge named "${String(challengeName)}"`, {
        parameter: "challenge",
        known: this.library.map((c) => c.name),
      });
    }
    const row = this.db
      .prepare("SELECT * FROM challenge_progress WHERE challenge = ?")
      .get(challenge.name) as StoredRow | undefined;
    if (row?.passed_at == null || row.passed_answers === null || row.passed_seed === null) {
      throw new Conflict(
        `challenge ${challenge.name} has no graded pass on this server: a completion code is made only for one`,
      );
    }
    const answers = encodeAnswers(challenge, JSON.parse(row.passed_answers) as string[]);
    const code = makeCompletionCode(this.classKey, student, {
      challenge: challenge.name,
      seed: row.passed_seed,
      answers,
    });
    const name = student.trim();
    this.db
      .prepare("UPDATE challenge_progress SET student = ?, code = ? WHERE challenge = ?")
      .run(name, code, challenge.name);
    return { challenge: challenge.name, seed: row.passed_seed, student: name, code };
  }
}
