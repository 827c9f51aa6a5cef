"""Shared set-up for the benchmarks: real MNIST from ../shared/datasets imported into a bench cache."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = REPO_ROOT.parent / "shared" / "datasets" / "mnist"
BENCH_DATA_DIR = Path(os.environ.get("HEALTHTUNE_BENCH_DATA_DIR", "/tmp/healthtune-bench-data"))


def mnist_data_dir() -> Path:
    """A dataset cache holding real MNIST (imported once from the shared IDX files)."""
    from healthtune.data import import_dataset, list_datasets

    cached = {info.name: info.cached for info in list_datasets(BENCH_DATA_DIR)}
    if not cached.get("mnist"):
        import_dataset("mnist", SHARED_MNIST, BENCH_DATA_DIR)
    return BENCH_DATA_DIR
