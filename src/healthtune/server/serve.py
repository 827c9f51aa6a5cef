"""serve(settings): run the app with uvicorn, with rotating log files under logs/."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import re
import socket
import sys
import urllib.parse
from typing import TYPE_CHECKING

from healthtune.server.lock import ServerStartError
from healthtune.server.settings import LOOPBACK_HOSTS, ServerSettings

if TYPE_CHECKING:
    from healthtune.server.state import AppState

logger = logging.getLogger(__name__)
STARTUP_FAILURE = 3  # uvicorn's exit status when the app does not start
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactTokens(logging.Filter):
    """Masks the API token in log lines: browsers send it in the WebSocket URL's query, and uvicorn
    logs that URL.

    Any query parameter whose name decodes to "token" (tok%65n, TOKEN, %74oken...) is masked, and so is
    the token itself wherever it appears, as sent or percent-encoded.
    """

    QUERY_PARAMETER = re.compile(r"([?&;])([^=&\s\"']*)=([^&\s\"']*)")

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self.secrets = sorted(_spellings(token), key=len, reverse=True) if token else []

    def _mask_parameter(self, match: re.Match[str]) -> str:
        return f"{match[1]}{match[2]}=***" if _decoded(match[2]) == "token" else match[0]

    def redact(self, text: str) -> str:
        text = self.QUERY_PARAMETER.sub(self._mask_parameter, text)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = self.redact(record.msg)
        return True


def _decoded(name: str) -> str:
    """A query parameter's name as a server would read it, however often it was percent-encoded."""
    for _ in range(5):
        plain = urllib.parse.unquote_plus(name)
        if plain == name:
            break
        name = plain
    return name.strip().lower()


def _spellings(token: str) -> set[str]:
    every_byte = "".join(f"%{byte:02X}" for byte in token.encode())
    return {token, urllib.parse.quote(token, safe=""), urllib.parse.quote_plus(token), every_byte,
            every_byte.lower()}  # fmt: skip


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
        handler.addFilter(RedactTokens(settings.api_token))
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
    """Take the results root's lock, bind the port, then start the app (which recovers the jobs).

    A server that cannot have both exits before touching a job (ServerStartError); uvicorn alone
    would run the app's startup, and so its job recovery, before it even tries to bind.
    """
    import uvicorn

    from healthtune.server.app import create_app

    settings = settings or ServerSettings.from_env()
    configure_logging(settings)
    app = create_app(settings)
    state: AppState = app.state.healthtune
    state.lock.acquire()
    listener: socket.socket | None = None
    try:
        listener = bind_socket(settings.host, settings.port)
        warning = exposure_warning(settings)
        if warning:
            logger.warning(warning)
        if settings.host in ("0.0.0.0", "::") and set(settings.allowed_hosts) <= set(LOOPBACK_HOSTS):
            logger.warning("listening on every address, but answering only requests for %s: set "
                           "HEALTHTUNE_ALLOWED_HOSTS to the names clients use", ", ".join(settings.allowed_hosts))  # fmt: skip
        logger.info("healthtune %s on http://%s:%d%s (results in %s)", _version(), settings.host, settings.port,
                    settings.root_path or "/", settings.results_root.resolve())  # fmt: skip
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_config=None,  # keep the handlers set above
            proxy_headers=True,
            ws_ping_interval=20,
        )
        server = uvicorn.Server(config)
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the Ctrl-C it handled
            server.run(sockets=[listener])
        if not server.started:
            sys.exit(STARTUP_FAILURE)  # as uvicorn.run: its log says why
    finally:
        if listener is not None:
            listener.close()
        state.lock.release()


def bind_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (uvicorn listens on it), or ServerStartError naming the address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise ServerStartError(
            f"cannot listen on {host}:{port}: {error.strerror or error} "
            "(another server on that port? choose another with --port)"
        ) from None
    listener.set_inheritable(False)
    return listener


def _version() -> str:
    import healthtune

    return healthtune.__version__
