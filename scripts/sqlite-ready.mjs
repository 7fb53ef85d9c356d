// npm install's last line (package.json's postinstall): whether better-sqlite3, the one native
// package, loads. npm hides a dependency's install output, so its build of SQLite (2 to 3 minutes
// when no prebuilt binary fits) is silent; and npm runs this after it, not before, so this can
// only say how it ended: ready, or what to do (npm 12 skips install scripts it was not told about).
import { createRequire } from "node:module";

try {
  const Database = createRequire(import.meta.url)("better-sqlite3");
  const db = new Database(":memory:");
  const { version } = db.prepare("select sqlite_version() as version").get();
  db.close();
  console.log(
    `fest-lab: SQLite ${version} is ready (better-sqlite3 for Node ${process.versions.node}); next: npm start`,
  );
} catch (error) {
  console.error(
    `fest-lab: better-sqlite3 does not load (${error instanceof Error ? error.message.split("\n")[0] : error}): its native build was skipped or failed. Run \`npm rebuild better-sqlite3\`; if that fails, docs/troubleshooting.md says what it needs (a C++ compiler, Python, on Windows the build tools).`,
  );
  process.exit(1);
}
