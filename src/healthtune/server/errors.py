"""How healthtune's own validation errors (ConfigError) become FastAPI's 422 `detail` list."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from pydantic import BaseModel

from healthtune.core.config import OptimizationConfig
from healthtune.server.requests import RENAMED

_CONFIG_FIELDS = [f.name for f in dataclasses.fields(OptimizationConfig)]
WEIGHT_FIELDS = ("accuracy_weight", "health_overall_weight", "health_component_proportions")
_OVERRIDE_NAMED = re.compile(r"search_space_overrides(?:\[|: unknown parameter )'([^']+)'")


def error_location(message: str) -> list[str | int]:
    """Where a ConfigError points in an OptimizationRequest: the first field its message names.

    Config errors name their field ("trials must be >= 1, got trials=0", "unknown dataset 'x'"),
    so the client gets the same `loc` as for a schema error on that field. A search-space
    parameter's error ("conv_blocks must be in [1, 6]") points into search_space_overrides.
    """
    from healthtune.search.space import PARAMS

    text = message.replace("dataset name", "dataset")
    found = [(match.start(), name) for name in _CONFIG_FIELDS if (match := re.search(rf"\b{name}\b", text))]
    if not found:
        params = [(match.start(), name) for name in PARAMS if (match := re.search(rf"\b{name}\b", text))]
        return ["body", "search_space_overrides", min(params)[1]] if params else ["body"]
    name = min(found)[1]
    if name in WEIGHT_FIELDS:
        return ["body", "weights", name]
    if name == "search_space_overrides" and (named := _OVERRIDE_NAMED.search(text)):
        return ["body", name, named.group(1)]
    return ["body", {v: k for k, v in RENAMED.items()}.get(name, name)]


def weights_error_location(message: str) -> list[str | int]:
    """The `loc` of a ConfigError in a body that is the weights themselves (POST .../rescore)."""
    location = error_location(message)
    return ["body", location[2]] if location[1:2] == ["weights"] else ["body"]


def validation_detail(message: str, location: list[str | int]) -> list[dict[str, Any]]:
    """FastAPI's 422 `detail` for one problem that healthtune's own validation found."""
    return [{"loc": location, "msg": message, "type": "value_error"}]


class ErrorOut(BaseModel):
    """Every error but 422: one sentence saying what was wrong and what is allowed."""

    detail: str


_MEANINGS = {
    400: "the Host header names no host this server answers to (HEALTHTUNE_ALLOWED_HOSTS)",
    401: "a missing or wrong API token, when the server has HEALTHTUNE_API_TOKEN",
    404: "no such job, trial, file or upload",
    409: "the job's state (or a taken name) does not allow this now; detail says what would",
    413: "the request body is over the server's limit (max_request_kb; uploads: max_upload_mb)",
    503: "the study storage is busy or cannot be opened; try again",
}
EVERY_ROUTE = (400, 401)
"""What any /api route can answer, before it runs (Host and token checks)."""


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these status codes, each with its meaning and the ErrorOut body."""
    return {code: {"model": ErrorOut, "description": _MEANINGS[code]} for code in codes}


def dataset_error_location(path: str, message: str) -> list[str | int]:
    """Where a DatasetError points: the upload's filename, the job's dataset_name, or the body."""
    if path.rstrip("/").endswith("/datasets/uploads") and message.startswith("filename"):
        return ["query", "filename"]
    if path.rstrip("/").endswith("/optimize"):
        return ["body", "dataset_name"]
    return ["body"]
