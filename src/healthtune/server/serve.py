"""serve(settings): run the app with uvicorn, with rotating log files under logs/."""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys

from healthtune.server.settings import ServerSettings

logger = logging.getLogger(__name__)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactTokens(logging.Filter):
    """Masks `token=...` in log lines: browsers send the API token in the WebSocket URL's query,
    and uvicorn logs that URL."""

    PATTERN = re.compile(r"(token=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.PATTERN.sub(r"\1***", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = self.PATTERN.sub(r"\1***", record.msg)
        return True


def configure_logging(settings: ServerSettings) -> None:
    """healthtune's and uvicorn's logs to stdout and to logs/healthtune.log (10 MB x 5 files)."""
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    level = settings.log_level.upper()
    file_handler = logging.handlers.RotatingFileHandler(
        settings.log_dir / "healthtune.log", maxBytes=10 * 2**20, backupCount=5, encoding="utf-8"
    )
    console = logging.StreamHandler(sys.stdout)  # containers collect stdout; stderr is for crashes
    for handler in (file_handler, console):
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(RedactTokens())
    for name in ("healthtune", "uvicorn", "uvicorn.error", "uvicorn.access"):
        named = logging.getLogger(name)
        named.handlers = [file_handler, console]
        named.setLevel(level)
        named.propagate = False


def exposure_warning(settings: ServerSettings) -> str | None:
    """The loud warning for a server reachable from other machines with no token, else None."""
    if settings.is_loopback or settings.api_token:
        return None
    return (
        f"!!! serving on {settings.host} without HEALTHTUNE_API_TOKEN: anyone who can reach this "
        "address can start jobs, delete runs and download models. Set HEALTHTUNE_API_TOKEN or bind "
        "127.0.0.1. !!!"
    )


def serve(settings: ServerSettings | None = None) -> None:
    import uvicorn

    from healthtune.server.app import create_app

    settings = settings or ServerSettings.from_env()
    configure_logging(settings)
    warning = exposure_warning(settings)
    if warning:
        logger.warning(warning)
    logger.info("healthtune %s on http://%s:%d%s (results in %s)", _version(), settings.host, settings.port,
                settings.root_path or "/", settings.results_root.resolve())  # fmt: skip
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep the handlers set above
        proxy_headers=True,
        ws_ping_interval=20,
    )


def _version() -> str:
    import healthtune

    return healthtune.__version__
