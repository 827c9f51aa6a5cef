"""The end of `optimize` and `rescore` in the terminal: the baselines, and what health-aware selection bought."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from healthtune.run.results import OptimizationResult

ROWS = (
    ("test accuracy", "test_accuracy", "{:.4f}"),
    ("calibration error (lower is better)", "calibration_error", "{:.4f}"),
    ("accuracy on corrupted inputs", "corrupted_accuracy", "{:.4f}"),
    ("validation accuracy", "val_accuracy", "{:.4f}"),
    ("health", "health", "{:.3f}"),
)


def _cell(entry: dict[str, Any], key: str, pattern: str) -> str:
    value = entry.get(key)
    return pattern.format(value) if isinstance(value, int | float) else "-"


def health_bought_table(result: OptimizationResult) -> tuple[Table, str] | None:
    """The pick and the accuracy-only pick side by side on the test split, and the sentence that says
    what the difference means; None when the run measured nothing (an older run, no test split)."""
    bought = result.health_bought
    if not bought:
        return None
    chosen, accuracy = bought["chosen"], bought["accuracy_only"]
    table = Table(title="what health bought you (test split, measured once)", title_justify="left")
    table.add_column("")
    table.add_column(f"picked: trial {chosen['trial']}", justify="right")
    if not bought.get("same_trial"):
        table.add_column(f"accuracy alone: trial {accuracy['trial']}", justify="right")
    for label, key, pattern in ROWS:
        cells = [_cell(chosen, key, pattern)]
        if not bought.get("same_trial"):
            cells.append(_cell(accuracy, key, pattern))
        table.add_row(label, *cells)
    return table, str(bought.get("summary", ""))


def baselines_lines(result: OptimizationResult) -> list[str]:
    """One line per reference baseline, then whether the best network beats the linear one."""
    lines = []
    for baseline in result.baselines:
        test = baseline.get("test_accuracy")
        sample = (
            f", fitted on {baseline['train_examples']:,} sampled examples"
            if baseline.get("subsampled")
            else ""
        )
        lines.append(
            f"baseline {baseline['name']}: validation {baseline['val_accuracy']:.4f}"
            + (f", test {test:.4f}" if isinstance(test, int | float) else "")
            + f" ({baseline['description']}{sample})"
        )
    if result.baseline_verdict:
        lines.append(str(result.baseline_verdict["message"]))
    return lines


MAX_CLASS_ROWS = 20
"""Classes listed in full; with more, the ones with the lowest recall (where a model fails first)."""


def per_class_table(result: OptimizationResult) -> Table | None:
    """The best model's precision, recall and F1 per class on the test split; None for older runs."""
    best = result.best_trial
    classes = ((best.metrics.get("per_class") or {}).get("test") or {}) if best else {}
    if not best or not classes:
        return None
    shown = list(classes.items())
    title = f"trial {best.number} per class (test split)"
    if len(shown) > MAX_CLASS_ROWS:
        shown = sorted(shown, key=lambda item: item[1]["recall"])[:MAX_CLASS_ROWS]
        title += f": the {MAX_CLASS_ROWS} classes with the lowest recall"
    objective = best.metrics.get("objective")
    if objective and objective != "accuracy" and best.metrics.get("test_objective") is not None:
        title += f"; {objective} {best.metrics['test_objective']:.4f}"
    table = Table(title=title, title_justify="left")
    for column in ("class", "precision", "recall", "F1", "examples"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for name, values in shown:
        table.add_row(
            name, *(f"{values[k]:.3f}" for k in ("precision", "recall", "f1")), str(values["support"])
        )
    return table
