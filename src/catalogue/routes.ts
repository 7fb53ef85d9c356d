// HTTP for the catalogue lab: GET /status, GET /api/id/:id and GET /api/title/:title/:year.
// Each lookup asks the switch registry which twin reads the title and which finds the similar
// movies; the rest is shared, so both paths answer the same movie and the same top 10.
// Answers are JSON (the seed lab's locustfile sends no Accept); a browser gets a page.
import { type Request, type Response, Router } from "express";
import type { Mode } from "../config.js";
import { BadInput, NotFound } from "../http-errors.js";
import { answerJsonFirst, answerJsonOnly, sendPage } from "../respond.js";
import type { Switches } from "../switches.js";
import { ID_RULE, movieIdParam, TITLE_RULE, titleParam, YEAR_RULE, yearParam } from "./input.js";
import type { LeakSwitch, RetainedMemory } from "./leaks.js";
import type { NaiveCatalogue } from "./naive.js";
import type { CatalogueQueries } from "./queries.js";
import type { Lookup, Movie } from "./types.js";

export function catalogueRouter(
  queries: CatalogueQueries,
  naive: NaiveCatalogue,
  switches: Switches,
  mode: Mode,
  retained: RetainedMemory,
): Router {
  const router = Router();
  // A leak switch on: its route keeps what the switch says (leaks.ts) and never lets go.
  const leakIfOn = (leak: LeakSwitch) => {
    if (switches.isOn(leak)) retained.keep(leak);
  };
  // Counted once: the catalogue does not change while the server runs, and /status stays cheap.
  const movies = queries.movieCount();

  const lookup = (req: Request, res: Response, movie: Movie) => {
    const fullScan = switches.isOn("similar-full-scan");
    const { similar, moviesScored } = (fullScan ? naive : queries).similarTo(movie);
    const answer: Lookup = {
      movie,
      similar,
      similarFrom: fullScan ? "full-scan" : "precomputed",
      moviesScored,
    };
    sendPage(req, res, { view: "movie.njk", data: answer });
  };

  router.get("/status", answerJsonOnly, (_req, res) => {
    leakIfOn("status-history-leak");
    res.json({ status: "ok", lab: "catalogue", movies, mode });
  });

  router.use("/api", answerJsonFirst);

  router.get("/api/id/:id", (req, res) => {
    leakIfOn("lookup-trace-leak");
    const id = movieIdParam(req.params.id);
    const movie = queries.movieById(id);
    if (movie === undefined) throw new NotFound(`no movie with id ${id} in the catalogue`, { id });
    lookup(req, res, movie);
  });

  router.get("/api/title/:title/:year", (req, res) => {
    leakIfOn("title-listener-leak");
    const title = titleParam(req.params.title);
    const year = yearParam(req.params.year);
    const reads = switches.isOn("title-scan") ? naive : queries;
    const movie = reads.movieByTitle(title, year);
    if (movie === undefined) {
      throw new NotFound(`no movie titled "${title}" from ${year} in the catalogue`, {
        title,
        year,
      });
    }
    lookup(req, res, movie);
  });

  // The shapes the two routes above cannot match still get an answer that names the parameter.
  router.get("/api/id", () => {
    throw new BadInput("id", ID_RULE);
  });
  router.get(["/api/title", "/api/title/*rest"], (req) => {
    const rest = (req.params as { rest?: string[] }).rest ?? [];
    if (rest.length === 0 || rest[0] === "") throw new BadInput("title", TITLE_RULE);
    if (rest.length === 1 || (rest.length === 2 && rest[1] === "")) {
      throw new BadInput("year", YEAR_RULE);
    }
    throw new BadInput("title", `${TITLE_RULE}; write a / inside a title as %2F`);
  });

  return router;
}
