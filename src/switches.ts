// The registry of every named slow or broken behaviour: its name, the lesson it
// teaches, and whether it is on. Start-up (MODE, BUGGY, BUGS), the admin page,
// the metrics and the routes all read this one object.

export const SWITCHES = {
  "checkout-crash": {
    lab: "fest",
    description:
      "/checkout throws inside the request (a division by zero): 500 and an error page naming the bug; every other route stays up.",
  },
  "checkout-crash-process": {
    lab: "fest",
    description:
      "/checkout throws where nothing catches it: the whole process dies. One buggy feature can crash the entire monolith.",
  },
  "checkout-slow-loop": {
    lab: "fest",
    description:
      "/checkout sums the total in an application loop over every registration row instead of in SQL.",
  },
  "events-slow-loop": {
    lab: "fest",
    description:
      "/events recounts every registration for every event in the application (quadratic work) instead of one indexed query.",
  },
  "my-events-slow-loop": {
    lab: "fest",
    description:
      "/my-events walks every registration and makes one query per row to find its owner (N+1 queries) instead of one JOIN.",
  },
  "events-slow": {
    lab: "services",
    description:
      "Every answer of the events pages waits 2 s (a timer, no CPU). In the monolith only those pages slow down; with SERVICES=1 checkout, which asks events for its lines, slows down with them (cascading latency) unless its timeout and circuit breaker cut the wait.",
  },
  "accounts-slow": {
    lab: "services",
    description:
      "Every answer of the accounts pages (/signup, /login, /logout) waits 2 s (a timer, no CPU); with SERVICES=1 its answers to the other services too. Which callers slow down with it shows what depends on accounts, and what does not.",
  },
  "checkout-no-timeout": {
    lab: "services",
    description:
      "With SERVICES=1, checkout waits on events as long as events takes, with no timeout and no circuit breaker: a slow events makes every /checkout slow and piles the waits up. The fix gives each call 1 s (about 3 s with its two retries) and, once events keeps failing, answers at once with a 503 that says so (opossum's breaker). The monolith has no call to time out.",
  },
  "checkout-retry-storm": {
    lab: "services",
    description:
      "With SERVICES=1, checkout retries a failed call to events at once, 10 times, with no breaker: a struggling events gets 11 calls for every /checkout. The fix retries at most twice, after a random wait that doubles (backoff with jitter), and not at all once the circuit is open.",
  },
  "cpu-inline": {
    lab: "bench",
    description:
      "/cpu runs its work on the event loop instead of the Piscina worker pool, so every other request waits behind it.",
  },
  "io-blocking": {
    lab: "bench",
    description:
      "/io waits with a synchronous sleep that freezes the event loop instead of a timer, so concurrent waits run one after another.",
  },
  "similar-full-scan": {
    lab: "catalogue",
    description:
      "/api/id and /api/title read the whole movie catalogue and score every movie in JavaScript on each request, instead of reading the similar-movie list computed once at seed time through its index.",
  },
  "title-scan": {
    lab: "catalogue",
    description:
      "/api/title compares lower(title) on every row of the catalogue (no index can serve it) instead of searching the COLLATE NOCASE index on title and year.",
  },
  "lookup-trace-leak": {
    lab: "catalogue",
    description:
      "/api/id keeps a trace of every lookup in a list that nothing trims: memory grows with every request until POST /admin/reset (at most 256 MB for all the leaks together).",
  },
  "title-listener-leak": {
    lab: "catalogue",
    description:
      "/api/title adds a listener to a long-lived emitter for every request and never removes it; each keeps its scratch buffer alive until POST /admin/reset (at most 256 MB for all the leaks together).",
  },
  "status-history-leak": {
    lab: "catalogue",
    description:
      "/status appends each answer with a snapshot of its request to a history with no bound, kept until POST /admin/reset (at most 256 MB for all the leaks together).",
  },
  "model-per-request": {
    lab: "digits",
    description:
      "/predict reads the model file, parses it and builds the network on every request instead of once at start.",
  },
  "predict-inline": {
    lab: "digits",
    description:
      "/predict runs the network on the event loop instead of its worker pool, so /health and every other request wait behind each prediction.",
  },
  "predict-no-cache": {
    lab: "digits",
    description:
      "/predict runs the model for every request, even for pixels it answered a moment ago, instead of answering repeats from a bounded LRU cache.",
  },
} as const satisfies Record<string, { lab: string; description: string }>;

export type SwitchName = keyof typeof SWITCHES;
export const SWITCH_NAMES = Object.keys(SWITCHES) as SwitchName[];

/** MODE=naive starts from the code a lab begins with: every slow twin on. */
export const NAIVE_SWITCHES: readonly SwitchName[] = [
  "checkout-slow-loop",
  "events-slow-loop",
  "my-events-slow-loop",
  "cpu-inline",
  "similar-full-scan",
  "title-scan",
  "model-per-request",
  "predict-inline",
  "predict-no-cache",
];

/** BUGGY=1 switches on the crash a lab starts from. */
export const BUGGY_SWITCHES: readonly SwitchName[] = ["checkout-crash"];

export interface SwitchState {
  name: SwitchName;
  lab: string;
  description: string;
  on: boolean;
}

export type SwitchListener = (name: SwitchName, on: boolean, by: string) => void;

/**
 * How the admin page changes a switch. One process: set it in its registry. With workers:
 * ask the supervisor, which sets it in every worker before this resolves (src/workers/).
 */
export type ApplySwitch = (name: SwitchName, on: boolean, by: string) => Promise<void>;

/** The log line of a switch change; while a challenge hides the switches, without the name. */
export function switchChangeLine(
  switches: Switches,
  name: SwitchName,
  on: boolean,
  by: string,
): string {
  return switches.hiddenBecause === undefined
    ? `switch ${name} turned ${on ? "on" : "off"} by ${by}`
    : `a switch changed by ${by} (${switches.hiddenBecause})`;
}

export function isSwitchName(name: string): name is SwitchName {
  return Object.hasOwn(SWITCHES, name);
}

export class Switches {
  private readonly on = new Set<SwitchName>();
  private readonly listeners: SwitchListener[] = [];
  /**
   * Set while a challenge runs (src/challenge/): the pages, /metrics and the admin API (to a
   * client without the admin token) say this instead of which switches are on.
   */
  hiddenBecause: string | undefined;

  constructor(initial: Iterable<SwitchName> = []) {
    for (const name of initial) this.on.add(name);
  }

  static fromStartup(options: { mode: "optimized" | "naive"; buggy: boolean; bugs: string[] }) {
    const initial = new Set<SwitchName>();
    if (options.mode === "naive") for (const name of NAIVE_SWITCHES) initial.add(name);
    if (options.buggy) for (const name of BUGGY_SWITCHES) initial.add(name);
    for (const name of options.bugs) if (isSwitchName(name)) initial.add(name);
    return new Switches(initial);
  }

  isOn(name: SwitchName): boolean {
    return this.on.has(name);
  }

  set(name: SwitchName, on: boolean, by = "api"): void {
    const was = this.on.has(name);
    if (on) this.on.add(name);
    else this.on.delete(name);
    if (was !== on) for (const listener of this.listeners) listener(name, on, by);
  }

  onChange(listener: SwitchListener): void {
    this.listeners.push(listener);
  }

  list(): SwitchState[] {
    return SWITCH_NAMES.map((name) => ({ name, ...SWITCHES[name], on: this.on.has(name) }));
  }

  enabled(): SwitchName[] {
    return SWITCH_NAMES.filter((name) => this.on.has(name));
  }
}

/** The switches a lab teaches (their `lab` above), in this file's order. */
export function switchesOfLab(lab: string): SwitchName[] {
  return SWITCH_NAMES.filter((name) => SWITCHES[name].lab === lab);
}
