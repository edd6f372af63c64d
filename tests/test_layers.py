"""The package's layers: every import points down (or sideways within a layer, without a
cycle), so that each layer can be read, tested and replaced without those above it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "scripts" / "accords_kg"

#: Low to high. A module may import from its own layer or any layer below.
LAYERS = ["base", "sparql", "graph", "validation", "publishing", "web", "add", "cli"]


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int:
    head = module.split(".")[0]
    return LAYERS.index(head) if head in LAYERS else 0  # top-level modules: the base


def _imports(path: Path) -> set[str]:
    """Every module of the package ``path`` imports, lazily or not."""
    here = _name(path).split(".") if _name(path) else []
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):  # import accords_kg.web.serve
            found |= {
                a.name.removeprefix("accords_kg.")
                for a in node.names
                if a.name.startswith("accords_kg.")
            }
            continue
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[: len(package) - node.level + 1]
        elif (node.module or "").startswith("accords_kg"):
            base, node.module = [], node.module.removeprefix("accords_kg").lstrip(".")
        else:
            continue
        target = base + (node.module.split(".") if node.module else [])
        for alias in node.names:
            candidate = PACKAGE.joinpath(*target, alias.name)
            if candidate.with_suffix(".py").exists() or candidate.is_dir():
                found.add(".".join([*target, alias.name]))
            elif target:
                found.add(".".join(target))
    return found - {""}


MODULES = {_name(p): _imports(p) for p in PACKAGE.rglob("*.py")}


def test_imports_point_down() -> None:
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in MODULES.items()
        for target in targets
        if _layer(target) > _layer(module)
    )
    assert upward == []


def test_no_import_cycle() -> None:
    graph = {m: {t for t in ts if t in MODULES and t != m} for m, ts in MODULES.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_layers_are_the_folders() -> None:
    """Each layer above the base is a folder of the package (or the two top modules)."""
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert folders == sorted(LAYERS[1:-2])
    assert {"add", "cli"} <= set(MODULES)
