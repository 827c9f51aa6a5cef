"""Predict routes: classify images or texts with a finished job's best model ("Try the model")."""

from __future__ import annotations

import base64
import binascii
import io
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends
from PIL import Image
from pydantic import BaseModel, Field

from healthtune.core.exceptions import DatasetError
from healthtune.server.errors import EVERY_ROUTE, error_responses
from healthtune.server.routes_files import optimized_summary
from healthtune.server.state import AppState, get_state

if TYPE_CHECKING:
    from pathlib import Path

    from healthtune.run.predictor import Predictor

router = APIRouter(prefix="/api", tags=["predict"], responses=error_responses(*EVERY_ROUTE))
State = Annotated[AppState, Depends(get_state)]

MAX_TEXTS = 64
MAX_IMAGES = 32
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000
LOADED_MODELS = 2  # predictors kept in memory, most recently used first
_loaded: OrderedDict[tuple[str, float], Predictor] = OrderedDict()
_lock = threading.Lock()  # one prediction at a time: models are loaded once and shared


class PredictorInfo(BaseModel):
    """What a job's best model classifies, read from its preprocessing.json (nothing is loaded)."""

    kind: str = Field(description="image or text: what POST /predict takes")
    class_names: list[str] = Field(description="the model's classes, in output order")
    input_shape: list[int | None]


class PredictRequest(BaseModel):
    """Texts for a text run, or images for an image run, prepared exactly as the training data was."""

    texts: list[str] | None = Field(default=None, max_length=MAX_TEXTS, description="raw texts to classify")
    images: list[str] | None = Field(
        default=None,
        max_length=MAX_IMAGES,
        description="image files (PNG, JPEG, ...) as base64 or data: URLs; any size, resized like training",
    )
    top: int = Field(default=3, ge=1, le=100, description="how many classes to return per input")


class ClassProbability(BaseModel):
    label: str
    probability: float


class Prediction(BaseModel):
    index: int = Field(description="position of the input in the request")
    top: list[ClassProbability] = Field(description="the most likely classes, most likely first")


class PredictOut(BaseModel):
    kind: str
    predictions: list[Prediction]


def _record(state: AppState, job_id: str) -> tuple[dict[str, Any], Path]:
    """The optimized model's preprocessing record and folder; 409 while running, 404 without a model."""
    from healthtune.run.predictor import load_preprocessing

    job = state.job(job_id)
    paths = state.run_paths(job)
    summary = optimized_summary(paths, job)
    return load_preprocessing(paths.optimized_dir / str(summary["model_file"])), paths.optimized_dir


@router.get("/jobs/{job_id}/predictor", response_model=PredictorInfo, responses=error_responses(404, 409))
def predictor_info(job_id: str, state: State) -> PredictorInfo:
    """Whether the job's best model takes images or texts, and its class names."""
    record, _ = _record(state, job_id)
    return PredictorInfo(
        kind=record["kind"], class_names=record["class_names"], input_shape=record["input_shape"]
    )


def _image(data: str, index: int) -> Image.Image:
    encoded = data.split(",", 1)[1] if data.startswith("data:") else data
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise DatasetError(f"images[{index}] is not base64 (send the file's bytes base64-encoded)") from None
    if len(raw) > MAX_IMAGE_BYTES:
        raise DatasetError(f"images[{index}] has {len(raw)} bytes; at most {MAX_IMAGE_BYTES} are accepted")
    try:
        image = Image.open(io.BytesIO(raw))  # reads the header only
        if image.width * image.height > MAX_IMAGE_PIXELS:  # a small file may decode to gigabytes
            raise DatasetError(
                f"images[{index}] is {image.width}x{image.height}; at most {MAX_IMAGE_PIXELS:,} pixels are accepted"
            )
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise DatasetError(f"images[{index}] is not an image file we can read: {error}") from None
    return image


def _predictor(folder: Path) -> Predictor:
    from healthtune.run.predictor import find_model_file, load_predictor

    model_file = find_model_file(folder)
    key = (str(model_file), model_file.stat().st_mtime)  # a rescore assembles a new best model
    if key not in _loaded:
        _loaded[key] = load_predictor(folder)
        while len(_loaded) > LOADED_MODELS:
            _loaded.popitem(last=False)
    _loaded.move_to_end(key)
    return _loaded[key]


@router.post("/jobs/{job_id}/predict", response_model=PredictOut, responses=error_responses(404, 409, 413))
def predict(job_id: str, request: PredictRequest, state: State) -> PredictOut:
    """Classify `texts` (a text run) or `images` (an image run) with the job's best model."""
    record, folder = _record(state, job_id)
    kind = record["kind"]
    wanted, other = ("images", "texts") if kind == "image" else ("texts", "images")
    given = request.images if kind == "image" else request.texts
    if not given or getattr(request, other):
        raise DatasetError(
            f"this job's model classifies {kind}s: send a non-empty {wanted} list, not {other}"
        )
    inputs = [_image(data, i) for i, data in enumerate(given)] if kind == "image" else given
    with _lock:
        predictor = _predictor(folder)
        probabilities = predictor.predict_proba(inputs)
    names = predictor.class_names
    return PredictOut(
        kind=kind,
        predictions=[
            Prediction(
                index=i,
                top=[
                    ClassProbability(label=names[c], probability=float(row[c]))
                    for c in row.argsort()[::-1][: request.top]
                ],
            )
            for i, row in enumerate(probabilities)
        ],
    )
