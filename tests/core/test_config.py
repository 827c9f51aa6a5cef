"""OptimizationConfig validation: clear messages naming the field, the value and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthtune import OptimizationConfig
from healthtune.core.config import Mode, PrunerKind
from healthtune.core.exceptions import ConfigError
from healthtune.run.optimizer import ModelOptimizer


def test_defaults_fill_run_name_and_storage(tmp_path: Path) -> None:
    config = OptimizationConfig(results_root=tmp_path)
    assert config.dataset == "digits"
    assert config.run_name.startswith("digits_")
    assert config.storage_url == f"sqlite:///{(tmp_path / 'studies.db').resolve()}"
    assert config.mode is Mode.HEALTH
    assert config.run_dir == tmp_path / config.run_name


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("trials", 0, "trials must be >= 1, got trials=0"),
        (
            "executor",
            "slurm",
            "executor must be one of ['local', 'inline', 'runpod', 'ray'], got executor='slurm'",
        ),
        ("max_trial_retries", -1, "max_trial_retries must be >= 0, got max_trial_retries=-1"),
        ("target_gpus_per_worker", -2, "target_gpus_per_worker must be >= 0"),
        ("executor_fallback", "no", "executor_fallback must be true or false, got executor_fallback='no'"),
        ("remote_trial_timeout_minutes", 0, "remote_trial_timeout_minutes must be > 0"),
        ("max_epochs_per_trial", 0, "max_epochs_per_trial must be >= 1, got max_epochs_per_trial=0"),
        ("batch_size", -1, "batch_size must be >= 1"),
        ("validation_split", 0.0, "validation_split must be a number in (0, 1), got validation_split=0.0"),
        ("validation_split", 1.0, "validation_split must be a number in (0, 1), got validation_split=1.0"),
        (
            "validation_split",
            "0.2",
            "validation_split must be a number in (0, 1), got validation_split='0.2'",
        ),
        ("tensorboard", "no", "tensorboard must be true or false, got tensorboard='no'"),
        ("health_pruning", "false", "health_pruning must be true or false"),
        ("results_root", 123, "results_root must be a directory path, got results_root=123"),
        ("data_dir", 5, "data_dir must be a directory path"),
        ("timeout_hours", True, "timeout_hours must be a number > 0"),
        ("health_component_proportions", "x=1", "health_component_proportions must be a mapping"),
        ("dataset", 7, "dataset must be a name"),
        ("trials", 2.5, "trials must be an integer"),
        (
            "pruner",
            "sometimes",
            "pruner must be one of ['none', 'median', 'hyperband'], got pruner='sometimes'",
        ),
        ("mode", "fast", "mode must be one of"),
        ("run_name", "../escape", "run_name must be"),
        ("timeout_hours", 0, "timeout_hours must be a number > 0"),
    ],
)
def test_bad_values_name_the_field(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        OptimizationConfig(**{field: value})  # type: ignore[arg-type]
    assert message in str(error.value)


def test_unknown_dataset_lists_valid_names(tmp_path: Path) -> None:
    config = OptimizationConfig(dataset="imagenet", results_root=tmp_path)  # the config reads no file
    with pytest.raises(ConfigError) as error:
        ModelOptimizer(config)  # a run looks for the dataset before it makes anything
    for name in ("mnist", "fashion_mnist", "cifar10", "digits", "reuters"):
        assert name in str(error.value)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ConfigError, match="names no path; expected csv:PATH"):
        OptimizationConfig(dataset="csv: ")


def test_enums_accept_strings_and_round_trip(tmp_path: Path) -> None:
    config = OptimizationConfig(pruner="hyperband", results_root=tmp_path, run_name="r1")  # type: ignore[arg-type]
    assert config.pruner is PrunerKind.HYPERBAND
    again = OptimizationConfig.from_dict(config.to_dict())
    assert again == config


def test_from_dict_rejects_unknown_fields() -> None:
    with pytest.raises(ConfigError, match="unknown config field"):
        OptimizationConfig.from_dict({"trails": 3})


def test_search_space_overrides_are_validated() -> None:
    config = OptimizationConfig(search_space_overrides={"learning_rate": {"low": 1e-3, "high": 5e-3}})
    assert config.search_space_overrides == {"learning_rate": {"low": 1e-3, "high": 5e-3}}
    with pytest.raises(ConfigError, match="unknown parameter 'learnig_rate'"):
        OptimizationConfig(search_space_overrides={"learnig_rate": 0.1})
    with pytest.raises(ConfigError, match="optimizer must be one of"):
        OptimizationConfig(search_space_overrides={"optimizer": "adagrad"})
    with pytest.raises(ConfigError, match="low must be <= high"):
        OptimizationConfig(search_space_overrides={"conv_blocks": {"low": 3, "high": 1}})


def test_a_dataset_name_with_spaces_is_trimmed(tmp_path: Path) -> None:
    config = OptimizationConfig(dataset="  digits ", results_root=tmp_path)
    assert config.dataset == "digits" and config.run_name.startswith("digits_")


def test_automatic_run_names_never_collide(tmp_path: Path) -> None:
    names = {OptimizationConfig(results_root=tmp_path).run_name for _ in range(5)}  # within one second
    assert len(names) == 5
    taken = OptimizationConfig(results_root=tmp_path).run_name
    (tmp_path / taken).mkdir()
    assert OptimizationConfig(results_root=tmp_path).run_name != taken


def test_a_csv_run_is_named_without_its_extension(tmp_path: Path) -> None:
    from healthtune.data import dataset_slug
    from healthtune.run.results import model_file_name

    csv = tmp_path / "my reviews.csv"
    csv.write_text("label,text\na,good\nb,bad\n", encoding="utf-8")
    config = OptimizationConfig(dataset=f"csv:{csv}", results_root=tmp_path)
    assert config.run_name.startswith("my_reviews_2")
    assert dataset_slug("images:/data/x-rays/") == "x-rays"
    assert dataset_slug("images:/data/x-rays/train") == "x-rays"  # a folder named after its role
    assert dataset_slug("mnist") == "mnist"
    assert (
        dataset_slug("csv:/data/reuters-r8/train.csv") == dataset_slug("csv:/data/reuters-r8") == "reuters-r8"
    )
    assert model_file_name(f"csv:{csv}", 0.5) == "optimized_my_reviews_acc_0.5000.keras"
