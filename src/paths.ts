// Where the project's own files live, whether this runs from src/ (tests) or dist/src/ (npm start).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
export const viewsDir = join(projectRoot, "views");
export const schemaFile = join(projectRoot, "db", "schema.sql");
/** Compiled JavaScript: worker threads need a .js file even when tests run the .ts sources. */
export const distDir = join(projectRoot, "dist");
