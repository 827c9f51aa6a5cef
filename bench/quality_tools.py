"""One tool's search for bench/quality.py, alone in its process so each starts equal.

    python bench/quality_tools.py TOOL DATASET SECONDS OUT.json

TOOL: healthtune, kerastuner, autokeras, optuna_by_hand or linear. Every tool gets the same arrays
(healthtune's loading: the same splits, pixels in [0, 1], the same word indexes), the same wall
budget (a trial running at the deadline finishes; the real time is reported) and the same epochs
per trial. Picks are made on the validation split; the test split only reports.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
WORK = Path(os.environ.get("HEALTHTUNE_BENCH_DATA_DIR", "/tmp/healthtune-bench-data"))
EPOCHS = {"digits": 20, "fashion": 8, "r8": 8, "r8_400": 20}
SEED = 0


def dataset_name(name: str) -> str:
    """The healthtune dataset name of a benchmark dataset (files prepared once under WORK)."""
    if name == "digits":
        return "digits"
    if name == "r8":
        return f"csv:{SHARED / 'reuters-r8'}"
    if name == "r8_400":
        folder = WORK / "r8_400"
        if not (folder / "train.csv").is_file():
            import csv

            from sklearn.model_selection import train_test_split

            folder.mkdir(parents=True, exist_ok=True)
            with (SHARED / "reuters-r8" / "train.csv").open(newline="") as source:
                reader = csv.DictReader(source)
                fields, rows = list(reader.fieldnames or ()), list(reader)
            small, _ = train_test_split(
                rows, train_size=400, random_state=SEED, stratify=[r["label"] for r in rows]
            )
            with (folder / "train.csv").open("w", newline="") as target:
                writer = csv.DictWriter(target, fieldnames=fields)
                writer.writeheader()
                writer.writerows(small)
            (folder / "test.csv").write_bytes((SHARED / "reuters-r8" / "test.csv").read_bytes())
        return f"csv:{folder}"
    if name == "fashion":
        arrays = WORK / "fashion10k.npz"
        if not arrays.is_file():
            from sklearn.model_selection import train_test_split

            from healthtune.data import import_dataset, list_datasets, load_dataset

            if not {i.name: i.cached for i in list_datasets(WORK)}.get("fashion_mnist"):
                import_dataset("fashion_mnist", SHARED / "fashion-mnist", WORK)
            full = load_dataset("fashion_mnist", validation_split=0.1, seed=SEED, data_dir=WORK)
            keep, _ = train_test_split(np.arange(len(full.y_train)), train_size=12_500, random_state=SEED,
                                       stratify=full.y_train)  # fmt: skip
            # 12,500 so that healthtune's 20% validation split leaves 10,000 to train on
            np.savez(arrays, x_train=(full.x_train[keep] * 255).round().astype(np.uint8), y_train=full.y_train[keep],
                     x_test=(full.x_test * 255).round().astype(np.uint8), y_test=full.y_test)  # fmt: skip
        return f"npz:{arrays}"
    raise ValueError(f"dataset must be digits, fashion, r8 or r8_400, got {name!r}")


def load(name: str) -> Any:
    from healthtune.data import load_dataset

    return load_dataset(dataset_name(name), validation_split=0.2, seed=SEED, data_dir=WORK)


def run_healthtune(name: str, seconds: float, root: Path) -> dict[str, Any]:
    from healthtune import ModelOptimizer, OptimizationConfig

    config = OptimizationConfig(dataset=dataset_name(name), data_dir=WORK, results_root=root, run_name=f"q_{name}",
                                trials=10_000, timeout_hours=seconds / 3600, max_epochs_per_trial=EPOCHS[name],
                                seed=SEED, tensorboard=False)  # fmt: skip
    # timeout_hours starts no trial after the budget and ends running ones with the epoch that passes
    # it, each keeping its best epoch (peers finish their running trial whole).
    result = ModelOptimizer(config).optimize_model()
    best = result.best_trial
    if best is None:
        raise RuntimeError(f"no trial finished within the budget ({len(result.trials)} started)")
    return {
        "val_accuracy": best.metrics["val_accuracy"],
        "test_accuracy": best.metrics["test_accuracy"],
        "trials": len(result.trials),
        "epochs": sum(int(t.metrics.get("epochs_trained") or 0) for t in result.trials),
    }


def _tutorial_model(hp: Any, data: Any) -> Any:
    """The hypermodel of Keras's tuning guide (Flatten, a dense layer, dropout, Adam's rate), with an
    embedding and average pooling in front for texts, and a small convolution for images."""
    import keras
    from keras import layers

    if data.kind.value == "text":
        inputs = keras.Input(shape=data.input_shape)
        x = layers.Embedding(int(data.vocab_size), hp.Int("embedding", 32, 128, step=32), mask_zero=True)(
            inputs
        )
        x = layers.GlobalAveragePooling1D()(x)
    else:
        inputs = keras.Input(shape=data.input_shape)
        x = inputs
        for block in range(hp.Int("conv_blocks", 0, 2)):
            x = layers.Conv2D(
                hp.Int(f"filters_{block}", 16, 64, step=16), 3, padding="same", activation="relu"
            )(x)
            x = layers.MaxPooling2D()(x) if min(x.shape[1:3]) >= 4 else x
        x = layers.Flatten()(x)
    x = layers.Dense(hp.Int("units", 32, 512, step=32), activation=hp.Choice("activation", ["relu", "tanh"]))(
        x
    )
    if hp.Boolean("dropout"):
        x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(data.num_classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    rate = hp.Float("lr", 1e-4, 1e-2, sampling="log")
    model.compile(
        optimizer=keras.optimizers.Adam(rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def _accuracy(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(model.predict(x, verbose=0, batch_size=256).argmax(axis=1) == y))


def run_kerastuner(name: str, seconds: float, root: Path) -> dict[str, Any]:
    import keras_tuner

    data = load(name)
    deadline = time.monotonic() + seconds
    tuner = keras_tuner.BayesianOptimization(lambda hp: _tutorial_model(hp, data), objective="val_accuracy",
                                             max_trials=1, seed=SEED, directory=str(root), project_name=name)  # fmt: skip
    while (
        time.monotonic() < deadline
    ):  # one more trial while there is time (a trial at the deadline finishes)
        tuner.search(data.x_train, data.y_train, epochs=EPOCHS[name], validation_data=(data.x_val, data.y_val),
                     verbose=0)  # fmt: skip
        if len(tuner.oracle.trials) < tuner.oracle.max_trials:
            break  # the oracle has nothing left to propose
        tuner.oracle.max_trials += 1
    best = tuner.get_best_models(1)[0]
    return {"val_accuracy": _accuracy(best, data.x_val, data.y_val), "test_accuracy": _accuracy(best, data.x_test, data.y_test),
            "trials": len(tuner.oracle.trials), "epochs": len(tuner.oracle.trials) * EPOCHS[name]}  # fmt: skip


def run_autokeras(name: str, seconds: float, root: Path) -> dict[str, Any]:
    import autokeras as ak

    data = load(name)
    deadline = time.monotonic() + seconds
    if data.kind.value == "text":
        words = data.extras.get("vocabulary")
        vocabulary = list(words) if words is not None else []

        def texts(x: np.ndarray) -> np.ndarray:
            return np.array(
                [" ".join(vocabulary[i] if i < len(vocabulary) else "" for i in row if i > 1) for row in x]
            )

        x_train, x_val, x_test = texts(data.x_train), texts(data.x_val), texts(data.x_test)
        model = ak.TextClassifier(
            max_trials=1, overwrite=True, seed=SEED, directory=str(root), project_name=name
        )
    else:
        x_train, x_val, x_test = data.x_train, data.x_val, data.x_test
        model = ak.ImageClassifier(
            max_trials=1, overwrite=True, seed=SEED, directory=str(root), project_name=name
        )
    while time.monotonic() < deadline:
        before = len(model.tuner.oracle.trials)
        model.fit(x_train, data.y_train, epochs=EPOCHS[name], validation_data=(x_val, data.y_val), verbose=0)
        if len(model.tuner.oracle.trials) == before:
            break  # the oracle proposed nothing new (its space is exhausted): fit no longer trains
        model.tuner.oracle.max_trials += 1
    trials = len(model.tuner.oracle.trials)

    def accuracy(x: np.ndarray, y: np.ndarray) -> float:  # AutoKeras' own predict decodes its labels
        return float(np.mean(np.asarray(model.predict(x, verbose=0)).reshape(-1).astype(int) == y))

    return {"val_accuracy": accuracy(x_val, data.y_val), "test_accuracy": accuracy(x_test, data.y_test),
            "trials": trials, "epochs": trials * EPOCHS[name]}  # fmt: skip


def run_optuna_by_hand(name: str, seconds: float, root: Path) -> dict[str, Any]:
    """What a user writes with Optuna and Keras: TPE over the tutorial's space, each trial trained fully."""
    import keras
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    data = load(name)
    tests: dict[int, float] = {}

    class Suggest:  # keras_tuner's hp calls answered by Optuna, so both peers search the same space
        def __init__(self, trial: optuna.Trial) -> None:
            self.trial = trial

        def Int(self, key: str, low: int, high: int, step: int = 1) -> int:
            return self.trial.suggest_int(key, low, high, step=step)

        def Float(self, key: str, low: float, high: float, sampling: str = "linear") -> float:
            return self.trial.suggest_float(key, low, high, log=sampling == "log")

        def Choice(self, key: str, values: list[Any]) -> Any:
            return self.trial.suggest_categorical(key, values)

        def Boolean(self, key: str) -> bool:
            return bool(self.trial.suggest_categorical(key, [True, False]))

    def objective(trial: optuna.Trial) -> float:
        keras.backend.clear_session()
        keras.utils.set_random_seed(SEED + trial.number)
        model = _tutorial_model(Suggest(trial), data)
        model.fit(data.x_train, data.y_train, epochs=EPOCHS[name], batch_size=64, verbose=0)
        tests[trial.number] = _accuracy(model, data.x_test, data.y_test)
        return _accuracy(model, data.x_val, data.y_val)

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=SEED))
    study.optimize(objective, timeout=seconds)
    return {"val_accuracy": study.best_value, "test_accuracy": tests[study.best_trial.number],
            "trials": len(study.trials), "epochs": len(study.trials) * EPOCHS[name]}  # fmt: skip


def run_linear(name: str, seconds: float, root: Path) -> dict[str, Any]:
    from healthtune.evaluation.baselines import linear

    baseline = linear(load(name))
    return {
        "val_accuracy": baseline.val_accuracy,
        "test_accuracy": baseline.test_accuracy,
        "trials": 1,
        "epochs": 0,
    }


TOOLS = {"healthtune": run_healthtune, "kerastuner": run_kerastuner, "autokeras": run_autokeras,
         "optuna_by_hand": run_optuna_by_hand, "linear": run_linear}  # fmt: skip


def main() -> None:
    tool, name, seconds, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), Path(sys.argv[4])
    started = time.perf_counter()
    result: dict[str, Any] = {"tool": tool, "dataset": name, "budget_seconds": seconds}
    try:
        with tempfile.TemporaryDirectory(prefix=f"quality-{tool}-") as root:
            result.update(TOOLS[tool](name, seconds, Path(root)))
    except Exception as error:  # a peer that fails on this Keras is recorded, not hidden
        result["error"] = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        traceback.print_exc()
    result["seconds"] = time.perf_counter() - started
    out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
