// One page, two formats: HTML by default, JSON when the request asks for it. HTML is rendered
// with the app's nunjucks (src/views.ts, registered once in src/page-app.ts), where a page's
// data, res.locals and app.locals meet as res.render would merge them, and sent at once.
import type { Request, RequestHandler, Response } from "express";
import { renderPage } from "./views.js";

const ANSWER_FORMAT = Symbol("the format an API answers in");
type MarkedResponse = Response & { [ANSWER_FORMAT]?: "json-only" | "json-first" };

// For an API's routes: every answer, refusals and errors included, is JSON whatever Accept
// says, so curl's */* gets JSON as a script expects.
export const answerJsonOnly: RequestHandler = (_req, res, next) => {
  (res as MarkedResponse)[ANSWER_FORMAT] = "json-only";
  next();
};

// For an API that also has pages: JSON unless the request prefers HTML, so Locust's and curl's
// */* get JSON (the seed lab's locustfile sends no Accept) and a browser gets a page.
export const answerJsonFirst: RequestHandler = (_req, res, next) => {
  (res as MarkedResponse)[ANSWER_FORMAT] = "json-first";
  next();
};

export function wantsJson(req: Request): boolean {
  const format = req.res === undefined ? undefined : (req.res as MarkedResponse)[ANSWER_FORMAT];
  if (format === "json-only") return true;
  if (format === "json-first") return req.accepts(["json", "html"]) !== "html";
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
  else res.send(renderPage(req.app, page.view, page.data, res.locals));
}
