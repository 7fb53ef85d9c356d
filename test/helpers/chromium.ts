// Debian's chromium, driven by playwright-core, for the tests that check what a browser shows.
// Without /usr/bin/chromium such a test skips, saying why; with REQUIRE_CHROMIUM=1 (CI) it
// fails instead, so a missing browser can never pass for a green run.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Launches a headless browser, or skips the test through `skip` when there is none. */
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
  const profile = mkdtempSync(join(tmpdir(), "fest-lab-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      ...["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
      ...["--disable-background-networking", "--disable-component-update", "--disable-sync"],
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
