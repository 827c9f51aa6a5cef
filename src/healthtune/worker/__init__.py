"""Remote workers: run one TrialSpec away from the orchestrator and ship back its result and bundle."""

from __future__ import annotations

from healthtune.worker.remote import RemoteReporter, run_remote_trial

__all__ = ["RemoteReporter", "run_remote_trial"]
