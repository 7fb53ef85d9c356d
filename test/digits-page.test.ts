// GET /predict as a person uses it, in a real browser (Debian's chromium): the held-out digit
// with the model's answer, and a digit drawn on the canvas with the mouse, sent and answered.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openChromium } from "./helpers/chromium.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

function predictionsCounted(metrics: string): number {
  return [...metrics.matchAll(/^festlab_digit_predictions_total\{[^}]*\} (\d+)$/gm)]
    .map((match) => Number(match[1]))
    .reduce((sum, n) => sum + n, 0);
}

describe("the /predict page in Chromium", () => {
  it("shows a held-out digit with the model's answer, and answers a digit drawn with the mouse", async (context) => {
    const { browser, close } = await openChromium((why) => context.skip(why), {
      width: 1000,
      height: 1400,
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${server.url}/predict`);

      // The example: its picture loaded, its label and the model's answer on the page.
      const label = await page.textContent("#example-label");
      expect(label).toMatch(/^\d$/);
      expect(await page.textContent("#example-digit")).toMatch(/^\d$/);
      const loaded = await page.$eval(
        "#example",
        (img) => (img as unknown as { naturalWidth: number }).naturalWidth,
      );
      expect(loaded).toBe(28);
      expect(await page.textContent("table.switches")).toContain("model-per-request");

      // A "1": one stroke down the middle of the pad, as a person would draw it.
      const before = predictionsCounted(await (await fetch(`${server.url}/metrics`)).text());
      const pad = await page.$("#pad");
      const box = await pad?.boundingBox();
      if (box === null || box === undefined) throw new Error("the drawing pad is not on the page");
      await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
      await page.mouse.down();
      for (let step = 1; step <= 10; step++) {
        await page.mouse.move(box.x + box.width / 2, box.y + box.height * (0.15 + 0.07 * step));
      }
      await page.mouse.up();
      await page.click("#ask");
      await page.waitForSelector("#answer[data-digit]", { timeout: 10_000 });
      expect(await page.textContent("#answer")).toMatch(/^The model says \d \(confidence/);
      const after = predictionsCounted(await (await fetch(`${server.url}/metrics`)).text());
      // The page's own request reached the model: the server counted one more prediction.
      expect(after).toBe(before + 1);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);
});
