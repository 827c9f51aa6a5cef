"""Which dataset paths a server accepts: inside its roots (links followed first), one message otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthtune.core.exceptions import ConfigError
from healthtune.server.data_access import confine_dataset, current_config
from healthtune.server.settings import ServerSettings


def test_paths_inside_the_roots_come_back_absolute_and_resolved(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "pets").mkdir(parents=True)
    (root / "news.csv").write_text("label,text\n")
    (root / "alias").symlink_to(root / "pets")
    assert confine_dataset("mnist", [root]) == "mnist"
    assert confine_dataset(f"images:{root}/pets", [root]) == f"images:{root.resolve()}/pets"
    assert confine_dataset(f"images:{root}/alias", [root]) == f"images:{root.resolve()}/pets"
    assert confine_dataset("csv:news.csv", [tmp_path / "empty", root]) == f"csv:{root.resolve()}/news.csv"
    assert confine_dataset(f"{root}/pets/../news.csv", [root]) == f"{root.resolve()}/news.csv"


@pytest.mark.parametrize(
    "name",
    ["csv:/etc/passwd", "csv:/etc/no-such-file", "images:{root}/../outside", "images:{root}/out",
     "texts:/root", "npz:../../etc/x.npz", "csv:/etc/passwd\x00.csv", "/proc/self/environ"],
)  # fmt: skip
def test_everything_else_is_refused_with_one_message(tmp_path: Path, name: str) -> None:
    root = tmp_path / "data"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    (root / "out").symlink_to(tmp_path / "outside")
    name = name.replace("{root}", str(root))
    with pytest.raises(ConfigError) as refused:
        confine_dataset(name, [root])
    message = str(refused.value)
    assert (
        message.startswith("dataset ") and "HEALTHTUNE_DATA_ROOTS" in message and "not exist" not in message
    )


def test_a_mistyped_registry_name_is_told_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown dataset 'mnsit'; valid names: digits, mnist"):
        confine_dataset("mnsit", [tmp_path])


def test_a_stored_job_runs_with_this_servers_places(tmp_path: Path) -> None:
    settings = ServerSettings(results_root=tmp_path / "new", data_dir=tmp_path / "cache")
    old = {"dataset": "csv:optimization_results/.uploads/news/news/news.csv", "results_root": "optimization_results",
           "storage_url": "sqlite:///elsewhere/studies.db", "trials": 3}  # fmt: skip
    current = current_config(old, settings)
    assert current["dataset"] == f"csv:{tmp_path}/new/.uploads/news/news/news.csv"
    assert current["results_root"] == str(tmp_path / "new") and current["trials"] == 3
    assert current["storage_url"] == settings.storage_url and current["data_dir"] == str(tmp_path / "cache")
