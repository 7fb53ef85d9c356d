// The admin credential, always: ADMIN_TOKEN when given, else a token made at the first start
// and kept in `admin-token` beside the database, so it survives restarts, the banner can print
// a link with it, and the project's own commands on this machine (smoke, verify, challenge)
// read it instead of asking. Loopback alone never admits: behind a reverse proxy every request
// comes from loopback. Like Jupyter's notebook server: a token given, or one made and shown.
import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const ADMIN_TOKEN_FILE = "admin-token";

export type AdminCredential =
  | { token: string; from: "ADMIN_TOKEN" }
  | { token: string; from: "file"; path: string; created: boolean };

export class AdminTokenFileError extends Error {
  override name = "AdminTokenFileError";
}

/** Where the generated token is kept: beside DB_PATH, so a temp DB_PATH takes its token along. */
export function adminTokenPath(dbPath: string): string {
  return join(dirname(resolve(dbPath)), ADMIN_TOKEN_FILE);
}

/**
 * The token every shape uses. Without ADMIN_TOKEN it is read from the file, or made and
 * written when the file is missing. The file appears whole or not at all (written under a
 * temporary name, then linked to its name, which fails when it exists): N workers starting
 * at once make one token, and each reads the winner's.
 */
export function resolveAdminCredential(given: string | undefined, dbPath: string): AdminCredential {
  if (given !== undefined) return { token: given, from: "ADMIN_TOKEN" };
  const path = adminTokenPath(dbPath);
  const kept = readAdminTokenFile(path);
  if (kept !== undefined) return { token: kept, from: "file", path, created: false };
  const token = randomBytes(24).toString("base64url");
  const draft = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    // Readable by its owner only: anyone who reads it owns the admin.
    writeFileSync(draft, `${token}\n`, { flag: "wx", mode: 0o600 });
    linkSync(draft, path);
    return { token, from: "file", path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
      throw new AdminTokenFileError(
        `cannot write the admin token to ${path}: ${(error as Error).message} (set ADMIN_TOKEN, or make the folder of DB_PATH writable)`,
      );
    }
    // Another process of this start made it first: use that one.
    const theirs = readAdminTokenFile(path);
    if (theirs === undefined) throw new AdminTokenFileError(`${path} vanished while starting`);
    return { token: theirs, from: "file", path, created: false };
  } finally {
    try {
      unlinkSync(draft);
    } catch {
      // Never written (the folder could not be made): nothing to remove.
    }
  }
}

/** The token kept at `path`, undefined when there is no file; an empty file stops the start. */
export function readAdminTokenFile(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new AdminTokenFileError(
      `cannot read the admin token in ${path}: ${(error as Error).message}`,
    );
  }
  const token = text.trim();
  if (token === "" || /\s/.test(token)) {
    throw new AdminTokenFileError(
      `${path} holds no admin token (one word expected): delete it and start again to make a new one`,
    );
  }
  return token;
}
