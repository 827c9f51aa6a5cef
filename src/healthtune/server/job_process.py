"""The job process: runs one server job, `python -m healthtune.server.job_process CONFIG_JSON OUTCOME_JSON`.

A crash in training takes down this process only; the server reads the outcome file (or the exit
status when there is none) and marks the job. SIGTERM asks the run to stop: the running trial
ends within a batch and the best model is assembled from the finished trials.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

EXIT_COMPLETED = 0
EXIT_FAILED = 2
EXIT_CANCELLED = 3
MAX_ERROR_CHARS = 300


def write_outcome(path: Path, **outcome: Any) -> None:
    from healthtune.run.results import write_json

    write_json(path, {**outcome, "time": time.time()})


def run(config_file: Path, outcome_file: Path) -> int:
    from healthtune.core.config import OptimizationConfig
    from healthtune.core.exceptions import HealthtuneError
    from healthtune.run.optimizer import ModelOptimizer

    try:
        config = OptimizationConfig.from_dict(json.loads(config_file.read_text(encoding="utf-8")))
        optimizer = ModelOptimizer(config)
    except HealthtuneError as error:
        write_outcome(outcome_file, status="failed", error=str(error))
        return EXIT_FAILED
    signal.signal(signal.SIGTERM, lambda *_: optimizer.request_stop())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the server's terminal is the server's business
    try:
        result = optimizer.optimize_model()
    except HealthtuneError as error:
        logging.getLogger(__name__).error("job failed: %s", error)
        write_outcome(outcome_file, status="failed", error=str(error))
        return EXIT_FAILED
    except Exception as error:
        traceback.print_exc()  # to the job's log file; the API shows only the one-line reason
        # One line, cut short: a library's message can quote what it was reading
        reason = str(error).splitlines()[0][:MAX_ERROR_CHARS] if str(error) else ""
        write_outcome(outcome_file, status="failed", error=f"{type(error).__name__}: {reason}")
        return EXIT_FAILED
    best = result.best_trial
    write_outcome(
        outcome_file,
        status=result.status,
        error=None,
        result={
            "best_trial": best.number if best else None,
            "best_score": result.best_score,
            "best_val_accuracy": best.metrics.get("val_accuracy") if best else None,
            "best_test_accuracy": best.metrics.get("test_accuracy") if best else None,
            "best_model_file": result.best_model_path.name if result.best_model_path else None,
            "trials": len(result.trials),
            "elapsed_seconds": result.elapsed_seconds,
        },
    )
    return EXIT_CANCELLED if result.status == "cancelled" else EXIT_COMPLETED


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: python -m healthtune.server.job_process CONFIG_JSON OUTCOME_JSON\n")
        return EXIT_FAILED
    from healthtune.executors.processes import die_with_parent

    die_with_parent()
    niceness = int(os.environ.get("HEALTHTUNE_WORKER_NICENESS", "0") or 0)
    if niceness > 0:
        os.nice(niceness)  # before TensorFlow starts its threads, so they all inherit it
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    return run(Path(args[0]), Path(args[1]))


if __name__ == "__main__":
    sys.exit(main())
