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


def add_dashboard_command(add_command: Callable[..., argparse.ArgumentParser]) -> None:
    dashboard = add_command(
        "dashboard",
        help="open runs made from the CLI or Python in the web UI (read-only), like optuna-dashboard",
    )
    dashboard.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=Path("optimization_results"),
        help="a results root (every run in it) or one run's directory (default: optimization_results)",
    )
    dashboard.add_argument("--host", help="address to bind (default: 127.0.0.1)")
    dashboard.add_argument("--port", type=int, help="port (default: 8000)")


def dashboard_target(path: Path) -> tuple[Path, str | None]:
    """(results root, run name or None) for a results root or a run directory; ConfigError otherwise."""
    from healthtune.core.exceptions import ConfigError
    from healthtune.core.paths import RunPaths

    if RunPaths(path).run_file.is_file():
        resolved = path.resolve()
        return resolved.parent, resolved.name
    if path.is_dir():
        return path.resolve(), None
    raise ConfigError(f"path must be a results root or a run directory (with run.json), got {str(path)!r}")


def run_dashboard(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    """Serve the results root's runs and print where to open them (the run's own page for a run directory)."""
    from healthtune.server import ServerSettings, serve
    from healthtune.server.external_runs import sync_external_runs
    from healthtune.server.jobs_store import JobStore

    root, run_name = dashboard_target(args.path)
    settings = ServerSettings.from_env(host=args.host, port=args.port, results_root=root,
                                       log_level="DEBUG" if args.debug else None)  # fmt: skip
    store = JobStore(settings.jobs_db)
    try:
        sync_external_runs(store, settings.results_root)
        job = store.by_run_name(run_name) if run_name else None
    finally:
        store.close()
    url = f"http://{settings.host}:{settings.port}{settings.root_path or ''}/"
    if run_name and job is None:
        say(f"{run_name} has not ended yet: it is listed once it does")
    say(f"open {url}jobs/{job.id}" if job else f"open {url}jobs")
    serve(settings)
    return 0
