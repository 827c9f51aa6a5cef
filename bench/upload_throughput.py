"""Dataset upload cost: POST /api/datasets/uploads vs copying and unzipping the same file locally.

Two archives: real MNIST digits as PNG files in class folders (many small files), and large
random-noise PPM pictures (bytes dominate). The upload goes to a real `healthtune serve` over HTTP
(streamed to disk, unpacked safely, listed and checked); the baseline, measured in the same run,
is the least any server must do: copy the file, `zipfile.extractall` it, list the files. Target:
the upload takes under 2x the baseline.
Run: .venv/bin/python bench/upload_throughput.py [--digits 20000] [--noise-mb 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from api_latency import start_server
from common import SHARED_MNIST


def digits_zip(path: Path, count: int) -> None:
    with gzip.open(SHARED_MNIST / "train-images-idx3-ubyte.gz") as handle:
        images = np.frombuffer(handle.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:count]
    with gzip.open(SHARED_MNIST / "train-labels-idx1-ubyte.gz") as handle:
        labels = np.frombuffer(handle.read(), np.uint8, offset=8)[:count]
    with zipfile.ZipFile(path, "w") as archive:
        for i, (image, label) in enumerate(zip(images, labels, strict=True)):
            png = io.BytesIO()
            Image.fromarray(image).save(png, format="PNG")
            archive.writestr(f"digits/{label}/{i}.png", png.getvalue())


def noise_zip(path: Path, megabytes: int) -> None:
    side = 512
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(megabytes * 2**20 // (side * side * 3) + 1):
            archive.writestr(
                f"noise/{'ab'[i % 2]}/{i}.ppm",
                f"P6 {side} {side} 255\n".encode() + os.urandom(side * side * 3),
            )


def baseline(archive: Path, scratch: Path) -> float:
    target = scratch / "baseline"
    started = time.perf_counter()
    shutil.copyfile(archive, scratch / "received.zip")
    with zipfile.ZipFile(scratch / "received.zip") as handle:
        handle.extractall(target)
    files = sum(len(names) for _, _, names in os.walk(target))
    elapsed = time.perf_counter() - started
    assert files > 0
    shutil.rmtree(target)
    (scratch / "received.zip").unlink()
    return elapsed


def upload(url: str, archive: Path) -> float:
    started = time.perf_counter()
    with archive.open("rb") as body:
        response = httpx.post(
            f"{url}/api/datasets/uploads", params={"filename": archive.name}, content=body, timeout=600
        )
    elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise SystemExit(f"upload of {archive.name} -> {response.status_code}: {response.text[:300]}")
    assert httpx.delete(f"{url}/api/datasets/uploads/{response.json()['upload_id']}").status_code == 204
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=20000, help="MNIST pictures in the first archive")
    parser.add_argument("--noise-mb", type=int, default=200, help="size of the second archive")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        archives = [scratch / "digits.zip", scratch / "noise.zip"]
        digits_zip(archives[0], args.digits)
        noise_zip(archives[1], args.noise_mb)
        server, url = start_server(scratch)
        try:
            print(
                f"{'archive':<10} {'MB':>7} {'files':>7} {'upload s':>9} {'MB/s':>7} {'baseline s':>11} {'ratio':>6}"
            )
            for archive in archives:
                size = archive.stat().st_size / 2**20
                with zipfile.ZipFile(archive) as handle:
                    files = len(handle.infolist())
                uploads, baselines = [], []
                for _ in range(args.repeats):  # alternated, so drift on a shared machine hits both
                    uploads.append(upload(url, archive))
                    baselines.append(baseline(archive, scratch))
                up, base = statistics.median(uploads), statistics.median(baselines)
                print(
                    f"{archive.stem:<10} {size:>7.1f} {files:>7} {up:>9.2f} {size / up:>7.1f} {base:>11.2f} {up / base:>6.2f}"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("target: ratio < 2 (the upload costs less than twice a local copy + unzip + listing)")


if __name__ == "__main__":
    main()
