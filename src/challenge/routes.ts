// The challenge API and the admin page's challenge forms. Mounted by the admin router after its
// guard and token check (src/admin/routes.ts), so it is guarded like every admin route.
//   GET  /admin/challenges        {"challenges": [{name, title, lesson, questions, hints, variants}]}
//   GET  /admin/challenge         the running (or last stopped) challenge: brief, run id, questions,
//                                 attempts used and left; ?view=instructor adds what it broke
//                                 and its answers (src/challenge/instructor-view.ts)
//   POST /admin/challenge/start   {"name": "...", "seed": 7}; seed optional (one is drawn)
//   POST /admin/challenge/hint    the next hint, or a message that none remain
//   POST /admin/challenge/verify  {"answers": {"question id": "answer"}}: a verdict per question;
//                                 3 graded attempts a run id, then 409 (challenges.ts)
//   POST /admin/challenge/stop    puts back what start changed, and says what it was
// Each POST also takes the page's form (then goes back to /admin#challenge); everything else,
// refusals included, is JSON (the admin router sees to that before its guard).
import express, { type Request, type Response, Router } from "express";
import { clientOf } from "../trust-proxy.js";
import type { Challenges } from "./challenges.js";
import { wantsInstructorView } from "./instructor-view.js";

/** The page's verify form names each answer field "answer-<question id>". */
const ANSWER_FIELD = "answer-";

export function challengeRouter(challenges: Challenges): Router {
  const router = Router();
  const json = express.json({ limit: "8kb" });
  const form = express.urlencoded({ extended: false, limit: "8kb" });

  router.get("/admin/challenges", (_req, res) => {
    res.json({ challenges: challenges.list() });
  });

  router.get("/admin/challenge", (req, res) => {
    res.json(challenges.state({ instructor: wantsInstructorView(req) }));
  });

  router.post("/admin/challenge/start", json, form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const seed = fromPage(req) ? seedFromForm(body.seed) : body.seed;
    const state = await challenges.start(body.name, seed, by(req));
    answer(req, res, state);
  });

  router.post("/admin/challenge/hint", async (req, res) => {
    answer(req, res, await challenges.hint(by(req)));
  });

  router.post("/admin/challenge/verify", json, form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const answers = fromPage(req)
      ? Object.fromEntries(
          Object.entries(body)
            .filter(([field]) => field.startsWith(ANSWER_FIELD))
            .map(([field, value]) => [field.slice(ANSWER_FIELD.length), value]),
        )
      : body.answers;
    answer(req, res, await challenges.verify(answers, by(req)));
  });

  router.post("/admin/challenge/stop", async (req, res) => {
    answer(req, res, await challenges.stop(by(req)));
  });

  return router;
}

/** The form sends text: empty means "draw one", digits a number; anything else is refused later. */
function seedFromForm(seed: unknown): unknown {
  if (typeof seed !== "string" || seed.trim() === "") return undefined;
  return /^\d{1,10}$/.test(seed.trim()) ? Number(seed) : seed;
}

function fromPage(req: Request): boolean {
  return typeof req.is("application/x-www-form-urlencoded") === "string";
}

function answer(req: Request, res: Response, data: object): void {
  if (fromPage(req)) res.redirect(303, "/admin#challenge");
  else res.json(data);
}

function by(req: Request): string {
  return `admin ${fromPage(req) ? "page" : "api"} from ${clientOf(req)}`;
}
