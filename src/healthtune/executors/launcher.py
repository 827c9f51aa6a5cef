"""Launcher: a process that imports the backend once and forks a fresh child for every trial.

Importing TensorFlow costs about 10 s of CPU. A new interpreter per trial paid it every time, and
with two workers on two cores that import competed with training. A launcher pays it once per
worker slot; each trial still runs in its own process (forked before any backend runtime starts,
so it is safe for TensorFlow and JAX), and its memory is returned when it exits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import recv_handle, send_handle

REAP_SECONDS = 0.2


def preload() -> None:
    """What every trial needs, imported while no runtime has started (see the module docstring)."""
    import keras  # noqa: F401

    import healthtune.health.analyzer
    import healthtune.health.monitor
    import healthtune.models
    import healthtune.training.callbacks
    import healthtune.training.trainer  # noqa: F401


def serve(control: Connection) -> None:
    """The launcher's loop: fork a trial child per request, report each child's exit status."""
    from healthtune.core import native_logs
    from healthtune.executors.processes import die_with_parent

    die_with_parent()  # a killed orchestrator takes its launchers, and through them their trials
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the orchestrator's to handle
    native_logs.install()
    preload()
    try:
        control.send(("ready", os.getpid()))
        while True:
            for pid, code in _reap():
                control.send(("exited", pid, code))
            if not wait([control], timeout=REAP_SECONDS):
                continue
            control.recv()  # a fork request; its socket follows
            trial_fd = recv_handle(control)
            pid = os.fork()
            if pid == 0:
                _run_child(control, trial_fd)
            os.close(trial_fd)
            control.send(("forked", pid))
    except (EOFError, OSError):
        return  # the orchestrator closed this slot; its children die with this process


def _reap() -> list[tuple[int, int]]:
    exits: list[tuple[int, int]] = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return exits
        if pid == 0:
            return exits
        exits.append((pid, os.waitstatus_to_exitcode(status)))


def _run_child(control: Connection, trial_fd: int) -> None:
    """In the forked child: train the trial sent over `trial_fd`, then leave without cleanup."""
    from healthtune.executors.child import run_in_child

    code = 1
    try:
        control.close()  # only the launcher speaks on it
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        run_in_child(Connection(trial_fd))
        code = 0
    finally:
        os._exit(code)  # never return into the launcher's loop or run its exit handlers


class Launcher:
    """The orchestrator's handle on one launcher process (one per worker slot, with its environment)."""

    def __init__(self, env: dict[str, str]) -> None:
        # A fresh interpreter, not fork (the orchestrator may have threads) and not multiprocessing's
        # spawn (it re-imports the caller's __main__, which re-runs scripts without a main guard).
        parent_end, child_end = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "healthtune.executors.launcher", str(child_end.fileno())],
            pass_fds=(child_end.fileno(),),
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
        )
        child_end.close()
        self.control = Connection(parent_end.detach())
        self.exits: dict[int, int] = {}

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def fork(self) -> tuple[int, Connection]:
        """A new trial process and the orchestrator's end of its connection (waits for the import)."""
        parent_end, child_end = socket.socketpair()
        try:
            self.control.send(("fork",))
            send_handle(self.control, child_end.fileno(), self.process.pid)
            while True:
                message = self.control.recv()
                if message[0] == "forked":
                    return message[1], Connection(parent_end.detach())
                self._note(message)
        except (EOFError, OSError) as error:
            parent_end.close()
            raise OSError(f"the trial launcher (pid {self.process.pid}) is gone") from error
        finally:
            child_end.close()

    def exit_code(self, pid: int, timeout: float) -> int | None:
        """The exit code of trial process `pid` (negative: killed by that signal), or None if it still runs."""
        deadline = time.monotonic() + timeout
        with contextlib.suppress(EOFError, OSError):
            while pid not in self.exits:
                left = deadline - time.monotonic()
                if left <= 0 or not self.control.poll(left):
                    return None
                self._note(self.control.recv())
        return self.exits.pop(pid, None)

    def _note(self, message: tuple[object, ...]) -> None:
        if message[0] == "exited":
            self.exits[int(message[1])] = int(message[2])  # type: ignore[call-overload]

    def stop(self) -> None:
        """End the launcher now, even mid-import (a run that fails on its data must not wait for
        it); its trial children, if any, get SIGKILL with it."""
        self.control.close()
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
