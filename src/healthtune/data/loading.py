"""load_dataset and import_dataset: argument checks, the in-process cache, and the cache import entry point."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable
from pathlib import Path

from healthtune.core.exceptions import ConfigError, DatasetError
from healthtune.data.base import Dataset, DatasetSource
from healthtune.data.defaults import MEMORY_CACHE_SIZE
from healthtune.data.names import DATASET_NAMES
from healthtune.data.prepare import prepare_dataset
from healthtune.data.registry import remote_source, resolve_source, validate_dataset_name
from healthtune.data.store import default_data_dir

logger = logging.getLogger(__name__)

_memory: OrderedDict[Hashable, Dataset] = OrderedDict()
_memory_lock = threading.Lock()


def clear_dataset_cache() -> None:
    """Forget the datasets load_dataset keeps in memory (the on-disk cache is untouched)."""
    with _memory_lock:
        _memory.clear()


def _check_int(field: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{field} must be an integer >= {minimum}, got {value!r}")
    return value


def _check_args(
    validation_split: float,
    seed: int,
    max_samples: int | None,
    vocab_size: int | None,
    sequence_length: int | None,
    image_size: tuple[int, int] | None,
) -> tuple[int, int] | None:
    if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)):
        raise ConfigError(
            f"validation_split must be a number between 0 and 1 (exclusive), got {validation_split!r}"
        )
    if not 0.0 < float(validation_split) < 1.0:
        raise ConfigError(f"validation_split must be between 0 and 1 (exclusive), got {validation_split!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an integer, got {seed!r}")
    if max_samples is not None:
        _check_int("max_samples", max_samples, 2)
    if vocab_size is not None:
        _check_int("vocab_size", vocab_size, 3)
    if sequence_length is not None:
        _check_int("sequence_length", sequence_length, 1)
    if image_size is None:
        return None
    size = tuple(image_size)
    if len(size) != 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in size):
        raise ConfigError(f"image_size must be (height, width) with positive integers, got {image_size!r}")
    return (int(size[0]), int(size[1]))


def load_dataset(
    name: str | DatasetSource,
    *,
    validation_split: float,
    seed: int,
    data_dir: Path | None = None,
    max_samples: int | None = None,
    vocab_size: int | None = None,
    sequence_length: int | None = None,
    image_size: tuple[int, int] | None = None,
    mirror_url: str | None = None,
) -> Dataset:
    """Load a dataset ready for training, downloading it into the cache on first use.

    `name` is a registry name (see DATASET_NAMES), `images:PATH`, `texts:PATH`, `csv:PATH`,
    `npz:PATH`, an existing folder or file, or a DatasetSource object. Steps, all seeded by `seed`:

    1. `max_samples`: stratified subsample of the training data to that size, and of the test data to
       at most max(max_samples // 4, 1) examples.
    2. Validation split: `validation_split` of the (subsampled) training data, stratified
       (unstratified with a warning when a class has fewer than 2 examples).
    3. Images -> float32 in [0, 1] shaped (n, height, width, channels), resized to `image_size`
       (height, width) when given. Text -> int32 (n, sequence_length): lowercase word tokens, a
       vocabulary of the `vocab_size - 2` most frequent words of the training part only (not the
       validation or test data), index 0 = padding, 1 = out-of-vocabulary; sequences keep their first
       `sequence_length` tokens and are padded with 0 at the end. Pre-tokenized Keras word ranks r
       become r + 1, and indexes >= vocab_size become 1. Unset, both are derived from the training
       part: every word it holds (at most 20,000), and the 95th percentile of its texts' lengths
       (8 to 512 words).

    Identical calls in one process return the same Dataset object (treat its arrays as read-only),
    until a user source's files change (added, removed, or modified).
    """
    size = _check_args(validation_split, seed, max_samples, vocab_size, sequence_length, image_size)
    directory = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    try:
        return _load(name, directory, validation_split, seed, max_samples, vocab_size, sequence_length,
                     size, mirror_url)  # fmt: skip
    except OSError as error:  # the OS's message names a file inside the user's folder, or one it links to
        label = name.strip() if isinstance(name, str) else name.name
        if label in DATASET_NAMES:
            raise  # a download's own error says more
        raise DatasetError(f"cannot read dataset {label}: {error.strerror or type(error).__name__}") from None


def _load(
    name: str | DatasetSource,
    directory: Path,
    validation_split: float,
    seed: int,
    max_samples: int | None,
    vocab_size: int | None,
    sequence_length: int | None,
    size: tuple[int, int] | None,
    mirror_url: str | None,
) -> Dataset:
    key: Hashable = None
    if isinstance(name, str):
        validate_dataset_name(name)
        source = resolve_source(name, mirror_url=mirror_url, image_size=size)
        key = (name.strip(), float(validation_split), seed, str(directory.resolve()), max_samples)
        key = (*key, vocab_size, sequence_length, size, source.fingerprint())  # user files may change
        with _memory_lock:
            if key in _memory:
                _memory.move_to_end(key)
                return _memory[key]
    else:
        source = name
    raw = source.load_raw(directory)
    dataset = prepare_dataset(
        raw,
        name=source.name,
        validation_split=float(validation_split),
        seed=seed,
        max_samples=max_samples,
        vocab_size=vocab_size,
        sequence_length=sequence_length,
        image_size=size,
    )
    logger.info(
        "dataset %s: %d train / %d validation / %d test, input %s, %d classes",
        dataset.name,
        len(dataset.y_train),
        len(dataset.y_val),
        len(dataset.y_test),
        dataset.input_shape,
        dataset.num_classes,
    )
    if key is not None:
        with _memory_lock:
            _memory[key] = dataset
            while len(_memory) > MEMORY_CACHE_SIZE:
                _memory.popitem(last=False)
    return dataset


def import_dataset(name: str, path: Path, data_dir: Path | None = None) -> Path:
    """Import local copies of a public dataset's official files into the cache; returns the cache file.

    Accepted: MNIST / Fashion-MNIST: a directory with the four IDX .gz files. CIFAR-10/100: the python
    tarball, a directory holding it, or the extracted folder. GTSRB: a directory with the three official
    zips or their extracted trees. IMDB: aclImdb_v1.tar.gz or the extracted aclImdb/ tree. Reuters:
    reuters.npz. Any of them: a Keras-style .npz (x_train, y_train, x_test, y_test).
    """
    validate_dataset_name(name)
    source = remote_source(name.strip())
    directory = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    target = source.import_path(Path(path), directory)
    with _memory_lock:
        for stale in [k for k in _memory if isinstance(k, tuple) and k[0] == source.name]:
            del _memory[stale]
    logger.info("imported %s from %s into %s", source.name, path, target)
    return target
