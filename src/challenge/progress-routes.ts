// The challenges' progress and completion codes (progress.ts), beside the challenge API and
// guarded like it (mounted by the admin router after its token check):
//   GET    /admin/challenge/progress        {"challenges": [{challenge, state, seed, ...}]}
//   DELETE /admin/challenge/progress        forgets it all: {"cleared": rows}
//   POST   /admin/challenge/progress/clear  the admin page's form for the same, back to the page
//   POST   /admin/challenge/code            {"challenge": "...", "student": "NAME"}: the code of
//                                           that challenge's graded pass (CLASS_KEY needed); the
//                                           page's form too, then back to the table, which shows it
// POST /admin/reset leaves the progress alone: a reset puts the labs back, not the class's work.
import express, { type Request, Router } from "express";
import type { Logger } from "../observe/log.js";
import { clientOf } from "../trust-proxy.js";
import type { ChallengeProgress } from "./progress.js";

export function progressRouter(progress: ChallengeProgress, log: Logger): Router {
  const router = Router();
  const json = express.json({ limit: "4kb" });
  const form = express.urlencoded({ extended: false, limit: "4kb" });

  router.get("/admin/challenge/progress", (_req, res) => {
    res.json({ challenges: progress.list() });
  });

  const clear = (req: Request) => {
    const cleared = progress.clear();
    log.warn(`challenge progress cleared by admin from ${clientOf(req)}: ${cleared} rows`);
    return cleared;
  };
  router.delete("/admin/challenge/progress", (req, res) => {
    res.json({ cleared: clear(req) });
  });
  router.post("/admin/challenge/progress/clear", (req, res) => {
    clear(req);
    res.redirect(303, "/admin#progress");
  });

  router.post("/admin/challenge/code", json, form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const made = progress.completionCode(body.challenge, body.student);
    // The page's table shows the code made, beside the pass.
    if (req.is("application/x-www-form-urlencoded")) res.redirect(303, "/admin#progress");
    else res.json(made);
  });

  return router;
}
