"""The healthtune command line: fast help, a real optimize run, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from healthtune.cli import main


def test_help_does_not_import_keras() -> None:
    script = (
        "import sys\nfrom healthtune.cli import build_parser\nbuild_parser().format_help()\n"
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
    from healthtune.cli import build_parser, config_from_args

    args = build_parser().parse_args(["optimize", "--tensorboard", text, "--executor-fallback", text])
    config = config_from_args(args)
    assert config.tensorboard is expected and config.executor_fallback is expected


def test_a_boolean_flag_refuses_other_words(capsys: pytest.CaptureFixture[str]) -> None:
    from healthtune.cli import build_parser

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
