// Runs the smoke checks (checks.ts) once each, in order, against a running server, and says
// per check what it saw. Each request is bounded, so a hung server fails a check, not the run.
import { VERSION_HEADER } from "../version.js";
import { type SmokeCheck, smokeChecks } from "./checks.js";

/** Longer than any healthy answer here (the slowest, /events, takes well under a second). */
export const CHECK_TIMEOUT_MS = 10_000;

export interface CheckResult {
  name: string;
  method: string;
  path: string;
  /** The HTTP status, or undefined when no answer came. */
  status: number | undefined;
  ms: number;
  ok: boolean;
  why: string | undefined;
  version: string | undefined;
}

export interface SmokeReport {
  url: string;
  results: CheckResult[];
  /** Set when nothing answers at url: the checks after the first were not tried. */
  notListening: boolean;
  ok: boolean;
}

export interface SmokeOptions {
  /** ADMIN_TOKEN of the server, for the admin check when the server asks for one. */
  adminToken?: string;
  timeoutMs?: number;
}

export async function runSmoke(url: string, options: SmokeOptions = {}): Promise<SmokeReport> {
  const results: CheckResult[] = [];
  for (const check of smokeChecks()) {
    const result = await runCheck(url, check, options);
    results.push(result);
    if (result.why?.startsWith("nothing listens")) {
      return { url, results, notListening: true, ok: false };
    }
  }
  return { url, results, notListening: false, ok: results.every((result) => result.ok) };
}

async function runCheck(url: string, check: SmokeCheck, options: SmokeOptions) {
  const headers: Record<string, string> = { ...check.headers };
  if (options.adminToken !== undefined && check.path.startsWith("/admin")) {
    headers.authorization = `Bearer ${options.adminToken}`;
  }
  const started = performance.now();
  const base = { name: check.name, method: check.method, path: check.path };
  const timeoutMs = options.timeoutMs ?? CHECK_TIMEOUT_MS;
  try {
    const res = await fetch(new URL(check.path, url), {
      method: check.method,
      headers,
      body: check.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    const ms = Math.round(performance.now() - started);
    const version = res.headers.get(VERSION_HEADER) ?? undefined;
    const why =
      res.status !== 200
        ? `expected 200, got ${res.status}${firstWords(body)}`
        : version === undefined
          ? `no ${VERSION_HEADER} header: is this Fest Lab?`
          : check.judge(body);
    return { ...base, status: res.status, ms, ok: why === undefined, why, version };
  } catch (error) {
    const ms = Math.round(performance.now() - started);
    return {
      ...base,
      status: undefined,
      ms,
      ok: false,
      why: whyNoAnswer(url, error, timeoutMs),
      version: undefined,
    };
  }
}

function whyNoAnswer(url: string, error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  const code = err.cause?.code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH") {
    return `nothing listens at ${url} (${code}): start the server with npm start, or name its URL`;
  }
  return `the request failed: ${code ?? err.cause?.message ?? err.message}`;
}

/** A crash page's title or a refusal's words, so the line says why without a second look. */
function firstWords(body: string): string {
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1];
  const text = (title ?? body).replace(/\s+/g, " ").trim();
  return text === "" ? "" : `: ${text.slice(0, 100)}`;
}

export function reportLines(report: SmokeReport): string[] {
  const width = Math.max(...report.results.map((result) => result.name.length));
  const lines = report.results.map((result) => {
    const what = `${result.method} ${result.path}`;
    const status = result.status === undefined ? "---" : String(result.status);
    const verdict = result.ok ? "ok" : `FAIL ${result.why}`;
    return `${result.name.padEnd(width)}  ${status}  ${String(result.ms).padStart(5)} ms  ${what}  ${verdict}`;
  });
  const failed = report.results.filter((result) => !result.ok);
  const version = report.results.find((result) => result.version !== undefined)?.version;
  const server = version === undefined ? report.url : `${report.url} (Fest Lab ${version})`;
  if (report.notListening) {
    lines.push(`smoke: FAILED: nothing listens at ${report.url}`);
  } else if (failed.length === 0) {
    lines.push(`smoke: ok: all ${report.results.length} checks passed against ${server}`);
  } else {
    lines.push(
      `smoke: FAILED ${failed.length} of ${report.results.length} checks against ${server}: ${failed.map((result) => result.name).join(", ")}`,
    );
  }
  return lines;
}
