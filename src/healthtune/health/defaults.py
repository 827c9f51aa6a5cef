"""Every threshold of the health analysis in one place, each with the reason for its value."""

from __future__ import annotations

PROBE_BATCH_SIZE = 256
"""Validation examples in the fixed probe batch: enough for stable unit statistics, cheap to run."""

HEALTH_MONITORING_FREQUENCY = 1
"""Probe every N epochs (the last epoch is always probed)."""

DORMANCY_TAU = 0.025
"""A unit is dormant when its mean |activation| is at most 2.5% of its layer's mean (Sokar et al., 2023)."""

SATURATION_MARGIN = 0.005
"""An output within this share of its activation's range from a bound is saturated (tanh and softsign:
|a| >= 0.99; sigmoid: a <= 0.005 or a >= 0.995): the slope there is at most about 2% of its largest
(tanh: 1 - 0.99^2; sigmoid: 0.995 x 0.005 / 0.25), so almost no gradient flows back through it and the
unit acts as an on/off switch for that input."""

SATURATED_SHARES = {"info": 0.10, "warning": 0.50}
"""Severity of a layer's saturated share (of its non-dormant units' outputs). No critical: a saturated
layer still passes a signal, its sign. A tanh stack initialized with weights of standard deviation 1
(digits, 3 layers of 128) saturated 48-80% of its outputs and overfitted (train 17 points above
validation); with the default initialization, 0-0.2%."""

DORMANT_SHARES = {"info": 0.10, "warning": 0.50, "critical": 0.90}
"""Severity of a layer's dormant share. Critical (which caps health) only when the layer passes almost no
signal; a warning when half of it is wasted; info from a tenth. Trained ReLU layers commonly keep 10-40%
dormant units without harm (the references of bench/health_validity.py: up to 25% on digits; 47-78% in
the dense head of the default CNN on Fashion-MNIST, which still learned, before that head was
batch-normalized)."""

VANISHING_GRADIENT = 1e-7
"""A layer whose gradient L2 norm is below this learns nothing."""

EXPLODING_GRADIENT = 1e3
"""A layer whose gradient L2 norm is above this is exploding."""

GRADIENT_SPREAD = 1e4
"""Max/min gradient norm across layers above this: some layers learn 10,000x slower than others."""

VANISHING_DEPTH_RATIO = 100.0
"""A layer whose update ratio is over 100x (two orders of magnitude) below the output layer's in the same
probe is vanishing, however large its gradient: it moves its weights 100x slower than the layer the loss
reaches first. Healthy networks measured 1-30x apart (batch norm's scale and shift the lowest); a
10-layer sigmoid stack 1e2-1e4x. Update ratios, not raw norms, are compared because a norm grows with
a layer's size."""

UPDATE_RATIO_HIGH = 1e-1
"""lr * |g| / |w| above this rewrites a layer's weights in a few steps (CS231n: about 1e-3 is healthy)."""

UPDATE_RATIO_LOW = 1e-7
"""lr * |g| / |w| below this barely moves a layer's weights."""

STALL_DROP = 0.2
"""The training loss (median of the last batches) must end at least 20% below where it started (median of
the first batches) for full training_stability; a loss that does not move is stalled, not stable."""

SLOW_LEARNING_DROP = 0.1
"""A training loss that ended at least 10% (but less than STALL_DROP) below its start learned slowly: its
finding says "fell only 19%", not "stalled", though training_stability scores both alike."""

STABILITY_WINDOW = 10
"""Batches in the moving average and moving median of the training loss."""

STABILITY_SPREAD_SCALE = 0.5
"""Std of log-loss residuals at which the spread part of training_stability has fallen to 1/e."""

STABILITY_FLOOR = 0.1
"""Added to batch losses before taking logs, as a share of the initial loss: tiny losses are not noise."""

SPIKE_FACTOR = 2.0
"""A batch loss above this multiple of its moving median is a spike."""

SPIKE_SHARES = {"info": 0.02, "warning": 0.05}
"""Severity of the share of batches that spike: one batch in 50 is the occasional hard batch of a small,
well-trained model (healthy references measured up to 2.1%); one in 20 is an optimizer that overshoots."""

DIVERGENCE_FACTOR = 2.0
"""The training loss ending (median of its last batches) above this multiple of where it started
(the first batch, plus the floor) diverged: training_stability is 0, as for a NaN. A loss that
saturates instead of overflowing (JAX clips probabilities, so a cross-entropy tops out at about 16)
is the same failure without a NaN."""

OVERFITTING_GAP = 0.05
"""Train minus validation accuracy above this counts as overfitting: the generalization part of
convergence_quality starts to fall, and a finding names the gap. Up to OVERFITTING_CRITICAL_GAP it is
a warning only once the validation loss has risen VAL_LOSS_RISE above its lowest, early stopping's
extra epochs included; before that a gap is what a model that fits its training images well shows (the
Fashion-MNIST references of bench/health_validity.py: 6.7-7.8% with no rise, the planted overfitting
cases 19-150% of rise), so it is an info to watch, not yet a fault."""

OVERFITTING_CRITICAL_GAP = 0.15
"""Train minus validation accuracy above this is a critical finding (and caps health): the model gets
unseen examples wrong three times as often as a 5-point gap allows."""

OVERFITTING_GAP_FULL_PENALTY = 0.25
"""Gap at which the generalization part of convergence_quality reaches 0."""

UNDERFITTING_GAP = -0.10
"""Train accuracy (measured after training, on the training labels) this far below validation accuracy:
the model cannot fit its own training labels, which validation says it could: noisy labels, or far too
much regularization. Dropout alone measured -0.02..+0.02 on the references."""

UNDERFITTING_GAP_FULL_PENALTY = -0.30
"""Gap at which the underfitting penalty of convergence_quality's generalization part reaches 1."""

VAL_LOSS_RISE = 0.1
"""A validation loss more than 10% above its best: training went on past the best epoch."""

VAL_LOSS_RISE_FLOOR = 0.02
"""...and by at least this share of the chance loss, for the findings: a model whose validation loss is
near 0 moves by 10% when one or two examples flip (a digits reference measured 0.042 -> 0.044, a
bloated one 0.037 -> 0.050, 0.6% of ln 10); 2% of the chance loss undoes a share of what was learned."""

VAL_LOSS_RISE_FULL_PENALTY = 0.5
"""Rise beyond VAL_LOSS_RISE (as a share of the best loss) at which its penalty reaches 1 (a 60% rise)."""

STILL_FALLING = 0.05
"""A last epoch that lowered the validation loss by more than 5% of it (and by VAL_LOSS_RISE_FLOOR of the
chance loss) ended a run that was still learning: an info, since a short budget is a choice, not a
fault. The references of bench/health_validity.py that ran to their last epoch ended at 0-3%; the deep
tanh stack trained by plain SGD on Fashion-MNIST at 10% per epoch and accelerating (59-61% accuracy)."""

TRAIN_EVAL_EXAMPLES = 2000
"""Training examples evaluated after training (inference mode) for the train/validation gap: the epoch's
running accuracy lags the model and includes dropout, so it understates the gap."""

MIN_EPOCH_IMPROVEMENT = 0.01
"""An epoch improves when its validation loss beats the best so far by at least 1% of it."""

BARELY_FELL_IMPROVEMENT = 0.1
"""A validation loss less than 10% of the way below the chance loss gets the finding "barely fell"."""

CONVERGENCE_FULL_IMPROVEMENT = 0.25
"""Validation-loss improvement (share of ln(classes)) below which convergence_quality's generalization
part is credited only in proportion: a run that did not learn cannot earn credit for not overfitting."""

CONSISTENCY_FOLDS = 5
"""Stratified folds of the validation split for accuracy_consistency."""

CONSISTENCY_REPEATS = 10
"""Times the validation split is cut into folds (seeds seed..seed+9); the fold variance is averaged."""

CONSISTENCY_NOISE_BAND = 2.37
"""Fold variance up to this multiple of the sampling variance p(1 - p) / n is noise: with 5 folds the
variance of one split is a chi-square with 4 degrees of freedom / 4 times the sampling variance, whose
95th percentile is 2.37. Random folds of a fixed model differ by sampling alone, so beyond this band
is rare: the metric no longer calls a small validation split's noise inconsistency."""

CONSISTENCY_EXCESS_SCALE = 0.05
"""Fold spread beyond sampling noise at which accuracy_consistency reaches 0."""

EFFICIENCY_REFERENCE_PARAMS = 1e4
"""Parameter count below which parameter_efficiency gives no size penalty."""

LEARNED_GAIN = 0.5
"""The learning gate: health is multiplied by min(1, gain / 0.5), gain = (accuracy - chance) / (1 - chance)
on validation, chance = the best constant guess (the majority class, at least 1 / classes). A model must
get at least half of what guessing gets wrong right before the way it trains counts in full: a network at
chance is never healthy, however calm its loss and gradients."""

NOT_LEARNED_GAIN = 0.2
"""Gain below this: the critical finding "did not learn", and the trial stays off the Pareto front."""

CRITICAL_HEALTH_CAP = 0.5
"""Health cannot exceed this while a critical finding stands (NaN, divergence, a mostly dormant layer,
severe overfitting, no learning): at best "fair", never "healthy", so the number and the words agree."""

ONE_ANSWER_SHARE = 0.95
"""A model that did not learn and gives one class for at least this share of the validation examples has
collapsed to one answer: its finding then names the causes that do that beside a wrong learning rate
(regularization strong enough to pin the weights; the majority of imbalanced classes)."""

IMBALANCED_MAJORITY_SHARE = 0.75
"""A model that learned nothing answers the most common class on any data: its loss is lowest there.
Only when that class holds this share of the examples is the imbalance itself a likely cause (the other
classes' gradients are few), so only then does the finding put class weights first. Not 3 / classes:
Reuters R8's networks that did not learn (52% of one topic) have vanishing gradients or a learning rate
far too low, and class weights would have been named before them."""

UNSCALED_INPUT_MAGNITUDE = 20.0
"""Float inputs reaching this absolute value are unscaled (pixels in 0-255, raw features): networks and
their default initializations and learning rates expect values near 0-1."""

PREDICTION_MODE_DROP = 0.2
"""A model that did not learn on validation but got this much more of its training examples right while
training (the epoch's running accuracy) than at prediction (the same kind of examples, measured after
training) did learn: something acts differently at prediction. Almost always batch normalization, whose
moving statistics had too few steps to settle (one epoch of 17 batches on digits: 49% while training, 10%
at prediction); dropout and augmentation only lower the accuracy while training. 0.2: 20 points, far
beyond the few points a batch's luck or the epoch's changing weights explain."""

LAYER_FINDINGS_SHOWN = 3
"""Of more layers than this with the same problem (a pretrained backbone whose gradients all vanish), the
first ones get a finding each and one more finding names the rest; every layer's numbers stay in the details."""

METRIC_THRESHOLDS = {
    "neuron_utilization": 0.75,
    "parameter_efficiency": 0.3,
    "training_stability": 0.5,
    "gradient_health": 0.75,
    "convergence_quality": 0.6,
    "accuracy_consistency": 0.5,
    "calibration": 0.6,
    "robustness": 0.5,
}
"""Below its threshold a metric always has a finding that names it. Why each value: a quarter of all units
dormant; a gain of 0.9 at about a million parameters; half the stability score
lost (a log-loss spread of 0.35, or a loss that fell only 10%); a quarter of the layer-probe pairs
unhealthy; about one of convergence's three parts lost; half the excess-spread scale beyond noise;
a calibration error of 0.10 (confidences off by 10 points on average); corruptions that take away half
of what the model learned above chance."""

CALIBRATION_ERROR_AT_ZERO = 0.25
"""Expected calibration error (15 bins, on validation) at which calibration scores 0; it falls linearly
from 1 at a perfectly calibrated model. Trained classifiers in the benchmark pools measured 0.004-0.06;
a model whose confidences are off by 25 points on average cannot be read as probabilities at all."""

UNDERCONFIDENT_WARNING_ERROR = CALIBRATION_ERROR_AT_ZERO
"""An underconfident model (less sure than it is right) gets a warning from this calibration error on;
from the error at which an overconfident one gets its warning (calibration's threshold) up to it, an info.
The harm differs: an overconfident model's probabilities make users trust wrong answers, an underconfident
one's make them double-check right ones. A small net with a batch-normalized head, 80% sure and right 97%
of the time after 10 epochs on digits (error 0.17), is cautious, not sick; models trained on shuffled labels
(error 0.25 and more in bench/health_validity.py) still get the warning."""

UNDERCONFIDENCE_WEIGHT = (
    (1 - METRIC_THRESHOLDS["calibration"]) * CALIBRATION_ERROR_AT_ZERO / UNDERCONFIDENT_WARNING_ERROR
)
"""Share of the underconfident part of the calibration error that the calibration score counts (0.4): so
that an underconfident model falls below calibration's threshold exactly where its finding becomes a
warning, and the number and the words agree. Overconfidence counts in full, as in Thulasidasan et al.'s
overconfidence error (2019): it is the direction that misleads."""

ROBUSTNESS_EXAMPLES = 1000
"""Validation examples robustness corrupts (a fixed random subset beyond this): half of what "What health
bought you" corrupts on test, so five extra prediction passes cost 2-3 s at the end of a default MNIST
trial, and the mean corrupted accuracy over 5,000 predictions still has a standard error under a point.
bench/health_overhead.py measured 1.157x with it, 1.175x with 2,000 and 1.182x without the metric on the
same machine: within that benchmark's run-to-run noise (single runs 1.06-1.26)."""

OUTCOME_SEED = 0
"""Seed of the corrupted subset and its corruptions (validation for robustness, test for "What health
bought you"): every trial of every run is judged on identical inputs, so the numbers compare models,
not draws."""

HEALTH_PRUNE_DORMANT_SHARE = 0.5
"""Health-aware pruning: stop a trial once more than this share of its units is dormant ..."""

HEALTH_PRUNE_AFTER_EPOCH = 2
"""... at or after this epoch (early epochs are noisy)."""
