"""create_app(settings): the FastAPI app: routes, token check, error mapping, the built UI at /."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

import healthtune
from healthtune.core.exceptions import ConfigError, DatasetError, HealthtuneError, RunStateError, StorageError
from healthtune.data.uploads import discard_incomplete
from healthtune.server import (
    routes_events,
    routes_files,
    routes_jobs,
    routes_meta,
    routes_predict,
    routes_study,
    routes_uploads,
)
from healthtune.server.errors import dataset_error_location, error_location, validation_detail
from healthtune.server.external_runs import ExternalRuns
from healthtune.server.guards import BodyLimit, HostCheck
from healthtune.server.jobs_store import JobStore
from healthtune.server.lock import ServerLock
from healthtune.server.progress import ProgressCache
from healthtune.server.settings import ServerSettings
from healthtune.server.state import AppState
from healthtune.server.supervisor import JobSupervisor
from healthtune.server.tensorboards import TensorBoards

logger = logging.getLogger(__name__)
PACKAGE_STATIC = Path(__file__).parent / "static"


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The app for `settings` (default: ServerSettings.from_env()); jobs start when it starts."""
    settings = settings or ServerSettings.from_env()
    settings.results_root.mkdir(parents=True, exist_ok=True)
    store = JobStore(settings.jobs_db)
    supervisor = JobSupervisor(settings, store)
    state = AppState(
        settings,
        store,
        supervisor,
        ProgressCache(),
        TensorBoards(settings.log_dir / "tensorboard"),
        ServerLock(settings.lock_file, settings.results_root),
        ExternalRuns(store, settings.results_root),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Only the server holding the lock owns the jobs: a second one must not "recover" them.
        state.lock.acquire()  # serve() already took it before binding; then this is a no-op
        try:
            discard_incomplete(settings.uploads_dir)  # uploads a previous server was cut off in
            state.external.sync(force=True)  # runs made from the CLI or Python in this results root
            await state.supervisor.start()
            try:
                yield
            finally:
                await state.supervisor.stop()
                state.tensorboards.stop_all()
        finally:
            state.lock.release()

    app = FastAPI(
        title="healthtune",
        version=healthtune.__version__,
        description="Health-aware hyperparameter optimization for neural-network classifiers.",
        lifespan=lifespan,
    )
    app.state.healthtune = state
    for module in (
        routes_jobs,
        routes_study,
        routes_files,
        routes_predict,
        routes_uploads,
        routes_meta,
        routes_events,
    ):
        app.include_router(module.router)
    _add_error_handlers(app)
    _add_token_check(app, settings)
    _add_root_redirect(app, settings.root_path)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["*"],
            allow_headers=["*"],
        )
    _mount_ui(app, settings.static_dir or PACKAGE_STATIC)
    app.add_middleware(BodyLimit, settings=settings)
    app.add_middleware(HostCheck, settings=settings)
    if settings.root_path:
        app.add_middleware(ServedUnderPrefix, root_path=settings.root_path)  # added last: outermost
    return app


class ServedUnderPrefix:
    """Tells every request that the app lives under `root_path`, which the proxy forwards unchanged.

    Starlette then routes `/prefix/api/...` as `/api/...`, and the OpenAPI schema names the prefix.
    FastAPI's own `root_path=` did this but is deprecated; uvicorn's `--root-path` is no substitute,
    as it expects a proxy that strips the prefix and would double it here.
    """

    def __init__(self, app: ASGIApp, root_path: str) -> None:
        self.app = app
        self.root_path = root_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["root_path"] = self.root_path
        await self.app(scope, receive, send)


def _api_path(request: Request) -> bool:
    path = request.url.path
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path == "/api" or path.startswith("/api/")


def _add_token_check(app: FastAPI, settings: ServerSettings) -> None:
    if not settings.api_token:
        return
    expected = settings.api_token.encode()

    @app.middleware("http")
    async def require_token(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if _api_path(request) and request.method != "OPTIONS":
            header = request.headers.get("authorization", "")
            offered = header[7:] if header.lower().startswith("bearer ") else ""
            if not hmac.compare_digest(offered.encode(), expected):
                return JSONResponse(
                    {"detail": "missing or wrong API token: send 'Authorization: Bearer <token>'"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        return await call_next(request)


def _add_root_redirect(app: FastAPI, root_path: str) -> None:
    """`{root_path}` -> `{root_path}/`: the UI derives its base from the page URL, which must end in /."""
    if not root_path:
        return

    @app.middleware("http")
    async def add_slash(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path == root_path and request.method in ("GET", "HEAD"):
            query = request.url.query
            return RedirectResponse(f"{root_path}/{'?' + query if query else ''}", status_code=307)
        return await call_next(request)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ConfigError)
    async def config_error(request: Request, error: ConfigError) -> JSONResponse:
        message = str(error)
        return JSONResponse({"detail": validation_detail(message, error_location(message))}, status_code=422)

    @app.exception_handler(DatasetError)
    async def dataset_error(request: Request, error: DatasetError) -> JSONResponse:
        message = str(error)
        location = dataset_error_location(request.url.path, message)
        return JSONResponse({"detail": validation_detail(message, location)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        # One format: a 422 is always FastAPI's list of {loc, msg, type}, every other error a sentence.
        detail: Any = error.detail
        if error.status_code == 422 and isinstance(detail, str):
            detail = validation_detail(detail, ["body"])
        return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(StorageError)
    async def storage_error(request: Request, error: StorageError) -> JSONResponse:
        logger.error("storage error on %s: %s", request.url.path, error)
        return JSONResponse({"detail": str(error)}, status_code=503)

    @app.exception_handler(RunStateError)
    async def run_state_error(request: Request, error: RunStateError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=409)

    @app.exception_handler(HealthtuneError)
    async def healthtune_error(request: Request, error: HealthtuneError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI's shape, minus the echoed input: a client's bad value is named in msg, not re-sent.
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in error.errors()
        ]
        return JSONResponse({"detail": details}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error; the server log has the details"}, status_code=500)


def _mount_ui(app: FastAPI, static_dir: Path) -> None:
    """The built UI at /, with client-side routes falling back to index.html; /api always wins."""
    index = static_dir / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    def ui(path: str) -> Response:
        if path == "api" or path.startswith("api/"):
            raise HTTPException(status_code=404, detail=f"no API route /{path}")
        if not index.is_file():
            return JSONResponse(
                {"detail": "the web UI is not built; run `make run` (or `npm run build` in web/). "
                           "The API is at /api and its docs at /docs."},
                status_code=404,
            )  # fmt: skip
        candidate = (static_dir / path).resolve()
        if path and candidate.is_relative_to(static_dir.resolve()) and candidate.is_file():
            return FileResponse(candidate)
        if path.startswith("assets/"):  # a stale or mistyped bundle: index.html would fail as a script
            raise HTTPException(status_code=404, detail=f"no UI file /{path}")
        return _index_page(index, path)


def _index_page(index: Path, route: str) -> HTMLResponse:
    """index.html, told where the app's root is relative to this page's URL (`route` is the path below it).

    Its assets are relative to that root. Without the hint the page guesses the root from the URL,
    and an unknown route such as /a/b loaded its scripts from /a/ and stayed blank instead of
    saying "page not found". A relative hint holds behind any proxy, prefix or not.
    """
    up = "../" * route.count("/") or "./"
    html = index.read_text(encoding="utf-8").replace(
        "<head>", f'<head><script>window.__HEALTHTUNE_ROOT__ = "{up}";</script>', 1
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})
