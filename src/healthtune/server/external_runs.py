"""Runs made from the CLI or Python in the server's results root, listed as read-only jobs."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

from healthtune.core.paths import JOBS_DB, STUDIES_DB, RunPaths
from healthtune.server.jobs_store import EXTERNAL, Job, JobStatus, JobStore

logger = logging.getLogger(__name__)

RESCAN_SECONDS = 3.0
"""The results root is listed again at most this often (on a job list), so a CLI run that ends shows up."""

# run.json statuses of a run that has ended; a run still going is listed once it ends.
ENDED = {
    "completed": JobStatus.COMPLETED,
    "cancelled": JobStatus.CANCELLED,
    "failed": JobStatus.FAILED,
    "interrupted": JobStatus.INTERRUPTED,
}
# Request fields an external run can be described by (the rest of its config stays in `config`).
REQUEST_FIELDS = ("trials", "max_epochs_per_trial", "batch_size", "mode", "executor", "pruner", "sampler")


def job_values(run: dict[str, Any]) -> dict[str, Any] | None:
    """What the jobs table keeps of an ended run.json (the same result a server job stores), or None."""
    status = ENDED.get(str(run.get("status")))
    config = run.get("config")
    if status is None or not isinstance(config, dict):
        return None
    best = run.get("best_trial") if isinstance(run.get("best_trial"), dict) else None
    metrics = best.get("metrics", {}) if best else {}
    model = run.get("best_model_path")
    started = float(run.get("started_at") or 0.0) or None
    elapsed = float(run.get("elapsed_seconds") or 0.0)
    return {
        "status": status,
        "started_at": started,
        "finished_at": started + elapsed if started else None,
        "error": run.get("error"),
        "config": config,
        "result": {
            "best_trial": best.get("number") if best else None,
            "best_score": best.get("score") if best else None,
            "best_val_accuracy": metrics.get("val_accuracy"),
            "best_test_accuracy": metrics.get("test_accuracy"),
            "best_model_file": Path(model).name if isinstance(model, str) else None,
            "trials": len(run.get("trials") or []),
            "elapsed_seconds": elapsed,
        },
    }


def _read(run_file: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(run_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # being written, or not a run of ours
    return data if isinstance(data, dict) else None


def sync_external_runs(store: JobStore, results_root: Path) -> int:
    """List new ended runs of `results_root` as external jobs and refresh those already listed (a CLI
    rescore or resume changes them); returns how many were added. Never raises for a bad folder."""
    known = store.run_names()
    external = {job.run_name: job for job in store.external()}
    added = 0
    try:
        folders = sorted(p for p in results_root.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return 0
    for folder in folders:
        if folder.name.startswith((".", STUDIES_DB, JOBS_DB)):
            continue
        if folder.name in known and folder.name not in external:
            continue  # a job this server queued
        run = _read(RunPaths(folder).run_file)
        values = job_values(run) if run is not None and run.get("run_name") == folder.name else None
        if values is None:
            continue
        job = external.get(folder.name)
        if job is None:
            request = {"dataset_name": values["config"].get("dataset")}
            request.update({k: values["config"][k] for k in REQUEST_FIELDS if k in values["config"]})
            store.add_external(folder.name, request, **values)
            added += 1
        elif _changed(job, values):
            store.update(job.id, **values)
    if added:
        logger.info("listed %d run(s) made outside this server from %s", added, results_root)
    return added


def _changed(job: Job, values: dict[str, Any]) -> bool:
    return (job.status, job.result, job.config, job.error) != (
        values["status"],
        values["result"],
        values["config"],
        values["error"],
    )


class ExternalRuns:
    """Throttled syncing for the routes: at most one scan per RESCAN_SECONDS, one at a time."""

    def __init__(self, store: JobStore, results_root: Path) -> None:
        self.store, self.results_root = store, results_root
        self._lock = threading.Lock()
        self._last = 0.0

    def sync(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < RESCAN_SECONDS:
            return
        if not self._lock.acquire(blocking=False):
            return  # another request is scanning
        try:
            self._last = now
            sync_external_runs(self.store, self.results_root)
        except Exception:
            logger.exception("listing runs made outside this server failed")
        finally:
            self._lock.release()


def is_external(job: Job) -> bool:
    return job.origin == EXTERNAL
