// The drain: on SIGTERM or Ctrl+C the server finishes what it started and tells clients to go.
//   - the listening socket closes, and idle keep-alive connections with it;
//   - every answer from then on says `Connection: close`, those in flight included, so a
//     client does not send its next request down a connection that is about to end (the
//     shell's response adds it as the answer's headers are written: shell-response.ts);
//   - a request that still arrives on an open connection gets 503 and is not run;
//   - requests in flight finish, for up to the grace period; what is left then is cut,
//     and the log says how many.
// A load test sees the difference: without a drain, a restart shows up as errors.
import { once } from "node:events";
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "../observe/log.js";
import type { EndedRequest, RequestWatcher } from "../observe/request-watch.js";
import { answerAndClose } from "./answer.js";

export interface DrainReport {
  /** Requests in flight when the drain began. */
  inFlight: number;
  /** Of those, the ones still unanswered when the grace period ran out. */
  cut: number;
}

/** Seconds a refused client should wait: long enough for a restart or another worker. */
const RETRY_AFTER_SECONDS = 1;

export class Drain implements RequestWatcher {
  /** A count, not a set of responses: the drain never needs to reach one (see above). */
  private inFlight = 0;
  private readonly sockets = new Set<Socket>();
  private draining = false;
  private onEmpty: (() => void) | undefined;
  private server: Server | undefined;

  constructor(private readonly log: Logger) {}

  /** The server to drain; its responses ask `started` as they write their headers. */
  watch(server: Server): void {
    this.server = server;
    // Per connection, not per request: what the drain must end once every answer is out.
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  get started(): boolean {
    return this.draining;
  }

  readonly requestStarted = (): void => {
    this.inFlight++;
  };

  readonly requestEnded = ({ req }: EndedRequest): void => {
    this.inFlight--;
    if (!this.draining) return;
    // An answer whose headers went out before the drain said keep-alive; end its connection
    // gently (after the answer is flushed) so no request follows on it.
    const socket = req.socket;
    if (!socket.destroyed && !socket.writableEnded) socket.end();
    if (this.inFlight === 0) this.onEmpty?.();
  };

  /** Wraps the node:http handler: once draining, a request that still arrives gets 503. */
  refuseWhileDraining(next: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (!this.draining) {
        next(req, res);
        return;
      }
      answerAndClose(
        req,
        res,
        503,
        { error: "the server is shutting down: send the request again in a moment" },
        { "retry-after": String(RETRY_AFTER_SECONDS) },
      );
    };
  }

  /** Stops taking requests and waits for those in flight, at most graceMs; then cuts the rest. */
  async drain(graceMs: number): Promise<DrainReport> {
    const server = this.server;
    if (server === undefined) throw new Error("the drain watches no server");
    this.draining = true;
    const deadline = Date.now() + graceMs;
    const report: DrainReport = { inFlight: this.inFlight, cut: 0 };
    const closed = once(server, "close");
    // Stops listening and, since Node 19, closes the idle keep-alive connections too.
    server.close();
    if (report.inFlight > 0) {
      this.log.warn(
        `shutting down: waiting up to ${graceMs} ms (SHUTDOWN_GRACE_MS) for ${report.inFlight} request(s) in flight`,
      );
    }

    if (await this.within(deadline, this.allAnswered())) {
      // No request is left: end the connections that hold none (idle, or headers half sent),
      // and let those still sending a last answer finish it.
      for (const socket of this.sockets) if (!socket.writableEnded) socket.destroy();
    } else {
      report.cut = this.inFlight;
      this.log.warn(
        `shutting down: the grace of ${graceMs} ms (SHUTDOWN_GRACE_MS) ran out; cut ${report.cut} request(s) still in flight`,
      );
    }
    // A client that never reads its last answer cannot hold the exit past the grace.
    if (!(await this.within(deadline, closed))) server.closeAllConnections();
    await closed;
    return report;
  }

  private allAnswered(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onEmpty = resolve;
    });
  }

  /** True when `done` settles before the deadline. */
  private async within(deadline: number, done: Promise<unknown>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
    });
    try {
      return await Promise.race([done.then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
