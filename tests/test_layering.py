"""The package's shape: floors that import only downwards, no import circles, and a configuration that
validates without I/O or heavy imports."""

from __future__ import annotations

import ast
import fnmatch
import subprocess
import sys
from pathlib import Path

import healthtune

PACKAGE = Path(healthtune.__file__).parent
FLOORS = [  # docs/architecture.md's layers; a module's floor is the first whose patterns match its name
    (1, "vocabulary", ["core.choices", "core.exceptions", "core.version", "core.lazy", "core.native_logs",
                       "core.paths", "health.defaults", "data.defaults", "data.names"]),
    (7, "interfaces", ["", "cli", "cli.*", "server", "server.*", "health.callback", "run.predictor"]),
    (6, "search and run", ["run", "run.*", "search", "search.study", "search.storage", "search.selector",
                           "plots.study_plots", "plots.tensorboard_server"]),
    (2, "data and health", ["data", "data.*", "health", "health.*"]),
    (3, "configuration", ["core", "core.*", "models.config", "models.learning_rates", "search.space",
                          "search.overrides", "search.user_model"]),
    (4, "training", ["models", "models.*", "training", "training.*", "evaluation", "evaluation.*", "plots",
                     "plots.*", "visualize", "visualize.*"]),
    (5, "execution", ["executors", "executors.*", "remote", "remote.*"]),
]  # fmt: skip


def _modules() -> dict[str, Path]:
    found = {}
    for file in PACKAGE.rglob("*.py"):
        parts = file.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = file
    return found


def _imports(file: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """Every healthtune module `file` imports, at any depth (lazy imports too), TYPE_CHECKING aside."""
    package = name if file.name == "__init__.py" else name.rsplit(".", 1)[0]
    targets: set[str] = set()

    def owner(dotted: str) -> str | None:
        while dotted and dotted not in modules:
            dotted = dotted.rsplit(".", 1)[0] if "." in dotted else ""
        return dotted or None

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                targets.update(t for a in child.names if (t := owner(a.name)))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(parts + ([child.module] if child.module else []))
                for alias in child.names:
                    full = f"{base}.{alias.name}"
                    if target := owner(full if full in modules else base):
                        targets.add(target)
            visit(child)

    visit(ast.parse(file.read_text(encoding="utf-8")))
    return targets - {name}


def _floor(module: str) -> int:
    name = module.removeprefix("healthtune").removeprefix(".")
    for floor, _, patterns in FLOORS:
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            return floor
    raise AssertionError(f"{module} is on no floor: add it to FLOORS and to docs/architecture.md")


def test_every_module_imports_only_from_its_floor_or_below() -> None:
    modules = _modules()
    upward = [
        f"{name} (floor {_floor(name)}) imports {target} (floor {_floor(target)})"
        for name, file in modules.items()
        for target in sorted(_imports(file, name, modules))
        if _floor(target) > _floor(name)
    ]
    assert not upward, "\n".join(upward)


def test_the_package_has_no_import_circles() -> None:
    modules = _modules()
    graph = {name: _imports(file, name, modules) for name, file in modules.items()}
    circles = []
    for start in graph:  # a module that can reach itself through its imports
        seen, stack = set(), [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    circles.append(" -> ".join([*path, start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    assert not circles, "\n".join(sorted(set(circles))[:10])


def test_validating_a_configuration_reads_no_dataset_and_imports_nothing_heavy() -> None:
    script = """
import sys
from healthtune.core.config import OptimizationConfig
config = OptimizationConfig(dataset="images:/no/such/folder", run_name="r", results_root="/no/such/root")
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"PIL", "keras", "tensorflow", "jax", "optuna",
                                                          "sklearn", "scipy", "sqlalchemy", "matplotlib"})
print(config.dataset, heavy)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "images:/no/such/folder []"  # existence is checked where a run starts
