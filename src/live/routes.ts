// The live view, behind the admin's guard (mounted by src/admin/routes.ts after the token check):
//   GET /admin/live            the page: charts of the last minutes, second by second
//   GET /admin/live/events     server-sent events: each second's point (LivePoint) as it comes
//   GET /admin/live/chart.js   Chart.js's browser build, from node_modules
// Each /admin/live/events answer sends the points the client has not seen (by the
// Last-Event-ID that EventSource sends when it reconnects), waiting up to a second for the next
// one, and ends; EventSource then asks again at once. Short answers, not one endless stream, so
// an open live view never holds up the drain at shutdown or POST /admin/reset, which both wait
// for the requests in flight.
import { readFileSync } from "node:fs";
import { Router } from "express";
import { BadInput } from "../http-errors.js";
import { sendPage } from "../respond.js";
import { chartJsFile } from "./chart-js.js";
import { type GroupLive, LIVE_PATH, type LiveFigures } from "./live-figures.js";

/** Longer than a second, so a point normally comes first; bounded, so a stopped sampler cannot hang a client. */
const WAIT_FOR_POINT_MS = 2_000;
/** What EventSource waits before asking again after an answer ends. */
const RETRY_MS = 100;

/**
 * `live` is this server's own figures; in a group, `group` gives the group's instead (then a
 * point's id is its second, the same whichever member the next answer comes from).
 */
export function liveRouter(live: LiveFigures, group?: GroupLive): Router {
  const router = Router();
  let chartJs: string | undefined;

  router.get(LIVE_PATH, (req, res) => {
    live.watched();
    sendPage(req, res, { view: "live.njk", data: { windowSeconds: live.windowSeconds } });
  });

  router.get(`${LIVE_PATH}/chart.js`, (_req, res) => {
    chartJs ??= readFileSync(chartJsFile(), "utf8");
    res.type("application/javascript").set("cache-control", "max-age=3600").send(chartJs);
  });

  router.get(`${LIVE_PATH}/events`, async (req, res) => {
    const after = lastSeen(req.get("last-event-id") ?? req.query.after);
    live.watched();
    const pointsAfter = async () => (group ? group(after) : live.pointsAfter(after));
    let points = await pointsAfter();
    if (points.length === 0) {
      await live.nextPoint(WAIT_FOR_POINT_MS);
      points = await pointsAfter();
    }
    const events = points.map((p) => `id: ${p.id}\nevent: point\ndata: ${JSON.stringify(p)}\n\n`);
    res
      .status(200)
      .type("text/event-stream")
      .set("cache-control", "no-store")
      .send(`retry: ${RETRY_MS}\n\n${events.join("")}`);
  });

  return router;
}

function lastSeen(value: unknown): number {
  if (value === undefined) return 0;
  const id = Number(value);
  if (typeof value !== "string" || !/^\d{1,15}$/.test(value)) {
    throw new BadInput("after", "the id of the last point seen, a whole number (or none)");
  }
  return id;
}
