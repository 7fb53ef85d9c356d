// The instructor's view: what a running challenge hides (which switches are on, the faults,
// the limit, the variant's answers, the faults by kind in the truth), shown only when a client
// that holds the admin credential asks for it by name: ?view=instructor on the admin API's GET
// routes. The credential alone is not enough, because on a student's own machine the student
// holds it (the project's commands read it from beside the data to start, hint, verify and
// stop); the project's own commands never ask for this view unless told to
// (`npm run challenge -- status --instructor`).
import type { Request } from "express";
import { BadInput } from "../http-errors.js";

export const INSTRUCTOR_VIEW = "instructor";

/** True when the request asks for the instructor's view; any other ?view= is refused. */
export function wantsInstructorView(req: Request): boolean {
  const view = req.query.view;
  if (view === undefined) return false;
  if (view === INSTRUCTOR_VIEW) return true;
  throw new BadInput(
    "view",
    `"${INSTRUCTOR_VIEW}" (shows what a running challenge hides), or leave it out`,
  );
}
