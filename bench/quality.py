"""Models as good as the data allows: healthtune against KerasTuner, AutoKeras, Optuna by hand and a linear model.

Each tool searches each dataset for the same wall budget on this machine, alone, in its own process
(bench/quality_tools.py), with the same data and the same epochs per trial; the table gives the test
accuracy of the model each picked on validation, its trials and epochs, and its real wall time.
healthtune stops at the budget through `timeout_hours` (its running trial ends with the epoch that
passes it, its best epoch kept); the peers finish the trial running at the budget, as their loops
cannot be interrupted.
Datasets: digits; Fashion-MNIST with 10,000 training images (full test set); Reuters R8 (official
split); a 400-document subset of R8's training set (official test set).

Peers are not healthtune dependencies: install them in venvs layered over the project's.
AutoKeras 3.0.0 fails on Keras 3.13 and newer ("Received an invalid value for `units`, expected a
positive integer": its heads pass numpy integers), so it runs with Keras 3.12, the newest it works with:
    for venv in /tmp/qvenv /tmp/akvenv; do python3 -m venv $venv
      printf '%s\n' "$PWD/.venv/lib/python3.11/site-packages" "$PWD/src" > $venv/lib/python3.11/site-packages/main.pth
      $venv/bin/pip install --no-deps keras-tuner autokeras kt-legacy dm-tree; done
    /tmp/akvenv/bin/pip install --no-deps "keras>=3.12,<3.13"
Run: .venv/bin/python bench/quality.py [--minutes 10] [--datasets digits,fashion,r8,r8_400]
     [--tools healthtune,kerastuner,autokeras,optuna_by_hand,linear] [--peers-python /tmp/qvenv/bin/python]
     [--autokeras-python /tmp/akvenv/bin/python]
Targets: healthtune at or above the linear model on every dataset, and at or above every peer's test
accuracy at equal wall time on every dataset.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def run(tool: str, dataset: str, seconds: float, python: str, out_dir: Path) -> dict[str, Any]:
    out = out_dir / f"{tool}_{dataset}.json"
    if out.is_file():  # measured before (--save keeps results): a rerun only prints
        return dict(json.loads(out.read_text()))
    log = (out_dir / f"{tool}_{dataset}.log").open("w")
    subprocess.run([python, str(HERE / "quality_tools.py"), tool, dataset, str(seconds), str(out)],
                   stdout=log, stderr=subprocess.STDOUT, check=False)  # fmt: skip
    result = (
        json.loads(out.read_text())
        if out.is_file()
        else {"tool": tool, "dataset": dataset, "error": "no result"}
    )
    return dict(result)


def row(result: dict[str, Any]) -> str:
    if result.get("error"):
        return f"| {result['tool']} | failed: {result['error'][:90]} | | | | |"
    return (f"| {result['tool']} | {result['test_accuracy']:.4f} | {result['val_accuracy']:.4f} | {result['trials']} | "
            f"{result['epochs']} | {result['seconds']:.0f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--datasets", default="digits,fashion,r8,r8_400")
    parser.add_argument("--tools", default="healthtune,kerastuner,autokeras,optuna_by_hand,linear")
    parser.add_argument("--peers-python", default="/tmp/qvenv/bin/python", help="KerasTuner's venv")
    parser.add_argument(
        "--autokeras-python", default="/tmp/akvenv/bin/python", help="AutoKeras' venv (Keras 3.12)"
    )
    parser.add_argument("--save", type=Path, help="keep the results here; a rerun reuses them")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args()
    out_dir = args.save or Path(tempfile.mkdtemp(prefix="healthtune-quality-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    tables, missed = [], []
    for dataset in args.datasets.split(","):
        results = []
        for tool in args.tools.split(","):
            python = {"kerastuner": args.peers_python, "autokeras": args.autokeras_python}.get(
                tool, sys.executable
            )
            results.append(run(tool, dataset, args.minutes * 60, python, out_dir))
            print(row(results[-1]), flush=True)
        table = "\n".join([f"### {dataset} ({args.minutes:g} minutes each)", "",
                           "| tool | test accuracy | validation accuracy | trials | epochs | wall s |",
                           "| --- | --- | --- | --- | --- | --- |", *map(row, results)])  # fmt: skip
        print(table, "\n")
        tables.append(table)
        ours = next((r for r in results if r["tool"] == "healthtune" and not r.get("error")), None)
        for other in results:
            if ours is None or other is ours or other.get("error"):
                continue
            if other["test_accuracy"] > ours["test_accuracy"]:
                missed.append(
                    f"{dataset}: {other['tool']} {other['test_accuracy']:.4f} > healthtune {ours['test_accuracy']:.4f}"
                )
    if args.markdown:
        args.markdown.write_text("\n\n".join(tables) + "\n")
    print(f"results in {out_dir}")
    print("targets met" if not missed else "targets missed:\n- " + "\n- ".join(missed))


if __name__ == "__main__":
    main()
