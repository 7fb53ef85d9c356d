// The admin API as its clients use it: a PUT to one switch's URL, with the admin credential.
// Every admin request needs one (src/admin-credential.ts); test servers start with
// ADMIN_TOKEN=TEST_ADMIN_TOKEN (test/helpers/server.ts, shapes.ts) unless a test says otherwise.
import request from "supertest";
import type { SwitchName } from "../../src/switches.js";

export const TEST_ADMIN_TOKEN = "test-admin-token";
/** The header that carries the credential: `request(url).get("/admin/truth").set(ADMIN)`. */
export const ADMIN = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } as const;

/** The header for a server's own token (one generated at start, say). */
export function adminHeader(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/**
 * PUT /admin/switches/:name with the test credential, for the test to say what it sends (a
 * bad name or body included).
 */
export function putSwitch(url: string, name: string) {
  return request(url).put(`/admin/switches/${name}`).set(ADMIN);
}

/**
 * PUT /admin/switches/:name {on} with the test credential; `headers` add a Host or replace
 * the credential. Await it, or `.expect()` it.
 */
export function flipSwitch(
  url: string,
  name: SwitchName,
  on: boolean,
  headers: Record<string, string> = {},
) {
  return putSwitch(url, name).set(headers).send({ on });
}
