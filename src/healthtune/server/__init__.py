"""healthtune's API server: jobs in child processes, live events over WebSocket, downloads."""

from __future__ import annotations

from healthtune.server.app import create_app
from healthtune.server.serve import serve
from healthtune.server.settings import ServerSettings

__all__ = ["ServerSettings", "create_app", "serve"]
