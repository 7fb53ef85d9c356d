// The events service's copy of the users it has met. accounts owns users and passwords; events
// needs a user's id for its registrations. The seeded users are in events' file from the
// start (the same seed), and a user who signs up later is asked of accounts the first time
// events sees the name, then kept here under the same id, without a password.
import type { Database, Statement } from "better-sqlite3";
import type { User } from "../fest/types.js";
import type { ServiceClient } from "./internal.js";

/** A user lookup is one indexed read: a second is far past a healthy answer. */
const ACCOUNTS_TIMEOUT_MS = 5_000;

export class UsersFromAccounts {
  private readonly known: Statement<[string], { id: number }>;
  private readonly keep: Statement<[number, string, string, string]>;

  constructor(
    db: Database,
    private readonly accounts: ServiceClient,
  ) {
    this.known = db.prepare("SELECT id FROM users WHERE username = ?");
    // No password here: accounts checks passwords, events never does.
    this.keep = db.prepare(
      "INSERT OR IGNORE INTO users (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, '', ?)",
    );
  }

  /** After this, the user is in events' file if accounts knows them; if not, nothing changes. */
  async learn(username: string): Promise<void> {
    if (this.known.get(username) !== undefined) return;
    const answer = await this.accounts.getJson<User>(
      `/internal/users/${encodeURIComponent(username)}`,
      ACCOUNTS_TIMEOUT_MS,
    );
    if (!answer.found) return;
    const user = answer.body;
    this.keep.run(user.id, user.username, user.displayName, new Date().toISOString());
  }
}
