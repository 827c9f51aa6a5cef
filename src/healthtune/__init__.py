"""healthtune: health-aware hyperparameter optimization for neural-network classifiers."""

from typing import TYPE_CHECKING

from healthtune.config import (
    Architecture,
    ExecutorKind,
    Mode,
    OptimizationConfig,
    PlotMode,
    PrunerKind,
    SamplerKind,
)
from healthtune.events import Event, EventType
from healthtune.exceptions import HealthtuneError
from healthtune.models.config import ModelConfig
from healthtune.optimizer import ModelOptimizer, optimize
from healthtune.predictor import Predictor, load_predictor
from healthtune.rescoring import rescore
from healthtune.results import OptimizationResult, load_run
from healthtune.scoring import ScoringWeights

__version__ = "0.1.0"

if TYPE_CHECKING:
    from healthtune.health_callback import HealthCallback, diagnose

_LAZY = {"HealthCallback", "diagnose"}  # they import Keras: only when used


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from healthtune import health_callback

        return getattr(health_callback, name)
    raise AttributeError(f"module 'healthtune' has no attribute {name!r}")


__all__ = [
    "Architecture",
    "Event",
    "EventType",
    "ExecutorKind",
    "HealthCallback",
    "HealthtuneError",
    "Mode",
    "ModelConfig",
    "ModelOptimizer",
    "OptimizationConfig",
    "OptimizationResult",
    "PlotMode",
    "Predictor",
    "PrunerKind",
    "SamplerKind",
    "ScoringWeights",
    "__version__",
    "diagnose",
    "load_predictor",
    "load_run",
    "optimize",
    "rescore",
]
