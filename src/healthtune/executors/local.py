"""LocalExecutor: each trial in its own process, up to N at once, CPU threads and GPUs split between them."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING

from healthtune.core.exceptions import TrialFailed
from healthtune.executors.base import Executor, Outcome
from healthtune.executors.launcher import Launcher

if TYPE_CHECKING:
    from healthtune.training.callbacks import TrialReporter
    from healthtune.training.spec import TrialSpec

logger = logging.getLogger(__name__)
KILL_AFTER_SECONDS = 5.0


def visible_gpus() -> list[str]:
    """GPU ids this machine offers: CUDA_VISIBLE_DEVICES if set, else what nvidia-smi lists."""
    if "CUDA_VISIBLE_DEVICES" in os.environ:
        return [g for g in os.environ["CUDA_VISIBLE_DEVICES"].split(",") if g.strip() and g.strip() != "-1"]
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        listing = subprocess.run(
            ["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [str(i) for i, line in enumerate(listing.stdout.splitlines()) if line.startswith("GPU ")]


def worker_environment(slot: int, workers: int, gpus: list[str], gpus_per_worker: int = 1) -> dict[str, str]:
    """Threads split evenly between workers; with GPUs, worker `slot` gets its own `gpus_per_worker`
    of them (shared round-robin when there are fewer GPUs than workers need)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    threads = str(max(1, cores // workers))
    env = {"OMP_NUM_THREADS": threads, "TF_NUM_INTRAOP_THREADS": threads, "TF_NUM_INTEROP_THREADS": "1"}
    if gpus and gpus_per_worker > 0:
        take = min(gpus_per_worker, len(gpus))
        first = (slot * take) % len(gpus)
        env["CUDA_VISIBLE_DEVICES"] = ",".join(gpus[(first + i) % len(gpus)] for i in range(take))
    elif gpus:
        env["CUDA_VISIBLE_DEVICES"] = "-1"  # gpus_per_worker=0: train on the CPU
    return env


@dataclass
class _Running:
    spec: TrialSpec
    reporter: TrialReporter
    pid: int
    connection: Connection
    slot: int


class LocalExecutor(Executor):
    """A fresh process per trial (its memory is returned when it ends), `workers` at a time.

    Each worker slot has a launcher that imported TensorFlow or JAX once and forks every trial of
    that slot from it, so no trial waits for (or competes with) the backend's import.
    """

    name = "local"

    def __init__(self, workers: int = 1, *, gpus_per_worker: int = 1) -> None:
        super().__init__(workers)
        if isinstance(gpus_per_worker, bool) or not isinstance(gpus_per_worker, int) or gpus_per_worker < 0:
            raise ValueError(f"gpus_per_worker must be an integer >= 0, got {gpus_per_worker=}")
        self.gpus_per_worker = gpus_per_worker
        self._running: dict[int, _Running] = {}
        self._launchers: dict[int, Launcher] = {}
        self._gpus = visible_gpus()

    def start(self) -> None:
        """Start every slot's launcher now: they import the backend at the same time, in the background."""
        for slot in range(self.workers):
            if slot not in self._launchers:
                self._launchers[slot] = self._start_launcher(slot)

    def _launcher(self, slot: int) -> Launcher:
        self.start()  # without `with`, the first trial starts them
        if not self._launchers[slot].alive:
            self._replace_launcher(slot)
        return self._launchers[slot]

    def _replace_launcher(self, slot: int) -> None:
        logger.warning("the launcher of worker %d exited; starting a new one", slot)
        self._launchers[slot].stop()
        self._launchers[slot] = self._start_launcher(slot)

    def _start_launcher(self, slot: int) -> Launcher:
        return Launcher(worker_environment(slot, self.workers, self._gpus, self.gpus_per_worker))

    @property
    def in_flight(self) -> int:
        return len(self._running)

    def submit(self, spec: TrialSpec, reporter: TrialReporter) -> None:
        if self.free_slots == 0:
            raise RuntimeError(f"all {self.workers} workers are busy; poll before submitting more")
        used = {running.slot for running in self._running.values()}
        slot = next(s for s in range(self.workers) if s not in used)
        try:
            pid, connection = self._launcher(slot).fork()
        except OSError:  # it died between the check and the request: one fresh try
            self._replace_launcher(slot)
            pid, connection = self._launchers[slot].fork()
        connection.send(spec.to_dict())
        self._running[spec.trial_number] = _Running(spec, reporter, pid, connection, slot)

    def poll(self, timeout: float) -> list[Outcome]:
        from healthtune.training.spec import TrialResult

        by_connection = {running.connection: number for number, running in self._running.items()}
        outcomes = []
        for ready in wait(list(by_connection), timeout=timeout):
            number = by_connection[ready]  # type: ignore[index]
            running = self._running[number]
            connection = running.connection
            outcome = None
            try:
                while outcome is None and connection.poll():
                    message = connection.recv()
                    kind = message[0]
                    if kind == "epoch":
                        running.reporter.epoch_ended(message[1], message[2])
                    elif kind == "prune?":
                        connection.send(running.reporter.should_prune(message[1], message[2]))
                    elif kind == "result":
                        outcome = Outcome(number, result=TrialResult.from_dict(message[1]))
                    else:
                        outcome = Outcome(number, failure=TrialFailed(message[2], reason=message[1]))
            except (EOFError, OSError):
                outcome = Outcome(number, failure=self._died(running))
            if outcome is not None:
                self._finish(number)
                outcomes.append(outcome)
        return outcomes

    def _died(self, running: _Running) -> TrialFailed:
        code = self._launchers[running.slot].exit_code(running.pid, KILL_AFTER_SECONDS)
        if code is None:
            how = "ended unexpectedly"
        elif code < 0:
            how = f"was killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        return TrialFailed(
            f"the worker process of trial {running.spec.trial_number} {how}", reason="worker_died"
        )

    def _finish(self, number: int) -> None:
        """Forget the trial once its process is gone (killed if it lingers), so its memory is back."""
        running = self._running.pop(number)
        running.connection.close()
        launcher = self._launchers[running.slot]
        if launcher.exit_code(running.pid, KILL_AFTER_SECONDS) is None and launcher.alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(running.pid, signal.SIGKILL)
            launcher.exit_code(running.pid, KILL_AFTER_SECONDS)

    def stop(self, number: int) -> bool:
        """Terminate one in-flight trial (poll will not return it); False if it is not running here."""
        running = self._running.get(number)
        if running is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(running.pid, signal.SIGTERM)
        self._finish(number)
        return True

    def cancel(self) -> list[int]:
        numbers = list(self._running)
        for running in self._running.values():  # signal them all first, so they end together
            with contextlib.suppress(ProcessLookupError):
                os.kill(running.pid, signal.SIGTERM)
        for number in numbers:
            self._finish(number)
        if numbers:
            logger.info("cancelled trials %s", numbers)
        return numbers

    def shutdown(self) -> None:
        self.cancel()
        for launcher in self._launchers.values():
            launcher.stop()
        self._launchers.clear()
