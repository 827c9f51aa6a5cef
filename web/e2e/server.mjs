// Starts a real `healthtune serve` on a free 127.0.0.1 port with a temporary results root.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export async function freePort() {
  return await new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

export async function startServer({ repo, rootPath = "" } = {}) {
  const root = mkdtempSync(join(tmpdir(), "healthtune-e2e-"));
  const port = await freePort();
  const bin = resolve(repo, ".venv/bin/healthtune");
  const log = openSync(join(root, "server.log"), "a");
  const args = ["serve", "--port", String(port), "--results-root", join(root, "results"), "--log-dir", join(root, "logs")];
  if (rootPath) args.push("--root-path", rootPath);
  const child = spawn(bin, args, {
    cwd: root,
    stdio: ["ignore", log, log],
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2", HEALTHTUNE_API_TOKEN: "" },
    detached: false,
  });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`healthtune serve exited with ${child.exitCode}; see ${root}/server.log`);
    try {
      const response = await fetch(`${url}api/health`);
      if (response.ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    root,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => {
          const timer = setTimeout(() => {
            child.kill("SIGKILL");
            r();
          }, 15_000);
          child.once("exit", () => {
            clearTimeout(timer);
            r();
          });
        });
      }
      // keep the server's log next to the screenshots: a failed check can be read against it
      const out = resolve(repo, "web/test-results");
      mkdirSync(out, { recursive: true });
      const log = join(root, "logs", "healthtune.log");
      if (existsSync(log)) copyFileSync(log, join(out, `server${rootPath ? "-prefix" : ""}.log`));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
