// When a request starts and when it ends (answered, reset by a fault, or its client gone),
// told once to everything that counts requests: the metrics, the ground truth and the drain.
// The route pattern, the time and the bytes are worked out once for all of them.
//
// Most answers (the fast /health, the door's and the drain's refusals) are handed to the
// socket before the handler returns: such a request ends right there, with no listener and no
// closure, because a 'close' listener a request was the largest share of /health's own cost
// (issue 22's profile: 9.5 % of its CPU). A request still running when the handler returns
// (Express's routes, a pipelined request queued behind another, a faulted one) is told when
// its response closes: 'close' comes once per response, answered or abandoned.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { routeLabel } from "./route-label.js";

export interface EndedRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /**
   * True when the whole answer was handed to the connection; false when the request ended
   * without one (the client left, or a fault reset or hung it).
   */
  readonly answered: boolean;
  /** Milliseconds from the request's arrival to its end. */
  readonly ms: number;
  /** The route pattern (see routeLabel), known only once the request has been routed. */
  readonly route: string;
  /** Bytes written to the connection while the request ran: its answer, headers included. */
  readonly bytes: number;
}

export interface RequestWatcher {
  requestStarted(req: IncomingMessage, res: ServerResponse): void;
  /** Once a request, whether or not an answer went out (`answered` says which). */
  requestEnded(ended: EndedRequest): void;
}

const NOT_ANSWERED = Symbol("not an answer");

/**
 * The response written is not an answer to the client: a service behind the gateway asks it
 * to reset or close the client's connection that way (src/faults/behind-gateway.ts). Counted
 * as one process counts the same fault: no answer, no bytes.
 */
export function markNotAnswered(res: ServerResponse): void {
  (res as ServerResponse & { [NOT_ANSWERED]?: true })[NOT_ANSWERED] = true;
}

/** Wraps the node:http handler, outside everything that may refuse a request, so all count. */
export function watchRequests(
  watchers: readonly RequestWatcher[],
  next: RequestListener,
): RequestListener {
  const ended = (
    req: IncomingMessage,
    res: ServerResponse,
    started: number,
    bytesBefore: number,
    answered: boolean,
  ) => {
    const notAnAnswer = NOT_ANSWERED in res;
    const request: EndedRequest = {
      req,
      res,
      answered: answered && !notAnAnswer,
      ms: performance.now() - started,
      route: routeLabel(req),
      bytes: notAnAnswer ? 0 : req.socket.bytesWritten - bytesBefore,
    };
    for (const watcher of watchers) watcher.requestEnded(request);
  };
  return (req, res) => {
    const started = performance.now();
    const bytesBefore = req.socket.bytesWritten;
    for (const watcher of watchers) watcher.requestStarted(req, res);
    next(req, res);
    // Ended and on its own socket (a pipelined answer waits in the response, not the socket,
    // so its bytes are not counted yet), the connection still open: answered now.
    if (res.writableEnded && res.socket === req.socket && !req.socket.destroyed) {
      ended(req, res, started, bytesBefore, true);
      return;
    }
    // 'close' is emitted on a later tick, never inside next(): listening now misses none.
    res.once("close", () => ended(req, res, started, bytesBefore, res.writableFinished));
  };
}
