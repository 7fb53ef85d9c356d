// MAX_IN_FLIGHT=N with a waiting line of M (MAX_WAITING): at most N requests run at once, M
// more wait their turn in arrival order, and the rest get 503 with Retry-After at once. The
// lesson is the knee of the curve and Little's law (in flight = throughput × latency): once N
// are in flight, throughput stops growing, latency climbs by the time spent in line, then
// rejections start. /health (answered before this), /admin and /metrics are never limited, so
// the probes that watch an overloaded server still get through.
// The limit is set at start and may be changed while the server runs (a challenge sets one,
// src/challenge/): the request path then reads the handler of the current setting.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { answerAndClose } from "./answer.js";

/** A slot frees within one request's time; a second is a polite, short wait. */
const RETRY_AFTER_SECONDS = 1;

interface Waiting {
  req: IncomingMessage;
  res: ServerResponse;
}

export interface CapacitySetting {
  /** 0 is off. */
  maxInFlight: number;
  maxWaiting: number;
  /** Set while a challenge hides the limit: the 503 then says this instead of the figures. */
  hiddenBecause?: string;
}

export class CapacityLimit {
  private running = 0;
  private readonly line: Waiting[] = [];
  private setting: CapacitySetting;
  /** The app itself while off, so an unlimited server pays no counting and no listeners. */
  private current: RequestListener | undefined;
  private next: RequestListener | undefined;

  constructor(
    maxInFlight: number,
    maxWaiting: number,
    /** Told of each refusal: the metrics count them. */
    private readonly onRefused: () => void = () => {},
  ) {
    this.setting = { maxInFlight, maxWaiting };
  }

  get maxInFlight(): number {
    return this.setting.maxInFlight;
  }

  get maxWaiting(): number {
    return this.setting.maxWaiting;
  }

  get now(): CapacitySetting {
    return { ...this.setting };
  }

  /** Wraps the app once, at start; set() later changes what the wrapper does. */
  limit(next: RequestListener): RequestListener {
    this.next = next;
    this.current = this.setting.maxInFlight === 0 ? next : this.limited;
    return (req, res) => (this.current as RequestListener)(req, res);
  }

  /**
   * A new limit from the next request on. Requests already running finish; a waiting line
   * longer than the new one keeps its places, and with the limit off the line goes in at once.
   */
  set(setting: CapacitySetting): void {
    this.setting = { ...setting };
    if (this.next === undefined) return;
    this.current = setting.maxInFlight === 0 ? this.next : this.limited;
    while (
      this.line.length > 0 &&
      (setting.maxInFlight === 0 || this.running < setting.maxInFlight)
    ) {
      const waiting = this.line.shift() as Waiting;
      if (setting.maxInFlight === 0) this.next(waiting.req, waiting.res);
      else this.run(waiting.req, waiting.res);
    }
  }

  private readonly run = (req: IncomingMessage, res: ServerResponse) => {
    this.running++;
    res.once("close", () => {
      this.running--;
      const waiting = this.line.shift();
      if (waiting !== undefined) this.run(waiting.req, waiting.res);
    });
    (this.next as RequestListener)(req, res);
  };

  private readonly limited: RequestListener = (req, res) => {
    const { maxInFlight, maxWaiting, hiddenBecause } = this.setting;
    if (isUnlimited(req.url ?? "")) {
      (this.next as RequestListener)(req, res);
      return;
    }
    if (this.running < maxInFlight) {
      this.run(req, res);
      return;
    }
    if (this.line.length < maxWaiting) {
      const waiting = { req, res };
      this.line.push(waiting);
      // A client that gives up while waiting leaves the line.
      res.once("close", () => {
        const at = this.line.indexOf(waiting);
        if (at !== -1) this.line.splice(at, 1);
      });
      return;
    }
    this.onRefused();
    answerAndClose(
      req,
      res,
      503,
      {
        error:
          hiddenBecause === undefined
            ? `the server is at capacity: ${maxInFlight} requests in flight (MAX_IN_FLIGHT) and ${maxWaiting} waiting (MAX_WAITING); retry after ${RETRY_AFTER_SECONDS} s`
            : `the server is at capacity (its limit is ${hiddenBecause}); retry after ${RETRY_AFTER_SECONDS} s`,
      },
      { "retry-after": String(RETRY_AFTER_SECONDS) },
    );
  };
}

function isUnlimited(url: string): boolean {
  return url.startsWith("/admin") || url.startsWith("/metrics");
}
