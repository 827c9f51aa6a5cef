"""GPU check (issue 7): a 5-trial MNIST search on the GPU vs the same search on the CPU, trials/hour.

Runs only where a GPU exists (the lent device machine: KERAS_BACKEND=jax, no TensorFlow there).
Each side runs in its own process (JAX picks its platform at import). Also prints which
data-parallel strategy `target_gpus_per_worker` selects on that machine.
Run: KERAS_BACKEND=jax python bench/gpu_search.py [--trials 5] [--epochs 2] [--samples 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from common import mnist_data_dir


def one_search(args: argparse.Namespace, platform: str) -> dict[str, float]:
    """The search in a child process whose JAX sees only `platform` (gpu or cpu)."""
    code = f"""
import json, time
from healthtune import OptimizationConfig, optimize
config = OptimizationConfig(
    dataset="mnist", data_dir={str(mnist_data_dir())!r}, max_samples={args.samples}, trials={args.trials},
    max_epochs_per_trial={args.epochs}, sampler="random", pruner="none", mode="health", plot_mode="none",
    tensorboard=False, executor="local", results_root={tempfile.mkdtemp(prefix="healthtune-gpu-")!r},
    run_name="gpu_{platform}", seed=3,
)
start = time.perf_counter()
result = optimize(config)
wall = time.perf_counter() - start
best = result.best_trial
dirs = [result.run_dir / "trials" / f"trial_{{t.number}}" for t in result.trials if t.state == "complete"]
trained = [json.loads((d / "metrics.json").read_text()) for d in dirs]
epochs = [json.loads((d / "history.json").read_text())["epoch_seconds"] for d in dirs]
later = [s for e in epochs for s in e[1:]] or [float("nan")]
print(json.dumps({{
    "wall": wall, "test": best.metrics["test_accuracy"], "gpus": best.metrics.get("gpus", 0),
    "completed": len(trained), "build": sum(m["build_seconds"] for m in trained) / len(trained),
    "train": sum(m["train_seconds"] for m in trained) / len(trained),
    "first_epoch": sum(e[0] for e in epochs) / len(epochs), "later_epoch": sum(later) / len(later),
}}))
"""
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": platform}
    if platform == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = "-1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"the {platform} search failed ({out.returncode}):\n{out.stderr[-4000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--samples", type=int, default=20000)
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "jax")
    from healthtune import OptimizationConfig
    from healthtune.training.distribution import gpu_devices, plan_distribution

    gpus = len(gpu_devices("jax"))
    if gpus == 0:
        raise SystemExit("no GPU visible to JAX: run this on the GPU machine")
    for target in (1, 2, 4):
        plan = plan_distribution("jax", gpus, target, OptimizationConfig().batch_size)
        print(f"target_gpus_per_worker={target} on {gpus} GPU(s): {plan.kind} x{plan.devices} {plan.note}")
    started = time.perf_counter()
    sides = {}
    for name, platform in (("GPU", "cuda"), ("CPU", "cpu")):
        side = sides[name] = one_search(args, platform)
        print(
            f"{name}: {side['wall']:7.1f} s, {args.trials * 3600 / side['wall']:7.1f} trials/hour, "
            f"{side['completed']:.0f} completed on {side['gpus']:.0f} GPU(s), per trial {side['build']:.1f} s building + "
            f"{side['train']:.1f} s training (first epoch {side['first_epoch']:.1f} s, "
            f"later epochs {side['later_epoch']:.1f} s), best test accuracy {side['test']:.4f}",
            flush=True,
        )
    gpu, cpu = sides["GPU"], sides["CPU"]
    print(
        f"GPU/CPU trials per hour: {cpu['wall'] / gpu['wall']:.1f}x; one epoch after the first (compiled): "
        f"{cpu['later_epoch'] / gpu['later_epoch']:.1f}x (total {time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
