"""TensorBoards: one TensorBoard child process per run (127.0.0.1, a free port), started on demand, reused.

Each TensorBoard runs in its own process (`python -m healthtune.server.tensorboards LOGDIR`), so
reading event files never competes with the API for its interpreter. The child prints its URL on one
line, then serves until its stdin closes: when the server stops (or dies), its TensorBoards end too.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)
MARKER = "HEALTHTUNE_TENSORBOARD "


class TensorBoardUnavailable(Exception):
    """TensorBoard could not start on this run's logs; the message says why in plain words."""


@dataclass
class _Board:
    url: str
    logdir: Path
    process: subprocess.Popen[str]


class TensorBoards:
    """Start or reuse the TensorBoard of a run; stop one (job deleted) or all (server shutdown)."""

    def __init__(self, log_dir: Path, start_timeout: float = 120.0) -> None:
        self.log_dir = log_dir
        self.start_timeout = start_timeout
        self._boards: dict[str, _Board] = {}
        self._lock = threading.Lock()

    def url(self, key: str, logdir: Path) -> str:
        """The URL of `key`'s TensorBoard on `logdir`, starting it when none is alive."""
        with self._lock:
            board = self._boards.get(key)
            if board is not None and board.process.poll() is None and board.logdir == logdir:
                return board.url
            if board is not None:
                self._stop(board)
            board = self._start(logdir, key)
            self._boards[key] = board
            return board.url

    def stop(self, key: str) -> None:
        with self._lock:
            board = self._boards.pop(key, None)
            if board is not None:
                self._stop(board)

    def stop_all(self) -> None:
        with self._lock:
            for board in self._boards.values():
                self._stop(board)
            self._boards.clear()

    def _start(self, logdir: Path, key: str) -> _Board:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with (self.log_dir / f"tensorboard-{key}.log").open("a", encoding="utf-8") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "healthtune.server.tensorboards", str(logdir)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2"},
            )
        assert process.stdout is not None
        reply = _read_reply(process, self.start_timeout)
        if "url" not in reply:
            self._stop(_Board("", logdir, process))
            raise TensorBoardUnavailable(str(reply.get("error") or "TensorBoard did not start"))
        logger.info("TensorBoard for %s at %s (process %d)", key, reply["url"], process.pid)
        return _Board(str(reply["url"]), logdir, process)

    @staticmethod
    def _stop(board: _Board) -> None:
        if board.process.poll() is None:
            board.process.terminate()
            try:
                board.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                board.process.kill()
                board.process.wait()
        for stream in (board.process.stdin, board.process.stdout):
            if stream is not None:
                stream.close()


def _read_reply(process: subprocess.Popen[str], timeout: float) -> dict[str, str]:
    """The child's one JSON line after MARKER; an error reply when it exits or takes too long."""
    found: dict[str, str] = {}

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(MARKER):
                found.update(json.loads(line[len(MARKER) :]))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    if found:
        return found
    if process.poll() is not None:
        return {"error": f"TensorBoard exited with code {process.returncode} before it served"}
    return {"error": f"TensorBoard did not start within {timeout:.0f} s"}


def _reply(values: dict[str, object]) -> None:
    sys.stdout.write(MARKER + json.dumps(values) + "\n")
    sys.stdout.flush()


def _child(logdir: str) -> int:
    """In the child: launch TensorBoard, print its URL, serve until stdin closes."""
    from healthtune.plots.tensorboard_server import TensorBoardError, launch_tensorboard

    started = time.monotonic()
    try:
        url = launch_tensorboard(logdir, port=0, host="127.0.0.1")
    except TensorBoardError as error:
        _reply({"error": str(error)})
        return 1
    except Exception as error:  # one line for the API, the details in the log
        logger.exception("TensorBoard failed")
        _reply({"error": f"TensorBoard failed: {type(error).__name__}: {error}"})
        return 1
    _reply({"url": url, "seconds": round(time.monotonic() - started, 1)})
    os.dup2(2, 1)  # anything printed from now on goes to the log, never into a pipe no one reads
    sys.stdin.read()  # returns when the server closes the pipe or dies
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(_child(sys.argv[1]))
