// The catalogue lab: a read-only movie lookup API whose naive twins scan instead of index, and
// whose leak switches keep something from every request (leaks.ts).

import type { Database } from "better-sqlite3";
import type { Registry } from "prom-client";
import type { Config } from "../config.js";
import type { Logger } from "../observe/log.js";
import { type Switches, switchesOfLab } from "../switches.js";
import { RetainedMemory } from "./leaks.js";
import { NaiveCatalogue } from "./naive.js";
import { CatalogueQueries } from "./queries.js";
import { catalogueRouter } from "./routes.js";

export function catalogueLab({
  config,
  db,
  switches,
  registry,
  log,
}: {
  config: Config;
  db: Database;
  switches: Switches;
  registry: Registry;
  log: Logger;
}) {
  const retained = new RetainedMemory(registry, undefined, (line) => log.warn(line));
  return {
    name: "catalogue",
    router: catalogueRouter(
      new CatalogueQueries(db),
      new NaiveCatalogue(db),
      switches,
      config.mode,
      retained,
    ),
    paths: ["/status", "/api"],
    switches: switchesOfLab("catalogue"),
    /** What the leak switches keep; every member of a group frees its own at a reset. */
    retained,
    reset: () => {
      // The movies are read-only; what a leak kept is the one thing to put back.
      const freedBytes = retained.free();
      return {
        report: { freedBytes },
        line: freedBytes > 0 ? `${freedBytes} leaked bytes freed` : "",
      };
    },
  };
}
