// Small typed errors that routes throw; src/error-handler.ts turns each into one answer,
// as JSON or HTML to match the request.
import type { SwitchName } from "./switches.js";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Extra response headers, such as Retry-After on a 503. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A parameter failed its check: names the parameter and what is allowed. */
export class BadInput extends HttpError {
  constructor(parameter: string, allowed: string) {
    super(400, `${parameter}: ${allowed}`, { parameter, allowed });
  }
}

export class NotFound extends HttpError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(404, message, details);
  }
}

export class Unauthorized extends HttpError {
  constructor(message: string) {
    super(401, message);
  }
}

export class Forbidden extends HttpError {
  constructor(message: string) {
    super(403, message);
  }
}

export class Conflict extends HttpError {
  constructor(message: string) {
    super(409, message);
  }
}

/** The server is at a bound it keeps on purpose (a full queue): come back in a moment. */
export class ServiceUnavailable extends HttpError {
  constructor(message: string, retryAfterSeconds: number) {
    super(503, message, { retryAfterSeconds }, { "Retry-After": String(retryAfterSeconds) });
  }
}

/** A client asked too often (wrong admin tokens): come back after Retry-After seconds. */
export class TooManyRequests extends HttpError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, message, { retryAfterSeconds }, { "Retry-After": String(retryAfterSeconds) });
  }
}

/**
 * Thrown by a crash bug that was switched on on purpose; its 500 page names the bug, unless a
 * running challenge hides it (`hiddenBecause`): then the page is a plain 500.
 */
export class SwitchedOnCrash extends Error {
  constructor(
    readonly bug: SwitchName,
    message: string,
    readonly hiddenBecause?: string,
  ) {
    super(message);
    this.name = "SwitchedOnCrash";
  }
}
