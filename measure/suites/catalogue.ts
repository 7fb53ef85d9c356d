// The catalogue lab's figures, on one database of the default size (50,000 movies):
//   similar-full-scan against the similar lists computed at seed time, on /api/id (the median
//   of one request at a time: the full scan is too slow to load with connections);
//   title-scan against the NOCASE index, on /api/title;
//   the optimized lookups' p99 against their p50 at 10 connections (no tail hiding behind a
//   good median).
import { type LoadResult, loadRoute } from "../load.js";
import { withRunDatabase } from "../run-database.js";
import { withServer } from "../server-process.js";
import { atLeast, atMost, defineSuite, type Figure, type MeasureContext } from "../suite.js";
import { type LatencySample, sequentialLatency } from "../timed-get.js";

const BY_ID = "/api/id/tt0068646";
const BY_TITLE = "/api/title/The%20godfather/1972";
const CONNECTIONS = 10;

interface CatalogueRun {
  byId: { optimized: LatencySample; fullScan: LatencySample };
  byTitle: { optimized: LatencySample; titleScan: LatencySample };
  loaded: { byId: LoadResult; byTitle: LoadResult };
}

async function measure(context: MeasureContext): Promise<CatalogueRun> {
  return withRunDatabase(async (dbPath) => {
    const sequential = (bugs: string, route: string) =>
      withServer({ DB_PATH: dbPath, BUGS: bugs }, (server) => {
        context.progress(`catalogue ${bugs || "optimized"} ${route}, one at a time`);
        return sequentialLatency(server.url + route, {
          seconds: context.seconds,
          maxRequests: 5_000,
          warmup: 2,
        });
      });
    const byId = {
      optimized: await sequential("", BY_ID),
      fullScan: await sequential("similar-full-scan", BY_ID),
    };
    const byTitle = {
      optimized: await sequential("", BY_TITLE),
      titleScan: await sequential("title-scan", BY_TITLE),
    };
    const loaded = await withServer({ DB_PATH: dbPath }, async (server) => {
      const load = (route: string) =>
        loadRoute(server.url, route, {
          ...context,
          connections: CONNECTIONS,
          label: "catalogue optimized",
        });
      return { byId: await load(BY_ID), byTitle: await load(BY_TITLE) };
    });
    return { byId, byTitle, loaded };
  });
}

function tailFigure(label: string, pick: (run: CatalogueRun) => LoadResult): Figure<CatalogueRun> {
  return {
    label: `${label} p99 / p50 at ${CONNECTIONS} connections`,
    unit: "x",
    value: (run) => pick(run).latencyMs.p99 / pick(run).latencyMs.p50,
    failed: (run) => pick(run).errors.total,
    target: atMost(4, "x"),
  };
}

/** One route's optimized p50, its slow twin's, and their ratio against `atLeastTimes`. */
function twinFigures(
  route: string,
  twin: string,
  pick: (run: CatalogueRun) => { optimized: LatencySample; slow: LatencySample },
  atLeastTimes: number,
): Figure<CatalogueRun>[] {
  return [
    { label: `${route} optimized p50`, unit: "ms", value: (run) => pick(run).optimized.medianMs },
    { label: `${route} ${twin} p50`, unit: "ms", value: (run) => pick(run).slow.medianMs },
    {
      label: `${twin} / optimized p50`,
      unit: "x",
      value: (run) => pick(run).slow.medianMs / pick(run).optimized.medianMs,
      failed: (run) => pick(run).slow.failures + pick(run).optimized.failures,
      target: atLeast(atLeastTimes, "x"),
    },
  ];
}

export const catalogueSuite = defineSuite<CatalogueRun>({
  name: "catalogue",
  measure,
  title: (_run, context) =>
    `Catalogue: 50,000 movies, the slow twins against the indexed paths, ${context.seconds} s each`,
  figures: [
    ...twinFigures(
      BY_ID,
      "similar-full-scan",
      (run) => ({ ...run.byId, slow: run.byId.fullScan }),
      20,
    ),
    ...twinFigures(
      BY_TITLE,
      "title-scan",
      (run) => ({ ...run.byTitle, slow: run.byTitle.titleScan }),
      5,
    ),
    tailFigure("/api/id", (run) => run.loaded.byId),
    tailFigure("/api/title", (run) => run.loaded.byTitle),
  ],
});
