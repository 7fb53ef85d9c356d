// HTTP for the fest monolith: parse input, ask the switch registry which twin to call,
// then render. The rest of each route is shared, so naive and optimized answers match.
import express, { type Request, type RequestHandler, type Response, Router } from "express";
import { refuseCrossSite } from "../cross-site.js";
import { Unauthorized } from "../http-errors.js";
import { sendPage, wantsJson } from "../respond.js";
import type { Switches, SwitchName } from "../switches.js";
import { checkoutFor, checkoutFromDatabase } from "./checkout.js";
import { credentials, eventIdParam, optionalUserParam } from "./input.js";
import type { NaiveQueries } from "./naive.js";
import { verifyPassword } from "./passwords.js";
import type { FestQueries } from "./queries.js";
import {
  endSession,
  resolveUser,
  resolveWriter,
  sessionUsername,
  startSession,
} from "./session.js";
import type { User } from "./types.js";

export interface FestOptions {
  /** QUERY_USER_WRITES: `?user=` may register without a session. */
  queryUserWrites: boolean;
}

/** Every request that changes data passes this first: nothing is accepted cross-site. */
export const sameSiteOnly: RequestHandler = (req, _res, next) => {
  refuseCrossSite(req, `${req.method} ${req.path}`);
  next();
};

/**
 * The monolith: every fest page in one router. The services topology (src/services/) mounts
 * the same pieces one per process: accountsRoutes in accounts, eventsRoutes in events, and a
 * checkout route of its own that asks events for the lines.
 */
export function festRouter(
  queries: FestQueries,
  naive: NaiveQueries,
  switches: Switches,
  options: FestOptions,
): Router {
  const router = festBasics();
  router.get("/", (req, res) => {
    sendPage(req, res, { view: "home.njk", data: homeSwitches(switches) });
  });
  router.use(eventsRoutes(queries, naive, switches, options));
  router.get("/checkout", async (req, res) => {
    const who = resolveUser(req, queries, "demo");
    const source = checkoutFromDatabase(who.user, { optimized: queries, naive }, switches);
    const checkout = await checkoutFor(req, who.user, source, switches);
    sendPage(req, res, {
      view: "checkout.njk",
      data: { user: who.user.username, via: who.via, ...checkout },
    });
  });
  router.use(accountsRoutes(queries, switches));
  return router;
}

/**
 * The home page's switch table. While a challenge runs, which switches it turned on is what
 * the student is to find: the page lists the switches without their states, as the layout's
 * banner does (src/page-app.ts); the admin API shows them to the admin credential.
 */
function homeSwitches(switches: Switches) {
  if (switches.hiddenBecause === undefined) {
    return { switches: switches.list(), enabled: switches.enabled() };
  }
  return {
    switches: switches.list().map(({ on: _on, ...shown }) => shown),
    hidden: `the switches' states are ${switches.hiddenBecause}; the admin API shows them with the admin token`,
  };
}

/** What every fest page needs first: form and JSON bodies, and who is logged in (the layout shows it). */
export function festBasics(): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: "16kb" }));
  router.use(express.json({ limit: "16kb" }));
  router.use((req, res, next) => {
    res.locals.loggedInAs = sessionUsername(req);
    next();
  });
  return router;
}

/**
 * events-slow and accounts-slow: how long each answer of that service waits. Twice checkout's
 * timeout on events in the services topology (src/services/events-caller.ts), so the fix
 * visibly cuts the wait.
 */
export const EVENTS_SLOW_MS = 2_000;

/**
 * events-slow, accounts-slow: latency inside one service, on a timer, so it costs no CPU (a
 * slow dependency, not a busy one).
 */
export function slowServiceDelay(
  switches: Switches,
  name: "events-slow" | "accounts-slow",
): RequestHandler {
  return (_req, _res, next) => {
    if (switches.isOn(name)) setTimeout(next, EVENTS_SLOW_MS);
    else next();
  };
}

export function eventsSlowDelay(switches: Switches): RequestHandler {
  return slowServiceDelay(switches, "events-slow");
}

/** The events list, registering, my events. */
export function eventsRoutes(
  queries: FestQueries,
  naive: NaiveQueries,
  switches: Switches,
  { queryUserWrites }: FestOptions,
): Router {
  const router = Router();
  // Which twin answers a page: the switch named after the slow one picks it per request.
  const readsFor = (name: SwitchName) => (switches.isOn(name) ? naive : queries);
  router.use(["/events", "/my-events"], eventsSlowDelay(switches));

  router.get("/events", (req, res) => {
    const who = resolveUser(req, queries, "none");
    const userId = who?.user.id ?? null;
    const events = readsFor("events-slow-loop").listEvents(userId);
    // A page shown through ?user= offers a log-in rather than a form that could not act.
    res.locals.canRegister =
      who?.via === "session" ||
      (who?.via === "query" && (queryUserWrites || sessionUsername(req) === who.user.username));
    sendPage(req, res, {
      view: "events.njk",
      data: { user: who?.user.username ?? null, via: who?.via, events },
    });
  });

  router.post("/events/:id/register", sameSiteOnly, (req, res) => {
    const eventId = eventIdParam(req.params.id);
    const who = resolveWriter(req, queries, queryUserWrites, "register");
    const result = queries.registerForEvent(who.user.id, eventId);
    if (wantsJson(req)) {
      res.status(result.created ? 201 : 200).json({ user: who.user.username, ...result });
      return;
    }
    const back = who.via === "query" ? `?user=${encodeURIComponent(who.user.username)}` : "";
    res.redirect(303, `/my-events${back}`);
  });

  router.get("/my-events", (req, res) => {
    const who = resolveUser(req, queries, "demo");
    const registrations = readsFor("my-events-slow-loop").myEvents(who.user);
    sendPage(req, res, {
      view: "my-events.njk",
      data: { user: who.user.username, via: who.via, registrations },
    });
  });
  return router;
}

/** Sign-up, log-in, log-out: where the session cookie is made and ended. */
export function accountsRoutes(queries: FestQueries, switches: Switches): Router {
  const router = Router();
  router.use(["/signup", "/login", "/logout"], slowServiceDelay(switches, "accounts-slow"));
  router.get("/signup", (req, res) => sendPage(req, res, { view: "signup.njk", data: {} }));
  router.post("/signup", sameSiteOnly, async (req, res) => {
    const { username, password } = credentials(req.body);
    const user = await queries.createUser(username, password);
    loggedIn(req, res, user, 201);
  });

  // /login?user=NAME fills the name in: the events page links here for "log in as this user".
  router.get("/login", (req, res) =>
    sendPage(req, res, {
      view: "login.njk",
      data: { username: optionalUserParam(req.query.user) },
    }),
  );
  router.post("/login", sameSiteOnly, async (req, res) => {
    const { username, password } = credentials(req.body);
    const found = queries.findUser(username);
    if (found === undefined || !(await verifyPassword(password, found.passwordHash))) {
      throw new Unauthorized("username or password is wrong");
    }
    const { passwordHash: _hash, ...user } = found;
    loggedIn(req, res, user, 200);
  });

  router.post("/logout", sameSiteOnly, (req, res) => {
    endSession(res);
    if (wantsJson(req)) res.json({ loggedOut: true });
    else res.redirect(303, "/");
  });
  return router;
}

function loggedIn(req: Request, res: Response, user: User, status: number): void {
  startSession(res, user);
  if (wantsJson(req)) res.status(status).json({ user: user.username, via: "session" });
  else res.redirect(303, "/events");
}
