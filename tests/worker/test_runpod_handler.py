"""The RunPod handler's input checks and settings: bad input names the field and what is allowed."""

from __future__ import annotations

import pytest

from healthtune.models import ModelConfig
from healthtune.training.spec import DataSpec, TrialSpec
from healthtune.worker.runpod_handler import job_input_problem, worker_concurrency


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
        ({"spec": {**spec(), "version": 99}, "transport": "inline"}, "TrialSpec version must be 1"),
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
