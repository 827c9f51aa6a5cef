"""healthtune: health-aware hyperparameter optimization for neural-network classifiers."""

from typing import TYPE_CHECKING

from healthtune.lazy import lazy_exports
from healthtune.version import __version__

if TYPE_CHECKING:
    from healthtune.choices import Architecture, ExecutorKind, Mode, PlotMode, PrunerKind, SamplerKind
    from healthtune.config import OptimizationConfig
    from healthtune.events import Event, EventType
    from healthtune.exceptions import HealthtuneError
    from healthtune.health_callback import HealthCallback, diagnose
    from healthtune.models.config import ModelConfig
    from healthtune.optimizer import ModelOptimizer, optimize
    from healthtune.predictor import Predictor, load_predictor
    from healthtune.rescoring import rescore
    from healthtune.results import OptimizationResult, load_run
    from healthtune.scoring import ScoringWeights

# Imported on first use, so `import healthtune.config` (the server validating a request, say) does not
# load the optimizer, the datasets or Keras.
_EXPORTS = {
    "Architecture": "healthtune.choices",
    "ExecutorKind": "healthtune.choices",
    "Mode": "healthtune.choices",
    "PlotMode": "healthtune.choices",
    "PrunerKind": "healthtune.choices",
    "SamplerKind": "healthtune.choices",
    "OptimizationConfig": "healthtune.config",
    "Event": "healthtune.events",
    "EventType": "healthtune.events",
    "HealthtuneError": "healthtune.exceptions",
    "HealthCallback": "healthtune.health_callback",
    "diagnose": "healthtune.health_callback",
    "ModelConfig": "healthtune.models.config",
    "ModelOptimizer": "healthtune.optimizer",
    "optimize": "healthtune.optimizer",
    "Predictor": "healthtune.predictor",
    "load_predictor": "healthtune.predictor",
    "rescore": "healthtune.rescoring",
    "OptimizationResult": "healthtune.results",
    "load_run": "healthtune.results",
    "ScoringWeights": "healthtune.scoring",
}


__getattr__ = lazy_exports("healthtune", _EXPORTS, globals())


def __dir__() -> list[str]:
    return sorted(__all__)


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
