"""ASGI guards in front of every route: the Host allowlist and the size limit of request bodies."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from healthtune.server.settings import ServerSettings

UPLOAD_ROUTE = "/api/datasets/uploads"
"""The one route whose body is a file: it streams to disk under its own limit (max_upload_mb)."""


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


async def _send_json(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class HostCheck:
    """Answers only requests whose Host header names this server (settings.allowed_hosts).

    Without it a web page on any site could reach a token-less server on 127.0.0.1 by making its
    own name resolve to 127.0.0.1 (DNS rebinding): the browser then sends that page's name as Host.
    Refused HTTP requests get 400; refused WebSocket handshakes are closed before they are accepted.
    """

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.settings.allows_host(_header(scope, b"host")):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await _send_json(
            send,
            400,
            "this server does not answer to that Host header; its operator lists the names it answers "
            "to in HEALTHTUNE_ALLOWED_HOSTS",
        )


class BodyLimit:
    """Refuses request bodies over settings.max_request_bytes with 413 before they are parsed.

    A declared Content-Length is checked first; a chunked body is counted as it arrives. Uploads
    are left to their route, which streams them to disk under the larger max_upload_mb.
    """

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.limit = settings.max_request_bytes

    def _message(self) -> str:
        return (
            f"the request body is larger than this server's limit of {self.limit // 1024} KB "
            "(max_request_kb); datasets are sent to POST /api/datasets/uploads"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _route(scope) == UPLOAD_ROUTE:
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared.strip().isdigit() and int(declared) > self.limit:
            await _send_json(send, 413, self._message())
            return
        received = 0
        too_large = started = False

        async def counted() -> Message:
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:  # the app sees a client that left; the 413 is sent below
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def answer(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # whatever the app says about a body it never got whole
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, answer)
        except Exception:
            if not too_large:
                raise
        if too_large and not started:
            await _send_json(send, 413, self._message())


def _route(scope: Scope) -> str:
    """The request's path below the app's root_path (a reverse proxy's prefix)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path.rstrip("/")
