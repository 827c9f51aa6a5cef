"""InlineExecutor: trials run one at a time inside the orchestrating process (debugging, tests)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from healthtune.core.exceptions import HealthtuneError, TrialFailed
from healthtune.executors.base import Executor, Outcome

if TYPE_CHECKING:
    from healthtune.training.callbacks import TrialReporter
    from healthtune.training.spec import TrialSpec

logger = logging.getLogger(__name__)


class InlineExecutor(Executor):
    """No processes: `poll` trains the submitted trial on the caller's thread.

    A cancel (the reporter's stop flag) raises RunCancelled out of `poll` within a batch.
    """

    name = "inline"

    def __init__(self, workers: int = 1) -> None:
        super().__init__(1)  # one at a time by construction
        self._pending: list[tuple[TrialSpec, TrialReporter]] = []

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def submit(self, spec: TrialSpec, reporter: TrialReporter) -> None:
        self._pending.append((spec, reporter))

    def poll(self, timeout: float) -> list[Outcome]:
        from healthtune.training.trainer import run_trial

        if not self._pending:
            return []
        spec, reporter = self._pending[0]
        try:
            return [Outcome(spec.trial_number, result=run_trial(spec, reporter))]
        except TrialFailed as failure:
            return [Outcome(spec.trial_number, failure=failure)]
        except (HealthtuneError, KeyboardInterrupt):
            raise
        except Exception as error:  # any other error inside a trial: record it and go on
            logger.debug("trial %d raised", spec.trial_number, exc_info=True)
            return [Outcome(spec.trial_number, failure=TrialFailed(f"{type(error).__name__}: {error}"))]
        finally:
            self._pending.pop(0)

    def cancel(self) -> list[int]:
        numbers = [spec.trial_number for spec, _ in self._pending]
        self._pending.clear()
        return numbers
