"""Exploratory, for issue 20's next step: would calibration and corruption accuracy measured on the
*validation* split break near-ties of validation accuracy better than today's health does?

Reads pools saved by bench/health_selection.py (their test outcomes already measured), measures each
trial's validation outcomes once (cached as val_outcomes.json beside the trial), and prints per pool:
the rank correlation of the validation measure with its test counterpart, and the effect of picking,
among the half-standard-error near-ties, the trial with the best validation (corrupted accuracy -
calibration error), against the accuracy-only pick, over 400 random 10-trial runs (points; positive:
better). Not a health metric yet: a design chosen from these pools must be checked on a new one.
Run: .venv/bin/python bench/validation_signal.py POOL_DIR [POOL_DIR ...]   (e.g. DIR/pool_digits)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import health_selection as selection_bench  # the pools' measures and trial records


def validation_outcomes(run_dir: Path, numbers: list[int]) -> dict[int, dict[str, Any]]:
    import keras

    from healthtune.core.paths import RunPaths
    from healthtune.evaluation.outcomes import measure_outcomes
    from healthtune.run.health_bought import OUTCOME_SEED
    from healthtune.training.feeding import predict
    from healthtune.training.spec import DataSpec, load_trial_data

    found, dataset = {}, None
    for number in numbers:
        files = RunPaths(run_dir).trial(number)
        cache = files.trial_dir / "val_outcomes.json"
        if not cache.is_file():
            if dataset is None:
                dataset = load_trial_data(DataSpec(**json.loads(files.config.read_text())["spec"]["data"]))
            model = keras.saving.load_model(files.model, compile=False)
            outcomes = measure_outcomes(lambda x, m=model: predict(m, x), dataset.x_val, dataset.y_val,
                                        seed=OUTCOME_SEED)  # fmt: skip
            cache.write_text(json.dumps(outcomes.to_dict()))
        found[number] = json.loads(cache.read_text())
    return found


def report(run_dir: Path) -> str:
    from scipy.stats import spearmanr

    from healthtune.run.selection import near_ties

    measured = selection_bench.measure_pool(run_dir)  # cached by health_selection.py
    numbers = sorted(measured)
    val = validation_outcomes(run_dir, numbers)
    trials = [t for t in selection_bench.pool_trials(run_dir, measured) if t.state == "complete"]
    rho = {name: spearmanr([val[n][name] for n in numbers], [measured[n][name] for n in numbers]).statistic
           for name in ("calibration_error", "corrupted_accuracy")}  # fmt: skip

    def by_validation_outcomes(run: list[Any]) -> int:
        return max(near_ties(run), key=lambda t: (val[t.number]["corrupted_accuracy"]
                                                  - val[t.number]["calibration_error"], -t.number)).number  # fmt: skip

    effect = selection_bench.subpool_effect(trials, measured, by_validation_outcomes)
    return (f"| {run_dir.name} | {rho['calibration_error']:+.2f} | {rho['corrupted_accuracy']:+.2f} | "
            f"{effect['picks differ']:.0%} | "
            + " | ".join(f"{effect[k]:+.2f}" for k in ("test acc", "-calibration error", "corrupted acc", "-gap"))
            + " |")  # fmt: skip


def main() -> None:
    print("| pool | rho val->test calibration error | rho val->test corrupted acc | picks differ | "
          "test acc | -calibration error | corrupted acc | -gap |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for folder in sys.argv[1:]:
        print(report(Path(folder)))


if __name__ == "__main__":
    main()
