// A run made with the CLI in the server's results root is listed (read-only) and its trial page renders.
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

export async function externalFlow(browser, server, { check, assert, watchConsole, setPage, repo }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  setPage(page);
  const errors = watchConsole(page, "external");
  page.setDefaultTimeout(30_000);

  await check("CLI run: listed read-only in the jobs list, its dashboard and trial page render", async () => {
    execFileSync(resolve(repo, ".venv/bin/healthtune"), [
      "optimize", "--dataset", "digits", "--run-name", "from_cli", "--trials", "2", "--max-epochs-per-trial", "1",
      "--plot-mode", "best", "--no-tensorboard", "--executor", "inline", "--results-root", join(server.root, "results"),
    ], { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" }, stdio: "ignore", timeout: 240_000 });
    await page.goto(`${server.url}jobs`);
    const row = page.getByRole("row").filter({ hasText: "from_cli" });
    await row.waitFor();
    assert((await row.getByTestId("read-only").count()) === 1, "the CLI run is marked read-only in the list");
    await row.getByRole("link", { name: "from_cli" }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f]+$/);
    await page.getByTestId("read-only").waitFor();
    for (const action of ["cancel", "resume"]) assert((await page.getByTestId(action).count()) === 0, `no ${action} button`);
    assert((await page.getByRole("button", { name: /delete/i }).count()) === 0, "no delete button");
    await page.locator(".stat").filter({ hasText: "Best trial" }).getByRole("link").click();
    await page.waitForURL(/\/trials\/\d+$/);
    await page.getByTestId("plot-gallery").waitFor();
    assert((await page.locator('[data-testid="plot-gallery"] img').count()) >= 5, "the CLI run's best trial shows its plots");
    assert(errors.length === 0, `console errors: ${errors.join("\n")}`);
  });
  await context.close();
}
