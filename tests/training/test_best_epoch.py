"""Early stopping inside a trial: the best epoch's weights come back, in the saved model and in its metrics."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits

from healthtune.models import ModelConfig
from healthtune.training.spec import DataSpec, HealthSpec, TrialSpec
from healthtune.training.trainer import evaluate, load_trial_data, run_trial

EPOCHS = 16

# A network big enough to memorize, with nothing that holds it back: once it has learned the digits it
# learns the planted wrong labels, and validation loss rises.
MEMORIZER = ModelConfig(
    conv_blocks=1, convs_per_block=1, filters=16, batch_norm=False, conv_dropout=0.0, dense_layers=2,
    dense_units=256, dense_dropout=0.0, learning_rate=3e-3, lr_schedule="constant",
)  # fmt: skip


@pytest.fixture(scope="module")
def noisy_digits(tmp_path_factory: pytest.TempPathFactory) -> DataSpec:
    """scikit-learn's digits with half the training labels replaced at random (the test labels are true)."""
    digits = load_digits()
    images = np.round(digits.images / 16 * 255).astype(np.uint8)
    labels = digits.target.astype(np.int64)
    rng = np.random.default_rng(0)
    noisy = labels[:1400].copy()
    planted = rng.random(1400) < 0.5
    noisy[planted] = rng.integers(0, 10, planted.sum())
    path = tmp_path_factory.mktemp("noisy") / "noisy_digits.npz"
    np.savez(path, x_train=images[:1400], y_train=noisy, x_test=images[1400:], y_test=labels[1400:])
    return DataSpec(f"npz:{path}", 0.2, 0)


def _trial(
    data: DataSpec, directory: Path, *, epochs: int, patience: int
) -> tuple[dict[str, float], dict[str, list[float]]]:
    spec = TrialSpec("noisy", 0, MEMORIZER.to_dict(), data, epochs, 32, 0, str(directory),
                     health=HealthSpec(frequency=1), tensorboard=False, early_stopping_patience=patience)  # fmt: skip
    result = run_trial(spec)
    assert result.state == "complete"
    return result.metrics, json.loads((directory / "history.json").read_text())


@pytest.fixture(scope="module")
def full_run(
    noisy_digits: DataSpec, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, float], dict[str, list[float]]]:
    """Every one of 16 epochs trained (patience 0)."""
    directory = tmp_path_factory.mktemp("full") / "trial"
    return (directory, *_trial(noisy_digits, directory, epochs=EPOCHS, patience=0))


def test_a_trial_returns_its_best_epoch_when_validation_loss_rises(
    noisy_digits: DataSpec, full_run: tuple[Path, dict[str, float], dict[str, list[float]]]
) -> None:
    directory, metrics, history = full_run
    best = int(metrics["best_epoch"])
    assert metrics["epochs_trained"] == EPOCHS and len(history["val_loss"]) == EPOCHS  # the whole run is kept
    assert history["val_loss"][-1] > 1.2 * min(history["val_loss"])  # the planted rise
    assert best < EPOCHS and history["val_accuracy"][best - 1] == max(history["val_accuracy"])
    assert history["val_accuracy"][-1] < max(history["val_accuracy"])  # the last epoch was worse

    # metrics.json and model.keras are the best epoch's, not the last one's
    assert metrics["val_accuracy"] == pytest.approx(history["val_accuracy"][best - 1], abs=1e-6)
    assert metrics["train_accuracy"] == history["accuracy"][best - 1]
    dataset = load_trial_data(noisy_digits)
    saved = keras.saving.load_model(directory / "model.keras")
    assert evaluate(saved, dataset.x_val, dataset.y_val)[0]["accuracy"] == metrics["val_accuracy"]
    health = json.loads((directory / "health.json").read_text())
    assert max(s["epoch"] for s in health["snapshots"]) == best  # health describes the returned model
    # ... and remembers that validation got worse after it: the overfitting finding reads that
    convergence = health["details"]["convergence_quality"]
    assert convergence["final_val_loss"] == pytest.approx(history["val_loss"][best - 1], rel=1e-6)
    lowest = int(np.argmin(history["val_loss"]))
    assert convergence["peak_val_loss_after_best"] == pytest.approx(
        max(history["val_loss"][lowest:]), rel=1e-6
    )


def test_patience_stops_the_trial_on_the_same_path(
    noisy_digits: DataSpec, full_run: tuple[Path, dict[str, float], dict[str, list[float]]], tmp_path: Path
) -> None:
    _, full, full_history = full_run
    stopped, history = _trial(noisy_digits, tmp_path / "stopped", epochs=EPOCHS, patience=3)
    trained = int(stopped["epochs_trained"])
    assert trained == stopped["best_epoch"] + 3 < EPOCHS
    assert history["val_accuracy"] == full_history["val_accuracy"][:trained]  # same seed, same epochs
    assert stopped["best_epoch"] <= full["best_epoch"]


def test_the_runs_deadline_ends_a_trial_at_an_epoch_boundary_and_keeps_it(
    noisy_digits: DataSpec, tmp_path: Path
) -> None:
    import time

    directory = tmp_path / "cut"
    spec = TrialSpec("noisy", 0, MEMORIZER.to_dict(), noisy_digits, EPOCHS, 32, 0, str(directory),
                     health=HealthSpec(frequency=1), tensorboard=False, stop_at=time.time())  # fmt: skip
    result = run_trial(spec)
    assert result.state == "complete"  # a usable model, not a failed trial a resume must redo
    assert result.metrics["cut_by_deadline"] is True
    assert result.metrics["epochs_trained"] == result.metrics["best_epoch"] == 1
    assert (directory / "model.keras").is_file() and (directory / "health.json").is_file()
    assert TrialSpec.from_dict(spec.to_dict()).stop_at == spec.stop_at
