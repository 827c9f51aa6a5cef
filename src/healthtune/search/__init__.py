"""Search: the search space, overrides, the trial -> ModelConfig selector and the Optuna study."""

from healthtune.search.overrides import validate_overrides
from healthtune.search.selector import HyperparameterSelector
from healthtune.search.space import SEARCH_SPACE, ParamSpec, params_for

__all__ = ["SEARCH_SPACE", "HyperparameterSelector", "ParamSpec", "params_for", "validate_overrides"]
