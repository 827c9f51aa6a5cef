"""The RunPod serverless handler: `healthtune worker runpod` trains the TrialSpecs an endpoint receives."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from healthtune.core.exceptions import TrialFailed
from healthtune.remote.pool import TrialPool
from healthtune.remote.remote import RemoteReporter, failure_payload, ship_trial, worker_spec

logger = logging.getLogger(__name__)

CONCURRENCY_VARIABLE = "HEALTHTUNE_WORKER_CONCURRENCY"
TRANSPORTS = ("s3", "inline")
_pool: TrialPool | None = None


def worker_concurrency() -> int:
    """Jobs one worker trains at once (each in its own process): $HEALTHTUNE_WORKER_CONCURRENCY, default 1."""
    raw = os.environ.get(CONCURRENCY_VARIABLE, "1")
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{CONCURRENCY_VARIABLE} must be an integer >= 1, got {raw!r}")
    return value


def job_input_problem(job_input: Any) -> str | None:
    """Why a job's input cannot be run, or None: the message the orchestrator sees as the job's error."""
    if not isinstance(job_input, dict):
        return f"input must be an object with 'spec' and 'transport', got {type(job_input).__name__}"
    if not isinstance(job_input.get("spec"), dict):
        return "input.spec must be a TrialSpec object (TrialSpec.to_dict())"
    transport = job_input.get("transport")
    if transport not in TRANSPORTS:
        return f"input.transport must be one of {list(TRANSPORTS)}, got transport={transport!r}"
    if transport == "s3" and not (job_input.get("upload_url") and job_input.get("bundle_key")):
        return "input.transport 's3' needs input.upload_url (a presigned PUT URL) and input.bundle_key"
    try:
        from healthtune.training.spec import TrialSpec

        TrialSpec.from_dict(job_input["spec"])
    except (TypeError, ValueError, KeyError) as error:
        return f"input.spec is not a valid TrialSpec: {error}"
    return None


def _in_runpod_cloud() -> bool:
    # Progress updates post to RunPod's job API, which only exists on a deployed endpoint.
    return bool(os.environ.get("RUNPOD_WEBHOOK_POST_OUTPUT"))


async def handler(job: dict[str, Any]) -> dict[str, Any]:
    """Train one trial in its own process; async, so a worker with concurrency > 1 overlaps jobs."""
    global _pool
    job_input = job.get("input")
    problem = job_input_problem(job_input)
    if problem:
        return {"error": problem}
    assert isinstance(job_input, dict)
    if _pool is None:
        _pool = TrialPool(worker_concurrency())
    publish = None
    if _in_runpod_cloud():
        from runpod.serverless import progress_update

        def publish(epochs: list[dict[str, Any]]) -> None:
            progress_update(job, {"epochs": epochs})

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="healthtune-job-") as scratch:
        trial_dir = Path(scratch) / "trial"
        spec = worker_spec(job_input["spec"], trial_dir)
        try:
            result = await _pool.run(spec, RemoteReporter(publish))
            result.trial_number = spec.trial_number
            return ship_trial(
                result,
                trial_dir,
                transport=job_input["transport"],
                upload_url=job_input.get("upload_url"),
                bundle_key=job_input.get("bundle_key"),
                trial_seconds=time.perf_counter() - started,
            )
        except TrialFailed as failure:
            logger.warning("trial %d failed (%s): %s", spec.trial_number, failure.reason, failure)
            return failure_payload(failure)


def concurrency_modifier(current: int) -> int:
    return worker_concurrency()


def main(argv: list[str]) -> None:
    """Start the serverless worker; `--rp_serve_api --rp_api_port N` serves the SDK's local test API."""
    import runpod

    worker_concurrency()  # a bad value stops the worker now, not at its first job
    sys.argv = ["healthtune-worker", *argv]  # the SDK reads its --rp_* flags from sys.argv
    runpod.serverless.start({"handler": handler, "concurrency_modifier": concurrency_modifier})
