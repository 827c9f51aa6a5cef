"""Remote trials: run one TrialSpec away from the orchestrator (RunPod, Ray) and ship back its result and bundle."""

from __future__ import annotations

from healthtune.remote.remote import RemoteReporter, run_remote_trial

__all__ = ["RemoteReporter", "run_remote_trial"]
