"""A run's events: WS /api/jobs/{id}/events?after=K streams them live, GET lists them for polling."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, WebSocket
from starlette.responses import JSONResponse
from starlette.websockets import WebSocketDisconnect

from healthtune.server.jobs_store import TERMINAL
from healthtune.server.progress import read_events
from healthtune.server.schemas import EventOut
from healthtune.server.state import AppState, get_state, get_ws_state

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["events"])


@router.get("/jobs/{job_id}/events", response_model=list[EventOut])
def list_events(
    job_id: str,
    state: Annotated[AppState, Depends(get_state)],
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
) -> list[EventOut]:
    """The run's events with seq > after (oldest first): the WebSocket's messages, for polling clients."""
    events, _ = read_events(state.events_file(state.job(job_id)), after=after)
    return [EventOut(**event) for event in events[:limit]]


def _token_ok(websocket: WebSocket, token: str | None) -> bool:
    expected = get_ws_state(websocket).settings.api_token
    if not expected:
        return True
    header = websocket.headers.get("authorization", "")
    offered = header[7:] if header.lower().startswith("bearer ") else (token or "")
    return hmac.compare_digest(offered.encode(), expected.encode())


async def _deny(websocket: WebSocket, status: int, detail: str) -> None:
    """Refuse the handshake with a real HTTP status where the server supports it, else close."""
    try:
        await websocket.send_denial_response(JSONResponse({"detail": detail}, status_code=status))
    except RuntimeError:
        await websocket.close(code=1008, reason=detail)


@router.websocket("/jobs/{job_id}/events")
async def job_events(websocket: WebSocket, job_id: str, after: int = 0, token: str | None = None) -> None:
    """Each message is one event (JSON with `seq`); reconnect with `after` = the last seq you saw.

    The stream closes (code 1000) once the job has ended and every event was sent.
    """
    state = get_ws_state(websocket)
    if not _token_ok(websocket, token):
        await _deny(websocket, 401, "missing or wrong API token")
        return
    job = state.store.get(job_id)
    if job is None:
        await _deny(websocket, 404, f"no job with id {job_id!r}")
        return
    await websocket.accept()
    events_file = state.events_file(job)
    offset, last = 0, max(0, after)
    receiver = asyncio.create_task(websocket.receive())  # notices a client that goes away
    try:
        while True:
            events, offset = read_events(events_file, after=last, offset=offset)
            for event in events:
                await websocket.send_json(event)
                last = max(last, int(event["seq"]))
            current = state.store.get(job_id)
            if not events and (current is None or current.status in TERMINAL):
                # one more read: the worker may have written its last events just before it exited
                events, offset = read_events(events_file, after=last, offset=offset)
                for event in events:
                    await websocket.send_json(event)
                await websocket.close(code=1000)
                return
            done, _ = await asyncio.wait({receiver}, timeout=state.settings.poll_seconds)
            if done:
                message = receiver.result()
                if message.get("type") == "websocket.disconnect":
                    return
                receiver = asyncio.create_task(websocket.receive())  # clients may ping; ignore it
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await receiver
