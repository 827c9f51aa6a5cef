"""run_trial on real text: an LSTM on Reuters R8 beats the majority class."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from healthtune.core.config import Architecture
from healthtune.models import ModelConfig
from healthtune.training.spec import DataSpec, TrialSpec
from healthtune.training.trainer import load_trial_data, run_trial


def test_lstm_on_reuters_r8_beats_the_majority_class(shared_datasets: Path, tmp_path: Path) -> None:
    data = DataSpec(
        f"csv:{shared_datasets / 'reuters-r8'}", 0.2, 0, max_samples=2000, vocab_size=5000, sequence_length=80
    )
    model = ModelConfig(
        architecture=Architecture.LSTM, text_encoder="lstm", lstm_units=32, embedding_dim=32, dense_units=32
    )
    spec = TrialSpec("reuters", 0, model.to_dict(), data, 4, 32, 0, str(tmp_path / "trial_0"))
    result = run_trial(spec)

    dataset = load_trial_data(data)
    majority = Counter(dataset.y_val.tolist()).most_common(1)[0][1] / len(dataset.y_val)
    assert dataset.num_classes == 8
    assert result.state == "complete"
    assert result.metrics["val_accuracy"] > majority + 0.05
    assert (tmp_path / "trial_0" / "model.keras").is_file()
