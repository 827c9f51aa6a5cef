"""Uploaded datasets: archives of real Fashion-MNIST images and Reuters R8 texts, unpacked safely and checked."""

from __future__ import annotations

import io
import shutil
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from tests.fashion import clothes_folder, fashion_mnist, png_bytes

from healthtune.core.exceptions import DatasetError
from healthtune.data import load_dataset
from healthtune.data.uploads import add_upload, delete_upload, find_upload, list_uploads

LIMIT = 50 * 2**20


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _received(tmp_path: Path, source: Path) -> Path:
    """A copy, as the server's incoming file: add_upload consumes it."""
    copy = tmp_path / f".incoming-{source.name}"
    shutil.copy(source, copy)
    return copy


def test_a_zipped_image_folder_in_a_wrapper_folder_becomes_a_loadable_dataset(
    tmp_path: Path, shared_datasets: Path, data_dir: Path
) -> None:
    archive = _zip(tmp_path / "clothes.zip", clothes_folder(shared_datasets, prefix="clothes/"))
    root = tmp_path / "uploads"
    upload = add_upload(_received(tmp_path, archive), "clothes.zip", root, max_unpacked_bytes=LIMIT)

    assert upload.upload_id == "clothes"
    assert upload.kind == "image"
    assert upload.classes == ("Bag", "Trouser")  # __MACOSX is no class
    assert upload.examples == 24
    assert upload.dataset_name == f"images:{root / 'clothes' / 'clothes' / 'clothes'}"
    ds = load_dataset(upload.dataset_name, validation_split=0.25, seed=0)
    assert ds.class_names == ("Bag", "Trouser")
    assert ds.x_train.shape[1:] == (28, 28, 1)
    assert not list(tmp_path.glob(".incoming-*"))  # the received file is consumed
    assert [u.upload_id for u in list_uploads(root)] == ["clothes"]

    second = add_upload(_received(tmp_path, archive), "clothes.zip", root, max_unpacked_bytes=LIMIT)
    assert second.upload_id == "clothes-2"  # never overwrites an earlier upload
    assert delete_upload(root, "clothes")
    assert find_upload(root, "clothes") is None
    assert [u.upload_id for u in list_uploads(root)] == ["clothes-2"]


def test_a_tar_gz_with_train_and_test_folders_keeps_its_splits(tmp_path: Path, shared_datasets: Path) -> None:
    members = {
        **clothes_folder(shared_datasets, "train/"),
        **clothes_folder(shared_datasets, "test/", per_class=4),
    }
    archive = tmp_path / "split.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("train/Bag/passwd.png")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    upload = add_upload(
        _received(tmp_path, archive), "split.tar.gz", tmp_path / "up", max_unpacked_bytes=LIMIT
    )
    assert upload.dataset_name.endswith("/split/split")  # the folder holding train/ and test/
    assert upload.examples == 24 + 8
    assert not (tmp_path / "up" / "split" / "split" / "train" / "Bag" / "passwd.png").exists()


def test_a_lone_train_folder_is_looked_through(tmp_path: Path, shared_datasets: Path) -> None:
    archive = _zip(tmp_path / "pets.zip", clothes_folder(shared_datasets, prefix="pets/train/"))
    upload = add_upload(_received(tmp_path, archive), "pets.zip", tmp_path / "up", max_unpacked_bytes=LIMIT)
    assert upload.classes == ("Bag", "Trouser")
    assert upload.dataset_name.endswith("/pets/pets/train")


def test_csv_files_and_archives_of_csvs_become_text_datasets(tmp_path: Path, shared_datasets: Path) -> None:
    lines = (shared_datasets / "reuters-r8" / "train.csv").read_text().splitlines()[:200]
    csv_file = tmp_path / "news.csv"
    csv_file.write_text("\n".join(lines) + "\n")
    upload = add_upload(_received(tmp_path, csv_file), "news.csv", tmp_path / "up", max_unpacked_bytes=LIMIT)
    assert (upload.kind, upload.examples) == ("text", 199)
    assert upload.dataset_name.startswith("csv:") and upload.dataset_name.endswith("news.csv")
    assert len(upload.classes) >= 2

    archive = _zip(
        tmp_path / "r8.zip", {"r8/train.csv": csv_file.read_bytes(), "r8/test.csv": csv_file.read_bytes()}
    )
    upload = add_upload(
        _received(tmp_path, archive), "R8 news.zip", tmp_path / "up", max_unpacked_bytes=LIMIT
    )
    assert upload.upload_id == "R8_news"
    assert upload.dataset_name == f"csv:{tmp_path / 'up' / 'R8_news' / 'R8_news' / 'r8'}"
    assert upload.examples == 2 * 199


def test_a_zipped_folder_of_txt_files_becomes_a_text_dataset(tmp_path: Path, shared_datasets: Path) -> None:
    lines = (shared_datasets / "reuters-r8" / "train.csv").read_text().splitlines()[1:41]
    members = {
        f"news/{line.split(',', 1)[0]}/{i}.txt": line.split(",", 1)[1].encode()
        for i, line in enumerate(lines)
    }
    archive = _zip(tmp_path / "news.zip", members)
    upload = add_upload(_received(tmp_path, archive), "news.zip", tmp_path / "up", max_unpacked_bytes=LIMIT)
    assert (upload.kind, upload.examples) == ("text", 40)
    assert upload.dataset_name == f"texts:{tmp_path / 'up' / 'news' / 'news' / 'news'}"
    assert upload.classes == tuple(sorted({line.split(",", 1)[0] for line in lines}))


def test_an_npz_is_kept_and_described_from_its_headers(tmp_path: Path, shared_datasets: Path) -> None:
    images, labels = fashion_mnist(shared_datasets, "train", 50)
    arrays = tmp_path / "arrays.npz"
    np.savez(arrays, x_train=images, y_train=labels)
    upload = add_upload(_received(tmp_path, arrays), "arrays.npz", tmp_path / "up", max_unpacked_bytes=LIMIT)
    assert (upload.kind, upload.examples, upload.classes) == ("image", 50, ())
    assert upload.dataset_name.startswith("npz:")


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("../evil.png", "outside the archive"),
        ("/etc/evil.png", "absolute path"),
        ("C:/evil.png", "absolute path"),
    ],
)
def test_members_that_point_outside_the_archive_are_refused(
    tmp_path: Path, member: str, message: str
) -> None:
    archive = _zip(tmp_path / "evil.zip", {"a/x.png": b"", member: b"payload"})
    with pytest.raises(DatasetError, match=message):
        add_upload(_received(tmp_path, archive), "evil.zip", tmp_path / "up", max_unpacked_bytes=LIMIT)
    assert not (tmp_path / "evil.png").exists()
    assert list((tmp_path / "up").iterdir()) == []  # nothing half-unpacked stays


def test_an_archive_that_unpacks_past_the_limit_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("a/zeros.png", bytes(8 * 2**20))  # compresses to a few KiB
    with pytest.raises(DatasetError, match="more than 1 MB"):
        add_upload(_received(tmp_path, archive), "bomb.zip", tmp_path / "up", max_unpacked_bytes=2**20)
    assert list((tmp_path / "up").iterdir()) == []


@pytest.mark.parametrize(
    ("filename", "members", "message"),
    [
        ("notes.zip", {"notes/readme.txt": b"hello"}, "holds no dataset .found: readme.txt"),
        ("flat.zip", {"cats/a.png": None}, "holds images but no class folders"),
        ("one.zip", {"pets/cats/a.png": None, "pets/readme.txt": b"x"}, "has 1 class .'cats'."),
        ("empty.zip", {"cats/a.png": None, "dogs/readme.txt": b"x"}, "^class folder dogs contains no images"),
        ("junk.zip", {"__MACOSX/._a.png": b"x"}, "holds no files"),
        ("news.csv", b"label,text\nsport,\n,no label\n", "^news.csv line 3: missing label or text"),
        ("broken.zip", None, "not a readable .zip archive"),
        ("pets.rar", {}, "filename must end in one of .zip, .tar"),
    ],
)
def test_files_without_a_usable_dataset_are_refused_with_what_was_expected(
    tmp_path: Path, filename: str, members: dict[str, bytes | None] | bytes | None, message: str
) -> None:
    source = tmp_path / "sent"
    if members is None:
        source.write_bytes(b"PK\3\4 this is not really a zip")
    elif isinstance(members, bytes):
        source.write_bytes(members)
    else:
        pixel = png_bytes(np.zeros((4, 4), np.uint8))
        _zip(source, {name: pixel if data is None else data for name, data in members.items()})
    with pytest.raises(DatasetError, match=message):
        add_upload(_received(tmp_path, source), filename, tmp_path / "up", max_unpacked_bytes=LIMIT)
    assert not (tmp_path / "up").exists() or list((tmp_path / "up").iterdir()) == []


def test_ids_that_are_not_upload_names_are_never_looked_up(tmp_path: Path) -> None:
    (tmp_path / "secret").mkdir()
    assert find_upload(tmp_path / "up", "../secret") is None
    assert not delete_upload(tmp_path / "up", "..")
    assert (tmp_path / "secret").is_dir()


def test_a_zip_whose_end_record_understates_its_entries_is_counted_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from healthtune.data import archives

    archive = _zip(tmp_path / "many.zip", {f"a/{i}.txt": b"" for i in range(30)})
    assert archives.zip_entry_count(archive) == 30
    data = bytearray(archive.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (1).to_bytes(2, "little") * 2  # the end record now says: one entry
    lying = tmp_path / "lying.zip"
    lying.write_bytes(bytes(data))
    monkeypatch.setattr(archives, "MAX_ARCHIVE_MEMBERS", 20)
    with pytest.raises(DatasetError, match=r"has 21 entries"):
        add_upload(_received(tmp_path, lying), "lying.zip", tmp_path / "up", max_unpacked_bytes=LIMIT)


def test_uploads_recorded_with_relative_paths_are_found_where_the_results_root_is_now(tmp_path: Path) -> None:
    """A server started from another directory (or with the results root moved) keeps its uploads."""
    from healthtune.data.uploads import rebase_upload

    root = tmp_path / "moved" / ".uploads"
    moved = rebase_upload("csv:optimization_results/.uploads/news/news/news.csv", root)
    assert moved == f"csv:{root}/news/news/news.csv"
    assert rebase_upload("digits", root) == "digits"
    assert rebase_upload("images:/data/pets", root) == "images:/data/pets"
    news = tmp_path / "news.csv"
    news.write_text("label,text\na,one\nb,two\n")
    upload = add_upload(_received(tmp_path, news), "news.csv", root, max_unpacked_bytes=LIMIT)
    record = root / upload.upload_id / "upload.json"
    record.write_text(record.read_text().replace(str(tmp_path / "moved"), "optimization_results"))
    assert [found.dataset_name for found in list_uploads(root)] == [upload.dataset_name]
