"""A real `healthtune serve` in its own process on a free port, for tests that need the whole server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect


class Server:
    """`healthtune serve` in its own process, stopped with SIGKILL to simulate a crash."""

    def __init__(self, root: Path, *args: str, token: str = "", data_roots: tuple[Path, ...] = ()) -> None:
        self.root = root
        self.args = args  # more `serve` flags, e.g. --queue-only
        self.token = token
        self.data_roots = data_roots
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        log = (self.root / "server.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "healthtune.cli", "serve", "--port", str(self.port),
             "--results-root", str(self.root / "results"), "--log-dir", str(self.root / "logs"),
             *self.args], stdout=log, stderr=subprocess.STDOUT, env=self.environment(),
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/health", headers=self.headers, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError((self.root / "server.log").read_text())

    def environment(self) -> dict[str, str]:
        roots = os.pathsep.join(str(root) for root in self.data_roots)
        return {**os.environ, "HEALTHTUNE_API_TOKEN": self.token, "HEALTHTUNE_DATA_ROOTS": roots}

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        """Any request, answered as it comes (the token is sent unless `headers` replace it)."""
        options.setdefault("headers", self.headers)
        return httpx.request(method, f"{self.url}{path}", timeout=30, **options)

    def log(self) -> str:
        return (self.root / "logs" / "healthtune.log").read_text(encoding="utf-8")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)

    def get(self, path: str) -> Any:
        response = self.request("GET", path)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.request("POST", path, json=body)
        assert response.status_code < 300, (path, response.text)
        return response.json()

    def wait(self, job_id: str, *statuses: str, timeout: float = 300) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        job: dict[str, Any] = {}
        while time.monotonic() < deadline:
            job = self.get(f"/api/jobs/{job_id}")
            if job["status"] in statuses:
                return job
            time.sleep(0.3)
        raise AssertionError(f"job {job_id} never reached {statuses}: {job}")

    def wait_until_complete(self, job_id: str, trials: int, timeout: float = 240) -> None:
        """Until `trials` trials of the job have completed."""
        deadline = time.monotonic() + timeout
        while self.get(f"/api/jobs/{job_id}/status")["progress"]["complete"] < trials:
            assert time.monotonic() < deadline, f"job {job_id} never completed {trials} trial(s)"
            time.sleep(0.3)

    def events(self, job_id: str, after: int = 0) -> list[dict[str, Any]]:
        """Follow the WebSocket until the server closes it at the end of the job."""
        received = []
        with connect(
            f"ws://127.0.0.1:{self.port}/api/jobs/{job_id}/events?after={after}",
            open_timeout=10,
            additional_headers=self.headers,
        ) as ws:
            for message in ws:
                received.append(json.loads(message))
        return received
