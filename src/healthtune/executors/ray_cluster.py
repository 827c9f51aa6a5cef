"""Ray plumbing for RayExecutor: connecting, sizing a trial's resources, the task and its progress actor."""

from __future__ import annotations

import functools
import logging
import os
import socket
from typing import Any
from urllib.parse import urlsplit

from healthtune.core.exceptions import ExecutorError

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5.0


class TrialProgress:
    """A Ray actor holding the latest epochs of every running trial, as its worker publishes them."""

    def __init__(self) -> None:
        self.version = 0
        self.trials: dict[int, tuple[int, list[dict[str, Any]]]] = {}

    def update(self, number: int, epochs: list[dict[str, Any]]) -> None:
        self.version += 1
        self.trials[number] = (self.version, epochs)

    def changes(self, since: int) -> tuple[int, dict[int, list[dict[str, Any]]]]:
        """The current version and the trials updated after version `since`."""
        return self.version, {n: epochs for n, (version, epochs) in self.trials.items() if version > since}


def train_on_worker(spec_data: dict[str, Any], progress: Any, environment: dict[str, str]) -> dict[str, Any]:
    """The Ray task: train one trial and return its payload; every epoch reaches `progress` as it ends."""
    os.environ.update(environment)  # before Keras is imported: backend, threads, devices
    import ray

    from healthtune.remote.remote import RemoteReporter, run_remote_trial

    number = int(spec_data["trial_number"])
    sent: list[Any] = []

    def publish(epochs: list[dict[str, Any]]) -> None:
        sent[:] = [progress.update.remote(number, epochs)]  # an actor runs one caller's calls in order

    payload = run_remote_trial(spec_data, transport="bytes", reporter=RemoteReporter(publish))
    if sent:
        ray.wait(sent, timeout=30)  # the orchestrator sees every epoch before it sees the result
    return payload


@functools.cache
def remote_functions() -> tuple[Any, Any]:
    import ray

    # max_calls=1: a fresh process per trial, so its memory (and GPU memory) is returned when it ends.
    return ray.remote(max_calls=1)(train_on_worker), ray.remote(num_cpus=0)(TrialProgress)


def check_reachable(address: str) -> None:
    """Fail fast with a clear message when `host:port` of a Ray address accepts no connection."""
    parts = urlsplit(address if "://" in address else f"//{address}")
    try:
        if address not in ("", "auto", "local") and parts.hostname and parts.port is not None:
            socket.create_connection((parts.hostname, parts.port), timeout=CONNECT_TIMEOUT_SECONDS).close()
    except (OSError, ValueError) as error:  # ValueError: a port that is no number
        raise ExecutorError(f"Ray at ray_address={address!r} cannot be reached: {error}") from error


def connect(address: str, num_cpus: int | None = None) -> bool:
    """Connect this process to Ray; True when it started a local Ray that `shutdown` has to stop.

    Empty address: $RAY_ADDRESS, else a local Ray on this machine. 'auto': this machine's cluster.
    'ray://host:10001': a Ray Client connection. A Ray already initialized in this process is reused.
    """
    try:
        import ray
    except ImportError as error:
        raise ExecutorError("executor 'ray' needs Ray: pip install 'healthtune[ray]'") from error
    address = address or os.environ.get("RAY_ADDRESS", "")  # Ray's own variable, as `ray.init` reads it
    check_reachable(address)
    if ray.is_initialized():
        logger.info("using the Ray already initialized in this process (ray_address=%r not used)", address)
        return False
    local: dict[str, Any] = (
        {} if address else {"num_cpus": num_cpus or os.cpu_count(), "include_dashboard": False}
    )
    try:
        ray.init(address or None, log_to_driver=False, ignore_reinit_error=True, **local)
    except Exception as error:  # Ray raises ConnectionError, RuntimeError, TimeoutError, ... here
        where = f"the Ray cluster at ray_address={address!r}" if address else "a local Ray"
        raise ExecutorError(f"cannot start or reach {where}: {type(error).__name__}: {error}") from error
    logger.info("Ray %s", f"connected: {address}" if address else "started on this machine")
    return not address


def trial_resources(workers: int, gpus_per_trial: int) -> tuple[int, int]:
    """CPUs and GPUs for one trial: the cluster's CPUs split between `workers` (at most one node's),
    and `gpus_per_trial` GPUs, or as many as one node has (0 on a CPU cluster, or no task would run)."""
    import ray

    alive = [node for node in ray.nodes() if node.get("Alive")]  # type: ignore[no-untyped-call]
    nodes = [node.get("Resources", {}) for node in alive]
    node_cpus = max((int(r.get("CPU", 0)) for r in nodes), default=0)
    node_gpus = max((int(r.get("GPU", 0)) for r in nodes), default=0)
    total_cpus = sum(int(r.get("CPU", 0)) for r in nodes)
    gpus = min(gpus_per_trial, node_gpus)
    if gpus < gpus_per_trial:
        logger.info("Ray nodes have at most %d GPUs; each trial gets %d", node_gpus, gpus)
    return max(1, min(node_cpus, total_cpus // workers)), gpus
