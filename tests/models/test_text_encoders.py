"""Each text encoder, at its defaults, learns Reuters R8 topics well above the majority class."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from healthtune.core.config import Architecture
from healthtune.models import ModelConfig
from healthtune.training.spec import DataSpec, HealthSpec, TrialSpec
from healthtune.training.trainer import load_trial_data, run_trial


@pytest.mark.parametrize("encoder", ["bag_of_embeddings", "conv1d"])
def test_a_text_encoder_beats_the_majority_class_on_reuters_r8(
    encoder: str, shared_datasets: Path, tmp_path: Path
) -> None:
    # 600 documents, vocabulary derived from them, the first 120 words of each
    data = DataSpec(f"csv:{shared_datasets / 'reuters-r8'}", 0.2, 0, max_samples=600, sequence_length=120)
    config = ModelConfig(architecture=Architecture.LSTM, text_encoder=encoder)
    spec = TrialSpec("r8", 0, config.to_dict(), data, 4, 32, 0, str(tmp_path / "trial"),
                     health=HealthSpec(frequency=0), tensorboard=False)  # fmt: skip
    result = run_trial(spec)

    dataset = load_trial_data(data)
    majority = Counter(dataset.y_val.tolist()).most_common(1)[0][1] / len(dataset.y_val)
    assert result.state == "complete"
    assert result.metrics["val_accuracy"] > majority + 0.2, (majority, result.metrics["val_accuracy"])
    assert result.metrics["test_accuracy"] > majority + 0.2
