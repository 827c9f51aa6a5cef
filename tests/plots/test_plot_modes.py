"""plot_mode all / best / none produce exactly the expected per-trial plots; study plots and architecture always."""

from __future__ import annotations

from pathlib import Path

import pytest

from healthtune import OptimizationConfig, optimize


@pytest.mark.parametrize("plot_mode", ["all", "best", "none"])
def test_plot_modes(tmp_path: Path, plot_mode: str) -> None:
    config = OptimizationConfig(
        dataset="digits", executor="inline", trials=2, max_epochs_per_trial=1, batch_size=32, max_samples=500,
        results_root=tmp_path, run_name=f"plots_{plot_mode}", plot_mode=plot_mode,  # type: ignore[arg-type]
        pruner="none", tensorboard=False,  # type: ignore[arg-type]
    )  # fmt: skip
    result = optimize(config)
    assert result.best_trial is not None
    with_plots = {p.parent.name for p in result.run_dir.glob("trials/*/plots")}
    expected = {
        "all": {"trial_0", "trial_1"},
        "best": {f"trial_{result.best_trial.number}"},
        "none": set(),
    }[plot_mode]
    assert with_plots == expected
    optimized = result.run_dir / "optimized_model"
    assert (optimized / "plots").is_dir() == (plot_mode != "none")
    if plot_mode != "none":
        assert len(list((optimized / "plots").glob("*.png"))) >= 13
    for trial_dir in result.run_dir.glob("trials/*"):
        assert (trial_dir / "architecture.json").is_file()
    assert (optimized / "architecture.json").is_file()
    study_plots = {p.stem for p in (result.run_dir / "study_plots").glob("*.png")}
    assert {"optimization_history", "param_importances", "parallel_coordinates", "slice"} <= study_plots


def test_study_plots_can_be_redrawn_on_demand(tmp_path: Path) -> None:
    from healthtune.cli.commands import main

    config = OptimizationConfig(
        dataset="digits", executor="inline", trials=2, max_epochs_per_trial=1, max_samples=300, results_root=tmp_path,
        run_name="redraw", plot_mode="none", tensorboard=False,  # type: ignore[arg-type]
    )  # fmt: skip
    result = optimize(config)
    for png in (result.run_dir / "study_plots").glob("*"):
        png.unlink()
    assert main(["study-plots", str(result.run_dir)]) == 0
    assert (result.run_dir / "study_plots" / "optimization_history.png").is_file()
    assert main(["study-plots", str(tmp_path / "missing")]) == 1
