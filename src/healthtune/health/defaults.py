"""Every threshold of the health analysis in one place, each with the reason for its value."""

from __future__ import annotations

PROBE_BATCH_SIZE = 256
"""Validation examples in the fixed probe batch: enough for stable unit statistics, cheap to run."""

HEALTH_MONITORING_FREQUENCY = 1
"""Probe every N epochs (the last epoch is always probed)."""

DORMANCY_TAU = 0.025
"""A unit is dormant when its mean |activation| is at most 2.5% of its layer's mean (Sokar et al., 2023)."""

VANISHING_GRADIENT = 1e-7
"""A layer whose gradient L2 norm is below this learns nothing."""

EXPLODING_GRADIENT = 1e3
"""A layer whose gradient L2 norm is above this is exploding."""

GRADIENT_SPREAD = 1e4
"""Max/min gradient norm across layers above this: some layers learn 10,000x slower than others."""

UPDATE_RATIO_HIGH = 1e-1
"""lr * |g| / |w| above this rewrites a layer's weights in a few steps (CS231n: about 1e-3 is healthy)."""

UPDATE_RATIO_LOW = 1e-7
"""lr * |g| / |w| below this barely moves a layer's weights."""

STABILITY_WINDOW = 10
"""Batches in the moving average and moving median of the training loss."""

STABILITY_SPREAD_SCALE = 0.5
"""Std of log-loss residuals at which the spread part of training_stability has fallen to 1/e."""

STABILITY_FLOOR = 0.1
"""Added to batch losses before taking logs, as a share of the initial loss: tiny losses are not noise."""

SPIKE_FACTOR = 2.0
"""A batch loss above this multiple of its moving median is a spike."""

DIVERGENCE_FACTOR = 2.0
"""The training loss ending (median of its last batches) above this multiple of where it started
(the first batch, plus the floor) diverged: training_stability is 0, as for a NaN. A loss that
saturates instead of overflowing (JAX clips probabilities, so a cross-entropy tops out at about 16)
is the same failure without a NaN."""

OVERFITTING_GAP = 0.05
"""Train minus validation accuracy above this counts as overfitting."""

OVERFITTING_GAP_FULL_PENALTY = 0.25
"""Gap at which the overfitting part of convergence_quality reaches 0."""

CONSISTENCY_FOLDS = 5
"""Stratified folds of the validation split for accuracy_consistency."""

CONSISTENCY_STD_SCALE = 0.05
"""Std of fold accuracies at which accuracy_consistency reaches 0."""

EFFICIENCY_REFERENCE_PARAMS = 1e4
"""Parameter count below which parameter_efficiency gives no size penalty."""

HEALTH_PRUNE_DORMANT_SHARE = 0.5
"""Health-aware pruning: stop a trial once more than this share of its units is dormant ..."""

HEALTH_PRUNE_AFTER_EPOCH = 2
"""... at or after this epoch (early epochs are noisy)."""
