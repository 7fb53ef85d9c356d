// One line a request, written when the answer has gone out:
//   INFO:     127.0.0.1:58039 - "GET /checkout HTTP/1.1" 500 3.1ms
// It wraps the node:http handler, below any framework, so routes answered before
// Express (the fast /health) are logged too.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "./log.js";

export function withAccessLog(handler: RequestListener, log: Logger): RequestListener {
  if (!log.enabled("info")) return handler;
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => log.info(accessLine(req, res, started)));
    res.once("close", () => {
      if (!res.writableFinished)
        log.info(`${accessLine(req, res, started)} (client closed the connection)`);
    });
    handler(req, res);
  };
}

function accessLine(req: IncomingMessage, res: ServerResponse, started: bigint): string {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const client = `${req.socket.remoteAddress ?? "-"}:${req.socket.remotePort ?? "-"}`;
  return `${client} - "${req.method} ${req.url} HTTP/${req.httpVersion}" ${res.statusCode} ${ms.toFixed(1)}ms`;
}
