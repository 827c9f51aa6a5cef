"""Shared pytest fixtures: where the real datasets live and an isolated data/results directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from healthtune.data import Dataset, load_dataset

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO_ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """Real MNIST, Fashion-MNIST and Reuters R8 files laid out as their publishers distribute them."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATASETS}")
    return SHARED_DATASETS


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty dataset cache for one test (HEALTHTUNE_DATA_DIR points at it)."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("HEALTHTUNE_DATA_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def digits() -> Dataset:
    """scikit-learn's digits with healthtune's standard 20% validation split (offline, instant)."""
    return load_dataset("digits", validation_split=0.2, seed=0)
