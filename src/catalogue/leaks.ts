// The catalogue's memory leaks: each switch makes one route keep something from every request
// and never let it go. The fix (the switch off) keeps nothing: the answer is built, sent and
// forgotten. A student finds the leak from /metrics, where festlab_retained_bytes grows by the
// same amount for every request of the leaking route and stays flat for the others.
//
// What each keeps is a fixed size, so the growth per request is exact and a challenge can
// grade it; a real leak's size varies with the data, which is why the lesson measures the
// growth per 1,000 requests rather than one request's.
import { EventEmitter } from "node:events";
import { Gauge, type Registry } from "prom-client";
import type { SwitchName } from "../switches.js";

/** The leak switches and the bytes each keeps for every request of its route. */
export const LEAK_BYTES = {
  // A debugging trace left on: every lookup's 8 KB trace appended to a list nothing trims.
  "lookup-trace-leak": 8_192,
  // A listener added to a long-lived emitter per request and never removed: its closure keeps
  // the request's 2 KB scratch buffer alive for as long as the emitter lives (for ever).
  "title-listener-leak": 2_048,
  // A "recent answers" history with no bound: each status answer and its 512-byte snapshot.
  "status-history-leak": 512,
} as const satisfies Partial<Record<SwitchName, number>>;

export type LeakSwitch = keyof typeof LEAK_BYTES;

/**
 * The most all the leaks together keep: 256 MB. A forgotten switch under a long load must not
 * take the student's laptop down, so past this the leaks keep nothing more and the gauge stops
 * growing (the log says so once). A one-minute challenge load stays well below it.
 */
export const LEAK_CAP_BYTES = 256 * 1024 * 1024;

export class RetainedMemory {
  /** lookup-trace-leak's traces and status-history-leak's history. */
  private readonly kept: Buffer[] = [];
  /** title-listener-leak's emitter: it lives as long as the server, as its listeners do. */
  private readonly changes = new EventEmitter();
  private retainedBytes = 0;
  private warned = false;

  constructor(
    registry: Registry,
    private readonly capBytes = LEAK_CAP_BYTES,
    private readonly warn: (line: string) => void = () => {},
  ) {
    // Hundreds of listeners on one emitter is the leak itself; Node's warning at 11 would only
    // tell the student what the lesson asks them to find.
    this.changes.setMaxListeners(0);
    const memory = this;
    new Gauge({
      name: "festlab_retained_bytes",
      help: "Bytes the server still holds from requests it has finished (kept buffers, listeners never removed): flat under a steady load unless a route leaks. POST /admin/reset frees them.",
      registers: [registry],
      collect() {
        this.set(memory.bytes);
      },
    });
  }

  get bytes(): number {
    return this.retainedBytes;
  }

  /** One request of the leaking route: what its switch keeps, unless the cap is reached. */
  keep(leak: LeakSwitch): void {
    const size = LEAK_BYTES[leak];
    if (this.retainedBytes + size > this.capBytes) {
      if (!this.warned) {
        this.warned = true;
        this.warn(
          `the leaks hold ${this.retainedBytes} bytes, their cap: they keep nothing more until POST /admin/reset`,
        );
      }
      return;
    }
    const buffer = Buffer.alloc(size);
    if (leak === "title-listener-leak") this.changes.on("change", () => buffer.length);
    else this.kept.push(buffer);
    this.retainedBytes += size;
  }

  /** POST /admin/reset: lets go of everything kept; says how many bytes that was. */
  free(): number {
    const freed = this.retainedBytes;
    this.kept.length = 0;
    this.changes.removeAllListeners("change");
    this.retainedBytes = 0;
    this.warned = false;
    return freed;
  }
}
