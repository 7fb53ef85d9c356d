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
import type { Socket } from "node:net";
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

/**
 * socket.bytesWritten, the same count: the bytes handed to the OS plus those still buffered in
 * the socket. node:net's getter walks the buffered writes (an array copied out of the stream's
 * state, and each string's UTF-8 length) even when there are none, which is how a request
 * usually finds its socket as it starts (the last answer went out before the client sent this
 * request); then the bytes handed to the OS are the whole count, read without the walk.
 */
function bytesOut(socket: Socket): number {
  if (socket.writableLength === 0) {
    const dispatched = (socket as Socket & { _bytesDispatched?: unknown })._bytesDispatched;
    if (typeof dispatched === "number") return dispatched;
  }
  return socket.bytesWritten;
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
      bytes: notAnAnswer ? 0 : bytesOut(req.socket) - bytesBefore,
    };
    for (const watcher of watchers) watcher.requestEnded(request);
  };
  return (req, res) => {
    const started = performance.now();
    const bytesBefore = bytesOut(req.socket);
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
