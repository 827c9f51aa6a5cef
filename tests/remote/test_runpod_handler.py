"""The RunPod handler's input checks and settings: bad input names the field and what is allowed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from healthtune.models import ModelConfig
from healthtune.remote import runpod_handler
from healthtune.remote.runpod_handler import job_input_problem, worker_concurrency
from healthtune.training.spec import DataSpec, TrialSpec


def spec() -> dict[str, object]:
    return TrialSpec("r", 0, ModelConfig().to_dict(), DataSpec("digits", 0.2, 0), 1, 32, 0, "/x").to_dict()


@pytest.mark.parametrize(
    ("job_input", "message"),
    [
        ([], "input must be an object"),
        ({"transport": "inline"}, "input.spec must be a TrialSpec object"),
        (
            {"spec": spec(), "transport": "ftp"},
            "input.transport must be one of ['s3', 'inline'], got transport='ftp'",
        ),
        ({"spec": spec(), "transport": "s3"}, "needs input.upload_url"),
        ({"spec": {**spec(), "version": 99}, "transport": "inline"}, "TrialSpec version must be 2"),
        ({"spec": {**spec(), "surprise": 1}, "transport": "inline"}, "not a valid TrialSpec"),
    ],
)
def test_bad_job_input_names_the_field(job_input: object, message: str) -> None:
    problem = job_input_problem(job_input)
    assert problem is not None and message in problem


def test_a_valid_job_input_passes() -> None:
    assert job_input_problem({"spec": spec(), "transport": "inline"}) is None
    assert (
        job_input_problem({"spec": spec(), "transport": "s3", "upload_url": "u", "bundle_key": "k"}) is None
    )


@pytest.mark.parametrize(("value", "expected"), [(None, 1), ("3", 3)])
def test_worker_concurrency(monkeypatch: pytest.MonkeyPatch, value: str | None, expected: int) -> None:
    if value is None:
        monkeypatch.delenv("HEALTHTUNE_WORKER_CONCURRENCY", raising=False)
    else:
        monkeypatch.setenv("HEALTHTUNE_WORKER_CONCURRENCY", value)
    assert worker_concurrency() == expected


@pytest.mark.parametrize("value", ["0", "two"])
def test_a_bad_worker_concurrency_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("HEALTHTUNE_WORKER_CONCURRENCY", value)
    with pytest.raises(ValueError, match="HEALTHTUNE_WORKER_CONCURRENCY must be an integer >= 1"):
        worker_concurrency()


@pytest.mark.slow
def test_a_cancelled_job_stops_training_and_frees_its_slot(tmp_path: Path) -> None:
    """RunPod stops a cancelled job by cancelling the handler's task; its trial process must end too."""

    def job(epochs: int) -> dict[str, object]:
        data = DataSpec("digits", 0.2, 0, data_dir=str(tmp_path / "data"))
        trial = TrialSpec("r", 0, ModelConfig().to_dict(), data, epochs, 32, 0, "/x", tensorboard=False)
        return {"id": f"job-{epochs}", "input": {"spec": trial.to_dict(), "transport": "inline"}}

    async def scenario() -> dict[str, object]:
        endless = asyncio.create_task(runpod_handler.handler(job(100_000)))
        while runpod_handler._pool is None or runpod_handler._pool.in_flight == 0:
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # let it train
        endless.cancel()
        with pytest.raises(asyncio.CancelledError):
            await endless
        pool = runpod_handler._pool
        for _ in range(100):
            if pool.in_flight == 0:
                break
            await asyncio.sleep(0.1)
        assert pool.in_flight == 0, "the cancelled job's trial still trains"
        # One slot (concurrency 1): this job could not start if the cancelled one still held it.
        return await asyncio.wait_for(runpod_handler.handler(job(1)), timeout=300)

    try:
        output = asyncio.run(scenario())
    finally:
        if runpod_handler._pool is not None:
            runpod_handler._pool.shutdown()
        runpod_handler._pool = None
    assert output["failure"] is None, output
    result = output["result"]
    assert isinstance(result, dict) and result["state"] == "complete"
