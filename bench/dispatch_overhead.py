"""Per-trial overhead of the RunPod path (the worker's local test API + SeaweedFS S3) vs local processes.

Each side trains the same 1-epoch trial a few times, one at a time; the first trial of each side
warms it up and is not counted. Overhead = mean remote wall - mean local wall; the S3 transfer
(presign, upload, download, unpack) is reported apart. Target: overhead < 1 s plus transfer.
Run: .venv/bin/python bench/dispatch_overhead.py [--repeats 3] [--samples 6000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import REPO_ROOT, mnist_data_dir

sys.path.insert(0, str(REPO_ROOT))
from tests import services


def spec(data_dir: Path, samples: int, trial_dir: Path, number: int) -> object:
    from healthtune.models import ModelConfig
    from healthtune.training.spec import DataSpec, HealthSpec, TrialSpec

    model = ModelConfig(conv_blocks=1, filters=16, dense_units=64)
    data = DataSpec("mnist", 0.2, 0, max_samples=samples, data_dir=str(data_dir))
    return TrialSpec("overhead", number, model.to_dict(), data, 1, 64, 0, str(trial_dir), health=HealthSpec(frequency=0), tensorboard=False)  # fmt: skip


class Quiet:
    def epoch_ended(self, epoch: int, metrics: dict[str, float]) -> None: ...
    def should_prune(self, epoch: int, value: float) -> bool:
        return False

    def stop_requested(self) -> bool:
        return False


def timed_trials(
    executor: object, make_spec: object, repeats: int
) -> tuple[list[float], list[dict[str, float]]]:
    walls, timings = [], []
    with executor:  # type: ignore[attr-defined]
        for number in range(repeats + 1):
            start = time.perf_counter()
            executor.submit(make_spec(number), Quiet())  # type: ignore[attr-defined, operator]
            outcomes: list[object] = []
            while not outcomes:
                outcomes = executor.poll(0.05)  # type: ignore[attr-defined]
            outcome = outcomes[0]
            assert outcome.result is not None, outcome.failure  # type: ignore[attr-defined]
            if number:  # the first one warms up the worker
                walls.append(time.perf_counter() - start)
                timings.append(outcome.result.timings)  # type: ignore[attr-defined]
    return walls, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samples", type=int, default=6000)
    args = parser.parse_args()
    from healthtune.executors.artifacts import ArtifactStore
    from healthtune.executors.local import LocalExecutor
    from healthtune.executors.runpod import RunPodExecutor
    from healthtune.executors.runpod_client import RunPodClient

    data_dir = mnist_data_dir()
    scratch = Path(tempfile.mkdtemp(prefix="healthtune-bench-"))
    local_walls, _ = timed_trials(
        LocalExecutor(1), lambda n: spec(data_dir, args.samples, scratch / f"local_{n}", n), args.repeats
    )
    with contextlib.ExitStack() as stack:
        (scratch / "s3").mkdir()
        (scratch / "worker").mkdir()
        s3_env = stack.enter_context(services.seaweedfs(scratch / "s3"))
        url = stack.enter_context(services.runpod_worker(scratch / "worker", concurrency=1))
        os.environ.update(s3_env)
        store = ArtifactStore.from_env()
        assert store is not None
        store.check()
        executor = RunPodExecutor(RunPodClient(url), store=store)
        remote_walls, timings = timed_trials(
            executor, lambda n: spec(data_dir, args.samples, scratch / f"remote_{n}", n), args.repeats
        )
    local, remote = statistics.mean(local_walls), statistics.mean(remote_walls)
    transfer = statistics.mean(
        t.get("pack_seconds", 0) + t.get("upload_seconds", 0) + t.get("download_seconds", 0) + t.get("unpack_seconds", 0)
        for t in timings
    )  # fmt: skip
    overhead = remote - local
    print(f"local    : {local:6.2f} s per 1-epoch trial (mean of {args.repeats})")
    print(
        f"runpod+s3: {remote:6.2f} s per 1-epoch trial (mean of {args.repeats}), ratio {remote / local:.2f}"
    )
    print(f"overhead : {overhead:6.2f} s per trial, of which bundle transfer {transfer:.2f} s")
    verdict = "OK" if overhead - transfer < 1.0 else "ABOVE TARGET"
    print(f"overhead beyond transfer: {overhead - transfer:.2f} s (target < 1 s) -> {verdict}")


if __name__ == "__main__":
    main()
