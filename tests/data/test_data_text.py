"""Tokenization rules: lowercase word tokens, vocabulary order, post-padding and keep-the-start truncation."""

from __future__ import annotations

import numpy as np

from healthtune.data.prepare import stratified_subsample
from healthtune.data.text import build_vocabulary, encode_rank_sequences, encode_tokens, tokenize


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


def test_stratified_subsample_keeps_proportions_for_any_size() -> None:
    y = np.repeat(np.arange(4), [50, 30, 15, 5])
    picked = stratified_subsample(y, 20, seed=0)
    assert len(picked) == 20 and len(set(picked.tolist())) == 20
    assert np.bincount(y[picked]).tolist() == [10, 6, 3, 1]
    assert len(stratified_subsample(y, 3, seed=0)) == 3
    assert np.array_equal(stratified_subsample(y, 20, seed=0), picked)
