// The one place a thrown error becomes an answer. Clients never see a stack trace,
// except on the 500 page of a crash bug that was switched on on purpose (and not hidden by a
// running challenge).
import type { ErrorRequestHandler, RequestHandler } from "express";
import { HttpError, NotFound, SwitchedOnCrash } from "./http-errors.js";
import type { Logger } from "./observe/log.js";
import { sendPage } from "./respond.js";
import { SWITCHES } from "./switches.js";

export const notFoundHandler: RequestHandler = (req) => {
  throw new NotFound(`no page at ${req.method} ${req.path}`);
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return;
    if (error instanceof SwitchedOnCrash && error.hiddenBecause !== undefined) {
      // A running challenge asks which route fails and how: the status says it, the bug's
      // name would answer it. The log line is the student's to read too: no name, no stack.
      log.error(`${req.method} ${req.originalUrl} crashed (its cause is ${error.hiddenBecause})`);
      sendPage(req, res, {
        view: "error.njk",
        data: { error: "internal error", status: 500 },
        status: 500,
      });
      return;
    }
    if (error instanceof SwitchedOnCrash) {
      log.error(
        `${req.method} ${req.originalUrl} crashed (switch ${error.bug} is on):\n${error.stack}`,
      );
      const data = {
        error: error.message,
        bug: error.bug,
        lesson: SWITCHES[error.bug].description,
        fix: `switch it off: PUT /admin/switches/${error.bug} {"on": false}, or restart without it`,
        stack: error.stack,
      };
      sendPage(req, res, { view: "crash.njk", data, status: 500 });
      return;
    }
    const known = toHttpError(error);
    if (known.status >= 500) {
      log.error(
        `${req.method} ${req.originalUrl} failed:\n${(error as Error)?.stack ?? String(error)}`,
      );
    }
    res.set(known.headers);
    sendPage(req, res, {
      view: "error.njk",
      data: { error: known.message, status: known.status, ...known.details },
      status: known.status,
    });
  };
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  // Express's router could not decode a %-escape in the path (/events/%ZZ/register).
  if (error instanceof URIError) {
    return new HttpError(
      400,
      "path: it has an invalid %-escape (a % must start %XX, two hex digits)",
      {
        parameter: "path",
        allowed: "%XX escapes with two hex digits; write a % itself as %25",
      },
    );
  }
  // Errors from Express's own parsers (a malformed JSON body, a body too large) carry a status.
  const status = (error as { status?: unknown })?.status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const { type, limit } = error as { type?: unknown; limit?: unknown };
    const message =
      type === "entity.parse.failed"
        ? "body: not valid JSON"
        : type === "entity.too.large"
          ? `body: larger than allowed (${sizeText(limit)})`
          : "the request could not be read";
    return new HttpError(status, message, { parameter: "body" });
  }
  return new HttpError(500, "internal error: the server log has the details");
}

/** The limit of the parser that refused, as its router set it ("4kb" arrives as 4096). */
function sizeText(limit: unknown): string {
  if (typeof limit !== "number") return "its limit";
  return limit % 1024 === 0 ? `${limit / 1024} KB` : `${limit} bytes`;
}
