// Salted scrypt from node:crypto. The request path uses the async form, which runs on
// libuv's thread pool, so a login does not stall every other request for ~50 ms.
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const KEY_LENGTH = 32;
const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  length: number,
) => Promise<Buffer>;

const encode = (salt: Buffer, hash: Buffer) =>
  `scrypt$${salt.toString("hex")}$${hash.toString("hex")}`;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return encode(salt, await scryptAsync(password, salt, KEY_LENGTH));
}

/** For the seed script only, with a salt from its seeded generator so every machine gets the same rows. */
export function hashPasswordSync(password: string, salt: Buffer): string {
  return encode(salt, scryptSync(password, salt, KEY_LENGTH));
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, saltHex, hashHex] = stored.split("$");
  if (scheme !== "scrypt" || saltHex === undefined || hashHex === undefined) return false;
  const expected = Buffer.from(hashHex, "hex");
  const actual = await scryptAsync(password, Buffer.from(saltHex, "hex"), expected.length);
  return timingSafeEqual(actual, expected);
}
