// Wrong admin token guesses, counted per client address (with TRUST_PROXY, the forwarded
// one), so a script cannot try tokens at full speed. The rule: a client that sent MAX_WRONG
// wrong tokens within the last WINDOW_MS gets 429 on every admin request, the right token
// included, until the oldest of those tries is WINDOW_MS old. The right token erases nothing:
// otherwise a lockout would still answer "right" or "wrong" to each guess. One object per
// server (tests run many servers).
import type { Logger } from "../observe/log.js";

export const MAX_WRONG = 5;
export const WINDOW_MS = 60_000;
/** Forget quiet clients once this many are remembered, so a flood of addresses cannot grow it. */
const SWEEP_AT = 1_000;

export class WrongTokenLimiter {
  private readonly tries = new Map<string, number[]>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds the client must wait before its next admin request, or 0 when it may go on. */
  waitSeconds(client: string): number {
    const recent = this.recent(client);
    if (recent.length < MAX_WRONG) return 0;
    const oldest = recent[recent.length - MAX_WRONG] ?? this.now();
    return Math.max(1, Math.ceil((oldest + WINDOW_MS - this.now()) / 1000));
  }

  /** Counts one wrong token; the try that starts a lockout is logged, once. */
  recordWrong(client: string): void {
    if (this.tries.size >= SWEEP_AT) this.sweep();
    const recent = [...this.recent(client), this.now()];
    this.tries.set(client, recent);
    if (recent.length === MAX_WRONG) {
      this.log.warn(
        `admin: ${MAX_WRONG} wrong tokens from ${client} within ${WINDOW_MS / 1000} s; its admin requests get 429 for ${this.waitSeconds(client)} s`,
      );
    }
  }

  private recent(client: string): number[] {
    const since = this.now() - WINDOW_MS;
    const recent = (this.tries.get(client) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.tries.delete(client);
    return recent;
  }

  private sweep(): void {
    for (const client of [...this.tries.keys()]) this.recent(client);
  }
}
