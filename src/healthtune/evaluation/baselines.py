"""Reference baselines of every run: the majority class and a linear model, fitted on its training split."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from healthtune.data.base import DataKind, Dataset

logger = logging.getLogger(__name__)

LINEAR_MAX_EXAMPLES = 20_000
"""Training examples the linear model sees at most (a stratified sample beyond): with stochastic
gradient descent it stays within seconds on a 2-core CPU (MNIST: 1.5 s for 10,000 images, 0.4 s for
Reuters R8), well under a tenth of any search's time. lbfgs took 20-35x longer for 0.5 points more."""
IMAGE_EPOCHS, IMAGE_L2 = 10, 1e-4
TEXT_EPOCHS, TEXT_L2 = 20, 1e-5
SAMPLE_SEED = 0
BEAT_MARGIN = 0.0
"""The best network must have a validation accuracy above the linear model's by more than this."""
TIED_SUGGESTION = (
    "The data may be simple enough for the linear model, which is cheaper to run and easier to understand; "
    "a network pulls ahead, if at all, with more or harder examples."
)
NOT_BEATEN_SUGGESTION = (
    "more epochs or trials, a smaller learning rate range, more training data, or (texts) the "
    "bag-of-embeddings encoder; on data this small or this linear, the linear model may simply be the "
    "better choice."
)


@dataclass(frozen=True)
class Baseline:
    """One reference model, scored like the trials: on the validation split, reported on the test split."""

    name: str  # majority or linear
    description: str
    val_accuracy: float
    test_accuracy: float | None
    train_examples: int
    subsampled: bool
    seconds: float


def majority(dataset: Dataset) -> Baseline:
    """Always the most frequent training class: the accuracy any model must clearly beat."""
    started = time.perf_counter()
    counts = np.bincount(dataset.y_train, minlength=dataset.num_classes)
    label = int(np.argmax(counts))
    return Baseline(
        name="majority",
        description=f"always '{dataset.class_names[label]}', the most frequent training class",
        val_accuracy=float(np.mean(dataset.y_val == label)),
        test_accuracy=float(np.mean(dataset.y_test == label)) if len(dataset.y_test) else None,
        train_examples=len(dataset.y_train),
        subsampled=False,
        seconds=time.perf_counter() - started,
    )


def _sample(y: np.ndarray, limit: int) -> np.ndarray:
    """Indexes of at most `limit` examples, every class keeping its share (seeded)."""
    if len(y) <= limit:
        return np.arange(len(y))
    from sklearn.model_selection import train_test_split

    kept, _ = train_test_split(
        np.arange(len(y)),
        train_size=limit,
        random_state=SAMPLE_SEED,
        stratify=y if min(np.bincount(y)) > 1 else None,
    )
    return np.sort(kept)


def _text_features(dataset: Dataset) -> tuple[Any, Any, Any]:
    """TF-IDF of the word indexes the networks see (vocabulary and sequence length of the run)."""
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfTransformer

    width = int(dataset.vocab_size or int(dataset.x_train.max()) + 1)

    def counts(x: np.ndarray) -> Any:
        rows = np.repeat(np.arange(len(x)), x.shape[1])
        words = x.reshape(-1)
        keep = words > 1  # 0 pads, 1 is out-of-vocabulary
        return csr_matrix((np.ones(int(keep.sum())), (rows[keep], words[keep])), shape=(len(x), width))

    tfidf = TfidfTransformer(sublinear_tf=True)
    return (
        tfidf.fit_transform(counts(dataset.x_train)),
        tfidf.transform(counts(dataset.x_val)),
        (tfidf.transform(counts(dataset.x_test)) if len(dataset.y_test) else None),
    )


def _pixel_features(dataset: Dataset, keep: np.ndarray) -> tuple[Any, Any, Any]:
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler()
    train = scaler.fit_transform(dataset.x_train[keep].reshape(len(keep), -1))
    val = scaler.transform(dataset.x_val.reshape(len(dataset.y_val), -1))
    test = scaler.transform(dataset.x_test.reshape(len(dataset.y_test), -1)) if len(dataset.y_test) else None
    return train, val, test


def linear(dataset: Dataset) -> Baseline:
    """Logistic regression on standardized pixels (images) or on TF-IDF of the words (texts)."""
    from sklearn.linear_model import SGDClassifier

    started = time.perf_counter()
    keep = _sample(dataset.y_train, LINEAR_MAX_EXAMPLES)
    if dataset.kind is DataKind.TEXT:
        train, val, test = _text_features(dataset)
        train = train[keep]
        description = "logistic regression on TF-IDF of the words the networks see"
        epochs, l2 = TEXT_EPOCHS, TEXT_L2
    else:
        train, val, test = _pixel_features(dataset, keep)
        description = "logistic regression on standardized pixels"
        epochs, l2 = IMAGE_EPOCHS, IMAGE_L2
    # logistic regression fitted by stochastic gradient descent, a fixed number of passes (seeded)
    model = SGDClassifier(loss="log_loss", alpha=l2, max_iter=epochs, tol=None, random_state=SAMPLE_SEED)
    model.fit(train, dataset.y_train[keep])
    return Baseline(
        name="linear",
        description=description,
        val_accuracy=float(model.score(val, dataset.y_val)),
        test_accuracy=float(model.score(test, dataset.y_test)) if test is not None else None,
        train_examples=len(keep),
        subsampled=len(keep) < len(dataset.y_train),
        seconds=time.perf_counter() - started,
    )


def fit_baselines(dataset: Dataset) -> list[dict[str, Any]]:
    """Both baselines as run.json stores them; a baseline that cannot be fitted is left out (logged)."""
    fitted = []
    for fit in (majority, linear):
        try:
            fitted.append(asdict(fit(dataset)))
        except Exception:
            logger.exception("the %s baseline could not be fitted", fit.__name__)
    return fitted


def verdict(baselines: list[dict[str, Any]], best_val_accuracy: float | None) -> dict[str, Any] | None:
    """Whether the best network beats the linear baseline on validation, and what to try when it does not."""
    reference = next((b for b in baselines if b["name"] == "linear"), None)
    if reference is None or best_val_accuracy is None:
        return None
    beats = best_val_accuracy > reference["val_accuracy"] + BEAT_MARGIN
    if beats:
        message = (
            f"The best network ({best_val_accuracy:.4f}) beats the linear baseline "
            f"({reference['val_accuracy']:.4f}) on validation."
        )
    elif best_val_accuracy >= reference["val_accuracy"]:  # a tie: often both perfect on easy data
        message = (
            f"The best network ({best_val_accuracy:.4f}) matches a {reference['description']} "
            f"({reference['val_accuracy']:.4f}) on validation without beating it. {TIED_SUGGESTION}"
        )
    else:
        message = (
            f"The best network ({best_val_accuracy:.4f}) does not beat a {reference['description']} "
            f"({reference['val_accuracy']:.4f}) on validation. Try {NOT_BEATEN_SUGGESTION}"
        )
    return {"beats_linear": beats, "linear_val_accuracy": reference["val_accuracy"], "message": message}


def baseline_finding(verdict: dict[str, Any] | None) -> dict[str, Any] | None:
    """The warning the best model's health report carries when it does not beat the linear baseline
    (a finding like the health analysis's, under the pseudo-metric `baseline`); None when it does."""
    if not verdict or verdict["beats_linear"]:
        return None
    return {
        "severity": "warning",
        "metric": "baseline",
        "layer": None,
        "title": "does not beat a linear baseline",
        "explanation": verdict["message"]
        .removesuffix(f" Try {NOT_BEATEN_SUGGESTION}")
        .removesuffix(f" {TIED_SUGGESTION}"),
        "suggestion": TIED_SUGGESTION
        if verdict["message"].endswith(TIED_SUGGESTION)
        else NOT_BEATEN_SUGGESTION,
    }
