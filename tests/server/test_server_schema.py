"""schemathesis against a real `healthtune serve --queue-only`: generated requests never get a 500,
and every status code and body they get is the one the OpenAPI schema promises.

The server runs with a real setting that keeps jobs queued (no training), and with an API token, so
the checks see the answers a deployed server gives. Bounded to about two minutes on 2 cores.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config._checks import NegativeDataRejectionConfig
from tests.server.live import Server

from healthtune.server import ServerSettings, create_app

TOKEN = "schemathesis-token"
EXAMPLES_PER_OPERATION = 120


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("schemathesis"), "--queue-only", token=TOKEN).start()
    yield server
    server.stop()


def _schema() -> dict[str, Any]:
    """The schema the live server serves, read from the same app code (tests are made at collection,
    before any server runs; test_the_live_server_serves_this_schema checks they agree)."""
    root = Path(tempfile.mkdtemp(prefix="healthtune-schema-"))
    return create_app(ServerSettings(results_root=root / "results", log_dir=root / "logs")).openapi()


SCHEMA = _schema()
schema = schemathesis.openapi.from_dict(SCHEMA)
# Valid requests and invalid ones (wrong types, out-of-range values): the second kind must be refused
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
# An invalid body can also be refused for its size (413, max_request_kb) before it is read
schema.config.checks.negative_data_rejection = NegativeDataRejectionConfig(
    expected_statuses=[*NegativeDataRejectionConfig().expected_statuses, 413]
)


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(case: schemathesis.Case, live: Server) -> None:
    case.call_and_validate(
        base_url=live.url,
        headers=live.headers,
        checks=[
            not_a_server_error,
            status_code_conformance,
            response_schema_conformance,
            negative_data_rejection,
        ],
    )


def test_the_live_server_serves_this_schema(live: Server) -> None:
    assert live.get("/openapi.json") == SCHEMA


def test_queued_jobs_never_started(live: Server) -> None:
    """The setting that kept training out did: no job of the generated ones ever ran."""
    jobs = live.get("/api/jobs?limit=200")["items"]
    assert all(job["status"] in ("queued", "cancelled") for job in jobs), {job["status"] for job in jobs}
    assert not Path(live.root / "results" / ".jobs").exists() or not any(
        (live.root / "results" / ".jobs").glob("*/config.json")
    )
