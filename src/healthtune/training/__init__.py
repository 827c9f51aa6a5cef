"""Training: the TrialSpec/TrialResult contract and run_trial (Keras is imported only when a trial runs)."""

from healthtune.training.spec import DataSpec, TrialResult, TrialSpec

__all__ = ["DataSpec", "TrialResult", "TrialSpec"]
