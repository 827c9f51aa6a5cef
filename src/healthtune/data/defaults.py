"""The one home of the data layer's defaults: vocabulary, sequence length, cache, mirror and split settings."""

from __future__ import annotations

DEFAULT_VOCAB_SIZE = 20000
"""Embedding input size for text: index 0 = padding, 1 = out-of-vocabulary, then the most frequent words."""

DEFAULT_SEQUENCE_LENGTH = 200
"""Tokens per text example after post-padding / truncation (the first tokens are kept)."""

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
