"""TensorFlow's import-time C++ INFO lines are hidden unless TF_CPP_MIN_LOG_LEVEL=0; nothing else is."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from healthtune.core import native_logs

INFO = b"I0000 00:00:1795761005.851614   18838 port.cc:153] oneDNN custom operations are on.\n"
NOTICE = b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
WARNING = b"W0000 00:00:1795761005.851614   18838 cpu_feature.cc:12] something to look at\n"


def test_only_info_lines_and_the_notice_before_them_are_dropped() -> None:
    text = NOTICE + INFO + WARNING + b"Traceback (most recent call last):\n" + NOTICE + INFO
    assert native_logs.without_noise(text) == WARNING + b"Traceback (most recent call last):\n"


def test_onednn_s_data_type_notice_is_dropped_but_other_errors_are_not() -> None:
    notice = (
        b"E0000 00:00:1795775299.269106   11140 util.cc:131] oneDNN supports DT_BOOL only on platforms"
        b" with AVX-512. Falling back to the default Eigen-based implementation if present.\n"
    )
    other = b"E0000 00:00:1795775299.269106   11140 util.cc:131] something else failed\n"
    assert native_logs.without_noise(notice + other) == other


def test_the_second_line_of_the_cpu_features_message_goes_with_it() -> None:
    guard = b"I0000 00:00:17.5   18 cpu_feature_guard.cc:227] This TensorFlow binary is optimized.\n"
    text = (
        guard
        + b"To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow"
        + b" with the appropriate compiler flags.\n"
        + WARNING
        + b"more\n"
    )
    assert native_logs.without_noise(text) == WARNING + b"more\n"


def test_what_else_reaches_descriptor_2_during_the_block_comes_through_after_it(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with native_logs.native_info_hidden():
        os.write(2, NOTICE + INFO + b"from C\n" + WARNING)
    assert capfd.readouterr().err == "from C\n" + WARNING.decode()


@pytest.mark.parametrize("level", ["2", "0"])
def test_the_first_tensorflow_import_follows_tf_cpp_min_log_level(level: str) -> None:
    script = (
        "from healthtune.core import native_logs\n"
        "native_logs.install()\n"
        "import tensorflow as tf\n"
        "assert type(tf.__loader__).__name__ == 'SourceFileLoader'\n"  # TensorFlow sees its own loader
        "print(int(tf.constant(2) + 1))\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": level, "KERAS_BACKEND": "tensorflow"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "3\n"
    if level == "2":
        assert "I0000" not in done.stderr and "absl::InitializeLog" not in done.stderr, done.stderr
    else:  # asked for: TensorFlow's INFO lines (when this release prints any) are left alone
        bare = subprocess.run(
            [sys.executable, "-c", "import tensorflow"], capture_output=True, text=True, env=env, timeout=300
        )
        assert ("I0000" in done.stderr) == ("I0000" in bare.stderr)
