// Browser end-to-end tests: playwright-core drives Debian's Chromium (headless) against a real
// `healthtune serve` with small digits jobs. Screenshots go to web/test-results/.
//
//   npm run test:e2e            (needs ../.venv with healthtune, /usr/bin/chromium, and a built UI)
//   CHROMIUM=/path/to/chrome npm run test:e2e
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";
import { a11yFlow, paretoFlow } from "./pareto.mjs";
import { externalFlow } from "./external.mjs";
import { uploadFlow } from "./upload.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const web = resolve(here, "..");
const repo = resolve(web, "..");
const out = join(web, "test-results");
mkdirSync(out, { recursive: true });
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const JOB_TIMEOUT = 6 * 60_000;
// scikit-learn's first digit (a 0), 8x8 scaled up to a 32x32 grayscale PNG
const DIGIT_ZERO_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAAAAABWESUoAAAAhElEQVR4nL3SwQ2CQBBG4Q/D3S3BDqQT7EDtwBJowU6kA0qwBOwAO/DAkHjDRDJzmT8zk7yXzVaiWnQYor9jvrNS/x/US+hwQMGIC/pEh2PwG7zCo0l2KHgGX+TtEL87DF/DginZYTK/PewjP5IdxuC2OMXinudQLeGMm/kvXDdFrB58AFiJEu1u+YpeAAAAAElFTkSuQmCC";

if (!existsSync(executablePath)) {
  console.error(`Chromium not found at ${executablePath}: apt-get install -y chromium (or set CHROMIUM)`);
  process.exit(1);
}
if (!existsSync(join(repo, "src/healthtune/server/static/index.html"))) {
  console.error("The UI is not built: run `npm run build` first");
  process.exit(1);
}

const results = [];
let currentPage = null;
async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  } catch (error) {
    results.push({ name, ok: false, error });
    console.log(`FAIL ${name}: ${error?.stack ?? error}`);
    const file = join(out, `FAILED-${name.replace(/[^A-Za-z0-9]+/g, "-")}.png`);
    await currentPage?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Console errors and page errors of a page, for the "no console errors" check. */
function watchConsole(page, label) {
  const errors = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${label}: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`${label}: ${error.message}`));
  return errors;
}

/** Non-background pixels drawn in the canvases under `selector` (0 = blank). */
async function paintedPixels(page, selector) {
  return await page.evaluate((sel) => {
    let painted = 0;
    for (const canvas of document.querySelectorAll(`${sel} canvas`)) {
      const copy = document.createElement("canvas");
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext("2d");
      ctx.drawImage(canvas, 0, 0);
      const { data } = ctx.getImageData(0, 0, copy.width, copy.height);
      const step = 4 * 3; // every third pixel is plenty
      for (let i = 0; i < data.length; i += step) {
        const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
        if (a > 0 && !(r > 245 && g > 245 && b > 245)) painted++;
      }
    }
    return painted;
  }, selector);
}

async function noHorizontalOverflow(page, width) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(scroll <= width + 1, `page is ${scroll}px wide at a ${width}px viewport`);
}

async function flow(browser, server, { label, viewport, mobile }) {
  const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile, acceptDownloads: true, deviceScaleFactor: 1 });
  const page = await context.newPage();
  currentPage = page;
  page.setDefaultTimeout(30_000);
  const errors = watchConsole(page, label);
  const shot = (name) => page.screenshot({ path: join(out, `${label}-${name}.png`), fullPage: true });
  let jobUrl = "";
  let bestTrialUrl = "";

  await check(`${label}: new optimization form, validation and weight sliders`, async () => {
    await page.goto(`${server.url}new`);
    await page.locator('input[name="dataset"][value="digits"]').check();
    await page.locator("#field-trials").fill("0");
    await page.getByTestId("start").click();
    await page.getByTestId("error-trials").waitFor();
    assert(/at least 1/.test(await page.getByTestId("error-trials").innerText()), "client-side limit message for trials");
    await page.locator("#field-trials").fill("2");
    await page.locator("#field-max_epochs_per_trial").fill("1");
    await page.locator("#field-plot_mode").selectOption("all");
    // one slider moves, the others rebalance: health 30 -> 40 gives 60 / 4.0 8.0 0.0 2.0 4.0 0.0 6.0 16.0
    await page.getByTestId("slider-health").fill("40");
    assert((await page.getByTestId("value-accuracy").innerText()) === "60.0%", "accuracy rebalanced to 60.0%");
    assert((await page.getByTestId("value-neuron_utilization").innerText()) === "4.0%", "neuron utilization scaled to 4.0%");
    assert((await page.getByTestId("value-robustness").innerText()) === "16.0%", "robustness scaled to 16.0%");
    await page.getByTestId("slider-neuron_utilization").fill("35");
    assert((await page.getByTestId("value-neuron_utilization").innerText()) === "14.0%", "35% of a 40% health is 14.0%");
    // checked before sending: a narrowed range with low > high
    await page.getByText("Search space (optional)").click();
    await page.locator("#override-learning_rate").selectOption("range");
    await page.getByRole("spinbutton", { name: "learning rate low" }).fill("0.1");
    await page.getByRole("spinbutton", { name: "learning rate high" }).fill("0.01");
    await page.getByTestId("start").click();
    await page.getByText("the low end must not be above the high end").waitFor();
    await page.locator("#override-learning_rate").selectOption("search");
    // the server's own 422 message, shown in the row it names: a log-scale range cannot start at 0
    await page.locator("#override-weight_decay").selectOption("range");
    await page.getByRole("spinbutton", { name: "weight decay low" }).fill("0");
    await page.getByRole("spinbutton", { name: "weight decay high" }).fill("0.01");
    await page.getByTestId("start").click();
    const refused = page.getByText(/log scale; low must be > 0/).first();
    await refused.waitFor();
    assert((await refused.locator("xpath=ancestor::tr").innerText()).includes("weight decay"), "the 422 shows in its row");
    await page.locator("#override-weight_decay").selectOption("search");
    if (mobile) await noHorizontalOverflow(page, viewport.width);
    await shot("new-optimization");
  });

  await check(`${label}: start a job and watch live progress reach completion`, async () => {
    await page.getByTestId("start").click();
    await page.waitForURL(/\/jobs\/[0-9a-f]+$/);
    jobUrl = page.url();
    await page.getByText(/of 2 trials finished/).waitFor();
    // live: a running trial card or a finished count shows up before the end
    await page.locator('[data-testid^="running-"], [data-testid^="trial-card-"]').first().waitFor({ timeout: JOB_TIMEOUT });
    await shot("dashboard-running");
    await page.locator(".badge.completed").first().waitFor({ timeout: JOB_TIMEOUT });
    await page.getByText("2 of 2 trials finished").waitFor();
    await page.locator('[data-testid^="trial-card-"]').first().waitFor();
    if (mobile) await noHorizontalOverflow(page, viewport.width);
  });

  await check(`${label}: download the optimized model`, async () => {
    const link = page.getByRole("link", { name: /Model \(\.keras\)/ });
    await link.waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const file = join(out, `${label}-${download.suggestedFilename()}`);
    await download.saveAs(file);
    const bytes = readFileSync(file);
    assert(download.suggestedFilename().endsWith(".keras"), `a .keras file, got ${download.suggestedFilename()}`);
    assert(bytes.length > 1000 && bytes[0] === 0x50 && bytes[1] === 0x4b, "the .keras file is a zip archive");
    const [table] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Trials \(\.csv\)/ }).click()]);
    const csvFile = join(out, `${label}-${table.suggestedFilename()}`);
    await table.saveAs(csvFile);
    const lines = readFileSync(csvFile, "utf8").trim().split("\n");
    assert(lines[0].startsWith("number,state,score,val_accuracy,test_accuracy,health,"), `trials.csv header: ${lines[0]}`);
    const cards = await page.getByTestId(/^trial-card-/).count();
    assert(lines.length - 1 === cards, `trials.csv has a row per trial card (${cards}), got ${lines.length - 1}`);
    for (const tab of ["Accuracy vs health", "Parallel coordinates", "Parameter importances", "Optimization history"]) {
      await page.getByRole("tab", { name: tab }).click();
    }
    // what health bought: the pick measured on the test split, beside the accuracy-only pick when they differ
    const bought = page.getByTestId("health-bought");
    await bought.waitFor();
    assert(/Calibration error/.test(await bought.innerText()), "the comparison names calibration error");
    await shot("dashboard-completed");
  });

  await check(`${label}: try the model on an uploaded image`, async () => {
    await page.getByRole("heading", { name: "Try the model" }).scrollIntoViewIfNeeded();
    await page.getByText(/resized to 8×8 and scaled to \[0, 1\]/).waitFor();
    const png = Buffer.from(DIGIT_ZERO_PNG, "base64");
    await page.getByTestId("try-images").setInputFiles([
      { name: "zero.png", mimeType: "image/png", buffer: png },
      { name: "zero-again.png", mimeType: "image/png", buffer: png },
    ]);
    const predictions = page.getByTestId("predictions").getByRole("listitem");
    await predictions.first().waitFor({ timeout: 120_000 });
    assert((await predictions.count()) === 2, "one prediction per uploaded image");
    const first = await predictions.first().innerText();
    assert(first.includes("zero.png") && /\d+\.\d%/.test(first), `a class with its probability, got ${first}`);
    const classes = await page.locator(".prediction-class.top .prediction-label").allInnerTexts();
    assert(classes.length === 2 && classes[0] === classes[1], `the same image gets the same class: ${classes}`);
    await shot("try-the-model");
  });

  await check(`${label}: best trial with plots, health and findings`, async () => {
    await page.locator(".stat").filter({ hasText: "Best trial" }).getByRole("link").click();
    await page.waitForURL(/\/trials\/\d+$/);
    bestTrialUrl = page.url();
    await page.getByTestId("plot-gallery").waitFor();
    const images = page.locator('[data-testid="plot-gallery"] img');
    assert((await images.count()) >= 5, "the best trial shows its plots");
    await images.first().scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="plot-gallery"] img');
      return img && img.complete && img.naturalWidth > 0;
    });
    await page.getByTestId("metric-neuron_utilization").waitFor();
    await page.getByRole("button", { name: /Open plot training history/ }).click();
    await page.getByTestId("lightbox").waitFor();
    await page.keyboard.press("Escape");
    await page.getByTestId("lightbox").waitFor({ state: "detached" });
    if (mobile) await noHorizontalOverflow(page, viewport.width);
    await shot("trial");
  });

  await check(`${label}: Cytoscape graph rendered, a node click shows its details`, async () => {
    await page.getByTestId("cytoscape").scrollIntoViewIfNeeded();
    await page.waitForFunction(() => Boolean(window.__healthtuneCy));
    await page.waitForTimeout(500);
    assert((await paintedPixels(page, '[data-testid="cytoscape"]')) > 500, "the graph canvas is not blank");
    const point = await page.evaluate(() => {
      const cy = window.__healthtuneCy;
      const node = cy.nodes().filter((n) => {
        const p = n.renderedPosition();
        return p.x > 10 && p.y > 10 && p.x < cy.width() - 10 && p.y < cy.height() - 10;
      })[1];
      const p = node.renderedPosition();
      const box = cy.container().getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y, id: node.id() };
    });
    if (mobile) await page.touchscreen.tap(point.x, point.y);
    else await page.mouse.click(point.x, point.y);
    await page.getByTestId("node-details").waitFor();
    assert((await page.getByTestId("node-details").innerText()).includes(point.id), `details of ${point.id}`);
    await page.getByTestId("color-by-health").check();
    await page.getByTestId("cytoscape").screenshot({ path: join(out, `${label}-graph.png`) });
  });

  await check(`${label}: three.js 3D view rendered`, async () => {
    await page.getByRole("tab", { name: "3D view" }).click();
    await page.getByTestId("three-canvas").waitFor();
    await page.waitForTimeout(800);
    assert((await paintedPixels(page, '[data-testid="three-view"]')) > 500, "the 3D canvas is not blank");
    await page.getByTestId("three-view").screenshot({ path: join(out, `${label}-3d.png`) });
  });

  await check(`${label}: jobs list`, async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Jobs" }).click();
    // the trial page may stay on screen while the jobs page loads, and it has tables of its own
    await page.getByRole("heading", { level: 1, name: "Jobs" }).waitFor();
    await page.getByRole("table").waitFor();
    if (mobile) await noHorizontalOverflow(page, viewport.width);
    await shot("jobs");
  });

  await check(`${label}: dark theme`, async () => {
    await page.getByLabel("Theme").selectOption("dark");
    assert((await page.evaluate(() => document.documentElement.dataset.theme)) === "dark", "dark theme applied");
    if (bestTrialUrl) await page.goto(bestTrialUrl);
    await page.getByTestId("plot-gallery").waitFor();
    await shot("trial-dark");
    await page.getByLabel("Theme").selectOption("light");
  });

  await check(`${label}: no console errors`, async () => {
    // the one 422 the form test provokes on purpose is logged by the browser as a failed resource
    const unexpected = errors.filter((e) => !/status of 422/.test(e));
    assert(unexpected.length === 0, `console errors:\n${unexpected.join("\n")}`);
  });
  await context.close();
  return { jobUrl };
}

async function cancelFlow(browser, server) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  currentPage = page;
  const errors = watchConsole(page, "cancel");
  await check("cancel a running job from its dashboard", async () => {
    const response = await fetch(`${server.url}api/optimize`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ dataset_name: "digits", trials: 50, max_epochs_per_trial: 30, plot_mode: "none", tensorboard: false }),
    });
    assert(response.status === 202, `job accepted, got ${response.status}`);
    const job = await response.json();
    await page.goto(`${server.url}jobs/${job.id}`);
    await page.locator(".badge.running").first().waitFor({ timeout: 120_000 });
    await page.locator('[data-testid^="running-"]').first().waitFor({ timeout: 120_000 });
    const clicked = Date.now();
    await page.getByTestId("cancel").click();
    await page.locator(".badge.cancelled").first().waitFor({ timeout: 90_000 });
    console.log(`  cancelled ${((Date.now() - clicked) / 1000).toFixed(1)}s after the click`);
    await page.getByTestId("resume").waitFor();
    await page.screenshot({ path: join(out, "cancel-dashboard.png"), fullPage: true });
    assert(errors.length === 0, `console errors:\n${errors.join("\n")}`);
  });
  await context.close();
}

async function prefixFlow(browser) {
  const server = await startServer({ repo, rootPath: "/hyperparameter-tuning/demo" });
  try {
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    const errors = watchConsole(page, "prefix");
    await check("served under a sub-path prefix: assets, API and routes follow the page's base", async () => {
      const base = `${server.url}hyperparameter-tuning/demo/`;
      await page.goto(base.replace(/\/$/, "")); // without the slash: redirected to the app's root
      assert(page.url() === base, `redirected to ${base}, got ${page.url()}`);
      await page.getByRole("navigation", { name: "Main" }).waitFor();
      await page.goto(`${base}jobs/nope/trials/1`);
      await page.getByText(/No such/).first().waitFor();
      await page.goto(`${base}no/such/page`); // an unknown route several levels deep still loads the app
      await page.getByRole("heading", { name: "Page not found" }).waitFor();
      await page.goto(`${base}new`);
      await page.locator('input[name="dataset"][value="digits"]').waitFor({ state: "attached" });
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Jobs" }).click();
      assert(page.url() === `${base}jobs`, `client-side route under the prefix, got ${page.url()}`);
      const unexpected = errors.filter((e) => !/404/.test(e));
      assert(unexpected.length === 0, `console errors:\n${unexpected.join("\n")}`);
    });
    await context.close();
  } finally {
    await server.stop();
  }
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"],
});
const server = await startServer({ repo });
console.log(`healthtune serve at ${server.url} (results in ${server.root})`);
const only = (process.env.E2E_ONLY ?? "desktop,mobile,cancel,prefix,upload,external,pareto,a11y").split(",");
const helpers = { check, assert, watchConsole, out, repo, jobTimeout: JOB_TIMEOUT, setPage: (page) => (currentPage = page) };
try {
  if (only.includes("desktop")) await flow(browser, server, { label: "desktop", viewport: { width: 1280, height: 900 }, mobile: false });
  if (only.includes("mobile")) await flow(browser, server, { label: "mobile-360", viewport: { width: 360, height: 740 }, mobile: true });
  if (only.includes("cancel")) await cancelFlow(browser, server);
  if (only.includes("prefix")) await prefixFlow(browser);
  if (only.includes("upload")) await uploadFlow(browser, server, helpers);
  if (only.includes("external")) await externalFlow(browser, server, helpers);
  let paretoJob = "";
  if (only.includes("pareto")) paretoJob = (await paretoFlow(browser, server, helpers)).jobUrl;
  if (only.includes("a11y")) {
    if (!paretoJob) {
      // audit a finished job of its own when the Pareto flow did not run
      const response = await fetch(`${server.url}api/optimize`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ dataset_name: "digits", trials: 2, max_epochs_per_trial: 1, plot_mode: "none", tensorboard: false }),
      });
      const job = await response.json();
      for (let i = 0; i < JOB_TIMEOUT / 1000; i++) {
        const state = await (await fetch(`${server.url}api/jobs/${job.id}`)).json();
        if (!["queued", "running"].includes(state.status)) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      paretoJob = `${server.url}jobs/${job.id}`;
    }
    await a11yFlow(browser, server, paretoJob, helpers);
  }
} finally {
  await browser.close();
  await server.stop();
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
for (const file of ["desktop-dashboard-completed.png", "desktop-trial.png"]) {
  const path = join(out, file);
  if (existsSync(path)) console.log(`screenshot ${path} (${statSync(path).size} bytes)`);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
