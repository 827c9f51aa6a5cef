"""The orchestrator's side of a remote trial: turn a worker's payload into an Outcome and its files."""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthtune.core.exceptions import BundleCorrupt, TrialFailed
from healthtune.core.paths import TrialPaths
from healthtune.executors import bundles
from healthtune.executors.base import Outcome
from healthtune.training.spec import PRUNED_BY_OPTUNA, TrialResult

if TYPE_CHECKING:
    from healthtune.training.callbacks import TrialReporter

BundleFetcher = Callable[[dict[str, Any]], bytes]


def inline_bundle(bundle: dict[str, Any]) -> bytes:
    """The bundle bytes that travelled inside the payload (base64 in JSON, raw bytes with Ray)."""
    if "bytes" in bundle:
        return bytes(bundle["bytes"])
    try:
        return base64.b64decode(bundle["inline"], validate=True)
    except (KeyError, binascii.Error, TypeError) as error:
        raise BundleCorrupt(f"the inline bundle cannot be decoded: {error}") from error


def outcome_from_payload(
    number: int, payload: Any, trial_dir: Path, fetch: BundleFetcher = inline_bundle
) -> Outcome:
    """Check and unpack the bundle into `trial_dir`; a failure the worker reported becomes a failed Outcome.

    Raises BundleCorrupt when the bundle's hash does not match, so the caller can retry the trial.
    """
    if not isinstance(payload, dict) or payload.get("version") is None:
        return Outcome(number, failure=TrialFailed(f"the worker returned no trial payload: {payload!r:.300}"))
    failure = payload.get("failure")
    if failure:
        return Outcome(
            number, failure=TrialFailed(str(failure.get("message")), reason=str(failure.get("reason")))
        )
    try:
        result = TrialResult.from_dict(payload["result"])
    except (KeyError, TypeError, ValueError) as error:
        return Outcome(number, failure=TrialFailed(f"the worker's result is malformed: {error}"))
    bundle = dict(payload.get("bundle") or {})
    started = time.perf_counter()
    data = fetch(bundle)
    fetched = time.perf_counter()
    bundles.unpack(data, trial_dir, str(bundle.get("sha256")))
    result.timings = {
        **result.timings,
        "download_seconds": fetched - started,
        "unpack_seconds": time.perf_counter() - fetched,
    }
    result.bundle = {key: bundle[key] for key in ("sha256", "size", "key") if key in bundle}
    return Outcome(number, result=result)


class ProgressRelay:
    """Hands a remote trial's cumulative epoch list to its reporter once per epoch, in order.

    Returns True from `relay` when the orchestrator's pruner wants the trial stopped.
    """

    def __init__(self) -> None:
        self.relayed = 0  # last epoch sent to epoch_ended
        self.judged = 0  # last epoch whose value went to should_prune
        self.values: dict[int, float] = {}

    def relay(self, reporter: TrialReporter, epochs: list[dict[str, Any]]) -> bool:
        for entry in sorted(epochs, key=lambda e: int(e.get("epoch", 0))):
            epoch = int(entry.get("epoch", 0))
            if epoch > self.relayed:
                reporter.epoch_ended(epoch, dict(entry.get("metrics") or {}))
                self.relayed = epoch
            value = entry.get("value")
            if value is not None and epoch > self.judged:
                self.judged = epoch
                self.values[epoch] = float(value)
                if reporter.should_prune(epoch, float(value)):
                    return True
        return False

    def replay(self, reporter: TrialReporter, result: TrialResult) -> None:
        """A finished trial's epochs the reporter has not seen (no live progress on this path).

        Their values still go to the pruner, which compares later trials against them; its answer
        no longer matters.
        """
        names = list(result.history)
        for epoch in sorted(result.intermediate_values):
            if epoch > self.relayed:
                metrics = {name: float(result.history[name][epoch - 1]) for name in names
                           if len(result.history[name]) >= epoch}  # fmt: skip
                reporter.epoch_ended(epoch, metrics)
                self.relayed = epoch
            if epoch > self.judged:
                self.judged = epoch
                reporter.should_prune(epoch, float(result.intermediate_values[epoch]))

    def pruned(self, number: int, trial_dir: Path) -> Outcome:
        """The Outcome of a trial the orchestrator stopped at the last judged epoch; like a trial pruned
        in place, its directory gets metrics.json (and no model)."""
        metrics = {
            "epochs_trained": self.judged,
            "pruned_at_epoch": self.judged,
            "prune_reason": PRUNED_BY_OPTUNA,
        }
        trial_dir.mkdir(parents=True, exist_ok=True)
        TrialPaths(trial_dir).metrics.write_text(json.dumps(metrics, indent=2), encoding="utf-8")
        result = TrialResult(
            trial_number=number,
            state="pruned",
            metrics=metrics,
            intermediate_values=dict(self.values),
            prune_reason=PRUNED_BY_OPTUNA,
        )
        return Outcome(number, result=result)
