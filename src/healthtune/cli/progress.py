"""Live progress of a run in the terminal (rich) and the final table of trials."""

from __future__ import annotations

import math
from types import TracebackType

from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from healthtune.core.config import OptimizationConfig
from healthtune.core.scoring import ScoringWeights
from healthtune.run.events import REJECTED, Event, EventType, is_cut_short, is_rejection
from healthtune.run.progress import RunProgress
from healthtune.run.results import OptimizationResult


class ProgressDisplay:
    """Trials done/pruned/failed, best so far, ETA, and the epoch of the running trial."""

    def __init__(self, console: Console, config: OptimizationConfig) -> None:
        self.config = config
        self.progress = Progress(
            TextColumn("[bold]trials"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        self.task = self.progress.add_task("trials", total=config.trials)
        self.run = RunProgress()  # the same fold of the events as the server's /status
        self.current = ""
        self.live = Live(self._render(), console=console, refresh_per_second=4, transient=False)

    def __enter__(self) -> ProgressDisplay:
        self.live.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.live.update(self._render())
        self.live.__exit__(kind, error, trace)
        if not self.live.console.is_terminal:  # Live leaves its last line open when output is a file or pipe
            self.live.console.line()

    def handle(self, event: Event) -> None:
        data = event.data
        self.run.apply(event.to_dict())
        if event.type is EventType.RUN_STARTED:
            finished = int(data.get("finished_before", 0))
            self.progress.update(self.task, completed=finished)
            if data.get("resumed"):
                self.current = f"resuming the study: {finished} trials already finished"
        elif event.type is EventType.TRIAL_STARTED:
            self.current = f"trial {event.trial}: starting"
        elif event.type is EventType.EPOCH_ENDED:
            metrics = data.get("metrics", {})
            self.current = (
                f"trial {event.trial}: epoch {data.get('epoch')}/{self.config.max_epochs_per_trial}  "
                f"loss {metrics.get('loss', math.nan):.4f}  "
                f"val_accuracy {metrics.get('val_accuracy', math.nan):.4f}"
            )
        elif is_rejection(event.type, data):  # not one of the `trials` the run aims for
            self.current = f"trial {event.trial}: rejected before training (too large)"
        elif is_cut_short(event.type, data):  # a resume trains it again
            self.current = f"trial {event.trial}: cut short ({data.get('reason')})"
        elif event.type in (EventType.TRIAL_FINISHED, EventType.TRIAL_PRUNED, EventType.TRIAL_FAILED):
            self.progress.advance(self.task)
            state = {EventType.TRIAL_FINISHED: "complete", EventType.TRIAL_PRUNED: "pruned"}.get(
                event.type, "failed"
            )
            self.current = f"trial {event.trial}: {state}"
        self.live.update(self._render())

    def _render(self) -> Group:
        run = self.run
        best = (
            f"trial {run.best_trial} score {run.best_score:.4f}"
            if run.best_trial is not None and run.best_score is not None
            else "-"
        )
        counts = Text(
            f"done {run.complete}  pruned {run.pruned}  failed {run.failed}"
            + (f"  rejected (too large) {run.rejected}" if run.rejected else "")
            + f"  best {best}"
        )
        return Group(self.progress, counts, Text(self.current, style="dim"))


def trials_table(result: OptimizationResult) -> Table:
    # Fixed widths that add up to an 80-column terminal: numbers are never cut, headers wrap
    # ("val" over "acc") and a state wraps at its space ("pruned" over "(too_large)").
    table = Table(title=f"run {result.run_name}", box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True)
    table.add_column("trial", justify="right", width=len("trial") + 1)
    table.add_column("state", justify="left", width=len("(worker_died)"), overflow="fold")
    for column in ("score", "val acc", "health", "test acc", "params", "epochs", "time (s)"):
        table.add_column(column, justify="right", width=len("0.0000"), overflow="fold")
    best_number = result.best_trial.number if result.best_trial else None
    proportions = ScoringWeights.resolve(
        health_component_proportions=result.config.get("health_component_proportions")
    )
    for trial in result.trials:
        metrics = trial.metrics
        health = (
            proportions.health(metrics["health"], metrics.get("health_gate"))
            if metrics.get("health")
            else None
        )
        reason = trial.failure_reason or (_pruned_by(trial.prune_reason) if trial.state == "pruned" else None)
        style = "bold green" if trial.number == best_number else None
        table.add_row(
            str(trial.number),
            trial.state + (f" ({reason})" if reason else ""),
            _number(trial.score),
            _number(metrics.get("val_accuracy")),
            _number(health),
            _number(metrics.get("test_accuracy")),
            _count(metrics["params"]) if "params" in metrics else "-",
            str(metrics.get("epochs_trained", "-")),
            _number(metrics.get("total_seconds"), 1),
            style=style,
        )
    return table


def _number(value: object, digits: int = 4) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "-"


def _pruned_by(prune_reason: str | None) -> str:
    """Who stopped the trial, in a word or two (the full reason is in run.json and its metrics.json)."""
    text = prune_reason or ""
    if text.startswith(REJECTED):
        return REJECTED  # rejected before training: over max_model_mflops
    return "health" if text.startswith("health") else "pruner"


def _count(value: int) -> str:
    """A parameter count that fits a narrow column: 9,876 / 468.3k / 12.50M."""
    if value < 10_000:
        return f"{value:,}"
    return f"{value / 1000:.1f}k" if value < 1_000_000 else f"{value / 1_000_000:.2f}M"
