"""How healthtune's own validation errors (ConfigError) become FastAPI's 422 `detail` list."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from healthtune.config import OptimizationConfig
from healthtune.server.schemas import RENAMED

_CONFIG_FIELDS = [f.name for f in dataclasses.fields(OptimizationConfig)]
WEIGHT_FIELDS = ("accuracy_weight", "health_overall_weight", "health_component_proportions")
_OVERRIDE_NAMED = re.compile(r"search_space_overrides(?:\[|: unknown parameter )'([^']+)'")


def error_location(message: str) -> list[str]:
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


def weights_error_location(message: str) -> list[str]:
    """The `loc` of a ConfigError in a body that is the weights themselves (POST .../rescore)."""
    location = error_location(message)
    return ["body", location[2]] if location[1:2] == ["weights"] else ["body"]


def validation_detail(message: str, location: list[str]) -> list[dict[str, Any]]:
    """FastAPI's 422 `detail` for one problem that healthtune's own validation found."""
    return [{"loc": location, "msg": message, "type": "value_error"}]
