// The fest lab: an event-registration site (home, events, register, my events, checkout,
// sign-up and log-in) with slow twins of its queries. A reset puts its rows back as seeded.

import type { Database } from "better-sqlite3";
import type { Config } from "../config.js";
import type { Logger } from "../observe/log.js";
import { restoreSeedCopy } from "../reset/seed-copy.js";
import { type Switches, switchesOfLab } from "../switches.js";
import { NaiveQueries } from "./naive.js";
import { FestQueries } from "./queries.js";
import { festRouter } from "./routes.js";

export function festLab({
  config,
  db,
  switches,
  log,
}: {
  config: Config;
  db: Database;
  switches: Switches;
  log: Logger;
}) {
  if (config.queryUserWrites) {
    log.warn(
      "QUERY_USER_WRITES is on: anyone who can reach this server may register as any user with ?user=, without logging in",
    );
  }
  return {
    name: "fest",
    router: festRouter(new FestQueries(db), new NaiveQueries(db), switches, {
      queryUserWrites: config.queryUserWrites,
    }),
    switches: switchesOfLab("fest"),
    reset() {
      const counts = restoreSeedCopy(db);
      return {
        report: counts,
        line: `${counts.events} events, ${counts.users} users, ${counts.registrations} registrations as seeded`,
      };
    },
  };
}
