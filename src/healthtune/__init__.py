"""healthtune: health-aware hyperparameter optimization for neural-network classifiers."""

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

__all__ = [
    "Architecture",
    "Event",
    "EventType",
    "ExecutorKind",
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
    "load_predictor",
    "load_run",
    "optimize",
    "rescore",
]
