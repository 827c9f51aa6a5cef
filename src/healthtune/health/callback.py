"""HealthCallback and diagnose(): healthtune's health report for any Keras classifier and training loop."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras
import numpy as np

from healthtune.core.exceptions import ConfigError
from healthtune.core.paths import TrialPaths
from healthtune.core.scoring import ScoringWeights
from healthtune.health.analyzer import HealthReport, analyze
from healthtune.health.batch_losses import BatchLosses
from healthtune.health.defaults import PROBE_BATCH_SIZE, TRAIN_EVAL_EXAMPLES
from healthtune.health.probes import Prober, ProbeSnapshot, model_layers, pre_activation

logger = logging.getLogger(__name__)

ArrayPair = tuple[Any, Any]
WORD_OR_PICTURE_PLOTS = ("misclassified_examples", "activation_maps")


def _checked_pair(name: str, data: Any) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) as arrays of the same non-zero length, y class labels, or a ConfigError naming `name` (no I/O)."""
    if not isinstance(data, tuple | list) or len(data) != 2:
        raise ConfigError(
            f"{name} must be (x, y) arrays, got {type(data).__name__} (a tf.data.Dataset or a generator is not read)"
        )
    several = isinstance(data[0], tuple | list) and data[0] and all(hasattr(v, "shape") for v in data[0])
    if several or isinstance(data[0], Mapping):  # as in Keras: a list or dict of arrays is several inputs
        raise ConfigError(
            f"{name}'s x must be one array: health is judged for models with one input, got a "
            f"{type(data[0]).__name__} of {len(data[0])} arrays (stack single examples into one array)"
        )
    try:
        x, y = np.asarray(data[0]), np.asarray(data[1])
    except ValueError as error:
        raise ConfigError(f"{name} must be (x, y) arrays of equal-sized examples: {error}") from None
    if x.ndim == 0 or y.ndim == 0 or len(x) == 0 or len(x) != len(y):
        raise ConfigError(
            f"{name} must hold the same non-zero number of x and y, got {x.shape=} and {y.shape=}"
        )
    _check_labels(name, y)
    return x, y


def _check_labels(name: str, y: np.ndarray) -> None:
    """Class indexes 0, 1, ... (integers, or floats that hold them), as a column or one-hot rows."""
    allowed = "integer class indexes 0, 1, ... or one-hot rows"
    if y.dtype.kind not in "biuf":
        raise ConfigError(f"{name}'s y must be {allowed}, got dtype {y.dtype}")
    if y.ndim > 2 or not np.all(np.isfinite(y)):
        raise ConfigError(
            f"{name}'s y must be {allowed}, got shape {y.shape} with non-finite values or too many axes"
        )
    if (y.ndim == 1 or y.shape[1] == 1) and (np.any(y < 0) or np.any(y != np.round(y))):
        bad = y[(y < 0) | (y != np.round(y))].reshape(-1)[0]
        raise ConfigError(f"{name}'s y must be {allowed}, got the value {bad}: is this a regression target?")


def class_labels(y: np.ndarray) -> np.ndarray:
    """Integer class labels from integer labels, one-hot rows or (n, 1) columns."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.asarray(np.argmax(y, axis=1))
    return np.asarray(y.reshape(len(y)), dtype=np.int64)


def _check_classes(name: str, labels: np.ndarray, classes: int) -> None:
    """The labels name classes the model has: a regression head or a wrong output width is named, not an IndexError."""
    if labels.size and int(labels.max()) >= classes:
        read_as = " (one output column is read as a binary classifier's)" if classes == 2 else ""
        raise ConfigError(
            f"{name}'s labels go up to {int(labels.max())}, but the model outputs {classes} classes{read_as}: "
            f"labels must be 0..{classes - 1}; health is judged for classifiers"
        )


def class_probabilities(model: Any, x: np.ndarray) -> np.ndarray:
    """The model's class probabilities: softmax or sigmoid applied when it outputs logits (any negative value);
    non-negative scores are divided by their sum, as Keras's cross-entropy reads them; one column is binary."""
    from healthtune.training.feeding import predict

    outputs = predict(model, x).reshape(len(x), -1)
    if outputs.shape[1] == 1:  # one sigmoid (or logit) column: the probability of class 1
        p = outputs[:, 0]
        p = p if np.all((p >= 0) & (p <= 1)) else 1 / (1 + np.exp(-p))
        return np.stack([1 - p, p], axis=1)
    # probabilities, or scores (a sigmoid or ReLU per class) that Keras's cross-entropy divides by their sum
    if np.all(outputs >= 0):
        sums = outputs.sum(axis=1, keepdims=True)
        return np.where(sums > 0, outputs / np.where(sums > 0, sums, 1.0), 1.0 / outputs.shape[1])
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True))


def _accuracy_and_loss(
    model: Any, x: np.ndarray, labels: np.ndarray, name: str = "validation data"
) -> tuple[float, float, np.ndarray, int]:
    """Accuracy, cross-entropy, the class probabilities and the number of classes."""
    probabilities = class_probabilities(model, x)
    _check_classes(name, labels, probabilities.shape[1])
    predicted = np.argmax(probabilities, axis=1)
    picked = np.clip(probabilities[np.arange(len(labels)), labels], 1e-12, 1.0)
    return (
        float(np.mean(predicted == labels)),
        float(-np.mean(np.log(picked))),
        probabilities,
        probabilities.shape[1],
    )


KNOWN_WITHOUT_UNITS = ("BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
                       "Embedding", "Dropout")  # fmt: skip
"""Layers with weights whose outputs are not unit activations to judge (normalization, embeddings)."""


def probe_labels(model: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """`y` shaped as the model's loss takes it: a sigmoid model's (n, 1) output needs (n, 1) labels."""
    if y.ndim != 1:
        return y
    try:
        outputs = keras.ops.convert_to_numpy(model(x[:2], training=False))
    except Exception:
        return y
    return y.reshape(-1, 1) if outputs.ndim == 2 and outputs.shape[1] == 1 else y


def make_prober(model: Any, x: np.ndarray, y: np.ndarray, notes: list[str]) -> Prober | None:
    """A Prober for any model: units where layer outputs can be read, gradients where the backend allows."""
    y = probe_labels(model, x, y)
    units_readable = True
    try:
        prober = Prober(model, x, y)
        prober.measure_activity()  # once now, so that a model whose outputs cannot be recorded is known
    except Exception as error:
        units_readable = False
        notes.append(
            f"dormant units not probed: layer outputs cannot be read ({type(error).__name__}: {error})"
        )
        try:
            prober = Prober(model, x, y, activity=False)
        except Exception as inner:
            notes.append(f"no health probes: {type(inner).__name__}: {inner}")
            return None
    probed = {probed.name for probed in prober.layers}
    skipped = [
        f"{name} ({type(layer).__name__})"
        for name, layer in model_layers(model)[:-1]
        if layer.trainable_weights
        and name not in probed
        and units_readable
        and type(layer).__name__ not in KNOWN_WITHOUT_UNITS
        and not pre_activation(layer)
    ]
    if skipped:
        notes.append(
            "not probed for dormant units (healthtune reads units of Dense, Conv, recurrent and activation "
            f"layers; gradients are still measured): {', '.join(skipped[:10])}"
        )
    return prober


def take_snapshot(prober: Prober | None, epoch: int, notes: list[str]) -> ProbeSnapshot | None:
    """One probe; a probe the backend cannot run becomes a note (once), never an exception in `fit`."""
    if prober is None:
        return None
    try:
        return prober.snapshot(epoch)
    except Exception as error:
        message = (
            f"gradients not probed on the {keras.backend.backend()} backend: {type(error).__name__}: {error}"
        )
        if message not in notes:
            notes.append(message)
            logger.warning("healthtune: %s", message)
        return ProbeSnapshot(epoch=epoch, learning_rate=0.0, activity=prober.measure_activity())


def diagnose(
    model: Any,
    x_val: Any,
    y_val: Any,
    history: Any = None,
    *,
    train_data: ArrayPair | None = None,
    snapshots: list[ProbeSnapshot] | None = None,
    notes: list[str] | None = None,
    output_dir: str | Path | None = None,
    seed: int = 0,
) -> HealthReport:
    """The health of a trained Keras classifier: the eight metrics, findings and gate, from what can be judged now.

    `history` is a `keras.callbacks.History` (what `fit` returns) or its `.history` dict; without it,
    convergence is judged from the final validation loss alone. Without per-batch losses (only
    HealthCallback records them) training_stability is not measured and scores 1 (its details say
    `batches: 0`). `train_data` = (x_train, y_train) gives the train/validation gap.
    """
    x, y = _checked_pair("validation data", (x_val, y_val))
    notes = [] if notes is None else notes
    labels = class_labels(y)
    if snapshots is None:
        prober = make_prober(model, x[:PROBE_BATCH_SIZE], y[:PROBE_BATCH_SIZE], notes)
        epochs = len(_history_dict(history).get("loss", [])) or 1
        taken = take_snapshot(prober, epochs, notes)
        snapshots = [taken] if taken else []
    accuracy, loss, probabilities, num_classes = _accuracy_and_loss(model, x, labels)
    recorded = _history_dict(history)
    if not recorded.get("val_loss"):
        recorded.update(val_loss=[loss], val_accuracy=[accuracy])
        notes.append("no validation history: convergence is judged from the final validation loss alone")
    train_accuracy = None
    if train_data is not None:
        x_train, y_train = _checked_pair("train_data", train_data)
        keep = slice(0, TRAIN_EVAL_EXAMPLES)
        labels_train = class_labels(y_train[keep])
        train_accuracy = _accuracy_and_loss(model, x_train[keep], labels_train, "train_data")[0]
    report = analyze(
        snapshots=snapshots,
        history=recorded,
        val_accuracy=accuracy,
        x_val=x,
        y_val=labels,
        val_probabilities=probabilities,
        predict=lambda inputs: class_probabilities(model, inputs),
        num_classes=num_classes,
        params=int(model.count_params()),
        seed=seed,
        train_accuracy=train_accuracy,
    )
    if output_dir is not None:
        write_report(Path(output_dir), model, report, notes, x, labels, recorded, train_data)
    return report


def _history_dict(history: Any) -> dict[str, list[float]]:
    values = getattr(history, "history", history) or {}
    if not isinstance(values, Mapping):
        raise ConfigError(f"history must be a keras History or a dict of lists, got {type(history).__name__}")
    return {str(key): [float(v) for v in value] for key, value in values.items()}


def write_report(
    out_dir: Path,
    model: Any,
    report: HealthReport,
    notes: list[str],
    x_val: np.ndarray,
    labels: np.ndarray,
    history: dict[str, list[float]],
    train_data: ArrayPair | None,
    *,
    plots: bool = True,
    batch_size: int = 32,
) -> None:
    """health.json, architecture.json and (with `plots`) the diagnostic plots, drawn on the validation data."""
    from healthtune.data.base import DataKind, Dataset
    from healthtune.plots import PLOTS, make_trial_plots
    from healthtune.plots.context import PlotContext
    from healthtune.visualize import write_architecture_json

    weights = ScoringWeights.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {**report.to_dict(weights.health_component_proportions), "notes": notes}
    TrialPaths(out_dir).health.write_text(json.dumps(data, indent=1, default=float), encoding="utf-8")
    text = x_val.ndim == 2 and np.issubdtype(x_val.dtype, np.integer)
    x_train, y_train = (
        (x_val[:0], labels[:0]) if train_data is None else _checked_pair("train_data", train_data)
    )
    classes = max(int(labels.max()) + 1, int(report.inputs.get("num_classes") or 2))
    dataset = Dataset(
        name=model.name,
        kind=DataKind.TEXT if text else DataKind.IMAGE,
        class_names=tuple(str(k) for k in range(classes)),
        x_train=x_train,
        y_train=class_labels(y_train),
        x_val=x_val,
        y_val=labels,
        x_test=x_val,  # the plots' "test" examples are the validation data: a callback has no other
        y_test=labels,
        vocab_size=int(x_val.max()) + 1 if text else None,
        sequence_length=int(x_val.shape[1]) if text else None,
    )
    health = weights.health(report.metrics, report.gate)
    write_architecture_json(model, TrialPaths(out_dir).architecture, health=report,
                            performance_score=report.inputs.get("val_accuracy"), health_score=health)  # fmt: skip
    if plots:  # drawn from class probabilities, so logits and a sigmoid column plot like softmax outputs
        context = PlotContext(model, dataset, history, report, weights, class_probabilities(model, x_val),
                              epochs_planned=len(history.get("loss", [])) or 1, batch_size=batch_size)  # fmt: skip
        pictures = x_val.ndim >= 3 or text  # tabular rows have no picture or words to show
        make_trial_plots(
            context,
            TrialPaths(out_dir).plots_dir,
            [p for p in PLOTS if pictures or p.name not in WORD_OR_PICTURE_PLOTS],
        )


class HealthCallback(keras.callbacks.Callback):  # type: ignore[misc]
    """healthtune's health for your own model: add it to `model.fit(..., callbacks=[HealthCallback(...)])`.

    It probes the model on a fixed batch of the validation data every `frequency` epochs (dormant units,
    gradient norms and update ratios per layer), records every batch's loss, and when training ends sets
    `report` (the eight metrics, findings and gate; `report.findings`, `report.metrics`), `health` (the
    composite with the default weights) and `notes` (what could not be probed, and why). With
    `output_dir` it also writes health.json, architecture.json and, with `plots`, the diagnostic plots
    drawn on the validation data. A probe that cannot run is a note, never an error in `fit`.
    """

    def __init__(
        self,
        validation_data: ArrayPair,
        *,
        frequency: int = 1,
        train_data: ArrayPair | None = None,
        output_dir: str | Path | None = None,
        plots: bool = True,
        seed: int = 0,
    ) -> None:
        super().__init__()
        if isinstance(frequency, bool) or not isinstance(frequency, int) or frequency < 1:
            raise ConfigError(f"frequency must be an integer >= 1 (probe every N epochs), got {frequency=}")
        self.x_val, self.y_val = _checked_pair("validation_data", validation_data)
        self.train_data = None if train_data is None else _checked_pair("train_data", train_data)
        self.frequency, self.plots, self.seed = frequency, plots, seed
        self.output_dir = None if output_dir is None else Path(output_dir)
        self.report: HealthReport | None = None
        self.health: float | None = None
        self.notes: list[str] = []
        self.snapshots: list[ProbeSnapshot] = []
        self._batch_losses = BatchLosses()  # the batch size of the user's fit is not known: see BatchLosses
        self.history: dict[str, list[float]] = {"batch_loss": self._batch_losses.losses}
        self._prober: Prober | None = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        probe = slice(0, PROBE_BATCH_SIZE)
        try:
            classes = class_probabilities(self.model, self.x_val[probe]).shape[1]
        except Exception:  # a model that cannot predict yet: diagnose() checks the labels at the end
            classes = None
        if classes is not None:  # labels the model cannot output stop fit before it trains, not after
            _check_classes("validation_data", class_labels(self.y_val), classes)
        self._prober = make_prober(self.model, self.x_val[probe], self.y_val[probe], self.notes)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._batch_losses.start_epoch()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if logs and "loss" in logs:
            self._batch_losses.add(batch, float(logs["loss"]))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._batch_losses.end_epoch()
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if (epoch + 1) % self.frequency == 0:
            self._probe(epoch + 1)

    def _probe(self, epoch: int) -> None:
        snapshot = take_snapshot(self._prober, epoch, self.notes)
        if snapshot is not None:
            self.snapshots.append(snapshot)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        epochs = len(self.history.get("loss", []))
        if epochs and not any(s.epoch == epochs for s in self.snapshots):
            self._probe(epochs)  # the final state, when the schedule skipped it
        self.report = diagnose(self.model, self.x_val, self.y_val, self.history, train_data=self.train_data,
                               snapshots=self.snapshots, notes=self.notes, seed=self.seed)  # fmt: skip
        self.health = self.report.overall(ScoringWeights.resolve().health_component_proportions)
        if self.output_dir is not None:
            try:
                write_report(self.output_dir, self.model, self.report, self.notes, self.x_val,
                             class_labels(self.y_val), self.history, self.train_data, plots=self.plots,
                             batch_size=int((self.params or {}).get("batch_size") or 32))  # fmt: skip
            except Exception:
                logger.exception("healthtune: the health files could not be written to %s", self.output_dir)
