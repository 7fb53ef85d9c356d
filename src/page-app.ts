// The Express set-up every app that renders Fest Lab's pages shares: the monolith's (app.ts)
// and each fest service's (src/services/fest-apps.ts). One place, so the two cannot drift:
// when they did, the services' pages showed the switches a running challenge hides.
import cookieParser from "cookie-parser";
import express, { type Express } from "express";
import type { Mode } from "./config.js";
import { serveStylesheet } from "./page-style.js";
import type { Switches } from "./switches.js";
import { type TrustProxy, trustProxyIn } from "./trust-proxy.js";
import { useViews } from "./views.js";

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
  // nunjucks is Express's view engine: routes send pages through sendPage (src/respond.ts),
  // which renders with it at once. The cache keeps Express from looking each view up again
  // on every request outside production, for res.render's other callers.
  useViews(app);
  app.set("view cache", true);
  serveStylesheet(app);
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
