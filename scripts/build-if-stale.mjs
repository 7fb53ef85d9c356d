// `npm start` and the other programs build only when a source is newer than the last build,
// so a restart after a crash demo takes about a second instead of a full `tsc` run.
// Plain JavaScript on purpose: it has to run before anything is compiled.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const stamp = join(root, "dist", ".build-stamp");
const buildConfig = join(root, "tsconfig.build.json");

/** The newest modification time among the build's inputs: its config files and every .ts and .cts source. */
function newestInput() {
  const { include } = JSON.parse(readFileSync(buildConfig, "utf8"));
  let newest = Math.max(mtime(buildConfig), mtime(join(root, "tsconfig.json")));
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.c?ts$/.test(entry.name)) newest = Math.max(newest, mtime(path));
    }
  };
  for (const dir of include) walk(join(root, dir));
  return newest;
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : Number.NEGATIVE_INFINITY;
}

if (mtime(stamp) >= newestInput()) process.exit(0);

console.log("building: a source is newer than the last build (npm run build)");
// Stamped with the build's start, so a source saved during the build makes the next start build again.
const started = new Date();
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const result = spawnSync(process.execPath, [tsc, "-p", buildConfig], { stdio: "inherit" });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stamp, `built from the sources as they were at ${started.toISOString()}\n`);
utimesSync(stamp, started, started);
