// Time to first meaningful render of a job's dashboard: from navigation until the summary stats and
// every trial card are on screen. Prints one JSON line. Used by bench/ui_load.py.
//   node e2e/measure.mjs <dashboard-url> <expected-trial-cards> [repeats]
import { chromium } from "playwright-core";

const [url, cards = "1", repeats = "5"] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
const times = [];
let jsBytes = 0;
for (let i = 0; i < Number(repeats); i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  let bytes = 0;
  page.on("response", async (response) => {
    if (response.url().endsWith(".js")) bytes += Number(response.headers()["content-length"] ?? (await response.body()).length);
  });
  const started = Date.now();
  await page.goto(url);
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid^="trial-card-"]').length >= n && !document.querySelector('[data-testid="best-score"] .stat-value')?.textContent?.includes("–"),
    Number(cards),
    { timeout: 60_000, polling: "raf" },
  );
  times.push((Date.now() - started) / 1000);
  jsBytes = bytes;
  await context.close();
}
await browser.close();
times.sort((a, b) => a - b);
console.log(JSON.stringify({ seconds: times, median: times[Math.floor(times.length / 2)], js_bytes_loaded: jsBytes }));
