// The admin API as its clients use it: a PUT to one switch's URL.
import request from "supertest";
import type { SwitchName } from "../../src/switches.js";

/** PUT /admin/switches/:name, for the test to say what it sends (a bad name or body included). */
export function putSwitch(url: string, name: string) {
  return request(url).put(`/admin/switches/${name}`);
}

/** PUT /admin/switches/:name {on}; `headers` carry a token or a Host. Await it, or `.expect()` it. */
export function flipSwitch(
  url: string,
  name: SwitchName,
  on: boolean,
  headers: Record<string, string> = {},
) {
  return putSwitch(url, name).set(headers).send({ on });
}
