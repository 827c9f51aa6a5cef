"""ServerLock: one live server per results root, held with flock for as long as the server runs."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path

from healthtune.core.exceptions import HealthtuneError

logger = logging.getLogger(__name__)


class ServerStartError(HealthtuneError):
    """The server cannot start: its port is taken, or another live server owns its results root."""


class ResultsRootInUse(ServerStartError):
    """Another live healthtune server holds the results root's lock (and so owns its jobs)."""


class ServerLock:
    """An exclusive flock on `path`, so two servers never both run (and recover) one jobs table.

    The kernel drops the lock when its holder dies, however it dies, so a stale lock file never
    blocks a restart. The descriptor is not inherited by workers (Python opens files
    non-inheritable), so a worker that outlives its server does not keep the lock.
    """

    def __init__(self, path: Path, results_root: Path) -> None:
        self.path = path
        self.results_root = results_root
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock (a no-op when this object holds it); ResultsRootInUse when another does."""
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise ResultsRootInUse(
                f"another healthtune server{holder} is already serving {self.results_root.resolve()}: "
                "stop it first, or start this one with another --results-root"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        logger.debug("holding %s", self.path)

    def release(self) -> None:
        """Drop the lock (a no-op when not held); the file stays for the next server."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the descriptor releases the flock


def _read_holder(fd: int) -> str:
    """' (pid N)' from the lock file the holder wrote, or '' when it cannot be read."""
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""
