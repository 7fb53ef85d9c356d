// The options the client programs of a running server share (npm run smoke, verify and
// challenge): where the server is, and its admin token. Declared once, so all three read and
// explain them alike.
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
  shown: "unset",
  help: "the server's ADMIN_TOKEN, when it was started with one",
  parse: (text: string) => text,
} satisfies Option<string>;
