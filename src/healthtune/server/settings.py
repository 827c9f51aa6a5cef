"""ServerSettings: every default of the API server in one place, overridable from HEALTHTUNE_* variables."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from healthtune.core.exceptions import ConfigError
from healthtune.core.paths import JOBS_DB, STUDIES_DB, UPLOADS_DIR

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
"""The Host names a server answers by default: a web page whose name resolves to 127.0.0.1 (DNS
rebinding) sends its own name, which is refused."""


def _absolute(path: Path | str) -> Path:
    """An absolute, normalized path without touching the disk: stored paths survive a change of directory."""
    return Path(os.path.abspath(Path(path).expanduser()))


@dataclass(frozen=True)
class ServerSettings:
    """Where the server keeps jobs and runs, who may call it, and how many jobs train at once."""

    results_root: Path = Path("optimization_results")
    storage_url: str = ""  # Optuna studies; default: results_root/studies.db, as for the CLI
    data_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    api_token: str | None = None
    cors_origins: tuple[str, ...] = ()
    max_concurrent_jobs: int = 1
    log_dir: Path = Path("logs")
    log_level: str = "INFO"
    root_path: str = ""  # the prefix a reverse proxy serves the app under, e.g. /hyperparameter-tuning
    cancel_grace_seconds: float = (
        60.0  # after a cancel, how long a worker may take to save before it is killed
    )
    worker_niceness: int = 10  # training yields the CPU to the API, so dashboards stay responsive
    poll_seconds: float = 0.25  # how often the supervisor and WebSocket streams look for news
    static_dir: Path | None = None  # the built UI; default: the package's static folder
    max_upload_mb: int = 2048  # largest dataset file POST /api/datasets/uploads takes; unpacked: 4x
    max_request_kb: int = 1024  # largest body of every other request (JSON): a job is a few KB
    data_roots: tuple[Path, ...] = ()  # folders whose datasets jobs may read, besides the uploads
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS  # Host headers answered; "*.example.org", "*": any
    run_jobs: bool = True  # False: jobs are queued and never started (schema tests, a read-only replica)

    def __post_init__(self) -> None:
        object.__setattr__(self, "results_root", _absolute(self.results_root))
        object.__setattr__(self, "log_dir", _absolute(self.log_dir))
        if self.data_dir is not None:
            object.__setattr__(self, "data_dir", _absolute(self.data_dir))
        if self.static_dir is not None:
            object.__setattr__(self, "static_dir", _absolute(self.static_dir))
        object.__setattr__(self, "data_roots", tuple(_absolute(root) for root in self.data_roots))
        hosts = tuple(host.strip().lower() for host in self.allowed_hosts if host.strip())
        if not hosts:
            raise ConfigError(
                "allowed_hosts must name at least one host (or '*' for any), got allowed_hosts=()"
            )
        if self.host not in ("0.0.0.0", "::", "") and self.host.lower() not in hosts:
            hosts = (*hosts, self.host.lower())  # the address it listens on always names it
        object.__setattr__(self, "allowed_hosts", hosts)
        if not isinstance(self.run_jobs, bool):
            raise ConfigError(f"run_jobs must be true or false, got run_jobs={self.run_jobs!r}")
        for name in ("max_request_kb",):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be an integer >= 1, got {name}={value!r}")
        if isinstance(self.max_concurrent_jobs, bool) or not isinstance(self.max_concurrent_jobs, int):
            raise ConfigError(
                f"max_concurrent_jobs must be an integer >= 1, got max_concurrent_jobs={self.max_concurrent_jobs!r}"
            )
        if self.max_concurrent_jobs < 1:
            raise ConfigError(
                f"max_concurrent_jobs must be >= 1, got max_concurrent_jobs={self.max_concurrent_jobs!r}"
            )
        if (
            isinstance(self.max_upload_mb, bool)
            or not isinstance(self.max_upload_mb, int)
            or self.max_upload_mb < 1
        ):
            raise ConfigError(
                f"max_upload_mb must be an integer >= 1, got max_upload_mb={self.max_upload_mb!r}"
            )
        if not 0 < self.port < 65536:
            raise ConfigError(f"port must be in 1..65535, got port={self.port!r}")
        if self.root_path and (not self.root_path.startswith("/") or self.root_path.endswith("/")):
            raise ConfigError(
                f"root_path must start with '/' and not end with one, got root_path={self.root_path!r}"
            )
        if self.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ConfigError(
                f"log_level must be one of DEBUG, INFO, WARNING, ERROR, got log_level={self.log_level!r}"
            )
        if not self.storage_url:
            db = (self.results_root / STUDIES_DB).resolve()
            object.__setattr__(self, "storage_url", f"sqlite:///{db}")

    @property
    def jobs_db(self) -> Path:
        return self.results_root / JOBS_DB

    @property
    def jobs_dir(self) -> Path:
        """Per-job files of the server (the worker's config and outcome); runs stay in results_root."""
        return self.results_root / ".jobs"

    @property
    def max_request_bytes(self) -> int:
        return self.max_request_kb * 1024

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 2**20

    @property
    def max_unpacked_bytes(self) -> int:
        """What an uploaded archive may unpack to: images compress little, so 4x is plenty."""
        return 4 * self.max_upload_bytes

    @property
    def uploads_dir(self) -> Path:
        """Datasets sent through the API, one folder each (a run name cannot start with '.')."""
        return self.results_root / UPLOADS_DIR

    @property
    def readable_roots(self) -> tuple[Path, ...]:
        """Where a job's dataset may live (data_access.confine_dataset): the uploads and data_roots."""
        return (self.uploads_dir, *self.data_roots)

    @property
    def lock_file(self) -> Path:
        """Held (flock) by the one live server of this results root."""
        return self.jobs_dir / "server.lock"

    def allows_host(self, header: str) -> bool:
        """Whether a request's Host header (with or without its port) names this server."""
        host = header.strip().lower()
        if host.startswith("["):  # [::1]:8000
            host = host[1 : host.find("]")] if "]" in host else host
        elif host.count(":") == 1:
            host = host.split(":", 1)[0]
        host = host.rstrip(".")
        for allowed in self.allowed_hosts:
            if allowed == "*" or host == allowed:
                return True
            if allowed.startswith("*.") and host.endswith(allowed[1:]):
                return True
        return False

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @classmethod
    def from_env(cls, **overrides: Any) -> ServerSettings:
        """HEALTHTUNE_HOST, _PORT, _RESULTS_ROOT, _API_TOKEN, _CORS_ORIGINS and _ALLOWED_HOSTS
        (comma-separated), _DATA_ROOTS (separated by os.pathsep, ':' on Linux), _MAX_CONCURRENT_JOBS,
        _MAX_UPLOAD_MB, _MAX_REQUEST_KB, _RUN_JOBS (0/1), _LOG_DIR, _LOG_LEVEL, _ROOT_PATH, _DATA_DIR,
        _STORAGE_URL; explicit overrides win."""
        env = os.environ
        values: dict[str, Any] = {}
        simple = {
            "results_root": "HEALTHTUNE_RESULTS_ROOT",
            "storage_url": "HEALTHTUNE_STORAGE_URL",
            "data_dir": "HEALTHTUNE_DATA_DIR",
            "api_token": "HEALTHTUNE_API_TOKEN",
            "log_dir": "HEALTHTUNE_LOG_DIR",
            "log_level": "HEALTHTUNE_LOG_LEVEL",
            "root_path": "HEALTHTUNE_ROOT_PATH",
            "host": "HEALTHTUNE_HOST",
        }
        for name, variable in simple.items():
            if env.get(variable):
                values[name] = env[variable]
        for name, variable in (
            ("cors_origins", "HEALTHTUNE_CORS_ORIGINS"),
            ("allowed_hosts", "HEALTHTUNE_ALLOWED_HOSTS"),
        ):
            if env.get(variable):
                values[name] = tuple(o.strip() for o in env[variable].split(",") if o.strip())
        if env.get("HEALTHTUNE_DATA_ROOTS"):
            values["data_roots"] = tuple(
                Path(root) for root in env["HEALTHTUNE_DATA_ROOTS"].split(os.pathsep) if root.strip()
            )
        if env.get("HEALTHTUNE_RUN_JOBS"):
            flag = env["HEALTHTUNE_RUN_JOBS"].strip().lower()
            if flag not in ("0", "1", "true", "false", "yes", "no"):
                raise ConfigError(f"HEALTHTUNE_RUN_JOBS must be 1 or 0, got {env['HEALTHTUNE_RUN_JOBS']!r}")
            values["run_jobs"] = flag in ("1", "true", "yes")
        for name, variable in (
            ("max_concurrent_jobs", "HEALTHTUNE_MAX_CONCURRENT_JOBS"),
            ("port", "HEALTHTUNE_PORT"),
            ("max_upload_mb", "HEALTHTUNE_MAX_UPLOAD_MB"),
            ("max_request_kb", "HEALTHTUNE_MAX_REQUEST_KB"),
        ):
            if env.get(variable):
                try:
                    values[name] = int(env[variable])
                except ValueError:
                    raise ConfigError(f"{variable} must be an integer, got {env[variable]!r}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
