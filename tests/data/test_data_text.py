"""Tokenization rules: word tokens, vocabulary order, padding and truncation, and what is derived when unset."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from healthtune.data import load_dataset
from healthtune.data.defaults import MAX_SEQUENCE_LENGTH, MAX_VOCAB_SIZE
from healthtune.data.prepare import stratified_subsample
from healthtune.data.text import (
    build_vocabulary,
    derived_rank_vocab_size,
    derived_sequence_length,
    encode_rank_sequences,
    encode_tokens,
    tokenize,
)


def test_tokenize() -> None:
    assert tokenize("Don't PANIC: it's 42 (really)!") == ["don't", "panic", "it's", "42", "really"]
    assert tokenize("snake_case and café") == ["snake", "case", "and", "café"]


def test_vocabulary_order_and_size() -> None:
    tokens = [["b", "a", "b"], ["c", "a", "b"], ["d"]]
    assert build_vocabulary(tokens, vocab_size=100) == ["<pad>", "<oov>", "b", "a", "c", "d"]
    assert build_vocabulary(tokens, vocab_size=4) == ["<pad>", "<oov>", "b", "a"]


def test_encode_pads_at_the_end_and_keeps_the_first_tokens() -> None:
    vocabulary = ["<pad>", "<oov>", "the", "cat"]
    encoded = encode_tokens([["the", "cat"], ["the", "dog", "cat", "the", "cat"]], vocabulary, 4)
    assert encoded.dtype == np.int32
    assert encoded.tolist() == [[2, 3, 0, 0], [2, 1, 3, 2]]


def test_rank_sequences_are_shifted_and_capped() -> None:
    encoded = encode_rank_sequences([[1, 2, 8, 9], [0, 3]], vocab_size=10, sequence_length=5)
    assert encoded.tolist() == [[2, 3, 9, 1, 0], [1, 4, 0, 0, 0]]


def test_an_empty_text_is_one_unknown_word_never_all_padding() -> None:
    vocabulary = ["<pad>", "<oov>", "the"]
    assert encode_tokens([[], ["the"]], vocabulary, 3).tolist() == [[1, 0, 0], [2, 0, 0]]
    assert encode_rank_sequences([[]], vocab_size=10, sequence_length=3).tolist() == [[1, 0, 0]]


def test_derived_lengths_follow_the_texts_within_bounds() -> None:
    assert derived_sequence_length([10] * 96 + [1000] * 4) == 10  # a few very long texts do not count
    assert derived_sequence_length(list(range(1, 101))) == 96
    assert derived_sequence_length([2, 3]) == 8 and derived_sequence_length([5000]) == MAX_SEQUENCE_LENGTH
    assert derived_rank_vocab_size([[1, 7], [3]]) == 9  # ranks 1..7 -> indexes 2..8
    assert derived_rank_vocab_size([[10**6]]) == MAX_VOCAB_SIZE


def test_vocabulary_and_length_are_derived_from_the_training_texts_unless_set(shared_datasets: Path) -> None:
    r8 = f"csv:{shared_datasets / 'reuters-r8'}"
    derived = load_dataset(r8, validation_split=0.2, seed=0, max_samples=400)
    assert derived.vocab_size == len(derived.extras["vocabulary"]) < MAX_VOCAB_SIZE
    assert (
        int(derived.x_train.max()) == derived.vocab_size - 1 and not (derived.x_train == 1).any()
    )  # every word
    read_whole = float(np.mean(derived.x_train[:, -1] == 0))  # the text ended before the last position
    assert 0.95 <= read_whole < 1.0 and 100 < derived.sequence_length < MAX_SEQUENCE_LENGTH
    chosen = load_dataset(
        r8, validation_split=0.2, seed=0, max_samples=400, vocab_size=50, sequence_length=20
    )
    assert chosen.vocab_size == 50 and chosen.x_train.shape == (320, 20)


def test_stratified_subsample_keeps_proportions_for_any_size() -> None:
    y = np.repeat(np.arange(4), [50, 30, 15, 5])
    picked = stratified_subsample(y, 20, seed=0)
    assert len(picked) == 20 and len(set(picked.tolist())) == 20
    assert np.bincount(y[picked]).tolist() == [10, 6, 3, 1]
    assert len(stratified_subsample(y, 3, seed=0)) == 3
    assert np.array_equal(stratified_subsample(y, 20, seed=0), picked)
