"""Word-level tokenization for the text models: vocabulary and length from training text, encoding, padding."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from healthtune.data.defaults import (
    MAX_SEQUENCE_LENGTH,
    MAX_VOCAB_SIZE,
    MIN_SEQUENCE_LENGTH,
    SEQUENCE_LENGTH_PERCENTILE,
)

PAD_INDEX = 0
OOV_INDEX = 1
PAD_TOKEN = "<pad>"
OOV_TOKEN = "<oov>"

# A word is a run of letters/digits (any script), optionally joined by apostrophes: "don't", "o'neil".
TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def tokenize(text: str) -> list[str]:
    """Lowercase the text and return its word tokens (punctuation, markup symbols and "_" split words)."""
    return TOKEN_RE.findall(text.lower())


def build_vocabulary(token_lists: Iterable[Sequence[str]], vocab_size: int) -> list[str]:
    """Index -> word: 0 "<pad>", 1 "<oov>", then the `vocab_size - 2` most frequent words.

    Ties in frequency are broken alphabetically so that the vocabulary is deterministic.
    """
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[: max(vocab_size - 2, 0)]
    return [PAD_TOKEN, OOV_TOKEN, *(word for word, _ in ranked)]


def derived_sequence_length(lengths: Sequence[int]) -> int:
    """Tokens per example when the user sets none: a high percentile of the training texts' lengths."""
    if not lengths:
        return MIN_SEQUENCE_LENGTH
    length = math.ceil(float(np.percentile(np.asarray(lengths), SEQUENCE_LENGTH_PERCENTILE)))
    return max(MIN_SEQUENCE_LENGTH, min(MAX_SEQUENCE_LENGTH, length))


def derived_rank_vocab_size(sequences: Iterable[Sequence[int]]) -> int:
    """Vocabulary of pre-tokenized word ranks when the user sets none: every rank seen in training
    (rank r is index r + 1), at most MAX_VOCAB_SIZE."""
    highest = max((max(seq, default=0) for seq in sequences), default=0)
    return max(OOV_INDEX + 2, min(MAX_VOCAB_SIZE, int(highest) + 2))


def encode_tokens(
    token_lists: Sequence[Sequence[str]], vocabulary: Sequence[str], sequence_length: int
) -> npt.NDArray[np.int32]:
    """Map words to indexes (unknown -> 1), keep the first `sequence_length` tokens, pad with 0 at the end.

    A text without words becomes one unknown word, so that no example is all padding (an average
    over no words is undefined).
    """
    index = {word: i for i, word in enumerate(vocabulary) if i > OOV_INDEX}
    out = np.full((len(token_lists), sequence_length), PAD_INDEX, dtype=np.int32)
    for row, tokens in enumerate(token_lists):
        ids = [index.get(word, OOV_INDEX) for word in tokens[:sequence_length]]
        out[row, : len(ids) or 1] = ids or [OOV_INDEX]
    return out


def encode_rank_sequences(
    sequences: Sequence[Sequence[int]], vocab_size: int, sequence_length: int
) -> npt.NDArray[np.int32]:
    """Re-index Keras word-rank sequences (1 = most frequent word) into our scheme.

    Rank r becomes index r + 1 (0 stays padding, 1 is out-of-vocabulary); every index >= vocab_size,
    and any rank < 1, becomes 1. Then the same post-padding / keep-the-first-tokens truncation as
    text, and an empty sequence becomes one unknown word.
    """
    out = np.full((len(sequences), sequence_length), PAD_INDEX, dtype=np.int32)
    for row, seq in enumerate(sequences):
        ids = np.asarray(seq[:sequence_length], dtype=np.int64) + 1
        ids[(ids >= vocab_size) | (ids < OOV_INDEX + 1)] = OOV_INDEX
        out[row, : len(ids) or 1] = ids if len(ids) else OOV_INDEX
    return out
