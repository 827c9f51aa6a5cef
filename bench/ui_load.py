"""Web UI load time: first meaningful render of a finished 20-trial run's dashboard, and the JS size.

Starts `healthtune serve` on a free 127.0.0.1 port with a temporary results root, runs a quick 20-trial
digits job (1 epoch, a small sample, no plots), then opens its dashboard in headless Chromium
(playwright-core, web/e2e/measure.mjs) until the summary and all 20 trial cards are on screen.
Targets: < 2 s to first meaningful render, < 600 KB gzipped for the main JS bundle.

Run: .venv/bin/python bench/ui_load.py [--trials 20] [--repeats 5]   (needs a built UI: make ui)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "src" / "healthtune" / "server" / "static"
TARGET_SECONDS = 2.0
TARGET_MAIN_KB = 600.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str, data: dict[str, object] | None = None) -> dict[str, object]:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, object] = json.loads(response.read())
        return result


def bundle_sizes() -> tuple[float, float]:
    """Gzipped KB of the main bundle (the entry script of index.html) and of all JS chunks."""
    index = (STATIC / "index.html").read_text(encoding="utf-8")
    match = re.search(r'src="\./(assets/[^"]+\.js)"', index)
    if match is None:
        raise SystemExit("no entry script in the built index.html; run `make ui`")
    main = len(gzip.compress((STATIC / match.group(1)).read_bytes(), 9)) / 1024
    total = sum(len(gzip.compress(p.read_bytes(), 9)) for p in (STATIC / "assets").glob("*.js")) / 1024
    return main, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not (STATIC / "index.html").is_file():
        raise SystemExit("the UI is not built: run `make ui` first")
    main_kb, total_kb = bundle_sizes()

    root = Path(tempfile.mkdtemp(prefix="healthtune-uibench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = (root / "server.log").open("w")
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "healthtune"), "serve", "--port", str(port),
         "--results-root", str(root / "results"), "--log-dir", str(root / "logs")],
        stdout=log, stderr=subprocess.STDOUT, cwd=root, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )  # fmt: skip
    try:
        deadline = time.time() + 90
        while True:
            try:
                get_json(f"{base}api/health")
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise SystemExit(f"the server did not start; see {root / 'server.log'}") from None
                time.sleep(0.3)
        job = get_json(
            f"{base}api/optimize",
            {"dataset_name": "digits", "trials": args.trials, "max_epochs_per_trial": 1, "max_samples": 400,
             "plot_mode": "none", "tensorboard": False, "pruner": "none"},
        )  # fmt: skip
        job_id = str(job["id"])
        started = time.time()
        while True:
            status = get_json(f"{base}api/jobs/{job_id}")["status"]
            if status == "completed":
                break
            if status in ("failed", "cancelled", "interrupted"):
                raise SystemExit(f"the benchmark job ended as {status}")
            time.sleep(2)
        print(f"{args.trials}-trial run finished in {time.time() - started:.0f} s")
        measure = subprocess.run(
            ["node", str(ROOT / "web" / "e2e" / "measure.mjs"), f"{base}jobs/{job_id}", str(args.trials), str(args.repeats)],
            capture_output=True, text=True, check=True, cwd=ROOT / "web",
        )  # fmt: skip
        result = json.loads(measure.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)

    median = float(result["median"])
    print(f"first meaningful render of the dashboard ({args.trials} trials): median {median:.2f} s "
          f"over {args.repeats} loads {result['seconds']}; target < {TARGET_SECONDS} s "
          f"(ratio {median / TARGET_SECONDS:.2f})")  # fmt: skip
    print(f"main JS bundle: {main_kb:.0f} KB gzipped (target < {TARGET_MAIN_KB:.0f} KB, ratio "
          f"{main_kb / TARGET_MAIN_KB:.2f}); all JS chunks incl. the lazy graph and 3D view: {total_kb:.0f} KB")  # fmt: skip
    sys.exit(0 if median < TARGET_SECONDS and main_kb < TARGET_MAIN_KB else 1)


if __name__ == "__main__":
    main()
