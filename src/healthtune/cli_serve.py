"""`healthtune serve`: the API server and web UI, with the server settings as flags."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def add_serve_command(add_command: Callable[..., argparse.ArgumentParser]) -> None:
    server = add_command("serve", help="start the API server and web UI (http://127.0.0.1:8000)")
    server.add_argument(
        "--host", help="address to bind (default: 127.0.0.1; others need HEALTHTUNE_API_TOKEN)"
    )
    server.add_argument("--port", type=int, help="port (default: 8000)")
    server.add_argument("--results-root", type=Path, help="where runs and the jobs table live")
    server.add_argument(
        "--max-concurrent-jobs", type=int, help="jobs training at once; others queue (default: 1)"
    )
    server.add_argument(
        "--max-upload-mb", type=int, help="largest dataset file the UI may upload (default: 2048)"
    )
    server.add_argument("--log-dir", type=Path, help="rotating log files (default: logs/)")
    server.add_argument("--root-path", help="prefix when served behind a proxy, e.g. /hyperparameter-tuning")
    server.add_argument(
        "--data-root",
        action="append",
        type=Path,
        help="a folder whose datasets jobs may read besides uploads (repeat for more; HEALTHTUNE_DATA_ROOTS)",
    )
    server.add_argument(
        "--allowed-host",
        action="append",
        help="a Host name the server answers to (repeat; default: localhost, 127.0.0.1, ::1; HEALTHTUNE_ALLOWED_HOSTS)",
    )
    server.add_argument(
        "--queue-only",
        action="store_true",
        default=None,
        help="accept and queue jobs but never start them (HEALTHTUNE_RUN_JOBS=0)",
    )


def run_serve(args: argparse.Namespace) -> int:
    from healthtune.server import ServerSettings, serve

    settings = ServerSettings.from_env(
        host=args.host,
        port=args.port,
        results_root=args.results_root,
        max_concurrent_jobs=args.max_concurrent_jobs,
        max_upload_mb=args.max_upload_mb,
        log_dir=args.log_dir,
        root_path=args.root_path,
        log_level="DEBUG" if args.debug else None,
        data_roots=tuple(args.data_root) if args.data_root else None,
        allowed_hosts=tuple(args.allowed_host) if args.allowed_host else None,
        run_jobs=False if args.queue_only else None,
    )
    serve(settings)
    return 0
