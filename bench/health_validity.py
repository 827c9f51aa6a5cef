"""Health validity: planted pathologies with known ground truth, trained on real data, 3 seeds each.

Datasets: scikit-learn's digits, a 6,000-image Fashion-MNIST subset, Reuters R8 (text), and, held out (not
in the default list: no rule or weight was chosen on it), a 6,000-image MNIST subset. Cases are in
bench/validity_cases.py. Per dataset, case and seed it prints health, the metrics (* = below its
threshold), the warning and critical findings, and whether the expected metric flagged the case
(metric below its threshold, or a warning or critical finding naming it). Then it checks the targets:
- every pathological case ranks below every healthy reference of its dataset in the same seed, by at
  least 0.15 when it learned nothing (validation accuracy less than 20% of the way from the majority
  class's share to 100%: ground truth from accuracy alone);
- each pathological case is flagged by its expected metric in >= 90% of its seeds;
- healthy references carry no warning or critical finding.
--save DIR keeps each training's health report (as health.json has it), --load DIR prints and checks
saved runs again without training.
Run: .venv/bin/python bench/health_validity.py [--datasets digits,fashion,reuters,mnist] [--seeds 0,1,2]
     [--cases reference,low_lr,...] [--save DIR | --load DIR] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from validity_cases import CASES, Case, Setting, load_setting

HEALTHY_MARGIN = 0.15  # a case that learned nothing must score at least this far below every reference
FLAG_SHARE = 0.9


@dataclass
class Row:
    dataset: str
    case: Case
    seed: int
    accuracy: float
    gain: float  # validation accuracy's share of the way from the majority class to 100%: "learned" or not
    health: float
    metrics: dict[str, float]
    findings: list[str]  # warning and critical only
    flagged: bool
    seconds: float


def train(setting: Setting, case: Case, seed: int) -> dict[str, Any]:
    """Train one planted case as a trial trains (train_model, then diagnose); the report as health.json has it."""
    import keras

    from healthtune.training.spec import HealthSpec
    from healthtune.training.trainer import diagnose, seed_everything, train_model

    started = time.perf_counter()
    keras.backend.clear_session(free_memory=True)
    seed_everything(seed)
    planted = case.plant(setting, seed)
    outcome = train_model(planted.model, planted.data, epochs=planted.epochs, batch_size=planted.batch_size,
                          health=HealthSpec(frequency=1), shuffle_seed=seed)  # fmt: skip
    report, val = diagnose(planted.model, planted.data, outcome, seed=seed)
    return {
        "report": report.to_dict(),
        "val_accuracy": val["accuracy"],
        "epochs_trained": outcome.epochs_trained,
        "seconds": time.perf_counter() - started,
    }


def score(dataset: str, case: Case, seed: int, trained: dict[str, Any]) -> Row:
    """Health exactly as a trial gets it: default proportions, the learning gate and the cap."""
    from healthtune.core.scoring import DEFAULT_HEALTH_COMPONENT_PROPORTIONS
    from healthtune.health.analyzer import HealthReport
    from healthtune.health.defaults import METRIC_THRESHOLDS

    report = HealthReport.from_dict(trained["report"])
    serious = [f for f in report.findings if f.severity != "info"]
    expected = case.expected
    flagged = expected is not None and (
        report.metrics[expected] < METRIC_THRESHOLDS[expected] or any(f.metric == expected for f in serious)
    )
    return Row(
        dataset, case, seed, trained["val_accuracy"], report.gate.gain,
        report.overall(DEFAULT_HEALTH_COMPONENT_PROPORTIONS), report.metrics,
        [f"{f.severity} {f.metric}{f' {f.layer}' if f.layer else ''}: {f.title}" for f in serious],
        flagged, trained["seconds"],
    )  # fmt: skip


def print_row(row: Row) -> None:
    from healthtune.health.defaults import METRIC_THRESHOLDS

    metrics = " ".join(
        f"{name[:5]} {value:.2f}{'*' if value < METRIC_THRESHOLDS[name] else ' '}"
        for name, value in row.metrics.items()
    )
    flag = (
        "-" if row.case.expected is None else f"{row.case.expected} {'FLAGGED' if row.flagged else 'MISSED'}"
    )
    print(f"{row.dataset:8s} {row.case.name:13s} seed {row.seed}  acc {row.accuracy:.3f}  health {row.health:.3f}"
          f"  | {metrics} | {flag}  ({row.seconds:.0f} s)")  # fmt: skip
    for finding in row.findings:
        print(f"      {finding}")


def check_targets(rows: list[Row]) -> list[str]:
    """The three targets, one line per miss."""
    from healthtune.health.defaults import NOT_LEARNED_GAIN

    misses = []
    for row in rows:
        refs = [
            r for r in rows if r.dataset == row.dataset and r.seed == row.seed and r.case.expected is None
        ]
        if row.case.expected is None:
            misses += [
                f"{row.dataset}/{row.case.name}/seed {row.seed}: healthy reference has '{f}'"
                for f in row.findings
            ]
            continue
        if not refs:
            continue
        margin = HEALTHY_MARGIN if row.gain < NOT_LEARNED_GAIN else 0.0
        lowest = min(r.health for r in refs)
        if row.health > lowest - margin or (margin == 0 and row.health >= lowest):
            misses.append(f"{row.dataset}/{row.case.name}/seed {row.seed}: health {row.health:.3f} vs lowest "
                          f"reference {lowest:.3f} (needs {'>= 0.15 ' if margin else ''}below)")  # fmt: skip
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        if row.case.expected is not None:
            groups.setdefault((row.dataset, row.case.name), []).append(row)
    for (dataset, case), group in groups.items():
        share = sum(r.flagged for r in group) / len(group)
        if share < FLAG_SHARE:
            misses.append(f"{dataset}/{case}: flagged by {group[0].case.expected} in {share:.0%} of seeds")
    return misses


def markdown(rows: list[Row]) -> str:
    names = list(rows[0].metrics)
    lines = [
        "| dataset | case | seed | val acc | health | " + " | ".join(names) + " | expected | flagged |",
        "|" + " --- |" * (7 + len(names)),
    ]
    for r in rows:
        lines.append(
            f"| {r.dataset} | {r.case.name} | {r.seed} | {r.accuracy:.3f} | {r.health:.3f} | "
            + " | ".join(f"{r.metrics[n]:.2f}" for n in names)
            + f" | {r.case.expected or '-'} | {'-' if r.case.expected is None else 'yes' if r.flagged else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def _span(values: list[float], digits: int) -> str:
    low, high = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
    return low if low == high else f"{low}-{high}"


def summary_markdown(rows: list[Row]) -> str:
    """One line per dataset and case: the range over its seeds, and in how many seeds it was flagged."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.dataset, row.case.name), []).append(row)
    lines = [
        f"| dataset | case | val accuracy | health ({len({r.seed for r in rows})} seeds) "
        "| calibration | robustness | expected metric | flagged |",
        "|" + " --- |" * 8,
    ]
    for (dataset, case), group in groups.items():
        expected = group[0].case.expected
        metric = "-" if expected is None else f"{expected} {_span([r.metrics[expected] for r in group], 2)}"
        flagged = "-" if expected is None else f"{sum(r.flagged for r in group)} of {len(group)}"
        lines.append(
            f"| {dataset} | {case} | {_span([r.accuracy for r in group], 3)} | "
            f"{_span([r.health for r in group], 3)} | {_span([r.metrics['calibration'] for r in group], 2)} | "
            f"{_span([r.metrics['robustness'] for r in group], 2)} | {metric} | {flagged} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", default="digits,fashion,reuters")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--cases", default=",".join(c.name for c in CASES))
    parser.add_argument("--save", type=Path, help="keep each training's health report here")
    parser.add_argument(
        "--load", type=Path, help="print and check reports saved by --save instead of training"
    )
    parser.add_argument(
        "--markdown", type=Path, help="also write the tables as Markdown: one line per case, then per seed"
    )
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    cases = [c for c in CASES if c.name in args.cases.split(",")]
    rows: list[Row] = []
    for dataset in args.datasets.split(","):
        setting = None if args.load else load_setting(dataset)
        for case in cases:
            for seed in seeds:
                name = f"{dataset}_{case.name}_{seed}.json"
                if args.load:
                    trained = json.loads((args.load / name).read_text())
                else:
                    assert setting is not None
                    trained = train(setting, case, seed)
                    if args.save:
                        args.save.mkdir(parents=True, exist_ok=True)
                        (args.save / name).write_text(json.dumps(trained))
                rows.append(score(dataset, case, seed, trained))
                print_row(rows[-1])
    misses = check_targets(rows)
    print(f"\n{len(rows)} trainings, {sum(r.seconds for r in rows) / 60:.1f} min of training")
    print("targets: " + ("all met" if not misses else f"{len(misses)} missed"))
    for miss in misses:
        print(f"  MISSED {miss}")
    if args.markdown:
        args.markdown.write_text(summary_markdown(rows) + "\n" + markdown(rows))


if __name__ == "__main__":
    main()
