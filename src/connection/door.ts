// The rules every request meets at the door, before any route, in every shape:
//   - exactly one Host: HTTP/1.1 (RFC 9112, 3.2) says a request with more than one gets 400,
//     since two names for one request let a proxy and this server disagree on which site
//     was asked for; the connection is closed;
//   - a declared body no larger than any route reads (413): a 10 MB upload is refused at
//     once, not streamed through the gateway to a service that never reads it. A client that
//     asked `Expect: 100-continue` is refused before it sends the body (see http-shell.ts);
//     one that sends it anyway has it read and dropped, so it gets the 413, not a reset.
// node:http keeps only the first Host in req.headers, so the check walks req.rawHeaders, a
// short array of names and values, once; a length test before each comparison keeps
// /health's cost near nothing.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { answer, answerAndClose } from "./answer.js";
import { LARGEST_BODY_BYTES } from "./body-limit.js";

export function withDoorRules(next: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const refusal = doorRefusal(req);
    if (refusal === undefined) next(req, res);
    else if (refusal.status === 400) answerAndClose(req, res, refusal.status, refusal.data);
    else answer(req, res, refusal.status, refusal.data);
  };
}

interface Refusal {
  status: 400 | 413;
  data: { error: string; parameter: string; allowed: string };
}

/** Which door rule a request breaks, if any. */
export function doorRefusal(req: IncomingMessage): Refusal | undefined {
  const raw = req.rawHeaders;
  let hosts = 0;
  let declared = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    // The usual spellings first: toLowerCase makes a new string, on every request.
    if (
      name.length === 4 &&
      (name === "Host" || name === "host" || name.toLowerCase() === "host")
    ) {
      hosts++;
    } else if (name.length === 14 && name.toLowerCase() === "content-length") {
      declared = Number(raw[i + 1]);
    }
  }
  if (hosts > 1) {
    return {
      status: 400,
      data: {
        error: "Host: sent more than once; HTTP/1.1 allows exactly one Host header",
        parameter: "Host",
        allowed: "one Host header",
      },
    };
  }
  if (declared > LARGEST_BODY_BYTES) {
    return {
      status: 413,
      data: {
        error: `body: larger than allowed (${LARGEST_BODY_BYTES / 1024} KB)`,
        parameter: "body",
        allowed: `at most ${LARGEST_BODY_BYTES} bytes`,
      },
    };
  }
  return undefined;
}
