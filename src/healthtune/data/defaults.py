"""The one home of the data layer's defaults: vocabulary, sequence length, cache, mirror and split settings."""

from __future__ import annotations

MAX_VOCAB_SIZE = 20000
"""Largest derived vocabulary (vocab_size unset): index 0 = padding, 1 = out-of-vocabulary, then every
word of the training texts, the most frequent first, up to this size. Words seen only once are kept:
on 400 Reuters R8 documents, dropping them cost a bag of embeddings 3 points of test accuracy."""

SEQUENCE_LENGTH_PERCENTILE = 95
"""Derived sequence length (sequence_length unset): this percentile of the training texts' word counts,
so most texts are read whole and a few very long ones do not make every example long."""

MIN_SEQUENCE_LENGTH, MAX_SEQUENCE_LENGTH = 8, 512
"""Bounds of the derived sequence length; beyond 512 words an LSTM gets slow and a topic is long since clear."""

DERIVED_VOCAB_SIZE = f"every word of the training texts, at most {MAX_VOCAB_SIZE}"
DERIVED_SEQUENCE_LENGTH = (
    f"the {SEQUENCE_LENGTH_PERCENTILE}th percentile of the training texts' lengths "
    f"({MIN_SEQUENCE_LENGTH}-{MAX_SEQUENCE_LENGTH})"
)
"""What an unset vocab_size and sequence_length become, in words (the config's help)."""

DATA_DIR_ENV = "HEALTHTUNE_DATA_DIR"
"""Environment variable that overrides the dataset cache directory."""

MIRROR_ENV = "HEALTHTUNE_DATASET_MIRROR"
"""Environment variable naming a mirror; files are fetched as {mirror}/{dataset_name}/{filename}."""

DOWNLOAD_TIMEOUT_S = 60.0
"""Socket timeout for one download request, in seconds."""

USER_TEST_FRACTION = 0.2
"""Share of a user folder / CSV held out as the test split when it ships no test split of its own."""

FIXED_SPLIT_SEED = 0
"""Seed of the fixed test splits carved by healthtune (digits, user sources): the same for every trial."""

MAX_IMAGE_SIDE = 128
"""Longest side of images read from a user folder when no image_size is given."""

GTSRB_IMAGE_SIZE = (32, 32)
"""(height, width) that GTSRB's variable-size images are cropped to their ROI and resized to."""

CACHE_FILENAME = "prepared.npz"
"""Normalized cache file per named dataset: {data_dir}/{name}/prepared.npz."""

CACHE_FORMAT_VERSION = 1
"""Bumped whenever the cache file layout changes; older files are ignored and rebuilt."""

MEMORY_CACHE_SIZE = 4
"""How many prepared datasets load_dataset keeps in memory for repeated identical calls."""
