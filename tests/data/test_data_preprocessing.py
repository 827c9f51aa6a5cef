"""Preprocessing records: a record rebuilt for an old run follows the colour mode its model takes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tests.fashion import fashion_mnist

from healthtune.data import load_dataset
from healthtune.data.preprocessing import describe_preprocessing, prepare_inputs, with_model_channels


def test_a_grayscale_record_for_a_three_channel_model_prepares_rgb_inputs(
    tmp_path: Path, data_dir: Path, shared_datasets: Path
) -> None:
    images, labels = fashion_mnist(shared_datasets, "train", 40)
    arrays = tmp_path / "fashion.npz"
    np.savez(arrays, x_train=images, y_train=labels)
    record = describe_preprocessing(load_dataset(f"npz:{arrays}", validation_split=0.25, seed=0))
    assert record["input_shape"] == [28, 28, 1] and record["image"]["color_mode"] == "grayscale"
    assert with_model_channels(record, 1) is record

    rgb = with_model_channels(record, 3)  # an old run's model read this data as RGB
    assert rgb["input_shape"] == [28, 28, 3] and rgb["image"]["color_mode"] == "rgb"
    assert record["input_shape"] == [28, 28, 1]  # the original is left as it was
    batch = prepare_inputs(rgb, images[:4])
    assert batch.shape == (4, 28, 28, 3)
    np.testing.assert_array_equal(batch[..., 0], batch[..., 2])
    np.testing.assert_allclose(batch[..., 0], images[:4] / 255.0, atol=1e-6)
