// What a supervisor (of workers, or of services) does before it starts any child: the first
// start's seeding and training, once, in a process that ends, then a look at the data, whose
// counts the banner shows. N children opening an empty file at once would each try to fill it.
import type { Config } from "../config.js";
import { openDatabase, tableCounts } from "../database.js";
import type { Logger } from "../observe/log.js";
import { prepareFirstStart } from "./prepare.js";

export interface GroupData {
  /** True when this start created and filled the database. */
  seeded: boolean;
  /** True when this start trained the digits model. */
  trained: boolean;
  counts: ReturnType<typeof tableCounts>;
  /** The database file's full path. */
  dbName: string;
}

export async function prepareGroupData(config: Config, log: Logger): Promise<GroupData> {
  const progress = (line: string) => log.info(line);
  const firstStart = await prepareFirstStart(
    {
      dbPath: config.dbPath,
      seedSize: undefined,
      modelPath: config.modelPath,
      trainingPlan: undefined,
    },
    progress,
  );
  const opened = openDatabase(config.dbPath, undefined, progress);
  const data = {
    seeded: opened.seeded || firstStart.seeded,
    trained: firstStart.trained,
    counts: tableCounts(opened.db),
    dbName: opened.db.name,
  };
  opened.db.close();
  return data;
}
