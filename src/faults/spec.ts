// The fault syntax, read the same from FAULTS, --faults, PUT /admin/faults and the admin page.
// Rules are separated by ";". A per-request rule is KIND[:ARG]@RATE:TARGET:
//   error:503@10%:/events                 answer 503 to 10 % of /events (any method)
//   delay:200ms@20%:GET /checkout         add a fixed 200 ms to 20 % of GET /checkout
//   delay:p50=50ms,p99=400ms@100%:*       a log-normal delay with that median and 99th percentile
//   reset@0.5%:*                          close the connection without an answer
//   hang:30s@1%:POST                      never answer, until the client leaves or 30 s pass
// TARGET is "*" (every route), a method ("POST": every route with it), a route pattern as
// Express writes it ("/events/:id/register"), or a method and a pattern. One server-wide rule:
//   stall:300ms/10s                       freeze the event loop for 300 ms every 10 s
// Pure: route patterns are checked against the app's routes in src/faults/targets.ts.
import { NotAllowed } from "../parsers.js";

export const FAULT_KINDS = ["error", "delay", "reset", "hang", "stall"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type RequestFaultKind = Exclude<FaultKind, "stall">;

/** A delay past this is a hang, not a delay: it would outlive Locust's and curl's timeouts. */
export const MAX_DELAY_MS = 30_000;
/** A hang gives up after this, so no socket is held forever. */
export const MAX_HANG_MS = 60_000;
/** A stall is a GC-like pause, not an outage: longer freezes trip every health check. */
export const MAX_STALL_MS = 5_000;

export const FAULT_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

export type Delay = { fixedMs: number } | { p50Ms: number; p99Ms: number };

interface RuleBase {
  /** The rule as written, normalised: what GET /admin/faults and the log show. */
  text: string;
  /** Share of matching requests, 0 to 1. */
  rate: number;
  /** Undefined: every method. */
  method: string | undefined;
  /** A route pattern; undefined: every route. */
  route: string | undefined;
}

export type RequestFault =
  | (RuleBase & { kind: "error"; status: number })
  | (RuleBase & { kind: "delay"; delay: Delay })
  | (RuleBase & { kind: "reset" })
  | (RuleBase & { kind: "hang"; hangMs: number });

export interface StallFault {
  kind: "stall";
  text: string;
  freezeMs: number;
  everyMs: number;
}

export interface FaultPlan {
  requests: RequestFault[];
  stall: StallFault | undefined;
}

export const NO_FAULTS: FaultPlan = { requests: [], stall: undefined };

/** A refused rule: which rule (1-based), which field, and what is allowed. */
export class FaultSpecError extends NotAllowed {
  override name = "FaultSpecError";
  constructor(
    readonly rule: number,
    readonly field: "kind" | "status" | "delay" | "rate" | "target" | "hang" | "stall" | "syntax",
    readonly written: string,
    readonly allowed: string,
  ) {
    super(`rule ${rule} "${written}": ${field}: ${allowed}`);
  }
}

export const SYNTAX_HELP =
  'KIND[:ARG]@RATE%:TARGET rules separated by ";", e.g. "error:503@10%:/events; reset@0.5%:*; stall:300ms/10s"';

export function parseFaults(text: string): FaultPlan {
  const plan: FaultPlan = { requests: [], stall: undefined };
  const written = text
    .split(";")
    .map((rule) => rule.trim())
    .filter((rule) => rule !== "");
  written.forEach((rule, index) => {
    const parsed = parseRule(rule, index + 1);
    if (parsed.kind !== "stall") plan.requests.push(parsed);
    else if (plan.stall !== undefined)
      throw new FaultSpecError(index + 1, "stall", rule, "give at most one stall rule");
    else plan.stall = parsed;
  });
  return plan;
}

/** The log line of a faults change; while a challenge hides them, without the rules. */
export function faultsChangeLine(text: string, by: string, hiddenBecause: string | undefined) {
  return hiddenBecause === undefined
    ? `faults set to "${text || "none"}" by ${by}`
    : `faults set by ${by} (${hiddenBecause})`;
}

export function planText(plan: FaultPlan): string {
  return [...plan.requests.map((rule) => rule.text), ...(plan.stall ? [plan.stall.text] : [])].join(
    "; ",
  );
}

const RULE = /^([a-z]+)(?::([^@]*))?(?:@([^:]*))?(?::(.*))?$/i;

function parseRule(rule: string, index: number): RequestFault | StallFault {
  const match = RULE.exec(rule);
  if (match === null) throw new FaultSpecError(index, "syntax", rule, SYNTAX_HELP);
  const [, kindText = "", arg, rateText, targetText] = match;
  const kind = kindText.toLowerCase();
  const fail = (field: FaultSpecError["field"], allowed: string) =>
    new FaultSpecError(index, field, rule, allowed);
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw fail("kind", `"${kindText}" is unknown: use one of ${FAULT_KINDS.join(", ")}`);
  }
  if (kind === "stall") {
    if (rateText !== undefined || targetText !== undefined) {
      throw fail(
        "stall",
        "a stall freezes the whole server: write stall:300ms/10s, no @ or target",
      );
    }
    return parseStall(arg ?? "", fail);
  }
  if (rateText === undefined || targetText === undefined) {
    throw fail(
      "syntax",
      `write ${kind}${kind === "error" ? ":503" : ""}@RATE%:TARGET, e.g. ${kind}${kind === "error" ? ":503" : kind === "delay" ? ":200ms" : ""}@10%:/events`,
    );
  }
  const rate = parseRate(rateText, fail);
  const { method, route } = parseTarget(targetText.trim(), fail);
  const normalTarget = `${method ?? ""}${method && route ? " " : ""}${route ?? ""}` || "*";
  const base = (argText: string) => ({
    text: `${kind}${argText}@${rateText.trim()}:${normalTarget}`,
    rate,
    method,
    route,
  });
  switch (kind) {
    case "error": {
      const status = parseStatus(arg ?? "500", fail);
      return { kind, status, ...base(`:${status}`) };
    }
    case "delay": {
      if (arg === undefined)
        throw fail("delay", "give a delay: delay:200ms or delay:p50=50ms,p99=400ms");
      const delay = parseDelay(arg, fail);
      return { kind, delay, ...base(`:${arg.trim()}`) };
    }
    case "reset":
      if (arg !== undefined) throw fail("syntax", "reset takes no argument: reset@1%:*");
      return { kind, ...base("") };
    default: {
      const hangMs =
        arg === undefined ? MAX_HANG_MS : parseDuration(arg, "hang", MAX_HANG_MS, fail);
      return { kind: "hang", hangMs, ...base(arg === undefined ? "" : `:${arg.trim()}`) };
    }
  }
}

type Fail = (field: FaultSpecError["field"], allowed: string) => FaultSpecError;

export function parseRate(text: string, fail: Fail): number {
  const match = /^\s*(\d{1,3}(?:\.\d+)?)\s*%\s*$/.exec(text);
  const percent = match ? Number(match[1]) : Number.NaN;
  if (!(percent >= 0 && percent <= 100)) {
    throw fail("rate", `"${text}" is not a share from 0 to 100 %: write it as 10% or 0.5%`);
  }
  return percent / 100;
}

function parseStatus(text: string, fail: Fail): number {
  const status = Number(text.trim());
  if (!/^\s*\d{3}\s*$/.test(text) || status < 400 || status > 599) {
    throw fail(
      "status",
      `"${text}" is not an error status: use 400 to 599, e.g. 500, 502, 503, 429`,
    );
  }
  return status;
}

/** "200ms", "1.5s", "200" (ms); at most `maxMs`. */
export function parseDuration(
  text: string,
  field: "delay" | "hang" | "stall",
  maxMs: number,
  fail: Fail,
): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/i.exec(text);
  const ms = match ? Number(match[1]) * (match[2]?.toLowerCase() === "s" ? 1000 : 1) : Number.NaN;
  if (!(ms >= 0 && ms <= maxMs)) {
    throw fail(field, `"${text}" is not a duration from 0 to ${maxMs} ms: write 200ms or 1.5s`);
  }
  return ms;
}

export function parseDelay(text: string, fail: Fail): Delay {
  const spread = /^\s*p50\s*=\s*([^,]+),\s*p99\s*=\s*(.+)$/i.exec(text);
  if (spread === null) return { fixedMs: parseDuration(text, "delay", MAX_DELAY_MS, fail) };
  const p50Ms = parseDuration(spread[1] ?? "", "delay", MAX_DELAY_MS, fail);
  const p99Ms = parseDuration(spread[2] ?? "", "delay", MAX_DELAY_MS, fail);
  if (p50Ms <= 0 || p99Ms < p50Ms) {
    throw fail(
      "delay",
      `"${text}": the median must be above 0 and the 99th percentile at least the median`,
    );
  }
  return { p50Ms, p99Ms };
}

function parseStall(arg: string, fail: Fail): StallFault {
  const match = /^([^/]+)\/(.+)$/.exec(arg);
  if (match === null)
    throw fail("stall", `"${arg}": write stall:FREEZE/EVERY, e.g. stall:300ms/10s`);
  const freezeMs = parseDuration(match[1] ?? "", "stall", MAX_STALL_MS, fail);
  const everyMs = parseDuration(match[2] ?? "", "stall", 3_600_000, fail);
  if (everyMs < 100 || freezeMs >= everyMs || freezeMs === 0) {
    throw fail(
      "stall",
      `"${arg}": the freeze must be above 0 and shorter than the period, and the period at least 100ms`,
    );
  }
  return {
    kind: "stall",
    text: `stall:${match[1]?.trim()}/${match[2]?.trim()}`,
    freezeMs,
    everyMs,
  };
}

function parseTarget(text: string, fail: Fail): { method?: string; route?: string } {
  if (text === "*") return {};
  const [first = "", second, ...rest] = text.split(/\s+/);
  const upper = first.toUpperCase();
  const isMethod = (FAULT_METHODS as readonly string[]).includes(upper);
  const routeOk = (route: string) => route === "*" || route.startsWith("/");
  if (isMethod && second === undefined) return { method: upper };
  if (isMethod && second !== undefined && rest.length === 0 && routeOk(second)) {
    return second === "*" ? { method: upper } : { method: upper, route: second };
  }
  if (second === undefined && first.startsWith("/")) return { route: first };
  throw fail(
    "target",
    `"${text}": use *, a method (${FAULT_METHODS.join(", ")}), a route pattern such as /events, or both: GET /checkout`,
  );
}
