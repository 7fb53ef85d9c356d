// MAX_IN_FLIGHT=N with a waiting line of M (MAX_WAITING): at most N requests run at once, M
// more wait their turn in arrival order, and the rest get 503 with Retry-After at once. The
// lesson is the knee of the curve and Little's law (in flight = throughput × latency): once N
// are in flight, throughput stops growing, latency climbs by the time spent in line, then
// rejections start. /health (answered before this), /admin and /metrics are never limited, so
// the probes that watch an overloaded server still get through.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { answerAndClose } from "./answer.js";

/** A slot frees within one request's time; a second is a polite, short wait. */
const RETRY_AFTER_SECONDS = 1;

interface Waiting {
  req: IncomingMessage;
  res: ServerResponse;
}

export class CapacityLimit {
  private running = 0;
  private readonly line: Waiting[] = [];

  constructor(
    readonly maxInFlight: number,
    readonly maxWaiting: number,
    /** Told of each refusal: the metrics count them. */
    private readonly onRefused: () => void = () => {},
  ) {}

  /** The identity when MAX_IN_FLIGHT is 0 (off): no cost at all. */
  limit(next: RequestListener): RequestListener {
    if (this.maxInFlight === 0) return next;
    const run = (req: IncomingMessage, res: ServerResponse) => {
      this.running++;
      res.once("close", () => {
        this.running--;
        this.admitNext(run);
      });
      next(req, res);
    };
    return (req, res) => {
      if (isUnlimited(req.url ?? "")) {
        next(req, res);
        return;
      }
      if (this.running < this.maxInFlight) {
        run(req, res);
        return;
      }
      if (this.line.length < this.maxWaiting) {
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
          error: `the server is at capacity: ${this.maxInFlight} requests in flight (MAX_IN_FLIGHT) and ${this.maxWaiting} waiting (MAX_WAITING); retry after ${RETRY_AFTER_SECONDS} s`,
        },
        { "retry-after": String(RETRY_AFTER_SECONDS) },
      );
    };
  }

  private admitNext(run: RequestListener): void {
    const waiting = this.line.shift();
    if (waiting !== undefined) run(waiting.req, waiting.res);
  }
}

function isUnlimited(url: string): boolean {
  return url.startsWith("/admin") || url.startsWith("/metrics");
}
