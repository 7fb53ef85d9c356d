// The switch page and its JSON API: flip any named behaviour while the server runs. The
// registry (src/switches.ts) takes effect for the next request and logs each change.
//   GET  /admin                  the page: every switch, its description, an on/off button
//   GET  /admin/switches         {"switches": [{name, lab, description, on}]}
//   PUT  /admin/switches/<name>  body {"on": true|false}; answers the switch's new state
//   POST /admin/switches/<name>  the page's form (on=true|false), then back to its row of the page
//   GET  /admin/faults           the faults injected now, the seed, whether headers are obeyed
//   PUT  /admin/faults           body {"faults": "error:503@10%:/events; ..."}; "" clears them
//   POST /admin/faults           the page's form (faults=...), then back to the page's Faults
//   GET  /admin/truth[?run=ID]   the server's own counts since the last reset (src/truth/)
//   ?view=instructor             on the GETs above and GET /admin/challenge: what a running
//                                challenge hides, shown (src/challenge/instructor-view.ts)
//   POST /admin/truth/reset      starts a fresh count
//   POST /admin/reset            every lab back to its start (src/reset/): JSON with what and how
//                                long; the page's form (no body) goes back to the page
//   /admin/challenge...          the challenges (src/challenge/routes.ts)
//   GET  /admin?token=T          the banner's link: sets the admin cookie, then back to /admin
//   /admin/live...               the live view: the last minutes second by second (src/live/)
// Every route passes adminGate first (same site, not locked out for wrong tokens), then the
// token check (src/admin/guard.ts): there is always a token (src/admin-credential.ts), and a
// test lists every route of this router and checks that each refuses a request without it.
// Routes carry their full path (no mount prefix) so /metrics labels them by their pattern.
import express, { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Challenges } from "../challenge/challenges.js";
import { wantsInstructorView } from "../challenge/instructor-view.js";
import { loadCommand } from "../challenge/load-command.js";
import type { ChallengeProgress } from "../challenge/progress.js";
import { progressRouter } from "../challenge/progress-routes.js";
import { challengeRouter } from "../challenge/routes.js";
import type { Faults } from "../faults/faults.js";
import { FaultSpecError, parseFaults, SYNTAX_HELP } from "../faults/spec.js";
import { checkTargets } from "../faults/targets.js";
import { BadInput, HttpError, NotFound } from "../http-errors.js";
import type { GroupLive, LiveFigures } from "../live/live-figures.js";
import { liveRouter } from "../live/routes.js";
import type { Logger } from "../observe/log.js";
import type { LabReset } from "../reset/lab-reset.js";
import { answerJsonOnly, sendPage } from "../respond.js";
import type { ApplyShared } from "../shared-change.js";
import {
  type ApplySwitch,
  isSwitchName,
  SWITCH_NAMES,
  type Switches,
  type SwitchName,
} from "../switches.js";
import { clientOf } from "../trust-proxy.js";
import { shownTruth } from "../truth/shown-truth.js";
import type { GroundTruth, TruthReport } from "../truth/truth.js";
import {
  ADMIN_COOKIE,
  type AdminAccess,
  adminCookieValue,
  adminGate,
  requireAdminToken,
  tokensMatch,
  WWW_AUTHENTICATE,
} from "./guard.js";
import { WrongTokenLimiter } from "./wrong-tokens.js";

const ON_RULE =
  'true or false, in a JSON body {"on": true} sent with Content-Type: application/json';
const apiBody = z.object({ on: z.boolean() });
const formBody = z.object({ on: z.enum(["true", "false"]) });

const COOKIE_OPTIONS = { httpOnly: true, sameSite: "strict", path: "/admin" } as const;

export interface AdminParts {
  switches: Switches;
  /** Changes a switch everywhere it lives before the answer goes out. */
  applySwitch: ApplySwitch;
  /** ADMIN_TOKEN, or the token generated and kept beside the data. */
  adminToken: string;
  /** Says when a client is locked out for wrong tokens. */
  log: Logger;
  faults: Faults;
  truth: GroundTruth;
  /** Faults and truth resets, in this server or every member of its group, before the answer. */
  applyShared: ApplyShared;
  /** GET /admin/truth: this server's truth, or its whole group's added up (src/group/). */
  truthReport(runId?: string): Promise<TruthReport | undefined>;
  reset: LabReset;
  challenges: Challenges;
  /** Each challenge's progress and completion codes (src/challenge/progress.ts). */
  progress: ChallengeProgress;
  /** This server's own per-second figures (src/counters.ts). */
  live: LiveFigures;
  /** In a group: the group's per-second figures, added up by the supervisor (src/group/). */
  groupLive?: GroupLive;
}

export function adminRouter({
  switches,
  applySwitch,
  adminToken,
  log,
  faults,
  truth,
  applyShared,
  truthReport,
  reset,
  challenges,
  progress,
  live,
  groupLive,
}: AdminParts): Router {
  const router = Router();
  const access: AdminAccess = {
    adminToken,
    wrongTokens: new WrongTokenLimiter(log),
  };
  const form = express.urlencoded({ extended: false, limit: "4kb" });
  const json = express.json({ limit: "4kb" });

  // The API answers JSON to curl's */* too, refusals and errors included.
  for (const path of ["/admin/switches", "/admin/faults"]) {
    router.use(path, (req, res, next) => {
      if (req.method !== "POST") answerJsonOnly(req, res, next);
      else next();
    });
  }
  router.use("/admin/truth", answerJsonOnly);
  for (const path of ["/admin/reset", "/admin/challenge", "/admin/challenges"]) {
    router.use(path, (req, res, next) => {
      if (req.is("application/x-www-form-urlencoded")) next();
      else answerJsonOnly(req, res, next);
    });
  }

  // Same site, not locked out: before everything, the login form and the link included.
  router.use("/admin", adminGate(access));

  // Before the token check: how a browser proves it knows the token. The cookie holds a value
  // derived from the token; the redirect takes the token out of the address bar and history.
  const logIn = (req: Request, res: Response, given: unknown) => {
    if (typeof given !== "string" || !tokensMatch(given, adminToken)) {
      if (typeof given === "string") access.wrongTokens.recordWrong(clientOf(req));
      res.set("WWW-Authenticate", WWW_AUTHENTICATE);
      sendPage(req, res, { view: "admin-login.njk", data: { wrong: true }, status: 401 });
      return;
    }
    res.cookie(ADMIN_COOKIE, adminCookieValue(adminToken), {
      ...COOKIE_OPTIONS,
      secure: req.secure,
    });
    res.redirect(303, "/admin");
  };
  router.post("/admin/login", form, (req, res) => logIn(req, res, req.body?.token));
  // The banner's link, http://HOST:PORT/admin?token=T, as Jupyter prints one.
  router.get("/admin", (req, res, next) => {
    if (req.query.token === undefined) next();
    else logIn(req, res, req.query.token);
  });

  router.use("/admin", requireAdminToken(access));

  // While a challenge runs its secret stays hidden here too: every admin has the credential
  // now (a student's own server hands it to the student's commands), and the admin page is
  // where a student starts the challenge. Stopping it says what it changed; the instructor's
  // view, asked for by name, shows it meanwhile.
  const switchesShown = (instructor = false) =>
    switches.hiddenBecause === undefined || instructor
      ? { switches: switches.list() }
      : {
          switches: switches.list().map(({ on: _on, ...shown }) => shown),
          hidden: `the switches' states are ${switches.hiddenBecause}; stopping the challenge shows what it changed`,
        };
  const faultsShown = (instructor = false) =>
    faults.hiddenBecause === undefined || instructor
      ? faultsState(faults)
      : hiddenFaultsState(faults, faults.hiddenBecause);

  router.get("/admin", (req, res) => {
    const origin = `${req.protocol}://${req.get("host") ?? "127.0.0.1:8000"}`;
    const challenge = challenges.state();
    sendPage(req, res, {
      view: "admin.njk",
      data: {
        ...switchesShown(),
        faults: faultsShown(),
        challenges: challenges.list(),
        challenge,
        // The load goes to the address this page was asked at, as the terminal's goes to --url.
        challengeLoad: "load" in challenge ? loadCommand(challenge.load, origin) : "",
        progress: progress.list(),
        lastReset: reset.last,
        tokenRequired: true,
        origin,
      },
    });
  });

  router.post("/admin/logout", (_req, res) => {
    res.clearCookie(ADMIN_COOKIE, COOKIE_OPTIONS);
    res.redirect(303, "/admin");
  });

  router.get("/admin/switches", (req, res) => {
    res.json(switchesShown(wantsInstructorView(req)));
  });

  router.put("/admin/switches/:name", json, async (req, res) => {
    const name = switchParam(req.params.name);
    const body = apiBody.safeParse(req.body);
    if (!body.success) throw new BadInput("on", ON_RULE);
    await applySwitch(name, body.data.on, `admin api from ${clientOf(req)}`);
    res.json(stateOf(switches, name));
  });

  router.post("/admin/switches/:name", form, async (req, res) => {
    const name = switchParam(req.params.name);
    const body = formBody.safeParse(req.body);
    if (!body.success) throw new BadInput("on", "true or false");
    await applySwitch(name, body.data.on === "true", `admin page from ${clientOf(req)}`);
    // Back to the switch's own row: the page is long, and its top is not where the button was.
    res.redirect(303, `/admin#switch-${name}`);
  });

  router.get("/admin/faults", (req, res) => {
    res.json(faultsShown(wantsInstructorView(req)));
  });

  router.put("/admin/faults", json, async (req, res) => {
    const body = faultsBody.safeParse(req.body);
    if (!body.success) throw new BadInput("faults", FAULTS_RULE);
    await setFaults(faults, applyShared, body.data.faults, `admin api from ${clientOf(req)}`);
    res.json(faultsState(faults));
  });

  router.post("/admin/faults", form, async (req, res) => {
    const body = faultsBody.safeParse(req.body);
    if (!body.success) throw new BadInput("faults", FAULTS_RULE);
    await setFaults(faults, applyShared, body.data.faults, `admin page from ${clientOf(req)}`);
    res.redirect(303, "/admin#faults");
  });

  router.get("/admin/truth", async (req, res) => {
    const run = req.query.run;
    if (run !== undefined && typeof run !== "string") throw new BadInput("run", "one run id");
    const instructor = wantsInstructorView(req);
    const report = await truthReport(run);
    if (report === undefined) {
      throw new NotFound(`no request has carried X-Run-Id: ${run} since the last reset`, {
        parameter: "run",
        runs: (await truthReport())?.runs ?? [],
      });
    }
    const shown = shownTruth(report, instructor ? undefined : switches.hiddenBecause);
    res.json(run === undefined ? shown : { run, ...shown });
  });

  router.post("/admin/truth/reset", async (req, res) => {
    await applyShared({ truthReset: true }, `admin api from ${clientOf(req)}`);
    log.warn(`truth reset by admin api from ${clientOf(req)}`);
    res.json({ reset: true, since: truth.report()?.since });
  });

  router.post("/admin/reset", form, async (req, res) => {
    // The page's form sends a form body; curl -X POST and scripts send JSON or nothing.
    const fromPage = typeof req.is("application/x-www-form-urlencoded") === "string";
    const report = await reset.run(`admin ${fromPage ? "page" : "api"} from ${clientOf(req)}`);
    if (fromPage) res.redirect(303, "/admin#reset");
    else res.json(report);
  });

  router.use(challengeRouter(challenges));
  router.use(progressRouter(progress, log));

  router.use(liveRouter(live, groupLive));

  return router;
}

const FAULTS_RULE = `a JSON body {"faults": "RULES"} (or the form field faults), RULES being ${SYNTAX_HELP}; "" clears them`;
const faultsBody = z.object({ faults: z.string().max(4000) });

/** Checked here (syntax and routes), then set in this server or in every member of its group. */
async function setFaults(
  faults: Faults,
  applyShared: ApplyShared,
  text: string,
  by: string,
): Promise<void> {
  try {
    checkTargets(parseFaults(text), faults.knownRoutes());
    await applyShared({ faults: text }, by);
  } catch (error) {
    if (!(error instanceof FaultSpecError)) throw error;
    throw new HttpError(400, `faults: ${error.message}`, {
      parameter: "faults",
      rule: error.rule,
      field: error.field,
      allowed: error.allowed,
    });
  }
}

function faultsState(faults: Faults) {
  return {
    faults: faults.text,
    rules: [
      ...faults.plan.requests.map(({ text, kind, rate, method, route }) => ({
        text,
        kind,
        ratePercent: Math.round(rate * 1e6) / 1e4,
        method: method ?? "*",
        route: route ?? "*",
      })),
      ...(faults.plan.stall
        ? [
            {
              text: faults.plan.stall.text,
              kind: "stall",
              freezeMs: faults.plan.stall.freezeMs,
              everyMs: faults.plan.stall.everyMs,
            },
          ]
        : []),
    ],
    seed: faults.seed,
    faultHeaders: faults.headersAllowed,
    syntax: SYNTAX_HELP,
    routes: [...new Set(faults.knownRoutes().map((route) => route.pattern))],
  };
}

/** Which faults are set is a challenge's secret; how to set them is not. */
function hiddenFaultsState(faults: Faults, hiddenBecause: string) {
  const { faults: _text, rules: _rules, ...rest } = faultsState(faults);
  return {
    hidden: `the faults are ${hiddenBecause}; stopping the challenge shows what it changed`,
    ...rest,
  };
}

function switchParam(name: string | undefined): SwitchName {
  if (name !== undefined && isSwitchName(name)) return name;
  throw new NotFound(`no switch named "${name}": known names are ${SWITCH_NAMES.join(", ")}`, {
    parameter: "name",
    known: SWITCH_NAMES,
  });
}

function stateOf(switches: Switches, name: SwitchName) {
  return switches.list().find((state) => state.name === name);
}
