// One page, two formats: HTML by default, JSON when the request asks for it. HTML goes through
// Express's view engine (nunjucks, registered once in app.ts), so a page's data, res.locals
// and app.locals meet in one place.
import type { Request, RequestHandler, Response } from "express";

const JSON_ONLY = Symbol("answers JSON only");
type MarkedResponse = Response & { [JSON_ONLY]?: true };

// For an API's routes: every answer, refusals and errors included, is JSON whatever Accept
// says, so curl's */* gets JSON as a script expects.
export const answerJsonOnly: RequestHandler = (_req, res, next) => {
  (res as MarkedResponse)[JSON_ONLY] = true;
  next();
};

export function wantsJson(req: Request): boolean {
  if (req.res !== undefined && (req.res as MarkedResponse)[JSON_ONLY] === true) return true;
  // Locust and curl send */*, browsers text/html: both get HTML. Only an explicit JSON ask gets JSON.
  return req.accepts(["html", "json"]) === "json";
}

export function sendPage(
  req: Request,
  res: Response,
  page: { view: string; data: object; status?: number },
): void {
  res.status(page.status ?? 200);
  if (wantsJson(req)) res.json(page.data);
  else res.render(page.view, page.data);
}
