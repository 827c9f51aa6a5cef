"""The reference baselines every run fits: majority class and a linear model, on images and texts."""

from __future__ import annotations

from pathlib import Path

from healthtune.data import Dataset, load_dataset
from healthtune.evaluation.baselines import fit_baselines, verdict


def test_digits_baselines_are_the_majority_class_and_a_strong_linear_model(digits: Dataset) -> None:
    majority, linear = fit_baselines(digits)
    assert (majority["name"], linear["name"]) == ("majority", "linear")
    assert 0.05 < majority["val_accuracy"] < 0.2 and "most frequent" in majority["description"]
    assert linear["val_accuracy"] > 0.9 and linear["test_accuracy"] > 0.9 and not linear["subsampled"]
    assert "pixels" in linear["description"] and linear["seconds"] < 30


def test_reuters_r8_gets_a_tfidf_baseline_well_above_the_majority(shared_datasets: Path) -> None:
    data = load_dataset(f"csv:{shared_datasets / 'reuters-r8'}", validation_split=0.2, seed=0, max_samples=1500,
                        vocab_size=5000, sequence_length=100)  # fmt: skip
    majority, linear = fit_baselines(data)
    assert linear["val_accuracy"] > majority["val_accuracy"] + 0.3 and "TF-IDF" in linear["description"]


def test_the_verdict_says_what_to_try_when_the_network_loses() -> None:
    baselines = [{"name": "linear", "description": "logistic regression on TF-IDF", "val_accuracy": 0.95}]
    lost = verdict(baselines, 0.45)
    assert lost is not None and lost["beats_linear"] is False and "Try more epochs" in lost["message"]
    won = verdict(baselines, 0.97)
    assert won is not None and won["beats_linear"] and "beats the linear baseline" in won["message"]
    assert verdict([], 0.9) is None and verdict(baselines, None) is None


def test_a_lost_verdict_becomes_a_warning_finding_and_a_won_one_none() -> None:
    from healthtune.evaluation.baselines import baseline_finding

    baselines = [{"name": "linear", "description": "logistic regression on TF-IDF", "val_accuracy": 0.95}]
    finding = baseline_finding(verdict(baselines, 0.45))
    assert finding is not None and finding["severity"] == "warning" and finding["metric"] == "baseline"
    assert "0.9500" in finding["explanation"] and "more epochs" in finding["suggestion"]
    assert baseline_finding(verdict(baselines, 0.97)) is None and baseline_finding(None) is None


def test_a_tie_with_the_linear_model_is_not_told_to_train_longer() -> None:
    from healthtune.evaluation.baselines import TIED_SUGGESTION, baseline_finding

    baselines = [
        {"name": "linear", "description": "logistic regression on standardized pixels", "val_accuracy": 1.0}
    ]
    tied = verdict(baselines, 1.0)
    assert tied is not None and tied["beats_linear"] is False
    assert "matches a logistic regression" in tied["message"] and "Try" not in tied["message"]
    finding = baseline_finding(tied)
    assert finding is not None and finding["suggestion"] == TIED_SUGGESTION
    assert finding["explanation"].endswith("on validation without beating it.")
