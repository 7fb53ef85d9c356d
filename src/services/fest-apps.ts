// The three fest services, each an Express app built from the monolith's own pieces
// (src/fest/routes.ts), so a page is rendered by the same code in both topologies and only
// where its data comes from differs.
//
// The session: one signed cookie, made by accounts and verified by every service with the same
// secret (cookie-parser, as in the monolith). Chosen over "the gateway verifies and passes the
// user in a header" because each service then checks who is asking itself: nothing a client
// sends is trusted because of the path it came by, a service started alone on another machine
// (behind another gateway, or none) needs only the secret, and the gateway stays a plain proxy
// that knows nothing of users. The cost: every service holds the secret.
import type { Database } from "better-sqlite3";
import { type Express, Router } from "express";
import type { Config } from "../config.js";
import { errorHandler, notFoundHandler } from "../error-handler.js";
import type { FaultInjector } from "../faults/inject.js";
import { checkoutFor } from "../fest/checkout.js";
import { optionalUserParam } from "../fest/input.js";
import { NaiveQueries } from "../fest/naive.js";
import { FestQueries } from "../fest/queries.js";
import { accountsRoutes, EVENTS_SLOW_MS, eventsRoutes, festBasics } from "../fest/routes.js";
import { knownUser, requestedUser, sessionUsername } from "../fest/session.js";
import type { User } from "../fest/types.js";
import { NotFound } from "../http-errors.js";
import type { Logger } from "../observe/log.js";
import { metricsRouter, type ServerMetrics } from "../observe/metrics.js";
import { pageApp } from "../page-app.js";
import { sendPage } from "../respond.js";
import type { Switches } from "../switches.js";
import { type CheckoutAnswer, EventsCaller } from "./events-caller.js";
import type { ServiceClient } from "./internal.js";
import type { InternalRoute } from "./internal-routes.js";
import { countedCalls } from "./upstream-calls.js";
import { UsersFromAccounts } from "./users-from-accounts.js";

export interface FestServiceParts {
  config: Config;
  db: Database;
  switches: Switches;
  log: Logger;
  sessionSecret: string;
  /** The secret internal routes ask for (internal-routes.ts). */
  internalSecret: string;
  /** This service's own figures, at its own /metrics (the gateway's gathers every service's). */
  metrics: ServerMetrics;
  /** Mounted before every router, as in the monolith's app, so a fault acts before a route. */
  faultInjector: FaultInjector;
}

/** Sign-up, log-in, log-out. */
export function accountsApp(parts: FestServiceParts): Express {
  const queries = new FestQueries(parts.db);
  return serviceApp(parts, (app) => {
    app.use(festBasics(), accountsRoutes(queries, parts.switches));
  });
}

/** What accounts answers the other services: who a user is (events asks). */
export function accountsCalls(parts: FestServiceParts): InternalRoute[] {
  const queries = new FestQueries(parts.db);
  return [
    {
      pattern: "/internal/users/:username",
      delayMs: slowWhile(parts.switches, "accounts-slow"),
      answer: (username) => knownUser(queries, username),
    },
  ];
}

/** The events list, registering, my events. */
export function eventsApp(parts: FestServiceParts, accounts: ServiceClient): Express {
  const queries = new FestQueries(parts.db);
  const naive = new NaiveQueries(parts.db);
  const users = usersFrom(parts, accounts);
  return serviceApp(parts, (app) => {
    app.use(festBasics());
    // A user who signed up after this file was made is asked of accounts once and kept.
    app.use(async (req, _res, next) => {
      for (const name of [optionalUserParam(req.query.user), sessionUsername(req)]) {
        if (name !== undefined) await users.learn(name);
      }
      next();
    });
    app.use(
      eventsRoutes(queries, naive, parts.switches, {
        queryUserWrites: parts.config.queryUserWrites,
      }),
    );
  });
}

/** What events answers the other services: a user's lines and total (checkout asks). */
export function eventsCalls(parts: FestServiceParts, accounts: ServiceClient): InternalRoute[] {
  const queries = new FestQueries(parts.db);
  const naive = new NaiveQueries(parts.db);
  const users = usersFrom(parts, accounts);
  return [
    {
      pattern: "/internal/checkout/:username",
      delayMs: slowWhile(parts.switches, "events-slow"),
      async answer(username): Promise<CheckoutAnswer> {
        const user = await knownOrLearned(queries, users, username);
        // checkout-slow-loop acts here, where the rows are: the same twins as the monolith's.
        const reads = parts.switches.isOn("checkout-slow-loop") ? naive : queries;
        return { user, ...reads.checkout(user.id) };
      },
    },
  ];
}

/**
 * Every /checkout asks events for its user: one read when events knows them (the usual case);
 * accounts is asked only about a user events has not met yet.
 */
async function knownOrLearned(
  queries: FestQueries,
  users: UsersFromAccounts,
  username: string,
): Promise<User> {
  try {
    return knownUser(queries, username);
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
  }
  await users.learn(username);
  return knownUser(queries, username);
}

function usersFrom(parts: FestServiceParts, accounts: ServiceClient): UsersFromAccounts {
  return new UsersFromAccounts(parts.db, countedCalls(accounts, parts.metrics.registry));
}

/**
 * events-slow, accounts-slow in a call: the wait slowServiceDelay (src/fest/routes.ts) puts
 * before a page, here before an internal answer.
 */
function slowWhile(switches: Switches, name: "events-slow" | "accounts-slow"): () => number {
  return () => (switches.isOn(name) ? EVENTS_SLOW_MS : 0);
}

/**
 * /checkout: the same page as the monolith's, from lines and prices that events sends over
 * HTTP. checkout reads none of them from its own file; when events is down, the page is a 502
 * that names it, and every events page is unaffected when checkout is the one down.
 */
export function checkoutApp(parts: FestServiceParts, events: ServiceClient): Express {
  const caller = new EventsCaller(countedCalls(events, parts.metrics.registry), parts.switches);
  const router = Router();
  router.get("/checkout", async (req, res) => {
    const named = requestedUser(req, "demo");
    if (named === undefined) throw new NotFound("no user");
    const answer = await caller.checkout(named.name);
    if (!answer.found) throw new NotFound(`user "${named.name}" not found`);
    const { user, lines, totalRupees } = answer.body;
    const checkout = await checkoutFor(req, user, () => ({ lines, totalRupees }), parts.switches);
    sendPage(req, res, {
      view: "checkout.njk",
      data: { user: user.username, via: named.via, ...checkout },
    });
  });
  return serviceApp(parts, (app) => {
    app.use(festBasics(), router);
  });
}

/** What the monolith's app (src/app.ts) does around the fest router, for one service. */
function serviceApp(parts: FestServiceParts, mount: (app: Express) => void): Express {
  const app = pageApp({
    mode: parts.config.mode,
    switches: parts.switches,
    sessionSecret: parts.sessionSecret,
    trustProxy: parts.config.trustProxy,
  });
  app.use(parts.faultInjector.expressHandler);
  app.use(metricsRouter(parts.metrics));
  mount(app);
  app.use(notFoundHandler);
  app.use(errorHandler(parts.log));
  return app;
}
