"""The one exception hierarchy of healthtune: every error we raise derives from HealthtuneError."""

from __future__ import annotations


class HealthtuneError(Exception):
    """Root of all healthtune errors; the CLI and server map it to a clear message."""


class ConfigError(HealthtuneError, ValueError):
    """A configuration value is invalid; the message names the field, the value and what is allowed."""


class DatasetError(HealthtuneError):
    """A dataset cannot be found, downloaded, verified or read."""


class StorageError(HealthtuneError):
    """The study storage or the results directory cannot be opened or written."""


class TrialFailed(HealthtuneError):
    """A single trial failed; the search records it and goes on."""

    def __init__(self, message: str, *, reason: str = "error") -> None:
        super().__init__(message)
        self.reason = reason


class TrialDiverged(TrialFailed):
    """The training loss became NaN or infinite."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="diverged")


class OptimizationFailed(HealthtuneError):
    """A fatal error stopped the whole run (for example too many consecutive trial failures)."""


class RunStateError(HealthtuneError):
    """The run cannot do that in its state: nothing finished to rescore or download, a `simple` run to re-weigh."""


class RunCancelled(HealthtuneError):
    """The user asked the run to stop: the running trial is dropped, finished trials are kept."""


class ExecutorError(HealthtuneError):
    """An executor could not run or reach its workers."""


class BundleCorrupt(TrialFailed):
    """A trial's artifact bundle arrived with another sha256 than its worker reported, or is no zip."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="bundle_corrupt")
