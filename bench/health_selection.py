"""Does health-aware selection pay off out of sample? Pools of real trials, three pickers, WeightWatcher beside.

For each dataset a pool of trials is trained once with healthtune (random sampler, seeded) and
kept under --save, so the analysis reruns in minutes. Three pickers choose from the pool:
validation accuracy alone, the health-aware score (default weights) and the Pareto pick. Each pick
is compared on the test split (accuracy, expected calibration error, accuracy on corrupted inputs),
on the train/test gap, and on the spread of test accuracy when its configuration is retrained with
3 other seeds. Across the pool, the Spearman correlation of every health metric, of the composite
and of WeightWatcher's alpha with those outcomes says which signal predicts them.

Peers: WeightWatcher reads the saved Keras models; install it first (not a healthtune dependency):
    .venv/bin/pip install weightwatcher
Run: .venv/bin/python bench/health_selection.py [--datasets digits,fashion,reuters,mnist,fashion_small,mnist_small,fashion_holdout] [--pool 30]
     [--save DIR] [--markdown FILE] [--measure-only] [--no-retrain] [--bands 0.5,1,2 [--loss-tolerances 0.05,0.2,inf]]
Targets: on each dataset the health-aware pick keeps test accuracy within 0.5 points of the
accuracy-only pick and beats it on at least two of the out-of-sample measures; the composite
predicts corrupted-input accuracy better (higher rank correlation) than WeightWatcher's alpha.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
BENCH_DATA_DIR = Path(os.environ.get("HEALTHTUNE_BENCH_DATA_DIR", "/tmp/healthtune-bench-data"))
RETRAIN_SEEDS = (1001, 1002, 1003)
MEASURES = "selection_measures.json"  # per trial: outcomes, gap and alpha, measured once
ACCURACY_SLACK = 0.005  # the health-aware pick may lose at most 0.5 points of test accuracy
SUBPOOL_SIZE, SUBPOOL_DRAWS = 10, 400  # one pick per pool is one sample: also pick from many 10-trial runs


@dataclass(frozen=True)
class Pool:
    """How one dataset's pool of trials is trained."""

    dataset: str
    epochs: int
    batch_size: int
    max_samples: int | None = None
    vocab_size: int = 20000
    sequence_length: int = 200
    seed: int = 7


POOLS = {
    "digits": Pool("digits", epochs=8, batch_size=32),
    "fashion": Pool("fashion_mnist", epochs=4, batch_size=64, max_samples=12_500),  # 10,000 to train
    "mnist": Pool("mnist", epochs=4, batch_size=64, max_samples=12_500),  # held out for step 4
    # held out for step 5: other draws (seed), half the images, more epochs, smaller batches
    "fashion_small": Pool("fashion_mnist", epochs=6, batch_size=32, max_samples=6_250, seed=11),
    # held out for step 6 (underconfidence at 0.4): MNIST's step-4 pool was gone; other draws, as fashion_small
    "mnist_small": Pool("mnist", epochs=6, batch_size=32, max_samples=6_250, seed=13),
    # held out for the near-tie band sweep (step 7): other draws, 5 epochs, batches of 64
    "fashion_holdout": Pool("fashion_mnist", epochs=5, batch_size=64, max_samples=6_250, seed=17),
    "reuters": Pool(
        f"csv:{SHARED / 'reuters-r8'}", epochs=4, batch_size=64, vocab_size=10_000, sequence_length=120
    ),
}


def build_pool(name: str, pool: Pool, size: int, root: Path) -> Path:
    """Train (or resume up to) `size` trials; returns the run directory."""
    from healthtune import OptimizationConfig, optimize
    from healthtune.data import import_dataset, list_datasets

    shared_folder = {"fashion_mnist": "fashion-mnist", "mnist": "mnist"}.get(pool.dataset)
    if shared_folder and not {i.name: i.cached for i in list_datasets(BENCH_DATA_DIR)}.get(pool.dataset):
        import_dataset(pool.dataset, SHARED / shared_folder, BENCH_DATA_DIR)
    config = OptimizationConfig(
        dataset=pool.dataset, run_name=f"pool_{name}", results_root=root, data_dir=BENCH_DATA_DIR,
        trials=size, max_epochs_per_trial=pool.epochs, batch_size=pool.batch_size, max_samples=pool.max_samples,
        vocab_size=pool.vocab_size, sequence_length=pool.sequence_length, sampler="random", pruner="none",
        health_pruning=False, plot_mode="none", tensorboard=False, seed=pool.seed,
    )  # fmt: skip
    started = time.perf_counter()
    result = optimize(config)
    print(f"[{name}] pool of {len(result.trials)} trials ready in {time.perf_counter() - started:.0f} s")
    return result.run_dir


def weightwatcher_alpha(model: Any) -> float | None:
    """WeightWatcher's mean layer alpha (heavy-tailed self-regularization: 2-6 is 'well trained')."""
    try:
        import weightwatcher as ww
    except ImportError:
        return None
    logging.getLogger("weightwatcher").setLevel(logging.ERROR)
    watcher = ww.WeightWatcher(model=model)
    try:
        summary = watcher.get_summary(watcher.analyze())
    except ValueError:  # non-finite weights (a trial that diverged): no spectrum, no alpha
        return None
    alpha = summary.get("alpha")
    return float(alpha) if alpha is not None and np.isfinite(alpha) else None


def measure_pool(run_dir: Path) -> dict[int, dict[str, Any]]:
    """Outcomes, train/test gap and alpha of every complete trial, cached in the trial's folder."""
    import keras

    from healthtune.core.paths import RunPaths
    from healthtune.evaluation.outcomes import measure_outcomes
    from healthtune.health.defaults import OUTCOME_SEED
    from healthtune.run.results import load_run
    from healthtune.training.feeding import predict
    from healthtune.training.spec import DataSpec, load_trial_data

    run = load_run(run_dir)
    measured: dict[int, dict[str, Any]] = {}
    dataset = None
    for trial in (t for t in run.trials if t.state == "complete"):
        files = RunPaths(run_dir).trial(trial.number)
        cache = files.trial_dir / MEASURES
        cached = json.loads(cache.read_text()) if cache.is_file() else {}
        if "val_examples" in cached:
            measured[trial.number] = cached
            continue
        if dataset is None:
            spec = json.loads(files.config.read_text())["spec"]
            dataset = load_trial_data(DataSpec(**spec["data"]))
        if cached:  # measured before trials stored their validation size
            cached["val_examples"] = len(dataset.y_val)
            cache.write_text(json.dumps(cached))
            measured[trial.number] = cached
            continue
        model = keras.saving.load_model(files.model, compile=False)
        outcomes = measure_outcomes(lambda x, m=model: predict(m, x), dataset.x_test, dataset.y_test,
                                    seed=OUTCOME_SEED)  # fmt: skip
        train_accuracy = float(np.mean(predict(model, dataset.x_train).argmax(axis=1) == dataset.y_train))
        values = {**outcomes.to_dict(), "train_accuracy": train_accuracy,
                  "gap": train_accuracy - outcomes.test_accuracy, "alpha": weightwatcher_alpha(model),
                  "val_examples": len(dataset.y_val)}  # fmt: skip
        cache.write_text(json.dumps(values))
        measured[trial.number] = values
    return measured


def outcome_metrics(run_dir: Path, trial: Any) -> dict[str, float]:
    """calibration and robustness of a trial trained before they existed, computed from its saved model by
    the metrics' own code, as a trial now computes them when it ends (cached as outcome_metrics.json)."""
    import keras

    from healthtune.core.paths import RunPaths
    from healthtune.health.outcome_metrics import calibration, robustness
    from healthtune.training.feeding import predict
    from healthtune.training.spec import DataSpec, load_trial_data

    files = RunPaths(run_dir).trial(trial.number)
    cache = files.trial_dir / "outcome_metrics.json"
    if not cache.is_file():
        dataset = load_trial_data(DataSpec(**json.loads(files.config.read_text())["spec"]["data"]))
        model = keras.saving.load_model(files.model, compile=False)
        probabilities = predict(model, dataset.x_val)
        accuracy = float(np.mean(probabilities.argmax(axis=1) == dataset.y_val))
        chance = float(trial.metrics["health_gate"]["chance"])
        found = {
            "calibration": calibration(probabilities, dataset.y_val).score,
            "robustness": robustness(lambda x: predict(model, x), dataset.x_val, dataset.y_val,
                                     clean_accuracy=accuracy, chance=chance).score,
        }  # fmt: skip
        cache.write_text(json.dumps(found))
    values: dict[str, float] = json.loads(cache.read_text())
    return values


def pool_trials(run_dir: Path, measured: dict[int, dict[str, Any]]) -> list[Any]:
    """The pool's measured trials. Those trained before trials stored `val_examples` get it filled in,
    and those trained before calibration and robustness existed get both from their saved models."""
    from dataclasses import replace

    from healthtune.run.results import load_run

    filled = []
    for t in (t for t in load_run(run_dir).trials if t.number in measured):
        health = dict(t.metrics.get("health") or {})
        if health and "robustness" not in health:
            health |= outcome_metrics(run_dir, t)
        metrics = {"val_examples": measured[t.number]["val_examples"], **t.metrics, "health": health}
        filled.append(replace(t, metrics=metrics))
    return filled


def picks(trials: list[Any]) -> dict[str, int]:
    """The trial each picker takes from `trials`."""
    from healthtune.core.config import Mode
    from healthtune.core.scoring import ScoringWeights
    from healthtune.run.health_bought import accuracy_pick
    from healthtune.run.selection import records_pareto, select_best

    weights = ScoringWeights.resolve()
    chosen = {
        "accuracy only": accuracy_pick(trials),
        "health-aware": select_best(trials, Mode.HEALTH, weights),
        "pareto": select_best(trials, Mode.PARETO, weights, records_pareto(trials, weights)),
    }
    return {name: record.number for name, record in chosen.items() if record is not None}


def subpool_effect(
    trials: list[Any], measured: dict[int, dict[str, Any]], pick: Callable[[list[Any]], int] | None = None
) -> dict[str, float]:
    """`pick` (default: the health-aware pick) minus the accuracy-only pick, averaged over SUBPOOL_DRAWS
    random 10-trial runs drawn from the pool (in points; positive = `pick` better), and the share of runs
    where the picks differ."""
    import random

    rng = random.Random(0)
    numbers = [t.number for t in trials]
    deltas, changed = [], 0
    for _ in range(SUBPOOL_DRAWS):
        drawn = set(rng.sample(numbers, min(SUBPOOL_SIZE, len(numbers))))
        run = [t for t in trials if t.number in drawn]
        chosen = picks(run)
        other = pick(run) if pick else chosen["health-aware"]
        health, accuracy = measured[other], measured[chosen["accuracy only"]]
        changed += other != chosen["accuracy only"]
        deltas.append([health["test_accuracy"] - accuracy["test_accuracy"],
                       accuracy["calibration_error"] - health["calibration_error"],
                       health["corrupted_accuracy"] - accuracy["corrupted_accuracy"],
                       accuracy["gap"] - health["gap"]])  # fmt: skip
    mean = np.mean(deltas, axis=0) * 100
    return {"test acc": mean[0], "-calibration error": mean[1], "corrupted acc": mean[2], "-gap": mean[3],
            "picks differ": changed / SUBPOOL_DRAWS}  # fmt: skip


def band_sensitivity(
    trials: list[Any], measured: dict[int, dict[str, Any]], bands: list[float], tolerances: list[float]
) -> str:
    """The health-aware pick with the near-tie band at each of `bands` standard errors and the loss band at
    each of `tolerances`: its single pick and its effect over random runs, beside the defaults' (markdown)."""
    import itertools

    from healthtune.run import selection

    lines = ["| band (standard errors) | loss tolerance | pick | test acc | calibration error | corrupted acc | "
             "gap | picks differ | test acc | -calibration error | corrupted acc | -gap |",
             "| --- |" + " --- |" * 11]  # fmt: skip
    defaults = selection.NEAR_TIE_STANDARD_ERRORS, selection.NEAR_TIE_LOSS_TOLERANCE
    try:
        for band, tolerance in itertools.product(bands, tolerances):
            selection.NEAR_TIE_STANDARD_ERRORS, selection.NEAR_TIE_LOSS_TOLERANCE = band, tolerance
            number = picks(trials)["health-aware"]
            values, effect = measured[number], subpool_effect(trials, measured)
            lines.append(
                f"| {band:g} | {tolerance:g}{' (defaults)' if (band, tolerance) == defaults else ''} | {number} | "
                f"{values['test_accuracy']:.4f} | "
                f"{values['calibration_error']:.4f} | {values['corrupted_accuracy']:.4f} | {values['gap']:+.4f} | "
                f"{effect['picks differ']:.0%} | "
                + " | ".join(f"{effect[k]:+.2f}" for k in ("test acc", "-calibration error", "corrupted acc", "-gap"))
                + " |"
            )  # fmt: skip
    finally:
        selection.NEAR_TIE_STANDARD_ERRORS, selection.NEAR_TIE_LOSS_TOLERANCE = defaults
    return "\n".join(lines)


def seed_spread(run_dir: Path, number: int) -> dict[str, float]:
    """Test accuracy of the trial's configuration retrained with RETRAIN_SEEDS: mean and std."""
    from healthtune.core.paths import RunPaths, TrialPaths
    from healthtune.training.spec import SPEC_VERSION, HealthSpec, TrialSpec
    from healthtune.training.trainer import run_trial

    trial_dir = RunPaths(run_dir).trial_dir(number)
    cache = trial_dir / "seed_spread.json"
    if cache.is_file():
        return dict(json.loads(cache.read_text()))
    spec = json.loads(TrialPaths(trial_dir).config.read_text())["spec"]
    accuracies = []
    for seed in RETRAIN_SEEDS:
        again = TrialSpec.from_dict({**spec, "version": SPEC_VERSION, "seed": seed,  # a pool made by older code
                                     "trial_dir": str(trial_dir / f"seed_{seed}"),
                                     "tensorboard": False, "plots": False})  # fmt: skip
        again = TrialSpec(**{**again.__dict__, "health": HealthSpec(frequency=1, pruning=False)})
        accuracies.append(float(run_trial(again).metrics["test_accuracy"]))
    spread = {"mean": float(np.mean(accuracies)), "std": float(np.std(accuracies)), "runs": accuracies}
    cache.write_text(json.dumps(spread))
    return spread


def spearman(a: list[float], b: list[float]) -> float:
    from scipy.stats import spearmanr

    if len(a) < 3:
        return float("nan")
    rho = spearmanr(a, b).statistic
    return float(rho)


def correlations(pool: list[Any], measured: dict[int, dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Spearman rho of each signal with each outcome across the pool (sign: higher signal, better outcome)."""
    from healthtune.core.scoring import ScoringWeights

    weights = ScoringWeights.resolve()
    trials = [t for t in pool if t.metrics.get("health")]
    signals: dict[str, list[float]] = {name: [] for name in weights.health_component_proportions}
    signals.update({"health (composite)": [], "score": [], "val_accuracy": [], "-alpha (WeightWatcher)": []})
    outcomes: dict[str, list[float]] = {"test_accuracy": [], "-calibration_error": [], "corrupted_accuracy": [],
                                        "-gap": []}  # fmt: skip
    keep = [t for t in trials if measured[t.number].get("alpha") is not None] or trials
    for trial in keep:
        for name in weights.health_component_proportions:
            signals[name].append(float(trial.metrics["health"][name]))
        signals["health (composite)"].append(
            weights.health(trial.metrics["health"], trial.metrics.get("health_gate"))
        )
        signals["score"].append(float(trial.score or 0.0))
        signals["val_accuracy"].append(float(trial.metrics["val_accuracy"]))
        alpha = measured[trial.number].get("alpha")
        signals["-alpha (WeightWatcher)"].append(-float(alpha) if alpha is not None else float("nan"))
        values = measured[trial.number]
        outcomes["test_accuracy"].append(values["test_accuracy"])
        outcomes["-calibration_error"].append(-values["calibration_error"])
        outcomes["corrupted_accuracy"].append(values["corrupted_accuracy"])
        outcomes["-gap"].append(-values["gap"])
    return {
        signal: {outcome: spearman(xs, ys) for outcome, ys in outcomes.items()}
        for signal, xs in signals.items()
    }


def report(
    name: str, run_dir: Path, measured: dict[int, dict[str, Any]], retrain: bool
) -> tuple[str, list[str]]:
    """The dataset's two tables (markdown) and the targets it missed."""
    trials = pool_trials(run_dir, measured)
    chosen = picks(trials)
    lines = [f"### {name}: {len(measured)} complete trials", "",
             "| picker | trial | test acc | calibration error | corrupted acc | train/test gap | seed spread (std) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    rows: dict[str, dict[str, float]] = {}
    for picker, number in chosen.items():
        values = measured[number]
        spread = seed_spread(run_dir, number)["std"] if retrain else float("nan")
        rows[picker] = {**values, "spread": spread}
        lines.append(f"| {picker} | {number} | {values['test_accuracy']:.4f} | {values['calibration_error']:.4f} | "
                     f"{values['corrupted_accuracy']:.4f} | {values['gap']:+.4f} | {spread:.4f} |")  # fmt: skip
    effect = subpool_effect(trials, measured)
    lines += ["", f"Health-aware minus accuracy-only pick over {SUBPOOL_DRAWS} random {SUBPOOL_SIZE}-trial runs "
              f"drawn from the pool (points; positive: health-aware better; picks differ in "
              f"{effect['picks differ']:.0%} of the runs):", "",
              "| test acc | -calibration error | corrupted acc | -gap |", "| --- | --- | --- | --- |",
              "| " + " | ".join(f"{effect[k]:+.2f}" for k in ("test acc", "-calibration error", "corrupted acc",
                                                              "-gap")) + " |"]  # fmt: skip
    lines += ["", "Spearman rank correlation with each outcome across the pool (higher: the signal predicts it):", "",
              "| signal | test acc | -calibration error | corrupted acc | -gap |", "| --- | --- | --- | --- | --- |"]  # fmt: skip
    rho = correlations(trials, measured)
    for signal, by_outcome in rho.items():
        cells = [f"{value:+.2f}" if np.isfinite(value) else "n/a (constant)" for value in by_outcome.values()]
        lines.append(f"| {signal} | " + " | ".join(cells) + " |")
    missed = []
    if len(set(chosen.values())) == 1:
        lines += [
            "",
            f"All three pickers take trial {chosen['accuracy only']}: on this pool health changes no pick.",
        ]
    health, accuracy = rows.get("health-aware"), rows.get("accuracy only")
    if health and accuracy and chosen["health-aware"] == chosen["accuracy only"]:
        missed.append(f"{name}: the health-aware pick is the accuracy pick, so it beats it on no measure")
    elif health and accuracy:
        if health["test_accuracy"] < accuracy["test_accuracy"] - ACCURACY_SLACK:
            missed.append(f"{name}: the health-aware pick loses more than 0.5 points of test accuracy")
        wins = sum([health["calibration_error"] < accuracy["calibration_error"],
                    health["corrupted_accuracy"] > accuracy["corrupted_accuracy"],
                    health["spread"] < accuracy["spread"], health["gap"] < accuracy["gap"]])  # fmt: skip
        if wins < 2:
            missed.append(
                f"{name}: the health-aware pick beats the accuracy pick on {wins} of 4 measures, not 2"
            )
    if effect["test acc"] < -ACCURACY_SLACK * 100:
        missed.append(
            f"{name}: over random runs the health-aware pick loses {-effect['test acc']:.2f} points"
        )
    better = [k for k in ("-calibration error", "corrupted acc", "-gap") if effect[k] > 0]
    if len(better) < 2:
        missed.append(
            f"{name}: over random runs the health-aware pick is better on {len(better)} of 3 measures"
        )
    composite = rho["health (composite)"]["corrupted_accuracy"]
    alpha = rho["-alpha (WeightWatcher)"]["corrupted_accuracy"]
    if np.isfinite(alpha) and not composite > alpha:
        missed.append(f"{name}: the composite (rho {composite:+.2f}) does not predict corrupted accuracy better "
                      f"than WeightWatcher's alpha (rho {alpha:+.2f})")  # fmt: skip
    return "\n".join(lines), missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="digits,fashion,reuters")
    parser.add_argument(
        "--pool", type=int, default=30, help="trials per dataset (at least 30 for the report)"
    )
    parser.add_argument("--save", type=Path, default=Path("/tmp/healthtune-bench/health_selection"))
    parser.add_argument("--no-retrain", action="store_true", help="skip the 3-seed retraining of each pick")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    parser.add_argument(
        "--bands", help="also pick with the near-tie band at these standard errors (e.g. 0.5,1,2) and compare"
    )
    parser.add_argument(
        "--loss-tolerances", default="0.05", help="with --bands: the loss bands to try (e.g. 0.05,0.2,inf)"
    )
    parser.add_argument(
        "--measure-only", action="store_true",
        help="train and measure the pools, print nothing about the pickers (keeps a held-out pool unseen)",
    )  # fmt: skip
    args = parser.parse_args()
    tables, missed = [], []
    for name in args.datasets.split(","):
        run_dir = build_pool(name, POOLS[name], args.pool, args.save)
        measured = measure_pool(run_dir)
        pool_trials(run_dir, measured)  # computes calibration and robustness for trials trained before them
        if args.measure_only:
            print(f"[{name}] {len(measured)} trials measured")
            continue
        table, misses = report(name, run_dir, measured, retrain=not args.no_retrain)
        if args.bands:
            bands = [float(b) for b in args.bands.split(",")]
            table += (f"\n\nThe near-tie band, {name} (the health-aware pick, then its effect over "
                      f"{SUBPOOL_DRAWS} random {SUBPOOL_SIZE}-trial runs in points):\n\n"
                      + band_sensitivity(pool_trials(run_dir, measured), measured, bands,
                                         [float(t) for t in args.loss_tolerances.split(",")]))  # fmt: skip
        print(table, "\n")
        tables.append(table)
        missed += misses
    if args.markdown:
        args.markdown.write_text("\n\n".join(tables) + "\n")
    if not args.measure_only:  # nothing was judged
        print("targets met" if not missed else "targets missed:\n- " + "\n- ".join(missed))


if __name__ == "__main__":
    main()
