// The catalogue lab: a read-only movie lookup API whose naive twins scan instead of index.

import type { Database } from "better-sqlite3";
import type { Config } from "../config.js";
import { type Switches, switchesOfLab } from "../switches.js";
import { NaiveCatalogue } from "./naive.js";
import { CatalogueQueries } from "./queries.js";
import { catalogueRouter } from "./routes.js";

export function catalogueLab({
  config,
  db,
  switches,
}: {
  config: Config;
  db: Database;
  switches: Switches;
}) {
  return {
    name: "catalogue",
    router: catalogueRouter(
      new CatalogueQueries(db),
      new NaiveCatalogue(db),
      switches,
      config.mode,
    ),
    switches: switchesOfLab("catalogue"),
    reset: () => ({ report: "read-only: nothing to put back", line: "" }),
  };
}
