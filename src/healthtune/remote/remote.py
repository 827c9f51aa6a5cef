"""run_remote_trial: train a TrialSpec in a scratch directory and return its result and artifact bundle."""

from __future__ import annotations

import base64
import logging
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from healthtune.core.exceptions import TrialFailed
from healthtune.executors import bundles
from healthtune.training.spec import SPEC_VERSION, TrialResult, TrialSpec

logger = logging.getLogger(__name__)

Transport = Literal["s3", "inline", "bytes"]
UPLOAD_ATTEMPTS = 3
UPLOAD_TIMEOUT_SECONDS = 300


class RemoteReporter:
    """Collects per-epoch progress and hands the whole list to `publish` after every change.

    The list is cumulative, so an orchestrator that missed an update loses nothing. Pruning is
    the orchestrator's decision (it cancels the job), so `should_prune` only records the value.
    """

    def __init__(self, publish: Callable[[list[dict[str, Any]]], None] | None = None) -> None:
        self.publish = publish
        self.epochs: list[dict[str, Any]] = []

    def epoch_ended(self, epoch: int, metrics: dict[str, float]) -> None:
        self.epochs.append({"epoch": epoch, "metrics": metrics, "value": None})
        self._publish()

    def should_prune(self, epoch: int, value: float) -> bool:
        if self.epochs and self.epochs[-1]["epoch"] == epoch:
            self.epochs[-1]["value"] = value
            self._publish()
        return False

    def stop_requested(self) -> bool:
        return False

    def _publish(self) -> None:
        if self.publish is not None:
            try:
                self.publish([dict(entry) for entry in self.epochs])
            except Exception:  # progress is best effort; the result carries everything again
                logger.debug("progress update failed", exc_info=True)


def worker_spec(spec_data: dict[str, Any], trial_dir: Path) -> TrialSpec:
    """The orchestrator's spec, re-rooted on this machine: a scratch trial_dir, and the orchestrator's
    data_dir only if it exists here (otherwise this worker's own dataset cache)."""
    spec = TrialSpec.from_dict(spec_data)
    data = spec.data
    if data.data_dir and not Path(data.data_dir).is_dir():
        data = type(data)(**{**data.__dict__, "data_dir": None})
    return TrialSpec(**{**spec.__dict__, "trial_dir": str(trial_dir), "data": data})


def upload(data: bytes, url: str) -> None:
    """PUT the bundle to a presigned URL, retrying transient errors with backoff."""
    for attempt in range(1, UPLOAD_ATTEMPTS + 1):
        request = urllib.request.Request(
            url, data=data, method="PUT", headers={"Content-Type": "application/zip"}
        )
        try:
            with urllib.request.urlopen(request, timeout=UPLOAD_TIMEOUT_SECONDS) as response:
                response.read()
            return
        except (urllib.error.URLError, OSError) as error:
            if isinstance(error, urllib.error.HTTPError) and error.code < 500:
                detail = error.read()[:300].decode("utf-8", "replace")
                raise TrialFailed(
                    f"bundle upload refused: HTTP {error.code} {detail}", reason="upload_failed"
                ) from error
            if attempt == UPLOAD_ATTEMPTS:
                raise TrialFailed(
                    f"bundle upload failed after {attempt} attempts: {error}", reason="upload_failed"
                ) from error
            time.sleep(2**attempt)


def ship_trial(
    result: TrialResult,
    trial_dir: Path,
    *,
    transport: Transport,
    upload_url: str | None = None,
    bundle_key: str | None = None,
    inline_limit: int = bundles.INLINE_BUNDLE_LIMIT_BYTES,
    trial_seconds: float = 0.0,
) -> dict[str, Any]:
    """Pack the trial directory and send or embed the bundle; the payload every remote executor reads.

    `{"version", "result", "failure": None, "bundle": {"sha256", "size", "key" | "inline" | "bytes"}}`.
    """
    started = time.perf_counter()
    data = bundles.pack(trial_dir)
    packed = time.perf_counter()
    bundle: dict[str, Any] = {"sha256": bundles.sha256(data), "size": len(data)}
    if transport == "s3":
        if not upload_url or not bundle_key:
            raise TrialFailed("transport 's3' needs upload_url and bundle_key", reason="bad_request")
        upload(data, upload_url)
        bundle["key"] = bundle_key
    elif transport == "inline":
        if len(data) > inline_limit:
            raise TrialFailed(
                f"the trial's bundle is {len(data) / 1e6:.1f} MB, over the {inline_limit / 1e6:.0f} MB "
                "that can travel inline; configure S3 storage (HEALTHTUNE_S3_BUCKET) for bundles",
                reason="bundle_too_large",
            )
        bundle["inline"] = base64.b64encode(data).decode("ascii")
    else:
        bundle["bytes"] = data
    result_data = result.to_dict()
    result_data["timings"] = {
        **result.timings,
        "trial_seconds": trial_seconds,
        "pack_seconds": packed - started,
        "upload_seconds": time.perf_counter() - packed,
    }
    return {"version": SPEC_VERSION, "result": result_data, "failure": None, "bundle": bundle}


def failure_payload(error: BaseException) -> dict[str, Any]:
    """The payload of a trial that failed: its reason and message, no result."""
    if isinstance(error, TrialFailed):
        failure = {"reason": error.reason, "message": str(error)}
    else:
        failure = {"reason": "error", "message": f"{type(error).__name__}: {error}"}
    return {"version": SPEC_VERSION, "result": None, "failure": failure, "bundle": None}


def run_remote_trial(
    spec_data: dict[str, Any],
    *,
    transport: Transport,
    upload_url: str | None = None,
    bundle_key: str | None = None,
    reporter: RemoteReporter | None = None,
    inline_limit: int = bundles.INLINE_BUNDLE_LIMIT_BYTES,
) -> dict[str, Any]:
    """Train the spec in this process and return its payload (see `ship_trial`).

    A trial that fails returns a failure payload instead of raising, so the orchestrator records why.
    """
    from healthtune.training.trainer import run_trial

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="healthtune-trial-") as scratch:
        trial_dir = Path(scratch) / "trial"
        try:
            result = run_trial(worker_spec(spec_data, trial_dir), reporter or RemoteReporter())
            return ship_trial(
                result,
                trial_dir,
                transport=transport,
                upload_url=upload_url,
                bundle_key=bundle_key,
                inline_limit=inline_limit,
                trial_seconds=time.perf_counter() - started,
            )
        except Exception as error:  # anything inside the trial is recorded, not raised
            if not isinstance(error, TrialFailed):
                logger.exception("trial raised")
            return failure_payload(error)
