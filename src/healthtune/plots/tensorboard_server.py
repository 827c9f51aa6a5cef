"""launch_tensorboard: serve a directory of TensorBoard event files from this process and return the URL."""

from __future__ import annotations

import logging
from pathlib import Path

from healthtune.core.exceptions import HealthtuneError

logger = logging.getLogger(__name__)

EVENT_FILE_PATTERN = "events.out.tfevents.*"


class TensorBoardError(HealthtuneError):
    """TensorBoard cannot serve the directory: no event files, or the port is taken."""


def event_files(logdir: str | Path) -> list[Path]:
    """Every TensorBoard event file under `logdir` (any depth: one sub-folder per trial is a run)."""
    root = Path(logdir)
    return sorted(root.rglob(EVENT_FILE_PATTERN)) if root.is_dir() else []


def launch_tensorboard(
    logdir: str | Path,
    port: int = 6006,
    host: str = "127.0.0.1",
    *,
    load_fast: bool = False,
) -> str:
    """Start TensorBoard on `logdir` in a background thread of this process; return its URL.

    Uses TensorBoard's Python API (`tensorboard.program.TensorBoard`); the server lives as long as
    this process. `port=0` picks a free port. Each folder with event files is one run, so pointing
    it at `optimization_results/<run>/trials` compares all trials. `load_fast=False` keeps the
    pure-Python loader (no extra data-server process). Raises TensorBoardError when `logdir` has
    no event files or the port is in use.
    """
    root = Path(logdir).expanduser().resolve()
    if not root.is_dir():
        raise TensorBoardError(f"TensorBoard log directory {str(root)!r} does not exist")
    if not event_files(root):
        raise TensorBoardError(
            f"no TensorBoard event files ({EVENT_FILE_PATTERN}) under {str(root)!r}: train with "
            "TensorBoard logging on first, or point at a trial's tensorboard/ folder"
        )
    from tensorboard import program

    board = program.TensorBoard()
    board.configure(
        argv=[
            "tensorboard",
            "--logdir",
            str(root),
            "--port",
            str(port),
            "--host",
            host,
            "--load_fast",
            "true" if load_fast else "false",
        ]
    )
    try:
        url = str(board.launch())
    except program.TensorBoardServerException as error:
        raise TensorBoardError(f"TensorBoard could not start on {host}:{port}: {error.msg}") from error
    logger.info("TensorBoard serves %s at %s", root, url)
    return url
