"""Reference routes for forms and explanations: datasets, default weights, search space, health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

import healthtune
from healthtune.core.exceptions import ConfigError, DatasetError
from healthtune.server.data_access import confine_dataset
from healthtune.server.errors import EVERY_ROUTE, error_responses
from healthtune.server.jobs_store import JobStatus
from healthtune.server.schemas import DatasetCheck, DatasetOut, DefaultWeights, HealthOut, SearchParam
from healthtune.server.state import AppState, get_state

router = APIRouter(prefix="/api", tags=["reference"], responses=error_responses(*EVERY_ROUTE))
State = Annotated[AppState, Depends(get_state)]


@router.get("/datasets", response_model=list[DatasetOut])
def datasets(state: State) -> list[DatasetOut]:
    """Every registry dataset: kind, shape, classes, and whether it is cached or will download."""
    from healthtune.data import DataKind, list_datasets

    return [
        DatasetOut(
            name=info.name,
            kind=info.kind.value,
            architecture="cnn" if info.kind is DataKind.IMAGE else "lstm",
            input_shape=list(info.input_shape) if info.input_shape else None,
            num_classes=info.num_classes,
            class_names=list(info.class_names),
            description=info.description,
            download_size_mb=info.download_size_mb,
            cached=info.cached,
        )
        for info in list_datasets(state.settings.data_dir)
    ]


@router.get("/datasets/check", response_model=DatasetCheck)
def check_dataset(name: Annotated[str, Query(min_length=1, max_length=1024)], state: State) -> DatasetCheck:
    """Would POST /api/optimize accept `name` as its dataset_name? If not, `message` says why.

    Checks the form only (a registry name, an existing folder for images:PATH or texts:PATH, an
    existing CSV for csv:PATH, an .npz holding x_train and y_train for npz:PATH, paths as the
    server's machine sees them, inside its uploads or data roots); nothing is loaded or downloaded.
    """
    from healthtune.data import DataKind, dataset_kind
    from healthtune.data.registry import parse_dataset_name

    try:
        confined = confine_dataset(name, state.settings.readable_roots)
        source, _ = parse_dataset_name(confined)
        kind = dataset_kind(confined)
    except (ConfigError, DatasetError, ValueError) as error:
        return DatasetCheck(name=name, valid=False, message=str(error))
    return DatasetCheck(
        name=name.strip(),
        valid=True,
        source=source,
        kind=kind.value,
        architecture="cnn" if kind is DataKind.IMAGE else "lstm",
    )


@router.get("/default-scoring-weights", response_model=DefaultWeights)
def default_scoring_weights() -> DefaultWeights:
    """The defaults of healthtune.core.scoring (the one module that owns them) and what each metric means."""
    from healthtune.core import scoring
    from healthtune.health.metrics import METRIC_DESCRIPTIONS

    return DefaultWeights(
        accuracy_weight=scoring.DEFAULT_ACCURACY_WEIGHT,
        health_overall_weight=scoring.DEFAULT_HEALTH_OVERALL_WEIGHT,
        health_component_proportions=dict(scoring.DEFAULT_HEALTH_COMPONENT_PROPORTIONS),
        descriptions=dict(METRIC_DESCRIPTIONS),
        near_tie_standard_errors=scoring.NEAR_TIE_STANDARD_ERRORS,
        near_tie_loss_tolerance=scoring.NEAR_TIE_LOSS_TOLERANCE,
    )


@router.get("/search-space", response_model=list[SearchParam])
def search_space() -> list[SearchParam]:
    """Every searchable parameter: range or choices, its default, and what it does."""
    from healthtune.core.config import Architecture
    from healthtune.models import ModelConfig
    from healthtune.search.space import SEARCH_SPACE

    defaults = {
        architecture: ModelConfig(architecture=architecture).to_dict() for architecture in Architecture
    }
    return [
        SearchParam(**spec.to_dict(), default=defaults[Architecture(spec.architectures[0])][spec.name])
        for spec in SEARCH_SPACE
    ]


@router.get("/choices", response_model=dict[str, dict[str, str]])
def choices() -> dict[str, dict[str, str]]:
    """For each field with a fixed set of values (mode, pruner, ...): every value and what it does."""
    from healthtune.core.choices import CHOICE_HELP

    return CHOICE_HELP


@router.get("/health", response_model=HealthOut)
def health(state: State) -> HealthOut:
    """Liveness for load balancers and container health checks."""
    return HealthOut(
        status="ok",
        version=healthtune.__version__,
        jobs_running=len(state.store.with_status(JobStatus.RUNNING)),
        jobs_queued=len(state.store.with_status(JobStatus.QUEUED)),
        max_upload_mb=state.settings.max_upload_mb,
    )
