// Upload a zipped folder of real Fashion-MNIST pictures from the form, train a job on it, then delete it.
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

// builds clothes.zip (Trouser/ and Bag/ PNGs in a wrapper folder, with macOS junk) and notes.zip (no dataset)
const MAKE_ZIPS = `
import sys, zipfile
from pathlib import Path
from tests.fashion import clothes_folder
shared, out = Path(sys.argv[1]), Path(sys.argv[2])
with zipfile.ZipFile(out / "clothes.zip", "w") as archive:
    for name, data in clothes_folder(shared, prefix="clothes/", per_class=30).items():
        archive.writestr(name, data)
with zipfile.ZipFile(out / "notes.zip", "w") as archive:
    archive.writestr("notes/readme.txt", "no images here")
`;

export async function uploadFlow(browser, server, { check, assert, watchConsole, out, setPage, repo, jobTimeout }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  setPage(page);
  page.setDefaultTimeout(30_000);
  const errors = watchConsole(page, "upload");
  const input = page.getByTestId("upload-input");

  await check("upload: a zipped image folder is checked, used by the form, and trained on", async () => {
    const pythonPath = [repo, process.env.PYTHONPATH].filter(Boolean).join(":");
    execFileSync(join(repo, ".venv/bin/python"), ["-c", MAKE_ZIPS, resolve(repo, "../shared/datasets"), out], {
      env: { ...process.env, PYTHONPATH: pythonPath },
    });
    await page.goto(`${server.url}new`);
    await page.getByTestId("own-data").check();
    await input.setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
    await page.getByTestId("upload-error").filter({ hasText: "must end in one of .zip" }).waitFor();
    await input.setInputFiles(join(out, "notes.zip"));
    await page.getByTestId("upload-error").filter({ hasText: "holds no dataset" }).waitFor();
    await input.setInputFiles(join(out, "clothes.zip"));
    await page.getByTestId("dataset-ok").filter({ hasText: "an image folder" }).waitFor();
    const name = await page.locator("#field-dataset_name").inputValue();
    assert(/^images:.*\/\.uploads\/clothes\/clothes\/clothes$/.test(name), `the dataset field names the upload, got ${name}`);
    const item = page.getByTestId("uploads").getByRole("listitem");
    assert((await item.count()) === 1, "one upload listed (the refused one left nothing)");
    const text = await item.innerText();
    assert(text.includes("60 images, 2 classes") && text.includes("Bag, Trouser"), `upload described: ${text}`);
    await page.locator("#field-trials").fill("1");
    await page.locator("#field-max_epochs_per_trial").fill("1");
    await page.locator("#field-plot_mode").selectOption("none");
    await page.getByTestId("start").click();
    await page.waitForURL(/\/jobs\/[0-9a-f]+$/);
    await page.locator(".badge.completed").first().waitFor({ timeout: jobTimeout });
    await page.getByText("clothes (upload)").first().waitFor(); // named by its upload, not the server's path
    await page.screenshot({ path: join(out, "upload-job.png"), fullPage: true });
  });

  await check("upload: an upload is deleted from the form after a confirmation", async () => {
    await page.goto(`${server.url}new`);
    await page.getByTestId("own-data").check();
    const item = page.getByTestId("uploads").getByRole("listitem").first();
    await item.getByRole("button", { name: "Delete" }).click();
    await item.getByRole("group", { name: "Confirm delete" }).getByRole("button", { name: "Delete" }).click();
    await page.getByTestId("uploads").waitFor({ state: "detached" });
    const left = await (await fetch(`${server.url}api/datasets/uploads`)).json();
    assert(Array.isArray(left) && left.length === 0, `no uploads left, got ${JSON.stringify(left)}`);
    const unexpected = errors.filter((e) => !/status of 422/.test(e)); // notes.zip was refused on purpose
    assert(unexpected.length === 0, `console errors:\n${unexpected.join("\n")}`);
  });
  await context.close();
}
