"""User sources (image folders, text CSVs incl. the real Reuters R8) and scikit-learn's digits."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tests.fashion import fashion_mnist

from healthtune.core.exceptions import DatasetError
from healthtune.data import DataKind, load_dataset
from healthtune.data.text import tokenize


def _image(path: Path, size: tuple[int, int], mode: str = "RGB", value: int = 100) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    color: int | tuple[int, int, int] = value if mode == "L" else (value, 10, 200)
    Image.new(mode, (size[1], size[0]), color).save(path)


def _save(path: Path, picture: Image.Image) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path)


def _folder(root: Path, classes: dict[str, int], mode: str = "RGB") -> Path:
    for c, (name, count) in enumerate(classes.items()):
        for i in range(count):
            size = (20, 24) if i else (30, 30)  # most images are 20x24 (height x width)
            _image(root / name / f"{i}.{'png' if i % 2 else 'jpg'}", size, mode, value=40 * c)
    return root


def test_image_folder_carves_a_test_split(tmp_path: Path, data_dir: Path) -> None:
    root = _folder(tmp_path / "shapes", {"circle": 10, "square": 10, "star": 10})
    (root / "notes.txt").write_text("not an image")
    ds = load_dataset(f"images:{root}", validation_split=0.25, seed=0)
    assert ds.kind is DataKind.IMAGE and ds.class_names == ("circle", "square", "star")
    assert ds.input_shape == (20, 24, 3)  # the most common size, RGB
    assert len(ds.y_test) == 6 and len(ds.y_train) + len(ds.y_val) == 24
    assert np.bincount(ds.y_test).tolist() == [2, 2, 2]  # stratified 20%
    assert ds.x_train.dtype == np.float32 and ds.x_train.max() <= 1.0
    again = load_dataset(
        str(root), validation_split=0.25, seed=5
    )  # the test split does not depend on the seed
    assert np.array_equal(
        np.sort(again.x_test.reshape(6, -1), axis=0), np.sort(ds.x_test.reshape(6, -1), axis=0)
    )


def test_image_folder_train_test_grayscale_and_resize(tmp_path: Path, data_dir: Path) -> None:
    root = tmp_path / "xray"
    _folder(root / "train", {"healthy": 6, "sick": 6}, mode="L")
    _folder(root / "test", {"healthy": 2, "sick": 2}, mode="L")
    ds = load_dataset(str(root), validation_split=0.5, seed=0, image_size=(16, 16))
    assert ds.input_shape == (16, 16, 1)  # every image is grayscale
    assert len(ds.y_test) == 4 and len(ds.y_train) == 6 and len(ds.y_val) == 6


def test_grayscale_pictures_saved_as_rgb_give_one_channel(
    tmp_path: Path, data_dir: Path, shared_datasets: Path
) -> None:
    images, labels = fashion_mnist(shared_datasets, "train", 200)
    root = tmp_path / "clothes"
    for label, name in ((1, "Trouser"), (8, "Bag")):
        for i, index in enumerate(np.flatnonzero(labels == label)[:6]):
            picture = Image.fromarray(images[index]).convert("RGB")  # as many tools save grayscale
            _save(root / name / f"{i}.{'jpg' if i % 2 else 'png'}", picture)
    ds = load_dataset(str(root), validation_split=0.25, seed=0)
    assert ds.input_shape == (28, 28, 1)  # a third of the first layer's weights, and faster

    colored = Image.fromarray(images[0]).convert("RGB")
    colored.putpixel((0, 0), (255, 0, 0))  # one red pixel in one picture: the folder is RGB
    _save(root / "Bag" / "red.png", colored)  # read again: the folder changed (no stale cache)
    assert load_dataset(str(root), validation_split=0.25, seed=0).input_shape == (28, 28, 3)


def test_large_images_are_capped_at_128(tmp_path: Path, data_dir: Path) -> None:
    root = tmp_path / "big"
    for name in ("a", "b"):
        for i in range(3):
            _image(root / name / f"{i}.png", (300, 200))
    ds = load_dataset(str(root), validation_split=0.5, seed=0)
    assert ds.input_shape == (128, 85, 3)


def test_corrupt_image_is_named(tmp_path: Path, data_dir: Path) -> None:
    root = _folder(tmp_path / "pets", {"cat": 3, "dog": 3})
    broken = root / "dog" / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    with pytest.raises(DatasetError, match=re.escape(str(broken))):
        load_dataset(f"images:{root}", validation_split=0.2, seed=0)


def test_truncated_image_is_named(tmp_path: Path, data_dir: Path) -> None:
    root = _folder(tmp_path / "pets", {"cat": 3, "dog": 3})
    victim = root / "cat" / "1.png"
    victim.write_bytes(victim.read_bytes()[:60])
    with pytest.raises(DatasetError, match=re.escape(str(victim))):
        load_dataset(f"images:{root}", validation_split=0.2, seed=0)


def test_empty_class_folder_and_no_classes(tmp_path: Path, data_dir: Path) -> None:
    root = _folder(tmp_path / "pets", {"cat": 3})
    (root / "dog").mkdir()
    with pytest.raises(DatasetError, match=re.escape(str(root / "dog"))):
        load_dataset(str(root), validation_split=0.2, seed=0)
    flat = tmp_path / "flat"
    _image(flat / "0.png", (8, 8))
    with pytest.raises(DatasetError, match="no class sub-folders"):
        load_dataset(str(flat), validation_split=0.2, seed=0)


def test_reuters_r8_csv(shared_datasets: Path, data_dir: Path) -> None:
    ds = load_dataset(
        f"csv:{shared_datasets / 'reuters-r8'}", validation_split=0.2, seed=0, sequence_length=100
    )
    assert ds.kind is DataKind.TEXT and ds.num_classes == 8
    assert ds.class_names == ("acq", "crude", "earn", "grain", "interest", "money-fx", "ship", "trade")
    assert len(ds.y_train) + len(ds.y_val) == 5485 and len(ds.y_test) == 2189
    assert ds.x_train.dtype == np.int32 and ds.x_train.shape == (len(ds.y_train), 100)
    assert ds.sequence_length == 100 and ds.vocab_size is not None and ds.vocab_size <= 20000
    vocabulary = ds.extras["vocabulary"]
    assert isinstance(vocabulary, list) and len(vocabulary) == ds.vocab_size
    with (shared_datasets / "reuters-r8" / "train.csv").open() as handle:
        train_words = {w for row in csv.DictReader(handle) for w in tokenize(row["text"])}
    assert set(vocabulary[2:]) <= train_words
    assert int(ds.x_test.max()) < ds.vocab_size and (ds.x_test == 1).any()  # unseen test words are OOV


def test_a_csv_is_read_once_per_process_until_it_changes(
    tmp_path: Path, data_dir: Path, shared_datasets: Path
) -> None:
    lines = (shared_datasets / "reuters-r8" / "train.csv").read_text().splitlines()
    path = tmp_path / "news.csv"
    path.write_text("\n".join(lines[:301]) + "\n")
    first = load_dataset(f"csv:{path}", validation_split=0.2, seed=0)
    assert load_dataset(f"csv:{path}", validation_split=0.2, seed=0) is first  # trials share it
    path.write_text("\n".join(lines[:401]) + "\n")  # the user adds 100 rows
    second = load_dataset(f"csv:{path}", validation_split=0.2, seed=0)
    assert len(second.y_train) + len(second.y_val) + len(second.y_test) == 400
    assert len(first.y_train) + len(first.y_val) + len(first.y_test) == 300


def test_vocabulary_comes_from_the_training_part_only(tmp_path: Path, data_dir: Path) -> None:
    rows = [(("spam", "ham")[i % 2], f"unique{i} shared") for i in range(40)]
    path = tmp_path / "mail.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "label", "text"])
        writer.writerows((i, label, text) for i, (label, text) in enumerate(rows))
    ds = load_dataset(str(path), validation_split=0.25, seed=0, sequence_length=4)
    assert ds.class_names == ("ham", "spam")
    vocabulary = ds.extras["vocabulary"]
    assert isinstance(vocabulary, list) and len(vocabulary) == 2 + 1 + len(ds.y_train)
    assert (ds.x_train[:, :2] > 1).all()  # every training word is known
    assert (ds.x_val[:, 0] == 1).all() and (ds.x_test[:, 0] == 1).all()  # validation/test-only words are OOV
    assert (ds.x_val[:, 2:] == 0).all()  # post-padding


def test_csv_without_required_columns(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("category,body\nx,hello\n")
    with pytest.raises(DatasetError, match=r"\['category', 'body'\].*label, text"):
        load_dataset(f"csv:{path}", validation_split=0.2, seed=0)


def test_csv_with_two_text_columns_is_refused(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("label,text,Text\nx,hello,world\ny,bye,now\n")
    with pytest.raises(DatasetError, match="more than one 'text' column"):
        load_dataset(f"csv:{path}", validation_split=0.2, seed=0)


def test_csv_test_labels_must_exist_in_train(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "train.csv").write_text("label,text\na,one\nb,two\na,three\nb,four\n")
    (tmp_path / "test.csv").write_text("label,text\nc,five\n")
    with pytest.raises(DatasetError, match="'c'"):
        load_dataset(str(tmp_path), validation_split=0.5, seed=0)


def test_digits(data_dir: Path) -> None:
    ds = load_dataset("digits", validation_split=0.2, seed=0)
    assert ds.input_shape == (8, 8, 1) and ds.class_names == tuple(str(d) for d in range(10))
    assert len(ds.y_test) == 450 and len(ds.y_train) + len(ds.y_val) == 1347
    assert ds.x_train.dtype == np.float32 and ds.x_train.min() == 0.0 and ds.x_train.max() == 1.0
    other_seed = load_dataset("digits", validation_split=0.2, seed=1)
    assert np.array_equal(other_seed.x_test, ds.x_test)  # fixed test split
    assert list(data_dir.iterdir()) == []  # nothing to download or cache


def test_a_folder_with_broken_links_and_unreadable_files_fails_as_a_dataset_error(
    tmp_path: Path, data_dir: Path
) -> None:
    root = _folder(tmp_path / "shapes", {"circle": 4, "square": 4})
    (root / "circle" / "gone.png").symlink_to(tmp_path / "elsewhere" / "secret.png")  # dangling: not data
    assert load_dataset(f"images:{root}", validation_split=0.25, seed=0).class_names == ("circle", "square")
    (root / "square" / "memory.png").symlink_to("/proc/self/mem")  # a file whose every read fails (EIO)
    with pytest.raises(DatasetError) as raised:
        load_dataset(f"images:{root}", validation_split=0.25, seed=1)
    assert str(root) in str(raised.value) and "/proc" not in str(raised.value)


def test_a_csv_that_is_not_a_dataset_is_never_quoted_whole(tmp_path: Path, data_dir: Path) -> None:
    secret = "API_TOKEN=abcdef0123456789abcdef0123456789,B=2,C=3,D=4,E=5,F=6,G=7"
    notes = tmp_path / "env.csv"
    notes.write_text(f"{secret}\nx,y,z\n")
    with pytest.raises(DatasetError, match="required columns: label, text") as raised:
        load_dataset(f"csv:{notes}", validation_split=0.25, seed=0)
    assert "abcdef0123456789abcdef0123456789" not in str(raised.value) and "G=7" not in str(raised.value)
