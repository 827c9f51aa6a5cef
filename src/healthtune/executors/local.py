"""LocalExecutor: each trial in its own process, up to N at once, CPU threads and GPUs split between them."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING

from healthtune.exceptions import TrialFailed
from healthtune.executors.base import Executor, Outcome

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


class PipeReporter:
    """The child's reporter: epochs go up the pipe, pruning questions wait for the orchestrator's answer."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def epoch_ended(self, epoch: int, metrics: dict[str, float]) -> None:
        self.connection.send(("epoch", epoch, metrics))

    def should_prune(self, epoch: int, value: float) -> bool:
        self.connection.send(("prune?", epoch, value))
        return bool(self.connection.recv())

    def stop_requested(self) -> bool:
        return False  # a cancel terminates the process instead


def run_in_child(connection: Connection) -> None:
    """The child process (`python -m healthtune.executors.local FD`): receive the spec, train, reply."""
    from healthtune.processes import die_with_parent

    die_with_parent()  # a killed orchestrator takes its trials with it
    import keras  # noqa: F401 - load the backend now: a spare worker does this while the last trial trains

    from healthtune.training.spec import TrialSpec
    from healthtune.training.trainer import run_trial

    try:
        spec_data = connection.recv()
    except EOFError:
        return  # a spare that was never needed
    spec = TrialSpec.from_dict(spec_data)
    try:
        result = run_trial(spec, PipeReporter(connection))
        connection.send(("result", result.to_dict()))
    except TrialFailed as failure:
        connection.send(("failed", failure.reason, str(failure)))
    except Exception as error:
        connection.send(("failed", "error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


@dataclass
class _Worker:
    """A started interpreter for one slot, importing the backend until it gets its trial."""

    process: subprocess.Popen[bytes]
    connection: Connection
    slot: int

    def stop(self) -> None:
        self.connection.close()
        try:
            self.process.wait(KILL_AFTER_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class _Running:
    spec: TrialSpec
    reporter: TrialReporter
    process: subprocess.Popen[bytes]
    connection: Connection
    slot: int


class LocalExecutor(Executor):
    """A fresh process per trial (its memory is returned when it ends), `workers` at a time.

    While a trial trains, a spare process for its slot imports the backend, so the next trial
    does not wait for TensorFlow or JAX to load.
    """

    name = "local"

    def __init__(self, workers: int = 1, *, gpus_per_worker: int = 1) -> None:
        super().__init__(workers)
        if isinstance(gpus_per_worker, bool) or not isinstance(gpus_per_worker, int) or gpus_per_worker < 0:
            raise ValueError(f"gpus_per_worker must be an integer >= 0, got {gpus_per_worker=}")
        self.gpus_per_worker = gpus_per_worker
        self._running: dict[int, _Running] = {}
        self._spares: dict[int, _Worker] = {}
        self._gpus = visible_gpus()

    def _start_worker(self, slot: int) -> _Worker:
        # A fresh interpreter, not fork (TensorFlow and JAX are not fork-safe) and not multiprocessing's
        # spawn (it re-imports the caller's __main__, which re-runs scripts without a main guard).
        parent_end, child_end = socket.socketpair()
        process = subprocess.Popen(
            [sys.executable, "-m", "healthtune.executors.local", str(child_end.fileno())],
            pass_fds=(child_end.fileno(),),
            env={**os.environ, **worker_environment(slot, self.workers, self._gpus, self.gpus_per_worker)},
            stdin=subprocess.DEVNULL,
        )
        child_end.close()
        return _Worker(process, Connection(parent_end.detach()), slot)

    @property
    def in_flight(self) -> int:
        return len(self._running)

    def submit(self, spec: TrialSpec, reporter: TrialReporter) -> None:
        if self.free_slots == 0:
            raise RuntimeError(f"all {self.workers} workers are busy; poll before submitting more")
        used = {running.slot for running in self._running.values()}
        slot = next(s for s in range(self.workers) if s not in used)
        worker = self._spares.pop(slot, None)
        if worker is None or worker.process.poll() is not None:
            worker = self._start_worker(slot)
        worker.connection.send(spec.to_dict())
        self._running[spec.trial_number] = _Running(spec, reporter, worker.process, worker.connection, slot)
        self._spares[slot] = self._start_worker(slot)  # warms up while this trial trains

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
        try:
            code: int | None = running.process.wait(KILL_AFTER_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
        return TrialFailed(
            f"the worker process of trial {running.spec.trial_number} {how}", reason="worker_died"
        )

    def _finish(self, number: int) -> None:
        running = self._running.pop(number)
        _Worker(running.process, running.connection, running.slot).stop()

    def cancel(self) -> list[int]:
        numbers = list(self._running)
        for running in self._running.values():
            running.process.terminate()
        for number in numbers:
            self._finish(number)
        if numbers:
            logger.info("cancelled trials %s", numbers)
        return numbers

    def shutdown(self) -> None:
        self.cancel()
        for worker in self._spares.values():
            worker.process.kill()  # a spare holds nothing yet
            worker.process.wait()
            worker.connection.close()
        self._spares.clear()


if __name__ == "__main__":
    run_in_child(Connection(int(sys.argv[1])))
