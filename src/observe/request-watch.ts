// When a request starts and when it ends (answered, reset by a fault, or its client gone),
// told once to everything that counts requests: the metrics, the ground truth and the drain.
// One 'close' listener a request serves them all, and the route pattern, the time and the
// bytes are worked out once: three wrappers, each with its own listener and clock, cost the
// fast /health a measurable share of its throughput.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { routeLabel } from "./route-label.js";

export interface EndedRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Milliseconds from the request's arrival to its end. */
  readonly ms: number;
  /** The route pattern (see routeLabel), known only once the request has been routed. */
  readonly route: string;
  /** Bytes written to the connection while the request ran: its answer, headers included. */
  readonly bytes: number;
}

export interface RequestWatcher {
  requestStarted(req: IncomingMessage, res: ServerResponse): void;
  /** Once a request, whether or not an answer went out (res.writableFinished says which). */
  requestEnded(ended: EndedRequest): void;
}

/** Wraps the node:http handler, outside everything that may refuse a request, so all count. */
export function watchRequests(
  watchers: readonly RequestWatcher[],
  next: RequestListener,
): RequestListener {
  return (req, res) => {
    const started = performance.now();
    const bytesBefore = req.socket.bytesWritten;
    for (const watcher of watchers) watcher.requestStarted(req, res);
    // 'close' comes once per response, answered or abandoned; 'finish' would miss the latter.
    res.once("close", () => {
      const ended: EndedRequest = {
        req,
        res,
        ms: performance.now() - started,
        route: routeLabel(req),
        bytes: req.socket.bytesWritten - bytesBefore,
      };
      for (const watcher of watchers) watcher.requestEnded(ended);
    });
    next(req, res);
  };
}
