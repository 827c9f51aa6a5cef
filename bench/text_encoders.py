"""Each text encoder with its defaults on Reuters R8: 400 training documents and the full corpus.

One trial per encoder and corpus size (the default model of that encoder, max_epochs_per_trial 10,
early stopping on), scored on R8's full official test set (2,189 documents), beside TF-IDF +
logistic regression fitted on the same training documents. The default text encoder is the one
that does best on the small corpus.
Run: .venv/bin/python bench/text_encoders.py [--sizes 400,0] [--encoders bag_of_embeddings,conv1d,lstm]
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

R8 = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "reuters-r8"


def official_test(class_names: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
    with (R8 / "test.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], np.array([class_names.index(row["label"]) for row in rows])


def linear_baseline(dataset: object, texts: list[str], labels: np.ndarray) -> float:
    """TF-IDF + logistic regression on the trial's training texts (rebuilt from their word indexes)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vocabulary = dataset.extras["vocabulary"]  # type: ignore[attr-defined]
    train = [" ".join(vocabulary[i] for i in row if i > 1) for row in dataset.x_train]  # type: ignore[attr-defined]
    vectorizer = TfidfVectorizer(sublinear_tf=True)
    model = LogisticRegression(C=10.0, max_iter=2000).fit(vectorizer.fit_transform(train), dataset.y_train)  # type: ignore[attr-defined]
    return float(np.mean(model.predict(vectorizer.transform(texts)) == labels))


def main() -> None:
    import keras

    from healthtune.core.config import Architecture
    from healthtune.data.text import encode_tokens, tokenize
    from healthtune.models import ModelConfig
    from healthtune.training.spec import DataSpec, HealthSpec, TrialSpec
    from healthtune.training.trainer import load_trial_data, run_trial

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="400,0", help="training documents; 0 = all 5,485")
    parser.add_argument("--encoders", default="bag_of_embeddings,conv1d,lstm")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as root:
        for size in (int(s) for s in args.sizes.split(",")):
            data = DataSpec(f"csv:{R8}", 0.2, args.seed, max_samples=size or None)
            dataset = load_trial_data(data)
            texts, labels = official_test(dataset.class_names)
            x_test = encode_tokens(
                [tokenize(t) for t in texts], dataset.extras["vocabulary"], dataset.sequence_length
            )
            label = f"{size or len(dataset.y_train) + len(dataset.y_val)} docs"
            print(
                f"{label}: vocabulary {dataset.vocab_size}, sequence length {dataset.sequence_length}",
                flush=True,
            )
            rows.append(
                (label, "tf-idf + logistic regression", linear_baseline(dataset, texts, labels), 0, 0.0)
            )
            for encoder in args.encoders.split(","):
                config = ModelConfig(architecture=Architecture.LSTM, text_encoder=encoder)
                trial_dir = Path(root) / f"{size}_{encoder}"
                spec = TrialSpec("r8", 0, config.to_dict(), data, args.epochs, 64, args.seed, str(trial_dir),
                                 health=HealthSpec(frequency=0), tensorboard=False)  # fmt: skip
                started = time.perf_counter()
                result = run_trial(spec)
                seconds = time.perf_counter() - started
                model = keras.saving.load_model(trial_dir / "model.keras")
                predicted = np.argmax(model.predict(x_test, batch_size=256, verbose=0), axis=1)
                accuracy = float(np.mean(predicted == labels))
                rows.append((label, encoder, accuracy, int(result.metrics["best_epoch"]), seconds))
                print(f"  {encoder}: test {accuracy:.4f} (best epoch {result.metrics['best_epoch']} of "
                      f"{result.metrics['epochs_trained']}, {seconds:.0f} s)", flush=True)  # fmt: skip
    print(f"\n{'corpus':12s} {'model':30s} {'R8 test acc':>11s} {'best ep':>7s} {'seconds':>7s}")
    for label, model_name, accuracy, best, seconds in rows:
        print(f"{label:12s} {model_name:30s} {accuracy:11.4f} {best:7d} {seconds:7.0f}")


if __name__ == "__main__":
    main()
