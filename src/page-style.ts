// GET /layout.css: every page's stylesheet (views/layout.css), read once and kept by the
// browser for an hour. The layout used to carry it inline, so each page sent the same 2.7 KB
// again: about half of /my-events and /checkout, and bytes the server encoded, hashed for the
// ETag and copied, and the load tool read, on every request.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Express } from "express";
import { viewsDir } from "./paths.js";

export const STYLESHEET_PATH = "/layout.css";

/** Serves the stylesheet ahead of the faults: it belongs to no lab, so no lab's fault hits it. */
export function serveStylesheet(app: Express): void {
  const css = readFileSync(join(viewsDir, "layout.css"), "utf8");
  app.get(STYLESHEET_PATH, (_req, res) => {
    res.type("text/css").set("cache-control", "max-age=3600").send(css);
  });
}
