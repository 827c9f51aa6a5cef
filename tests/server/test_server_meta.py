"""Reference routes the UI builds its forms from, and the UI fallback."""

from __future__ import annotations

from fastapi.testclient import TestClient

from healthtune.core import scoring
from healthtune.health.metrics import METRIC_NAMES
from healthtune.search.space import SEARCH_SPACE


def test_datasets_lists_the_registry_with_kind_shape_and_cache_state(client: TestClient) -> None:
    datasets = {d["name"]: d for d in client.get("/api/datasets").json()}
    assert {"digits", "mnist", "cifar10", "imdb", "reuters"} <= set(datasets)
    assert datasets["digits"]["cached"] is True and datasets["digits"]["architecture"] == "cnn"
    assert datasets["mnist"]["input_shape"] == [28, 28, 1] and datasets["mnist"]["num_classes"] == 10
    assert datasets["imdb"]["kind"] == "text" and datasets["imdb"]["architecture"] == "lstm"


def test_default_weights_come_from_the_scoring_module(client: TestClient) -> None:
    weights = client.get("/api/default-scoring-weights").json()
    assert weights["accuracy_weight"] == scoring.DEFAULT_ACCURACY_WEIGHT
    assert weights["health_overall_weight"] == scoring.DEFAULT_HEALTH_OVERALL_WEIGHT
    assert weights["health_component_proportions"] == dict(scoring.DEFAULT_HEALTH_COMPONENT_PROPORTIONS)
    assert set(weights["descriptions"]) == set(METRIC_NAMES)
    assert weights["near_tie_standard_errors"] == scoring.NEAR_TIE_STANDARD_ERRORS  # the UI explains it
    assert weights["near_tie_loss_tolerance"] == scoring.NEAR_TIE_LOSS_TOLERANCE


def test_search_space_explains_every_parameter_with_its_default(client: TestClient) -> None:
    params = {p["name"]: p for p in client.get("/api/search-space").json()}
    assert set(params) == {spec.name for spec in SEARCH_SPACE}
    assert all(p["description"] for p in params.values())
    # low and high span every network's and optimizer's range; the description gives each one
    assert params["learning_rate"]["low"] == 3e-4 and params["learning_rate"]["log"] is True
    assert "SGD 0.01-0.1" in params["learning_rate"]["description"]
    assert params["filters"]["default"] == 32 and params["lstm_units"]["default"] == 64
    # what an override may use, beyond the searched range
    assert (params["conv_blocks"]["high"], params["conv_blocks"]["allowed_high"]) == (4, 6)
    assert "elu" in params["activation"]["allowed_choices"] and "elu" not in params["activation"]["choices"]


def test_health_and_docs(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["jobs_running"] == 0
    assert client.get("/docs").status_code == 200
    assert "/api/optimize" in client.get("/openapi.json").json()["paths"]


def test_unknown_api_routes_are_404_not_the_ui(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.headers["content-type"].startswith("application/json")


def test_choices_explain_every_value_of_every_enum_field(client: TestClient) -> None:
    from healthtune.core.config import ExecutorKind, Mode, PlotMode, PrunerKind, SamplerKind

    choices = client.get("/api/choices").json()
    for field, enum_type in (("mode", Mode), ("pruner", PrunerKind), ("sampler", SamplerKind),
                             ("plot_mode", PlotMode), ("executor", ExecutorKind)):  # fmt: skip
        assert set(choices[field]) == {member.value for member in enum_type}
        assert all(len(text) > 20 for text in choices[field].values())


def test_the_request_schema_lets_every_derived_default_stay_unset() -> None:
    # A config field whose default is None (derived later, or "no limit") must be nullable in the request,
    # or the web form, built from this schema, would demand a value the server means to derive.
    from dataclasses import fields

    from healthtune.core.config import OptimizationConfig
    from healthtune.server.requests import RENAMED, OptimizationRequest

    by_config_name = {RENAMED.get(name, name): name for name in OptimizationRequest.model_fields}
    properties = OptimizationRequest.model_json_schema()["properties"]
    unset_by_default = [
        f.name for f in fields(OptimizationConfig) if f.default is None and f.name in by_config_name
    ]
    assert {"vocab_size", "sequence_length", "timeout_hours", "max_samples"} <= set(unset_by_default)
    for name in unset_by_default:
        schema = properties[by_config_name[name]]
        assert {"type": "null"} in schema.get("anyOf", []), (name, schema)
    assert "early_stopping_patience" in properties
