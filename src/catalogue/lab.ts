// The catalogue lab: a read-only movie lookup API whose naive twins scan instead of index.
import type { Lab, LabParts } from "../labs/lab.js";
import { switchesOfLab } from "../labs/lab.js";
import { NaiveCatalogue } from "./naive.js";
import { CatalogueQueries } from "./queries.js";
import { catalogueRouter } from "./routes.js";

export function catalogueLab({ config, db, switches }: LabParts): Lab {
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
