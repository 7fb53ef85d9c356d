// Debian's chromium, driven by playwright-core, for the tests that check what a browser shows.
// Without /usr/bin/chromium such a test skips, saying why; with REQUIRE_CHROMIUM=1 (CI) it
// fails instead, so a missing browser can never pass for a green run.
// One browser serves the whole test run: test/global-setup.ts starts it when the first test
// asks for it (a browser's start is seconds of CPU), and each test gets a context of its own
// in it, with its own cookies, storage and pages, closed when the test is done.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { type BrowserContext, type BrowserServer, chromium } from "playwright-core";
import { inject } from "vitest";
import { waitFor } from "./process.js";

export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  ...["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
  ...["--disable-background-networking", "--disable-component-update", "--disable-sync"],
];

/** How a test asks test/global-setup.ts for the shared browser, and where the answer comes. */
export interface SharedChromiumFiles {
  /** Written by a test that needs the browser. */
  request: string;
  /** Written (whole, by a rename) once the browser listens: its WebSocket address. */
  endpoint: string;
  /** Written if the browser did not start: why. */
  failed: string;
}

/** A browser's start is seconds on a busy machine; this bounds it. */
const START_LIMIT_MS = 60_000;

/** Connects to the run's shared browser, or skips the test through `skip` when there is none. */
export async function openChromium(
  skip: (why: string) => void,
  viewport = { width: 1200, height: 1600 },
): Promise<{ browser: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.REQUIRE_CHROMIUM === "1") {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    }
    const why = `${CHROMIUM} is missing (apt-get install -y chromium)`;
    console.warn(`skipped: ${why}`);
    skip(why);
  }
  const shared = inject("sharedChromium");
  if (!existsSync(shared.endpoint)) writeFileSync(shared.request, "");
  await waitFor(
    () => existsSync(shared.endpoint) || existsSync(shared.failed),
    START_LIMIT_MS,
    "the shared Chromium, started by test/global-setup.ts",
  );
  if (existsSync(shared.failed)) {
    throw new Error(`Chromium did not start: ${readFileSync(shared.failed, "utf8")}`);
  }
  const connection = await chromium.connect(readFileSync(shared.endpoint, "utf8"));
  const browser = await connection.newContext({ viewport });
  return {
    browser,
    async close() {
      await browser.close();
      await connection.close();
    },
  };
}

/**
 * Starts the shared browser when a test has asked for it (test/global-setup.ts polls for the
 * request); resolves to a stop for the end of the run.
 */
export async function startSharedChromium(
  files: SharedChromiumFiles,
): Promise<() => Promise<void>> {
  let server: BrowserServer;
  try {
    server = await chromium.launchServer({ executablePath: CHROMIUM, headless: true, args: ARGS });
  } catch (error) {
    writeFileSync(files.failed, (error as Error).message);
    return async () => {};
  }
  writeFileSync(`${files.endpoint}.tmp`, server.wsEndpoint());
  renameSync(`${files.endpoint}.tmp`, files.endpoint);
  return () => server.close();
}
