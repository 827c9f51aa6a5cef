"""A job whose worker died: its run made true (no phantom running trial, the best finished trial kept)."""

from __future__ import annotations

import logging
from typing import Any

from healthtune.core.paths import RunPaths
from healthtune.server.data_access import current_config
from healthtune.server.jobs_store import Job
from healthtune.server.settings import ServerSettings

logger = logging.getLogger(__name__)

INTERRUPTED = "interrupted"
"""How a trial cut short by a stop or a crash is recorded (failure_reason) and shown."""


def salvage_run(job: Job, settings: ServerSettings, status: str, error: str | None) -> None:
    """After a worker was killed or died with its server: trials it left running are failed as
    interrupted (and announced, so /status counts them cut short), and the best finished trial is
    copied to optimized_model/, so best-model and the downloads work until a resume improves on it.

    Never raises: a run that got no study, or a storage that cannot be read, is left as it is.
    """
    from healthtune.core.config import OptimizationConfig
    from healthtune.run.run_book import RunBook
    from healthtune.search.storage import load_study

    try:
        config = OptimizationConfig.from_dict(current_config(job.config, settings))
        if not RunPaths(config.run_dir).run_file.is_file():
            return  # the worker died before its run existed
        study = load_study(job.run_name, settings.storage_url)
        best = RunBook(config, config.weights).salvage(study, status, error)
    except KeyError:
        return  # no study yet
    except Exception:  # the supervisor goes on whatever this run's files hold
        logger.exception("job %s (%s): could not bring its run up to date", job.id, job.run_name)
        return
    if best is not None:
        logger.info(
            "job %s (%s): best finished trial %d kept as its model", job.id, job.run_name, best.number
        )


def without_phantoms(trials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trials of a job that is not running: none can still be running (its worker is gone)."""
    return [
        {**trial, "state": "failed", "failure_reason": INTERRUPTED}
        if trial.get("state") == "running"
        else trial
        for trial in trials
    ]
