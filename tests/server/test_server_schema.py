"""schemathesis against the server's own OpenAPI schema: generated requests never get a 500."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from healthtune.server import ServerSettings, create_app

# No lifespan runs under schemathesis's ASGI transport, so the supervisor never starts: queued
# jobs stay queued and no training is launched by generated requests.


def _app() -> object:
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="healthtune-schemathesis-"))
    return create_app(ServerSettings(results_root=root / "results", log_dir=root / "logs"))


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
