"""A job's stored request and result are typed in the API, and what an older version stored still lists."""

from __future__ import annotations

import pytest

from healthtune.core.choices import Mode
from healthtune.server.requests import OptimizationRequest
from healthtune.server.schemas import JobResult, from_stored


def test_a_stored_request_comes_back_typed() -> None:
    request = from_stored(OptimizationRequest, {"dataset_name": "digits", "trials": 3, "mode": "pareto"})
    assert request is not None and request.trials == 3 and request.mode is Mode.PARETO


def test_fields_that_no_longer_validate_are_left_out_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    stored = {"dataset_name": "digits", "trials": 0, "renamed_since": 1, "weights": {"accuracy_weight": 0.8}}
    request = from_stored(OptimizationRequest, stored)
    assert request is not None and request.trials == 20  # the default, not a listing that fails
    assert request.weights is not None and request.weights.accuracy_weight == 0.8
    assert "['trials'] no longer validate" in caplog.text
    result = from_stored(JobResult, {"best_trial": 2, "best_score": "high"})
    assert result == JobResult(best_trial=2)
    assert from_stored(JobResult, None) is None and from_stored(JobResult, ["not", "an", "object"]) is None
