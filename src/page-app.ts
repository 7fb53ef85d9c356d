// The Express set-up every app that renders Fest Lab's pages shares: the monolith's (app.ts)
// and each fest service's (src/services/fest-apps.ts). One place, so the two cannot drift:
// when they did, the services' pages showed the switches a running challenge hides.
import { IncomingMessage, ServerResponse } from "node:http";
import cookieParser from "cookie-parser";
import express, { type Express } from "express";
import type { Mode } from "./config.js";
import type { Switches } from "./switches.js";
import { type TrustProxy, trustProxyIn } from "./trust-proxy.js";
import { createViews } from "./views.js";

export interface PageAppParts {
  mode: Mode;
  switches: Switches;
  /** Signs the session cookie (cookie-parser); the same secret in every service. */
  sessionSecret: string;
  /** TRUST_PROXY: req.ip and req.secure from the proxies it names only. */
  trustProxy: TrustProxy | undefined;
}

export function pageApp({ mode, switches, sessionSecret, trustProxy }: PageAppParts): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  trustProxyIn(app, trustProxy);
  // nunjucks is Express's view engine: routes call res.render (through sendPage). The cache
  // keeps Express from looking each view up again on every request outside production.
  createViews().express(app);
  app.set("view cache", true);
  app.use(cookieParser(sessionSecret));
  app.use((_req, res, next) => {
    res.locals.mode = mode;
    // A running challenge hides which switches it turned on (src/challenge/): the layout's
    // banner says that something is hidden, never what.
    res.locals.switchesHidden = switches.hiddenBecause;
    res.locals.switchesOn = switches.hiddenBecause === undefined ? switches.enabled() : [];
    next();
  });
  return app;
}

/** The classes node:http makes each request's objects with (createServer's options). */
export interface RequestClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

/**
 * node:http's request and response classes, with this app's prototypes from the start.
 * Express gives every request its own methods with Object.setPrototypeOf(req, app.request)
 * (and res); on objects that node:http made with its plain prototypes, V8 then kept each
 * request's whole object graph alive through the next young-generation GC: about 25 KB a
 * request promoted to old space (measured with --trace-gc-nvp on /my-events, /status and a
 * bare Express app; none for plain node:http), so a mark-compact every couple of seconds and
 * scavenges several times slower, the pauses in every Express page's p99. Objects that are
 * born with those prototypes make Express's call a no-op: nothing promoted.
 */
export function requestClassesOf(app: Express): RequestClasses {
  return {
    IncomingMessage: withPrototype(IncomingMessage, app.request),
    ServerResponse: withPrototype(ServerResponse, app.response),
  };
}

/**
 * A constructor that builds what Base builds, on `prototype` (which inherits Base's). node:http
 * passes IncomingMessage one argument and ServerResponse two; named, not a rest array, since
 * this runs twice a request, /health's included.
 */
function withPrototype<Class extends typeof IncomingMessage | typeof ServerResponse>(
  Base: Class,
  prototype: object,
): Class {
  const construct = Base as unknown as (this: object, first: unknown, second: unknown) => void;
  function Made(this: object, first: unknown, second: unknown) {
    construct.call(this, first, second);
  }
  Made.prototype = prototype;
  return Made as unknown as Class;
}
