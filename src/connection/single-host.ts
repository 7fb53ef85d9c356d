// HTTP/1.1 (RFC 9112, 3.2) says a request with more than one Host header gets 400: two
// names for one request let a proxy and this server disagree on which site was asked for.
// node:http keeps only the first Host in req.headers, so the check counts req.rawHeaders,
// a short array of names and values; a length test first keeps /health's cost near nothing.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { answerAndClose } from "./answer.js";

export function withSingleHost(next: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (hostCount(req.rawHeaders) > 1) {
      answerAndClose(req, res, 400, {
        error: "Host: sent more than once; HTTP/1.1 allows exactly one Host header",
        parameter: "Host",
        allowed: "one Host header",
      });
      return;
    }
    next(req, res);
  };
}

function hostCount(raw: string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 4 && name.toLowerCase() === "host") count++;
  }
  return count;
}
