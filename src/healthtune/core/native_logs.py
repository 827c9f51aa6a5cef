"""TensorFlow's import-time INFO lines from C++, held to its own TF_CPP_MIN_LOG_LEVEL setting.

TensorFlow 2.21 writes "oneDNN custom operations are on ..." (twice, each after an absl notice)
straight to file descriptor 2 while it is imported, before it reads TF_CPP_MIN_LOG_LEVEL, so every
trial process printed them whatever the user asked for. The first import of `tensorflow` in a
process is therefore run with descriptor 2 captured; afterwards every line is written back except
those INFO lines, unless TF_CPP_MIN_LOG_LEVEL=0 asks for them. Warnings, errors and anything
Python wrote meanwhile come through unchanged (only later, once the import has finished). A native
crash during that import would take what was captured with it: TF_CPP_MIN_LOG_LEVEL=0 turns the
capture off when you need to see such a crash.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from types import ModuleType

# A C++ INFO line ("I0000 00:00:1795761005.851614   18838 port.cc:153] ..."), oneDNN's data-type
# notice (see absorb_onednn_dtype_notice), the second line of TensorFlow's multi-line CPU-features
# INFO message, and absl's notice that it logs before being set up, which only ever precedes such
# lines here.
_NOISE = re.compile(
    rb"^(I\d{4} [\d:.]+ +\d+ \S+:\d+\] .*"
    rb"|E\d{4} [\d:.]+ +\d+ util\.cc:\d+\] oneDNN supports DT_\w+ only on platforms with .*"
    rb"|To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags\."
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR)$"
)


def info_lines_wanted() -> bool:
    """TF_CPP_MIN_LOG_LEVEL=0 shows INFO lines; unset (our default) or higher hides them."""
    return os.environ.get("TF_CPP_MIN_LOG_LEVEL", "").strip() == "0"


def without_noise(captured: bytes) -> bytes:
    """`captured` without the INFO lines and absl's notice before them."""
    lines = captured.splitlines(keepends=True)
    return b"".join(line for line in lines if not _NOISE.match(line.rstrip(b"\r\n")))


@contextlib.contextmanager
def native_info_hidden() -> Iterator[None]:
    """Capture descriptor 2 while the block runs; write it back without the INFO lines."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as captured:
        sys.stderr.flush()
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = memoryview(without_noise(captured.read()))
            while kept:  # a pipe may take less than all of it at once
                kept = kept[os.write(2, kept) :]


@functools.cache
def absorb_onednn_dtype_notice() -> None:
    """Fire TensorFlow's once-per-process oneDNN data-type notice now, with descriptor 2 captured.

    The first time a oneDNN CPU kernel meets a bool tensor (every masked LSTM transposes its mask),
    TensorFlow logs "E... oneDNN supports DT_BOOL only on platforms with AVX-512. Falling back to
    the default Eigen-based implementation": an error-level line for a harmless fallback that
    users cannot act on. It is logged only once per process, so triggering it here hides it for
    good. Call it once TensorFlow's devices are set up: it runs an op.
    """
    if info_lines_wanted():
        return
    import tensorflow as tf

    with native_info_hidden(), tf.device("/CPU:0"):
        tf.transpose(tf.constant([[True]]))


class _QuietLoader(importlib.abc.Loader):
    """TensorFlow's own loader, run with the INFO lines hidden."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self.loader  # what TensorFlow sees is its own loader
        with native_info_hidden():
            self.loader.exec_module(module)

    def __getattr__(self, name: str) -> object:  # get_filename, is_package, ...: the real loader's
        return getattr(self.loader, name)


class _QuietTensorflowImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: wraps the loader of the first `import tensorflow`, then steps aside."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "tensorflow":
            return None
        uninstall()
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


_FINDER = _QuietTensorflowImport()


def install() -> None:
    """Hide the INFO lines of this process's first TensorFlow import (a no-op once it is imported)."""
    if "tensorflow" in sys.modules or info_lines_wanted() or _FINDER in sys.meta_path:
        return
    sys.meta_path.insert(0, _FINDER)


def uninstall() -> None:
    with contextlib.suppress(ValueError):
        sys.meta_path.remove(_FINDER)
