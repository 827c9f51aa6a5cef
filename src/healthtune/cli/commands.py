"""The `healthtune` command line: optimize, rescore, serve, worker, datasets and more."""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from healthtune.cli.flags import add_config_flags, config_from_args, parse_proportions
from healthtune.cli.predict import add_predict_command, run_predict
from healthtune.cli.serve import add_dashboard_command, add_serve_command, run_dashboard, run_serve
from healthtune.core import native_logs
from healthtune.core.exceptions import HealthtuneError
from healthtune.core.paths import RunPaths

console = Console(stderr=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="healthtune",
        description="Health-aware hyperparameter optimization for neural-network classifiers.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("-v", "--verbose", action="store_true", help="show info logs")
    # The same two flags after the command (`healthtune optimize ... --debug`); SUPPRESS keeps a
    # flag given before the command from being reset by the subcommand's default.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_command = functools.partial(subparsers.add_parser, parents=[common])

    optimize = add_command("optimize", help="search hyperparameters and save the best model")
    add_config_flags(optimize)
    optimize.add_argument("--json", action="store_true", help="print the result as JSON on stdout")

    rescoring = add_command(
        "rescore",
        help="re-rank a finished run with new weights (no training); weights left out stay as they are",
    )
    rescoring.add_argument("run_dir", type=Path, help="the run's directory, e.g. optimization_results/my_run")
    rescoring.add_argument("--accuracy-weight", type=float, help="share of the score given to accuracy")
    rescoring.add_argument("--health-overall-weight", type=float, help="share of the score given to health")
    rescoring.add_argument("--proportion", action="append", metavar="NAME=VALUE", help="health split")

    export = add_command("export", help="zip a run's best model, its plots, the study plots and trials.csv")
    export.add_argument("run_dir", type=Path, help="the run's directory, e.g. optimization_results/my_run")
    export.add_argument("-o", "--output", type=Path, help="the zip to write (default: RUN_NAME.zip here)")

    add_predict_command(add_command)

    study = add_command("study-plots", help="redraw a run's study plots now (also while it runs)")
    study.add_argument("run_dir", type=Path, help="the run's directory, e.g. optimization_results/my_run")

    board = add_command("tensorboard", help="start TensorBoard on a run's trial logs (127.0.0.1)")
    board.add_argument("run_dir", type=Path, help="the run's directory, e.g. optimization_results/my_run")
    board.add_argument("--port", type=int, default=6006, help="port (default: 6006; 0 picks a free one)")

    add_serve_command(add_command)
    add_dashboard_command(add_command)

    worker = add_command("worker", help="run as a remote trial worker (RunPod serverless)")
    worker.add_argument("kind", choices=["runpod"], help="runpod: the serverless handler")
    worker.add_argument(
        "sdk_args",
        nargs=argparse.REMAINDER,
        metavar="...",
        help="passed to the runpod SDK, e.g. --rp_serve_api --rp_api_port 8080 for its local test API",
    )

    schema = add_command("openapi", help="print the API's OpenAPI schema (for client generators)")
    schema.add_argument("--output", type=Path, help="write it to this file instead of stdout")

    datasets = add_command("datasets", help="list or import datasets")
    dataset_commands = datasets.add_subparsers(dest="datasets_command", required=True, metavar="ACTION")
    listing = dataset_commands.add_parser(
        "list", parents=[common], help="name, type, shape, classes, size, cached"
    )
    listing.add_argument("--data-dir", type=Path, help="dataset cache (default: $HEALTHTUNE_DATA_DIR)")
    importing = dataset_commands.add_parser(
        "import", parents=[common], help="import official files you downloaded yourself"
    )
    importing.add_argument("name", help="dataset name, e.g. mnist")
    importing.add_argument("path", type=Path, help="file or directory in the official distribution format")
    importing.add_argument("--data-dir", type=Path, help="dataset cache (default: $HEALTHTUNE_DATA_DIR)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    native_logs.install()  # TensorFlow's import prints INFO lines whatever that says
    _configure_logging(args)
    try:
        if args.command == "optimize":
            return _optimize(args)
        if args.command == "rescore":
            return _rescore(args)
        if args.command == "export":
            return _export(args)
        if args.command == "predict":
            return run_predict(args, console)
        if args.command == "tensorboard":
            return _tensorboard(args)
        if args.command == "study-plots":
            return _study_plots(args)
        if args.command == "serve":
            return run_serve(args)
        if args.command == "dashboard":
            return run_dashboard(args, lambda line: console.print(line, soft_wrap=True, highlight=False))
        if args.command == "openapi":
            return _openapi(args)
        if args.command == "worker":
            from healthtune.remote.runpod_handler import main as runpod_worker

            runpod_worker(list(args.sdk_args))
            return 0
        return _datasets(args)
    except (HealthtuneError, OSError) as error:  # OSError: a folder or file we cannot create, read or write
        if args.debug:
            console.print_exception()
        console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: the study is saved; run the same command again to resume")
        return 130


def _openapi(args: argparse.Namespace) -> int:
    import json
    import tempfile

    from healthtune.server import ServerSettings, create_app

    with tempfile.TemporaryDirectory() as scratch:  # the schema does not depend on where jobs live
        app = create_app(ServerSettings(results_root=Path(scratch), log_dir=Path(scratch)))
        text = json.dumps(app.openapi(), indent=2) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


class _OneLineErrors(logging.Formatter):
    """Without --debug a logged exception is one line, its type and message, not a traceback. A formatter,
    not a filter: the record (which other handlers and pytest's caplog also read) is left as it is."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            return f"{message}: {type(error).__name__}: {error} (--debug shows where)"
        return message


def _configure_logging(args: argparse.Namespace) -> None:
    from rich.logging import RichHandler

    level = logging.DEBUG if args.debug else logging.INFO if args.verbose else logging.WARNING
    handler = RichHandler(console=console, show_path=False, rich_tracebacks=args.debug)
    if not args.debug:
        handler.setFormatter(_OneLineErrors())
    logging.basicConfig(level=level, format="%(message)s", handlers=[handler], force=True)
    if not args.debug:
        for noisy in ("optuna", "absl", "jax"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        # TensorFlow's Python warnings are about its own tracing ("5 out of the last 11 calls ...
        # triggered tf.function retracing", 17 lines, after a run loads several trials' models), not
        # about the user's run; its errors still show, and --debug shows the rest.
        logging.getLogger("tensorflow").setLevel(logging.ERROR)
        # Optuna's notes on its plots and importances ("less than 2 trials", "identical ylims")
        # are for library users; the CLI's user sees them as noise. --debug shows them.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"optuna(\.|$)")


def _optimize(args: argparse.Namespace) -> int:
    import json

    import optuna

    from healthtune.cli.progress import ProgressDisplay, trials_table
    from healthtune.run.optimizer import optimize

    optuna.logging.set_verbosity(optuna.logging.DEBUG if args.debug else optuna.logging.WARNING)
    config = config_from_args(args)
    console.print(
        f"[bold]healthtune[/] run [cyan]{config.run_name}[/] on [cyan]{config.dataset}[/]", soft_wrap=True
    )  # a path broken over two lines cannot be copied
    with ProgressDisplay(console, config) as display:
        result = optimize(config, on_event=display.handle)
    console.print(trials_table(result))
    _print_health_bought(result)
    best = result.best_trial
    if best is not None:
        console.print(
            f"[bold green]best trial {best.number}[/]: score {best.score:.4f}, "
            f"test accuracy {best.metrics.get('test_accuracy', float('nan')):.4f}"
        )
        # soft_wrap: a path broken over two lines cannot be copied
        console.print(f"model: {result.best_model_path}", soft_wrap=True, highlight=False)
    console.print(f"all trials: {RunPaths(result.run_dir).trials_csv}", soft_wrap=True, highlight=False)
    if args.json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, default=str) + "\n")
    return 0


def _print_health_bought(result: Any) -> None:
    from healthtune.cli.outcomes import baselines_lines, health_bought_table, per_class_table

    beaten = bool(result.baseline_verdict and result.baseline_verdict.get("beats_linear"))
    for line in baselines_lines(result):
        console.print(line if beaten or not line.startswith("The best") else f"[yellow]{line}[/]",
                      soft_wrap=True, highlight=False)  # fmt: skip
    classes = per_class_table(result)
    if classes is not None:
        console.print(classes)
    shown = health_bought_table(result)
    if shown is not None:
        console.print(shown[0])
        console.print(shown[1], soft_wrap=True, highlight=False)


def _rescore(args: argparse.Namespace) -> int:
    from healthtune.cli.progress import trials_table
    from healthtune.run.service import rescore_run

    weights: dict[str, Any] = {"accuracy_weight": args.accuracy_weight,
                               "health_overall_weight": args.health_overall_weight}  # fmt: skip
    if args.proportion:
        weights["health_component_proportions"] = parse_proportions(args.proportion)
    result = rescore_run(RunPaths(args.run_dir), weights)
    console.print(trials_table(result))
    _print_health_bought(result)
    console.print(
        f"best trial {result.best_trial.number if result.best_trial else '-'}: {result.best_model_path}",
        soft_wrap=True,
        highlight=False,
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from healthtune.run.service import write_archive

    paths = RunPaths(args.run_dir)
    archive = write_archive(paths, args.output or Path(f"{paths.run_dir.resolve().name}.zip"))
    console.print(f"wrote {archive} ({archive.stat().st_size / 1e6:.1f} MB)", soft_wrap=True, highlight=False)
    return 0


def _study_plots(args: argparse.Namespace) -> int:
    from healthtune.plots.study_plots import redraw_study_plots

    names = redraw_study_plots(args.run_dir)
    console.print(f"wrote {len(names)} study plots to {args.run_dir / 'study_plots'}: {', '.join(names)}")
    return 0


def _tensorboard(args: argparse.Namespace) -> int:
    import threading

    from healthtune.plots.tensorboard_server import launch_tensorboard

    url = launch_tensorboard(args.run_dir / "trials", port=args.port)
    console.print(f"TensorBoard for [cyan]{args.run_dir}[/] at {url} (Ctrl-C stops it)")
    threading.Event().wait()  # TensorBoard serves from a background thread of this process
    return 0


def _datasets(args: argparse.Namespace) -> int:
    from rich.table import Table

    from healthtune.data import import_dataset, list_datasets

    if args.datasets_command == "import":
        path = import_dataset(args.name, args.path, args.data_dir)
        console.print(f"imported [cyan]{args.name}[/] into {path}")
        return 0
    table = Table(title="datasets")
    for column in ("name", "type", "shape", "classes", "download", "cached"):
        table.add_column(column)
    for info in list_datasets(args.data_dir):
        shape = "x".join(str(d) for d in info.input_shape) if info.input_shape else "varies"
        size = f"{info.download_size_mb:.0f} MB" if info.download_size_mb else "-"
        table.add_row(
            info.name,
            info.kind.value,
            shape,
            str(info.num_classes or "?"),
            size,
            "yes" if info.cached else "no",
        )
    Console().print(table)
    return 0
