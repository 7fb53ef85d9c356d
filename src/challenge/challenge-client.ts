// The challenge command's way to the server's challenge API: one call, the answer's JSON, or a
// refusal (Refused) in the server's own words, printed as one line by the command.
import { DEFAULT_SERVER_URL } from "../client-options.js";

const REQUEST_TIMEOUT_MS = 15_000;

export const EXIT = { done: 0, failed: 1, usage: 2 } as const;

/** A refusal to print as one line and exit 2. */
export class Refused extends Error {}

export type Print = (line: string) => void;

export class ChallengeServer {
  constructor(
    readonly url: string,
    private readonly adminToken: string | undefined,
  ) {
    if (!/^https?:\/\/[^/]+/.test(url)) {
      throw new Refused(`--url ${url} is not a URL: give one like ${DEFAULT_SERVER_URL}`);
    }
  }

  /** The answer's JSON; a refusal (4xx, 5xx) or no answer throws Refused with the server's words. */
  async call(
    method: "GET" | "POST" | "DELETE",
    path: string,
    body?: object,
  ): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.adminToken !== undefined) headers.authorization = `Bearer ${this.adminToken}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.url), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const err = error as Error & { cause?: { code?: string; message?: string } };
      if (err.name === "TimeoutError") {
        throw new Refused(`${this.url} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
      }
      throw new Refused(
        `nothing answers at ${this.url} (${err.cause?.code ?? err.cause?.message ?? err.message}): start the server with npm start, or give --url`,
      );
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Refused(
        `${this.url}${path} answered ${res.status} without JSON: is this Fest Lab?`,
      );
    }
    if (!res.ok) {
      const tokenAdvice =
        res.status === 401 && this.adminToken === undefined
          ? " (give ADMIN_TOKEN=... or --admin-token, or --db with the server's DB_PATH on its machine)"
          : "";
      throw new Refused(
        `${String(json.error ?? `the server answered ${res.status}`)}${tokenAdvice}`,
      );
    }
    return json;
  }
}
