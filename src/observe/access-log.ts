// One line a request, written when the answer has gone out:
//   INFO:     127.0.0.1:58039 - "GET /checkout HTTP/1.1" 500 3.1ms
// It wraps the node:http handler, below any framework, so routes answered before
// Express (the fast /health) are logged too. With TRUST_PROXY the address is the client's as
// the trusted proxies forwarded it (the same rule as Express's req.ip), else the socket's.
// The banner's admin link carries the token: the log shows `token=[hidden]` instead.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { forwardedClient, type TrustProxy } from "../trust-proxy.js";
import type { Logger } from "./log.js";

export function withAccessLog(
  handler: RequestListener,
  log: Logger,
  trustProxy?: TrustProxy,
): RequestListener {
  if (!log.enabled("info")) return handler;
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => log.info(accessLine(req, res, started, trustProxy)));
    res.once("close", () => {
      if (!res.writableFinished)
        log.info(`${accessLine(req, res, started, trustProxy)} (client closed the connection)`);
    });
    handler(req, res);
  };
}

function accessLine(
  req: IncomingMessage,
  res: ServerResponse,
  started: bigint,
  trustProxy: TrustProxy | undefined,
): string {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const address = forwardedClient(req, trustProxy) ?? "-";
  // A forwarded address has no port of its own worth showing: the socket's is the proxy's.
  const client =
    address === req.socket.remoteAddress ? `${address}:${req.socket.remotePort ?? "-"}` : address;
  const url = (req.url ?? "").replace(/([?&]token=)[^&]*/gi, "$1[hidden]");
  return `${client} - "${req.method} ${url} HTTP/${req.httpVersion}" ${res.statusCode} ${ms.toFixed(1)}ms`;
}
