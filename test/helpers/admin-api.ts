// The admin API as its clients use it: a PUT that turns one switch on or off.
import request from "supertest";
import type { SwitchName } from "../../src/switches.js";

/** PUT /admin/switches/:name {on}; `headers` carry a token or a Host. Await it, or `.expect()` it. */
export function flipSwitch(
  url: string,
  name: SwitchName,
  on: boolean,
  headers: Record<string, string> = {},
) {
  return request(url).put(`/admin/switches/${name}`).set(headers).send({ on });
}
