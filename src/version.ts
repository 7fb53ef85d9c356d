// The version every answer carries (X-Fest-Lab-Version), /health reports and the banner shows:
// package.json's, read once at load, so a student's screenshot names the build it came from.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "./paths.js";

export const VERSION_HEADER = "X-Fest-Lab-Version";

export const VERSION: string = (
  JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { version: string }
).version;
