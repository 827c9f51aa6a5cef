"""Dataset upload routes: send an image folder (zipped), a CSV or an .npz, then optimize on it by name."""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from healthtune.data.uploads import (
    UPLOAD_SUFFIXES,
    UploadedDataset,
    add_upload,
    check_upload_filename,
    delete_upload,
    find_upload,
    list_uploads,
)
from healthtune.server.data_access import reads_from
from healthtune.server.errors import EVERY_ROUTE, error_responses
from healthtune.server.jobs_store import JobStatus
from healthtune.server.state import AppState, get_state

router = APIRouter(prefix="/api", tags=["datasets"], responses=error_responses(*EVERY_ROUTE))
State = Annotated[AppState, Depends(get_state)]

_BINARY_BODY = {
    "requestBody": {
        "required": True,
        "description": "the file's bytes, as they are (no multipart form)",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class UploadOut(BaseModel):
    """A stored upload; pass its dataset_name to POST /api/optimize."""

    upload_id: str = Field(description="the upload's folder name, for DELETE")
    filename: str = Field(description="the name the file was sent with")
    dataset_name: str = Field(
        description="what an optimization's dataset_name takes: images:, csv: or npz: PATH"
    )
    kind: str = Field(description="image (a CNN is searched) or text (an LSTM is searched)")
    size_bytes: int = Field(description="size of the file as sent")
    created_at: str = Field(description="when it was stored (ISO 8601, UTC)")
    classes: list[str] = Field(description="class names found; empty for .npz (read when a run loads it)")
    examples: int = Field(description="examples found (train and test together)")


def _out(upload: UploadedDataset) -> UploadOut:
    return UploadOut.model_validate(asdict(upload))


async def _receive(request: Request, target: Path, limit: int) -> int:
    """Stream the body into `target`; 413 past `limit` bytes (a declared Content-Length is checked first)."""
    too_large = HTTPException(
        413, f"the file is larger than this server's upload limit of {limit // 2**20} MB (max_upload_mb)"
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    received = 0
    with target.open("wb") as out:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise too_large
            out.write(chunk)
    return received


@router.post(
    "/datasets/uploads",
    response_model=UploadOut,
    status_code=201,
    openapi_extra=_BINARY_BODY,
    responses=error_responses(413),
)
async def upload_dataset(
    request: Request,
    state: State,
    filename: Annotated[
        str,
        Query(
            min_length=1,
            max_length=255,
            description=f"the file's name; its ending says what it holds: {', '.join(UPLOAD_SUFFIXES)}",
        ),
    ],
) -> UploadOut:
    """Store a dataset sent as the request body and check it; nothing is trained or decoded yet.

    An archive (.zip, .tar, .tar.gz, ...) holds an image folder (one sub-folder per class,
    optionally inside train/ and test/), or a train.csv (+ test.csv), or one .csv or .npz; a
    wrapping top folder is fine. Unusable content is refused with 422 saying what was expected,
    and nothing is kept.
    """
    check_upload_filename(filename)
    root = state.settings.uploads_dir
    root.mkdir(parents=True, exist_ok=True)
    limit = state.settings.max_upload_bytes
    handle, name = tempfile.mkstemp(dir=root, prefix=".incoming-")
    os.close(handle)
    received = Path(name)
    try:
        if await _receive(request, received, limit) == 0:
            raise HTTPException(422, "the request body is empty; send the file's bytes as the body")
    except BaseException:
        received.unlink(missing_ok=True)
        raise
    upload = await run_in_threadpool(
        add_upload, received, filename, root, max_unpacked_bytes=state.settings.max_unpacked_bytes
    )
    return _out(upload)


@router.get("/datasets/uploads", response_model=list[UploadOut])
def uploads(state: State) -> list[UploadOut]:
    """Every uploaded dataset, newest first."""
    return [_out(upload) for upload in list_uploads(state.settings.uploads_dir)]


@router.delete(
    "/datasets/uploads/{upload_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(404, 409),
)
def remove_upload(upload_id: str, state: State) -> Response:
    """Delete an uploaded dataset and its files; 409 while a queued or running job uses it."""
    root = state.settings.uploads_dir
    upload = find_upload(root, upload_id)
    if upload is None:
        raise HTTPException(404, f"no uploaded dataset {upload_id!r}")
    users = [
        job.id
        for job in state.store.with_status(JobStatus.QUEUED, JobStatus.RUNNING)
        if reads_from(str(job.config.get("dataset", "")), root / upload.upload_id)
    ]
    if users:
        raise HTTPException(409, f"job {users[0]} uses {upload.filename!r}; cancel it or let it finish first")
    delete_upload(root, upload_id)
    return Response(status_code=204)
