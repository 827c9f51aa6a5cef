"""WordDropout hides words only while training, never invents any, and survives saving and loading."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from healthtune.models.word_dropout import WordDropout, for_saving


@pytest.mark.jax_core
def test_word_dropout_hides_about_its_share_of_words_while_training_only() -> None:
    tokens = np.tile(np.arange(1, 201, dtype="int32"), (50, 1))
    tokens[:, 150:] = 0  # padding
    layer = WordDropout(0.25, seed=3)

    assert np.array_equal(np.asarray(layer(tokens, training=False)), tokens)
    dropped = np.asarray(layer(tokens, training=True))
    kept = dropped[:, :150] != 0
    assert 0.2 < 1 - kept.mean() < 0.3  # 7,500 words: the share is close to 0.25
    assert np.array_equal(dropped[:, :150][kept], tokens[:, :150][kept])  # kept words are unchanged
    assert not dropped[:, 150:].any()  # padding stays padding
    assert not np.array_equal(np.asarray(layer(tokens, training=True)), dropped)  # a new choice each step


@pytest.mark.jax_core
def test_word_dropout_never_leaves_a_text_without_words() -> None:
    """A bag of embeddings averages the words left: none left is 0 / 0, a NaN that ruins training."""
    one_word = np.zeros((2000, 4), dtype="int32")
    one_word[:, 0] = 7
    dropped = np.asarray(WordDropout(0.9, seed=1)(one_word, training=True))
    assert np.array_equal(dropped, one_word)  # each text's only word always stays
    texts = np.tile(np.array([[3, 4, 0, 0]], dtype="int32"), (2000, 1))
    dropped = np.asarray(WordDropout(0.9, seed=1)(texts, training=True))
    assert (dropped != 0).any(axis=1).all() and (dropped != texts).any()  # some words go, never all


@pytest.mark.parametrize("rate", [-0.1, 1.0])
def test_word_dropout_rejects_a_rate_outside_0_1(rate: float) -> None:
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
        WordDropout(rate)


@pytest.mark.jax_core
def test_a_saved_text_model_loads_in_plain_keras_and_predicts_the_same(tmp_path: Path) -> None:
    import keras

    from healthtune.core.config import Architecture
    from healthtune.data.base import DataKind, Dataset
    from healthtune.models import ModelConfig, build_model

    x = np.array([[3, 4, 0, 0], [5, 6, 7, 0]], dtype="int32")
    y = np.array([0, 1])
    data = Dataset("tiny", DataKind.TEXT, ("a", "b"), x, y, x, y, x, y, vocab_size=10, sequence_length=4)
    model = build_model(ModelConfig(architecture=Architecture.LSTM, word_dropout=0.3), data, total_steps=1)
    model.fit(x, y, epochs=1, verbose=0)
    for_saving(model).save(tmp_path / "model.keras")

    # a fresh interpreter knows no healthtune layer: the file must not need one
    script = (
        "import sys, keras, numpy as np; m = keras.saving.load_model(sys.argv[1]); "
        "print(type(m.get_layer('word_dropout')).__name__); np.save(sys.argv[2], m.predict(np.load(sys.argv[3]), verbose=0))"
    )
    np.save(tmp_path / "x.npy", x)
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "model.keras"), str(tmp_path / "p.npy"),
                          str(tmp_path / "x.npy")], capture_output=True, text=True, check=True)  # fmt: skip
    assert out.stdout.strip().endswith("Identity")
    assert np.allclose(np.load(tmp_path / "p.npy"), np.asarray(model.predict(x, verbose=0)), atol=1e-6)
    assert keras.saving.load_model(tmp_path / "model.keras").count_params() == model.count_params()
