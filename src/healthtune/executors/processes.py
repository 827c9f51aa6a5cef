"""Process helpers shared by the server's job workers and the local trial workers."""

from __future__ import annotations

import ctypes
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Linux: get `sig` when the parent process dies, so no orphan keeps training.

    Elsewhere this does nothing; the server then marks a cut-off job interrupted on its next start.
    """
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, sig)
    except OSError:
        pass
