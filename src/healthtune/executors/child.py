"""The trial process of a local worker slot: receive the spec through a pipe, train, report, reply."""

from __future__ import annotations

from multiprocessing.connection import Connection

from healthtune.core.exceptions import TrialFailed


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
    """A trial process, forked by its slot's launcher: receive the spec, train, reply."""
    from healthtune.executors.processes import die_with_parent
    from healthtune.training.spec import TrialSpec
    from healthtune.training.trainer import run_trial

    die_with_parent()  # a killed launcher (and so a killed orchestrator) takes its trials with it
    try:
        spec_data = connection.recv()
    except EOFError:
        return
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
