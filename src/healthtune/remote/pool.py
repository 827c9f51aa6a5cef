"""TrialPool: a worker machine's trials in their own processes, awaited from async job handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from typing import TYPE_CHECKING

from healthtune.core.exceptions import TrialFailed
from healthtune.executors.local import LocalExecutor

if TYPE_CHECKING:
    from healthtune.training.callbacks import TrialReporter
    from healthtune.training.spec import TrialResult, TrialSpec

logger = logging.getLogger(__name__)
POLL_SECONDS = 0.2

_Pending = tuple["TrialSpec", "TrialReporter", asyncio.AbstractEventLoop, "asyncio.Future[TrialResult]"]


class TrialPool:
    """One thread owns a LocalExecutor (a fresh process per trial, forked by a launcher per slot); coroutines
    hand it specs and await their results, so jobs overlap up to `workers` at once."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self._submissions: queue.Queue[_Pending | None] = queue.Queue()  # None: shut down
        self._training = 0
        self._futures: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Future[TrialResult]]] = {}
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._counter = 0

    async def run(self, spec: TrialSpec, reporter: TrialReporter) -> TrialResult:
        """Train `spec` in a worker process; raises TrialFailed with the trial's reason."""
        self._ensure_started()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[TrialResult] = loop.create_future()
        self._submissions.put((spec, reporter, loop, future))
        return await future  # RunPod stops a cancelled job by cancelling this task, which cancels `future`

    @property
    def in_flight(self) -> int:
        """Trials training in this pool's processes right now."""
        return self._training

    def shutdown(self) -> None:
        """Terminate what still trains and stop the worker processes; a later `run` starts them again."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive():
            self._submissions.put(None)
            thread.join()

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="trial-pool", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        from healthtune.training.spec import TrialSpec

        executor = LocalExecutor(self.workers)
        waiting: list[_Pending] = []
        while True:
            timeout = POLL_SECONDS if executor.in_flight or waiting else None
            with contextlib.suppress(queue.Empty):
                submission = self._submissions.get(timeout=timeout)
                if submission is None:
                    break
                waiting.append(submission)
            self._stop_cancelled(executor, waiting)
            while waiting and executor.free_slots:
                spec, reporter, loop, future = waiting.pop(0)
                # Trial numbers of different runs may collide on one worker: key by a pool-wide id.
                self._counter += 1
                keyed = TrialSpec(**{**spec.__dict__, "trial_number": self._counter})
                self._futures[self._counter] = (loop, future)
                executor.submit(keyed, reporter)
            self._training = executor.in_flight
            if not executor.in_flight:
                continue
            for outcome in executor.poll(POLL_SECONDS):
                loop, future = self._futures.pop(outcome.number)
                if outcome.result is not None:
                    loop.call_soon_threadsafe(_resolve, future, outcome.result, None)
                else:
                    failure = outcome.failure or TrialFailed("the trial ended without a result")
                    loop.call_soon_threadsafe(_resolve, future, None, failure)
            self._training = executor.in_flight
        executor.shutdown()
        self._training = 0
        while not self._submissions.empty():  # jobs handed over after the shutdown request
            if (pending := self._submissions.get_nowait()) is not None:
                waiting.append(pending)
        shut_down = TrialFailed("the worker shut down before the trial ended", reason="cancelled")
        for loop, future in [*self._futures.values(), *((pending[2], pending[3]) for pending in waiting)]:
            with contextlib.suppress(RuntimeError):  # that job's event loop is already closed
                loop.call_soon_threadsafe(_resolve, future, None, shut_down)
        self._futures.clear()

    def _stop_cancelled(self, executor: LocalExecutor, waiting: list[_Pending]) -> None:
        """Forget cancelled jobs still waiting for a slot and terminate the processes of those training.

        Reading `cancelled()` from this thread is safe: a future's state only moves one way.
        """
        waiting[:] = [pending for pending in waiting if not pending[3].cancelled()]
        for number, (_, future) in list(self._futures.items()):
            if future.cancelled():
                del self._futures[number]
                executor.stop(number)
                logger.info("stopped the training of a cancelled job (pool trial %d)", number)


def _resolve(
    future: asyncio.Future[TrialResult], result: TrialResult | None, failure: TrialFailed | None
) -> None:
    if future.cancelled():
        return
    if failure is not None:
        future.set_exception(failure)
    else:
        assert result is not None
        future.set_result(result)
