"""A run's events: WS /api/jobs/{id}/events?after=K streams them live, GET lists them for polling."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query, WebSocket
from pydantic import TypeAdapter
from starlette.websockets import WebSocketDisconnect

from healthtune.run.events import EventType
from healthtune.run.progress import read_events
from healthtune.server.errors import EVERY_ROUTE, error_responses
from healthtune.server.jobs_store import TERMINAL
from healthtune.server.schemas import EventOut
from healthtune.server.state import AppState, get_state, get_ws_state

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["events"], responses=error_responses(*EVERY_ROUTE))
EVENT_OUT: TypeAdapter[EventOut] = TypeAdapter(EventOut)
EVENT_TYPES = {kind.value for kind in EventType}


@router.get("/jobs/{job_id}/events", response_model=list[EventOut], responses=error_responses(404))
def list_events(
    job_id: str,
    state: Annotated[AppState, Depends(get_state)],
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
) -> list[EventOut]:
    """The run's events with seq > after (oldest first): the WebSocket's messages, for polling clients."""
    events, _ = read_events(state.events_file(state.job(job_id)), after=after)
    known = [event for event in events if event.get("type") in EVENT_TYPES]  # a newer version's: skipped
    return [EVENT_OUT.validate_python(event) for event in known[:limit]]


def _token_ok(websocket: WebSocket, token: str | None) -> bool:
    expected = get_ws_state(websocket).settings.api_token
    if not expected:
        return True
    header = websocket.headers.get("authorization", "")
    offered = header[7:] if header.lower().startswith("bearer ") else (token or "")
    return hmac.compare_digest(offered.encode(), expected.encode())


# Close codes of a refused stream (docs/server.md): the handshake is accepted and the socket closed
# at once with the code and a reason, which browsers (unlike an HTTP status) can read.
CLOSE_INVALID = 1008  # policy violation: a bad query parameter; reconnecting as is cannot help
CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_FOUND = 4404
_MAX_REASON_BYTES = 123  # what a close frame can carry


async def _refuse(websocket: WebSocket, code: int, reason: str) -> None:
    """Accept, then close with `code` and `reason`: a clean close, never a failed handshake."""
    encoded = reason.encode()[:_MAX_REASON_BYTES]
    with contextlib.suppress(WebSocketDisconnect):  # the client went away first
        await websocket.accept()
        await websocket.close(code=code, reason=encoded.decode(errors="ignore"))


def _parse_after(after: str) -> int | None:
    """`after` as an integer >= 0, or None when it is not one (plain ASCII digits only)."""
    return int(after) if re.fullmatch(r"[0-9]{1,18}", after) else None


@router.websocket("/jobs/{job_id}/events")
async def job_events(websocket: WebSocket, job_id: str, after: str = "0", token: str | None = None) -> None:
    """Each message is one event (JSON with `seq`); reconnect with `after` = the last seq you saw.

    The stream closes (code 1000) once the job has ended and every event was sent. A refused
    stream closes with 4401 (token), 4404 (unknown job) or 1008 (bad `after`), and a reason.
    """
    state = get_ws_state(websocket)
    if not _token_ok(websocket, token):
        await _refuse(websocket, CLOSE_UNAUTHORIZED, "missing or wrong API token")
        return
    first = _parse_after(after)
    if first is None:
        await _refuse(
            websocket, CLOSE_INVALID, f"invalid parameter: after must be an integer >= 0, got {after[:40]!r}"
        )
        return
    job = state.store.get(job_id)
    if job is None:
        await _refuse(websocket, CLOSE_NOT_FOUND, f"no job with id {job_id[:64]!r}")
        return
    await websocket.accept()
    events_file = state.events_file(job)
    offset, last = 0, first
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
