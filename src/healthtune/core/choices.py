"""The named choices of a run (mode, architecture, executor, ...), each with its explanation."""

from __future__ import annotations

import enum


class Mode(enum.StrEnum):
    """How a trial is scored.

    `simple`: validation accuracy. `health`: accuracy_weight x accuracy + health_overall_weight x
    health. `pareto`: accuracy and health as two objectives; the final model is picked from the
    Pareto set by the weights.
    """

    SIMPLE = "simple"
    HEALTH = "health"
    PARETO = "pareto"


class Architecture(enum.StrEnum):
    """Network family; chosen by the data (images -> CNN, text -> LSTM)."""

    CNN = "cnn"
    LSTM = "lstm"


class ExecutorKind(enum.StrEnum):
    """Where trials run: `local` starts a process per trial (up to concurrent_workers at once);
    `inline` trains them one by one inside the calling process (debugging, quick tests);
    `runpod` sends them to a RunPod serverless endpoint; `ray` runs them as tasks on a Ray cluster."""

    LOCAL = "local"
    INLINE = "inline"
    RUNPOD = "runpod"
    RAY = "ray"


class PrunerKind(enum.StrEnum):
    """How hopeless trials are stopped early (Optuna pruners)."""

    NONE = "none"
    MEDIAN = "median"
    HYPERBAND = "hyperband"


class SamplerKind(enum.StrEnum):
    """How the next hyperparameters are proposed (Optuna samplers)."""

    TPE = "tpe"
    RANDOM = "random"


class PlotMode(enum.StrEnum):
    """Which trials draw diagnostic plots: every trial, only the final model, or none."""

    ALL = "all"
    BEST = "best"
    NONE = "none"


class Objective(enum.StrEnum):
    """What "accuracy" means when trials are picked: measured on validation, reported on test."""

    ACCURACY = "accuracy"
    BALANCED_ACCURACY = "balanced_accuracy"
    MACRO_F1 = "macro_f1"
    ROC_AUC = "roc_auc"


# One sentence per choice of each enum field: the CLI help, the API (/api/choices) and the UI show these.
CHOICE_HELP: dict[str, dict[str, str]] = {
    "mode": {
        "simple": "Score = validation accuracy; health is measured but does not count.",
        "health": "Score = accuracy_weight x accuracy + health_overall_weight x health: among equally "
        "accurate models, the healthier one wins.",
        "pareto": "Accuracy and health are two objectives; the final model is picked from the "
        "Pareto set (models no other model beats on both) by the weights.",
    },
    "pruner": {
        "none": "Every trial trains all its epochs.",
        "median": "Stop a trial whose validation accuracy is below the median of earlier trials at "
        "the same epoch.",
        "hyperband": "Give many trials a few epochs and the most promising ones more (successive halving).",
    },
    "objective": {
        "accuracy": "The share of examples classified right: simple, but on imbalanced data a model that "
        "ignores a rare class still scores high.",
        "balanced_accuracy": "The mean of the per-class recalls: every class counts the same, however rare.",
        "macro_f1": "The mean over classes of F1 (the balance of precision and recall): for imbalanced data "
        "where missing and falsely claiming a rare class both matter.",
        "roc_auc": "Two classes only: how well the model ranks positives above negatives, whatever the "
        "threshold (0.5 = chance, 1 = perfect).",
    },
    "sampler": {
        "tpe": "Tree-structured Parzen Estimator: proposes values like those of the best trials so far.",
        "random": "Independent random values: a baseline that ignores earlier results.",
    },
    "plot_mode": {
        "all": "Every trial draws its 14 diagnostic plots (slower, most to explore).",
        "best": "Only the final model gets its plots.",
        "none": "No per-trial plots (fastest); study plots are still drawn.",
    },
    "executor": {
        "local": "Each trial in its own process on this machine, concurrent_workers at once.",
        "inline": "Trials one by one inside the calling process (debugging).",
        "runpod": "Each trial is a job on a RunPod serverless GPU endpoint (RUNPOD_ENDPOINT_ID, "
        "RUNPOD_API_KEY); artifacts come back through S3 or inline.",
        "ray": "Each trial is a task on a Ray cluster (ray_address), with GPUs and retries.",
    },
}
