"""Executors: where trials run (in this process, local worker processes, ...), behind one interface."""

from __future__ import annotations

from healthtune.config import ExecutorKind
from healthtune.executors.base import Executor, Outcome

__all__ = ["Executor", "Outcome", "make_executor"]


def make_executor(kind: ExecutorKind | str, workers: int) -> Executor:
    """The executor for `OptimizationConfig.executor` with `concurrent_workers` workers."""
    kind = ExecutorKind(kind)
    if kind is ExecutorKind.INLINE:
        from healthtune.executors.inline import InlineExecutor

        return InlineExecutor()
    from healthtune.executors.local import LocalExecutor

    return LocalExecutor(workers)
