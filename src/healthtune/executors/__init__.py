"""Executors: where trials run (in this process, local worker processes, RunPod, Ray), behind one interface."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from healthtune.core.config import ExecutorKind
from healthtune.core.exceptions import ExecutorError
from healthtune.executors.base import Executor, Outcome
from healthtune.executors.settings import check_executor_settings

if TYPE_CHECKING:
    from healthtune.core.config import OptimizationConfig

__all__ = ["Executor", "Outcome", "check_executor_settings", "make_executor"]

logger = logging.getLogger(__name__)


def make_executor(config: OptimizationConfig) -> Executor:
    """The executor `config.executor` names, with `concurrent_workers` workers.

    A RunPod endpoint or Ray cluster that cannot be reached at start falls back to local worker
    processes (with a log line saying so) unless `executor_fallback` is off.
    """
    kind = ExecutorKind(config.executor)
    if kind is ExecutorKind.INLINE:
        from healthtune.executors.inline import InlineExecutor

        return InlineExecutor()
    from healthtune.executors.local import LocalExecutor

    if kind is ExecutorKind.LOCAL:
        return LocalExecutor(config.concurrent_workers, gpus_per_worker=config.target_gpus_per_worker)
    try:
        if kind is ExecutorKind.RUNPOD:
            from healthtune.executors.runpod import RunPodExecutor

            return RunPodExecutor.from_config(config)
        from healthtune.executors.ray import RayExecutor

        return RayExecutor.from_config(config)
    except ExecutorError as error:
        if not config.executor_fallback:
            raise
        logger.warning(
            "%s executor unavailable (%s); running trials locally instead (executor_fallback=false turns "
            "this off)",
            kind.value,
            error,
        )
        return LocalExecutor(config.concurrent_workers, gpus_per_worker=config.target_gpus_per_worker)
