// The options the client programs of a running server share (npm run smoke, verify and
// challenge): where the server is, and its admin token. Declared once, so all three read and
// explain them alike. On the machine the server runs on nobody types the token: without
// --admin-token they read the one the server keeps beside its database (src/admin-credential.ts).

import { adminTokenPath, readAdminTokenFile } from "./admin-credential.js";
import { isLoopback } from "./connection/loopback.js";
import type { Option } from "./options.js";

export const DEFAULT_SERVER_URL = "http://127.0.0.1:8000";

export const SERVER_URL_OPTION = {
  flag: "url",
  arg: "URL",
  default: DEFAULT_SERVER_URL,
  shown: DEFAULT_SERVER_URL,
  help: "the running server",
  parse: (text: string) => text,
} satisfies Option<string>;

export const ADMIN_TOKEN_OPTION = {
  env: "ADMIN_TOKEN",
  flag: "admin-token",
  arg: "TOKEN",
  shown: "the server's admin-token file, for a server on this machine",
  help: "the server's admin token: its ADMIN_TOKEN, or the one it keeps in admin-token beside its database",
  parse: (text: string) => text,
} satisfies Option<string>;

/** The server's DB_PATH, whose folder holds the token it generated. */
export const SERVER_DATA_OPTION = {
  env: "DB_PATH",
  flag: "db",
  arg: "PATH",
  default: "db/fest.db",
  shown: "db/fest.db",
  help: "the server's database: without --admin-token, the admin-token file beside it is read",
  parse: (text: string) => text,
} satisfies Option<string>;

/**
 * The token to send: the one given, else, for a server on this machine only (a token sent to
 * another machine would hand it this one's admin), the one kept beside the database.
 */
export function adminTokenFor(
  url: string,
  given: string | undefined,
  dbPath: string,
): string | undefined {
  if (given !== undefined) return given;
  if (!onThisMachine(url)) return undefined;
  try {
    return readAdminTokenFile(adminTokenPath(dbPath));
  } catch {
    return undefined; // unreadable: the server's 401 then says what to give
  }
}

function onThisMachine(url: string): boolean {
  try {
    return isLoopback(new URL(url).hostname);
  } catch {
    return false;
  }
}
