"""Real services for the remote executors: a SeaweedFS S3 server and the project's RunPod worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests import services


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    try:
        with services.seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as env:
            yield env
    except services.ServiceMissing as missing:
        pytest.skip(str(missing))


@pytest.fixture(scope="session")
def runpod_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("runpod")
    with services.runpod_worker(tmp_path_factory.mktemp("runpod-worker")) as url:
        yield url
