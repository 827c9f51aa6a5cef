"""RunPodClient: submit, watch and cancel jobs on a RunPod serverless endpoint or the SDK's local test API."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any

from healthtune.core.exceptions import ExecutorError

logger = logging.getLogger(__name__)

API_BASE = "https://api.runpod.ai"
REQUEST_TIMEOUT_SECONDS = 30.0
RETRIES = 4  # connection errors, 429 and 5xx; waits 0.5, 1, 2, 4 s
TERMINAL_STATES = ("COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT")


class RunPodClient:
    """Speaks `/v2/{endpoint}/run`, GET `/status/{id}`, `/cancel/{id}` with a Bearer key, or, when
    `endpoint` is a URL, the local test API of a worker started with `--rp_serve_api` (POST `/run`,
    POST `/status/{id}`, which runs the job and answers when it is done; no cancel there).
    """

    def __init__(
        self,
        endpoint: str,
        api_key: str | None = None,
        *,
        api_base: str = API_BASE,
        request_timeout: float = REQUEST_TIMEOUT_SECONDS,
    ) -> None:
        endpoint = endpoint.strip()
        if not endpoint:
            raise ValueError("endpoint must be a RunPod endpoint id or an http(s) URL, got endpoint=''")
        self.local = endpoint.startswith(("http://", "https://"))
        if not self.local and not api_key:
            raise ValueError("api_key is required for a RunPod cloud endpoint (set RUNPOD_API_KEY)")
        self.base = endpoint.rstrip("/") if self.local else f"{api_base.rstrip('/')}/v2/{endpoint}"
        self.api_key = api_key
        self.request_timeout = request_timeout

    def __repr__(self) -> str:  # never shows the key
        return f"RunPodClient({self.base!r}, local={self.local})"

    def check(self) -> None:
        """Raise ExecutorError if the endpoint cannot be reached or refuses the key."""
        path = "/openapi.json" if self.local else "/health"
        self._request("GET", path, retries=1)

    def submit(self, job_input: dict[str, Any], execution_timeout_seconds: float) -> str:
        body: dict[str, Any] = {"input": job_input}
        if not self.local:
            body["policy"] = {"executionTimeout": int(execution_timeout_seconds * 1000)}
        answer = self._request("POST", "/run", body)
        job_id = answer.get("id")
        if not isinstance(job_id, str):
            raise ExecutorError(f"RunPod /run answered without a job id: {answer!r:.300}")
        return job_id

    def status(self, job_id: str, wait_seconds: float | None = None) -> dict[str, Any]:
        """The job's status record; on the local API this call runs the job and waits up to `wait_seconds`."""
        if self.local:
            # Not retried: the local API runs the job inside this request and forgets it afterwards.
            return self._request("POST", f"/status/{job_id}", {}, retries=0, timeout=wait_seconds)
        return self._request("GET", f"/status/{job_id}")

    def cancel(self, job_id: str) -> None:
        if self.local:
            logger.debug("the local test API cannot cancel job %s; its result will be ignored", job_id)
            return
        try:
            self._request("POST", f"/cancel/{job_id}", {}, retries=1)
        except ExecutorError as error:
            logger.warning("could not cancel RunPod job %s: %s", job_id, error)

    def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        retries: int = RETRIES,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.api_key and not self.local:
            headers["Authorization"] = f"Bearer {self.api_key}"
        url = self.base + path
        for attempt in range(retries + 1):
            request = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=timeout or self.request_timeout) as response:
                    answer = json.loads(response.read() or b"{}")
                    return answer if isinstance(answer, dict) else {"output": answer}
            except urllib.error.HTTPError as error:
                detail = error.read()[:300].decode("utf-8", "replace")
                if error.code in (401, 403):
                    raise ExecutorError(
                        f"RunPod refused the API key (HTTP {error.code}) for {method} {url}; check RUNPOD_API_KEY"
                    ) from error
                if (error.code != 429 and error.code < 500) or attempt == retries:
                    raise ExecutorError(
                        f"RunPod {method} {url} failed: HTTP {error.code} {detail}"
                    ) from error
            except (urllib.error.URLError, TimeoutError, OSError, json.JSONDecodeError) as error:
                if attempt == retries:
                    raise ExecutorError(f"RunPod {method} {url} failed: {error}") from error
            delay = 0.5 * 2**attempt
            logger.info("RunPod %s %s: retrying in %.1f s", method, path, delay)
            time.sleep(delay)
        raise AssertionError("unreachable")
