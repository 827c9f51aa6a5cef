// A Pareto-mode digits job started from the form: choices help, the user's-own-data check, a dropped
// WebSocket that is caught up over GET /events, the server's Pareto front highlighted in the scatter,
// live importances, TensorBoard; then the axe accessibility audit of the form and the dashboard.
import { join } from "node:path";
import { assertAccessible } from "./a11y.mjs";

const JOB_TIMEOUT = 6 * 60_000;

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return await response.json();
}

export async function paretoFlow(browser, server, { check, assert, watchConsole, setPage, out }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  setPage(page);
  page.setDefaultTimeout(30_000);
  const errors = watchConsole(page, "pareto");
  let jobUrl = "";
  let jobId = "";

  // The first events WebSocket is cut after three messages (code 4000): the page must reconnect and
  // first fetch what it missed from GET /api/jobs/{id}/events?after=K. Later sockets pass through.
  let sockets = 0;
  let cutDone = false;
  const timeline = []; // "ws N", "cut", "get ?after=K", in the order they happen
  await page.routeWebSocket(/\/api\/jobs\/[^/]+\/events/, (ws) => {
    const upstream = ws.connectToServer();
    sockets += 1;
    timeline.push(`ws ${sockets}`);
    if (cutDone) return; // after the cut, sockets pass straight through
    let forwarded = 0;
    upstream.onMessage((message) => {
      if (forwarded >= 3) return;
      ws.send(message);
      forwarded += 1;
      if (forwarded === 3 && !cutDone) {
        cutDone = true;
        timeline.push("cut");
        ws.close({ code: 4000, reason: "dropped on purpose by the e2e test" });
        upstream.close();
      }
    });
  });
  page.on("request", (request) => {
    const match = /\/api\/jobs\/[0-9a-f]+\/events(\?.*)$/.exec(request.url());
    if (match && request.url().startsWith("http")) timeline.push(`get ${match[1]}`);
  });

  await check("pareto: form explains every choice from /api/choices and checks the user's own data", async () => {
    const choices = await getJson(`${server.url}api/choices`);
    await page.goto(`${server.url}new`);
    await page.locator('input[name="dataset"][value="digits"]').check();
    const executors = await page.locator("#field-executor option").evaluateAll((options) => options.map((o) => o.value));
    for (const kind of Object.keys(choices.executor)) assert(executors.includes(kind), `executor ${kind} offered, got ${executors}`);
    await page.locator("#field-executor").selectOption("ray");
    assert((await page.getByTestId("help-executor").innerText()).includes(choices.executor.ray), "the chosen executor is explained");
    await page.locator("#field-executor").selectOption("local");
    assert((await page.getByTestId("mode-help-pareto").innerText()) === choices.mode.pareto, "mode explained by /api/choices");
    await page.getByTestId("own-data").check();
    await page.locator("#field-dataset_name").fill("images:/no/such/folder");
    await page.getByTestId("error-dataset_name").filter({ hasText: "outside what this server may read" }).waitFor();
    await page.getByRole("button", { name: "npz:", exact: true }).click();
    const switched = await page.locator("#field-dataset_name").inputValue();
    assert(switched === "npz:/no/such/folder", `the npz: button swaps the prefix, got ${switched}`);
    await page.getByTestId("error-dataset_name").filter({ hasText: "npz:/no/such/folder" }).waitFor();
    await page.locator("#field-dataset_name").fill("digits");
    await page.getByTestId("dataset-ok").waitFor();
    await page.locator('input[name="dataset"][value="digits"]').check();
    await page.locator("#field-trials").fill("4");
    await page.locator("#field-max_epochs_per_trial").fill("1");
    await page.locator("#field-plot_mode").selectOption("none");
    await page.locator('input[name="mode"][value="pareto"]').check();
    await page.getByTestId("start").click();
    await page.waitForURL(/\/jobs\/[0-9a-f]+$/);
    jobUrl = page.url();
    jobId = jobUrl.split("/").pop();
  });

  await check("pareto: the dashboard catches up over GET /events after its WebSocket drops", async () => {
    assert(jobId, "the job started");
    const reopened = () => timeline.findIndex((e, i) => e.startsWith("ws ") && i > timeline.indexOf("cut") && timeline.includes("cut"));
    const deadline = Date.now() + 120_000;
    while (reopened() < 0 && Date.now() < deadline) await page.waitForTimeout(200);
    const cut = timeline.indexOf("cut");
    const second = reopened();
    const caughtUp = timeline.slice(cut + 1, second).filter((e) => /^get \?after=[1-9]/.test(e));
    assert(cut >= 0 && second > cut, `the socket was cut and reopened: ${timeline.join(", ")}`);
    assert(caughtUp.length >= 1, `GET /events?after=K between the cut and the new socket: ${timeline.join(", ")}`);
    console.log(`  after the cut: ${caughtUp.join(", ")}, then a new WebSocket`);
    await page.locator(".badge.completed").first().waitFor({ timeout: JOB_TIMEOUT });
    await page.getByText("4 of 4 trials finished").waitFor();
  });

  await check("pareto: the scatter highlights the server's Pareto front", async () => {
    const trials = await getJson(`${server.url}api/jobs/${jobId}/trials`);
    const front = trials.filter((t) => t.pareto).map((t) => t.number).sort((a, b) => a - b);
    assert(front.length >= 1, "the server reports a Pareto front");
    await page.getByRole("tab", { name: "Accuracy vs health" }).click();
    const chart = page.getByTestId("accuracy-health-chart");
    await chart.locator(".pareto-point").first().waitFor();
    const drawn = (await chart.locator(".pareto-point").evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.trial)))).sort((a, b) => a - b);
    assert(JSON.stringify(drawn) === JSON.stringify(front), `front drawn ${drawn}, server says ${front}`);
    await chart.getByText("Pareto front (server)").waitFor();
    await chart.screenshot({ path: join(out, "pareto-scatter.png") });
  });

  await check("pareto: importances from the server and the run's TensorBoard", async () => {
    await page.getByRole("tab", { name: "Parameter importances" }).click();
    await page.getByTestId("importances").locator("svg").first().waitFor();
    await page.getByTestId("tensorboard-start").click();
    const link = page.getByTestId("tensorboard-link");
    await link.waitFor({ timeout: 150_000 });
    const url = await link.getAttribute("href");
    assert(url?.startsWith("http://127.0.0.1:"), `TensorBoard on localhost, got ${url}`);
    const runs = await getJson(`${url}data/runs`);
    assert(Array.isArray(runs) && runs.some((r) => r.startsWith("trial_")), `TensorBoard lists the trials: ${runs}`);
    await page.screenshot({ path: join(out, "pareto-dashboard.png"), fullPage: true });
    assert(errors.length === 0, `console errors:\n${errors.join("\n")}`);
  });
  await context.close();
  return { jobUrl };
}

/** axe on the New optimization page and a finished job's dashboard, in the light and the dark theme. */
export async function a11yFlow(browser, server, jobUrl, { check, setPage }) {
  for (const colorScheme of ["light", "dark"]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
    const page = await context.newPage();
    setPage(page);
    await check(`accessibility (axe, ${colorScheme}): New optimization page`, async () => {
      await page.goto(`${server.url}new`);
      await page.locator('input[name="dataset"][value="digits"]').waitFor({ state: "attached" });
      await page.locator('[data-testid="slider-health"]').waitFor();
      await page.getByText("Search space (optional)").click();
      await page.getByText("Advanced settings").click();
      await page.getByTestId("own-data").check(); // the upload box and the path field
      await page.getByTestId("upload-drop").waitFor();
      await assertAccessible(page, `/new (${colorScheme})`);
    });
    await check(`accessibility (axe, ${colorScheme}): run dashboard`, async () => {
      if (!jobUrl) throw new Error("no finished job to audit (the flow that makes one failed)");
      await page.goto(jobUrl);
      await page.locator('[data-testid^="trial-card-"]').first().waitFor({ timeout: 60_000 });
      await page.locator(".recharts-surface").first().waitFor();
      await assertAccessible(page, `dashboard (${colorScheme})`);
      for (const tab of ["Accuracy vs health", "Parameter importances", "Parallel coordinates"]) {
        await page.getByRole("tab", { name: tab }).click();
        await page.waitForTimeout(300);
        await assertAccessible(page, `dashboard, ${tab} tab (${colorScheme})`);
      }
    });
    await context.close();
  }
}
