// One page, two formats: HTML by default, JSON when the request asks for it.
import type { Request, Response } from "express";
import type { Environment } from "nunjucks";

export function wantsJson(req: Request): boolean {
  // An API route (the admin API) answers JSON whatever Accept says, its errors included.
  if (req.res?.locals.alwaysJson === true) return true;
  // Locust and curl send */*, browsers text/html: both get HTML. Only an explicit JSON ask gets JSON.
  return req.accepts(["html", "json"]) === "json";
}

export function sendPage(
  req: Request,
  res: Response,
  page: { view: string; data: object; status?: number },
): void {
  const status = page.status ?? 200;
  if (wantsJson(req)) {
    res.status(status).json(page.data);
    return;
  }
  const views = req.app.locals.views as Environment;
  const html = views.render(page.view, { ...res.locals, ...page.data });
  res.status(status).type("html").send(html);
}
