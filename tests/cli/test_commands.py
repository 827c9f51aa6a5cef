"""The healthtune command line: fast help, a real optimize run, one-line errors."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from healthtune.cli.commands import main


def test_help_does_not_import_keras() -> None:
    script = (
        "import sys\nfrom healthtune.cli.commands import build_parser\nbuild_parser().format_help()\n"
        "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules, 'keras imported eagerly'"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_every_config_field_is_a_flag() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "healthtune.cli", "optimize", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for flag in ("--dataset", "--trials", "--epochs", "--batch-size", "--validation-split", "--pruner",
                 "--storage-url", "--results-root", "--plot-mode", "--concurrent-workers", "--override"):  # fmt: skip
        assert flag in out


def test_optimize_runs_and_reports_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["optimize", "--dataset", "digits", "--trials", "2", "--epochs", "1", "--results-root", str(tmp_path),
         "--run-name", "cli_run", "-O", "optimizer=adam", "-O", "conv_blocks=1:2", "--json"]
    )  # fmt: skip
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "completed" and len(result["trials"]) == 2
    assert all(t["params"].get("conv_blocks", 2) <= 2 for t in result["trials"])
    assert Path(result["best_model_path"]).is_file()
    # the same run re-weighed and exported through the run service the server uses
    run_dir = tmp_path / "cli_run"
    assert main(["rescore", str(run_dir), "--accuracy-weight", "0.9"]) == 0
    assert main(["rescore", str(run_dir)]) == 0  # a partial update: the weights left out stay as they are
    assert json.loads((run_dir / "run.json").read_text())["weights"]["accuracy_weight"] == 0.9
    capsys.readouterr()
    assert main(["export", str(run_dir), "-o", str(tmp_path / "cli_run.zip")]) == 0
    with zipfile.ZipFile(tmp_path / "cli_run.zip") as bundle:
        names = bundle.namelist()
    assert "optimized_model/summary.json" in names and "trials.csv" in names
    assert any(name.endswith(".keras") for name in names)
    # its folder deleted, the study lives on in studies.db: continuing it is refused before training
    shutil.rmtree(run_dir / "trials")
    capsys.readouterr()
    again = [
        "optimize",
        "--dataset",
        "digits",
        "--trials",
        "3",
        "--results-root",
        str(tmp_path),
        "--run-name",
        "cli_run",
    ]
    assert main(again) == 1
    assert "continues a study whose complete trials [0, 1] have no files" in " ".join(
        capsys.readouterr().err.split()
    )


def test_a_logged_exception_is_one_line_without_debug() -> None:
    from healthtune.cli.commands import _OneLineErrors

    try:
        raise FileNotFoundError("trial_2/config.json")
    except FileNotFoundError:
        record = logging.LogRecord(
            "x", logging.WARNING, __file__, 1, "plots of %s failed", ("trial_2",), sys.exc_info()
        )
    assert _OneLineErrors().format(record) == (
        "plots of trial_2 failed: FileNotFoundError: trial_2/config.json (--debug shows where)"
    )
    assert record.args == ("trial_2",) and record.exc_info is not None  # other handlers see it whole


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trials", "0"], "trials must be >= 1, got trials=0"),
        (["--dataset", "imagenet"], "unknown dataset 'imagenet'"),
        (["-O", "learnig_rate=0.1"], "unknown parameter 'learnig_rate'"),
    ],
)
def test_bad_input_is_one_line_without_traceback(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "healthtune.cli", "optimize", *args], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert message in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr


def test_tensorboard_on_a_directory_without_logs_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "healthtune.cli", "tensorboard", str(tmp_path), "--port", "0"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "error:" in done.stderr


@pytest.mark.parametrize(("text", "expected"), [("false", False), ("yes", True), ("0", False), ("on", True)])
def test_boolean_flags_accept_true_and_false(text: str, expected: bool) -> None:
    from healthtune.cli.commands import build_parser, config_from_args

    args = build_parser().parse_args(["optimize", "--tensorboard", text, "--executor-fallback", text])
    config = config_from_args(args)
    assert config.tensorboard is expected and config.executor_fallback is expected


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ([], True),
        (["--no-tensorboard", "--no-executor-fallback"], False),
        (["--tensorboard", "--executor-fallback"], True),
    ],
)
def test_boolean_flags_also_work_bare_and_negated(flags: list[str], expected: bool) -> None:
    from healthtune.cli.commands import build_parser, config_from_args

    config = config_from_args(build_parser().parse_args(["optimize", *flags, "--trials", "2"]))
    assert config.tensorboard is expected and config.executor_fallback is expected and config.trials == 2


def test_a_boolean_flag_refuses_other_words(capsys: pytest.CaptureFixture[str]) -> None:
    from healthtune.cli.commands import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["optimize", "--tensorboard", "maybe"])
    assert "expected true or false, got 'maybe'" in capsys.readouterr().err


def test_worker_help_lists_the_runpod_flags() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "healthtune.cli", "worker", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "runpod" in out and "--rp_serve_api" in out


SIX_SHARES = [
    "neuron_utilization=0.25", "parameter_efficiency=0.15", "training_stability=0.2",
    "gradient_health=0.15", "convergence_quality=0.15", "accuracy_consistency=0.1",
]  # fmt: skip


@pytest.mark.parametrize(
    "flags",
    [
        [arg for share in SIX_SHARES for arg in ("--proportion", share)],
        ["--health-component-proportions", ",".join(SIX_SHARES)],
    ],
)
def test_health_proportions_are_given_repeated_or_comma_separated(flags: list[str]) -> None:
    from healthtune.cli.commands import build_parser, config_from_args

    config = config_from_args(build_parser().parse_args(["optimize", *flags]))
    assert config.health_component_proportions == {
        name: float(value) for name, value in (share.split("=") for share in SIX_SHARES)
    }


def test_debug_and_verbose_work_after_the_command_too() -> None:
    from healthtune.cli.commands import build_parser

    assert build_parser().parse_args(["optimize", "--trials", "2", "--debug", "-v"]).debug is True
    assert build_parser().parse_args(["--debug", "optimize"]).debug is True
    assert build_parser().parse_args(["datasets", "list", "--debug"]).debug is True
    assert build_parser().parse_args(["optimize"]).debug is False


def test_an_unusable_folder_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    for command in (
        ["optimize", "--trials", "1", "--results-root", str(blocker / "runs")],
        ["openapi", "--output", str(tmp_path / "missing" / "openapi.json")],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "healthtune.cli", *command],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 1, command
        assert "Traceback" not in done.stderr and "error:" in done.stderr, done.stderr
    assert "results_root" in done.stderr or "No such file" in done.stderr
    assert not (blocker / "runs").exists()


def test_runpod_without_an_endpoint_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "RUNPOD_ENDPOINT_ID"}
    done = subprocess.run(
        [sys.executable, "-m", "healthtune.cli", "optimize", "--executor", "runpod", "--results-root", str(tmp_path)],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert done.returncode == 1
    assert "executor='runpod' needs runpod_endpoint" in " ".join(done.stderr.split())
    assert list(tmp_path.iterdir()) == []


def test_progress_keeps_rejected_networks_apart_and_ends_its_line() -> None:
    import io

    from rich.console import Console

    from healthtune import OptimizationConfig
    from healthtune.cli.progress import ProgressDisplay
    from healthtune.run.events import Event, EventType

    out = io.StringIO()
    console = Console(file=out, width=100)
    with ProgressDisplay(console, OptimizationConfig(trials=2)) as display:
        for number in range(3):
            display.handle(
                Event(
                    EventType.TRIAL_PRUNED, "r", number + 1, 0.0, number, {"reason": "too_large: 900 MFLOPs"}
                )
            )
        display.handle(Event(EventType.TRIAL_FINISHED, "r", 4, 0.0, 3, {"score": 0.9}))
    console.print("interrupted: next message")
    text = out.getvalue()
    assert "1/2" in text and "3/2" not in text
    assert "rejected (too large) 3" in text and "pruned 0" in text
    assert "\ninterrupted: next message" in text


def test_the_trials_table_names_who_stopped_a_trial_and_fits_parameter_counts() -> None:
    import io

    from rich.console import Console

    from healthtune.cli.progress import trials_table
    from healthtune.run.results import OptimizationResult, TrialRecord

    trials = [
        TrialRecord(0, "complete", {}, 0.8, {"params": 468_312, "val_accuracy": 0.81, "epochs_trained": 2}),
        TrialRecord(1, "complete", {}, 0.7, {"params": 9_876}),
        TrialRecord(
            2, "pruned", {}, None, prune_reason="too_large: 822 MFLOPs per example > max_model_mflops=150"
        ),
        TrialRecord(3, "pruned", {}, None, prune_reason="health: 80% of units dormant"),
        TrialRecord(4, "pruned", {}, None, prune_reason="median pruner at epoch 1"),
        TrialRecord(5, "complete", {}, 0.6, {"params": 12_500_000}),
    ]
    result = OptimizationResult("r", Path("r"), "completed", trials[0], None, trials, {}, "sqlite://")
    out = io.StringIO()
    Console(file=out, width=80).print(trials_table(result))
    text = out.getvalue()
    assert "468.3k" in text and "9,876" in text and "12.50M" in text
    assert "(too_large)" in text and "(health)" in text and "(pruner)" in text
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80 and "…" not in text
