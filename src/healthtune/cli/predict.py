"""`healthtune predict`: classify images or texts with a run's best model from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from healthtune.core.exceptions import ConfigError

SHOWN_CHARACTERS = 60


def add_predict_command(add_command: Callable[..., argparse.ArgumentParser]) -> None:
    predict = add_command("predict", help="classify images or texts with a run's best model")
    predict.add_argument(
        "model", type=Path, help="a run's directory, its optimized_model/, a trial directory or a .keras file"
    )
    predict.add_argument(
        "inputs", nargs="*", metavar="INPUT", help="image files for an image run, texts for a text run"
    )
    predict.add_argument(
        "--from-file",
        type=Path,
        metavar="FILE",
        help="read inputs from this file, one image path or one text per line",
    )
    predict.add_argument(
        "--top", type=int, default=1, metavar="N", help="how many classes to show per input (default: 1)"
    )
    predict.add_argument("--json", action="store_true", help="print the predictions as JSON on stdout")


def run_predict(args: argparse.Namespace, console: Console) -> int:
    from healthtune.run.predictor import load_predictor

    inputs = list(args.inputs)
    if args.from_file is not None:
        lines = args.from_file.read_text(encoding="utf-8").splitlines()
        inputs += [line for line in lines if line.strip()]
    if not inputs:
        raise ConfigError("predict needs inputs: image files or texts after the model, or --from-file FILE")
    if args.top < 1:
        raise ConfigError(f"top must be >= 1, got top={args.top}")
    predictor = load_predictor(args.model)
    probabilities = predictor.predict_proba(inputs)
    top = min(args.top, len(predictor.class_names))
    rows: list[dict[str, Any]] = []
    for item, row in zip(inputs, probabilities, strict=True):
        best = row.argsort()[::-1][:top]
        rows.append(
            {
                "input": item,
                "predictions": [
                    {"class": predictor.class_names[i], "probability": round(float(row[i]), 4)} for i in best
                ],
            }
        )
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    table = Table(
        title=f"{len(rows)} predictions ({predictor.kind} model, {len(predictor.class_names)} classes)"
    )
    table.add_column("input", overflow="fold")
    table.add_column("class")
    table.add_column("probability", justify="right")
    for entry in rows:
        shown = (
            entry["input"]
            if len(entry["input"]) <= SHOWN_CHARACTERS
            else entry["input"][:SHOWN_CHARACTERS] + "…"
        )
        for rank, prediction in enumerate(entry["predictions"]):
            table.add_row(shown if rank == 0 else "", prediction["class"], f"{prediction['probability']:.1%}")
    console.print(table)
    return 0
