"""healthtune: health-aware hyperparameter optimization for neural-network classifiers."""

from typing import TYPE_CHECKING

from healthtune.core.lazy import lazy_exports
from healthtune.core.version import __version__

if TYPE_CHECKING:
    from healthtune.core.choices import Architecture, ExecutorKind, Mode, PlotMode, PrunerKind, SamplerKind
    from healthtune.core.config import OptimizationConfig
    from healthtune.core.exceptions import HealthtuneError
    from healthtune.core.scoring import ScoringWeights
    from healthtune.health.callback import HealthCallback, diagnose
    from healthtune.models.config import ModelConfig
    from healthtune.run.events import Event, EventType
    from healthtune.run.optimizer import ModelOptimizer, optimize
    from healthtune.run.predictor import Predictor, load_predictor
    from healthtune.run.rescoring import rescore
    from healthtune.run.results import OptimizationResult, load_run

# Imported on first use, so `import healthtune.core.config` (the server validating a request, say) does not
# load the optimizer, the datasets or Keras.
_EXPORTS = {
    "Architecture": "healthtune.core.choices",
    "ExecutorKind": "healthtune.core.choices",
    "Mode": "healthtune.core.choices",
    "PlotMode": "healthtune.core.choices",
    "PrunerKind": "healthtune.core.choices",
    "SamplerKind": "healthtune.core.choices",
    "OptimizationConfig": "healthtune.core.config",
    "Event": "healthtune.run.events",
    "EventType": "healthtune.run.events",
    "HealthtuneError": "healthtune.core.exceptions",
    "HealthCallback": "healthtune.health.callback",
    "diagnose": "healthtune.health.callback",
    "ModelConfig": "healthtune.models.config",
    "ModelOptimizer": "healthtune.run.optimizer",
    "optimize": "healthtune.run.optimizer",
    "Predictor": "healthtune.run.predictor",
    "load_predictor": "healthtune.run.predictor",
    "rescore": "healthtune.run.rescoring",
    "OptimizationResult": "healthtune.run.results",
    "load_run": "healthtune.run.results",
    "ScoringWeights": "healthtune.core.scoring",
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
