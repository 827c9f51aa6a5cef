"""The settings an executor needs before a run starts, checked without contacting anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from healthtune.core.choices import ExecutorKind

if TYPE_CHECKING:
    from healthtune.core.config import OptimizationConfig


def check_executor_settings(config: OptimizationConfig) -> None:
    """Raise ConfigError now, naming what to set, when the chosen executor lacks a setting it needs.

    Nothing is contacted: reachability is checked when the run starts (and may fall back).
    """
    import os

    from healthtune.core.exceptions import ConfigError

    if ExecutorKind(config.executor) is not ExecutorKind.RUNPOD:
        return
    endpoint = config.runpod_endpoint or os.environ.get("RUNPOD_ENDPOINT_ID", "")
    if not endpoint:
        raise ConfigError(
            "executor='runpod' needs runpod_endpoint (an endpoint id, or the URL of a worker started "
            "with --rp_serve_api) or the RUNPOD_ENDPOINT_ID environment variable"
        )
    if not endpoint.startswith(("http://", "https://")) and not os.environ.get("RUNPOD_API_KEY"):
        raise ConfigError(
            f"executor='runpod' with endpoint {endpoint!r} needs the RUNPOD_API_KEY environment variable"
        )
