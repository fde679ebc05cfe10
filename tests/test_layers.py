"""The package's layers: no module imports from a layer above it, and no import cycle anywhere.

Layers, bottom to top (a module may import from its own layer and the ones below):

0. base: ``constants``, ``defaults``, ``errors``, ``files``, ``i18n``
1. ``inputs``: tables, values, limits, problem reports, people, scenario folders, data directory
2. ``geo``: departments, gazetteer, capacity, centre files, data fetch
3. ``routing``: the roads (profile, graph, PBF, engine, snapping, matrices, routes)
4. ``planning``: allocation, readiness model, coach plan, schedule, check, baseline, summaries
5. outputs: ``outputs`` (plan files, trip lines), ``maps``, ``documents``
6. the top: ``pipeline``, ``readiness``, ``synthetic``, ``sweep``, ``commands``, ``cli``, ``abri``

Every ``abri`` import counts for the layers, wherever it stands (top of module, function
body, or ``TYPE_CHECKING``): a lazy import hides a dependency, it does not remove it. Cycles
are looked for among the imports that run (those under ``if TYPE_CHECKING:`` are for the
type checker only), and ``abri`` imports must stand at the top of their module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "abri"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("abri.constants", "abri.defaults", "abri.errors", "abri.files", "abri.i18n", "abri.processes"),
    ("abri.inputs",),
    ("abri.geo",),
    ("abri.routing",),
    ("abri.planning",),
    ("abri.outputs", "abri.maps", "abri.documents"),
    (
        "abri.pipeline",
        "abri.demo",
        "abri.readiness",
        "abri.synthetic",
        "abri.sweep",
        "abri.cluster",
        "abri.replan",
        "abri.commands",
        "abri.cli",
        "abri",
    ),
)


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """The import statements under ``if TYPE_CHECKING:`` blocks."""
    out: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out |= {n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)}
    return out


def imports(root: Path, *, runtime: bool = False) -> dict[str, set[str]]:
    """Every module of the package under `root` and the package modules it imports.

    With `runtime`, imports under ``if TYPE_CHECKING:`` are left out.
    """
    modules = {module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_only(tree) if runtime else set()
        for node in ast.walk(tree):
            if node in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and target.split(".")[0] == root.name:
                    graph[name].add(target)
    return graph


def layer(module: str) -> int:
    best, found = -1, -1
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), level
    if found < 0:
        msg = f"{module} is in no layer: add it to LAYERS in tests/test_layers.py"
        raise AssertionError(msg)
    return found


def upward(graph: dict[str, set[str]]) -> list[str]:
    """Imports from a module to a module of a higher layer."""
    return sorted(
        f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)})"
        for a, targets in graph.items()
        for b in targets
        if layer(b) > layer(a) and not (a == "abri" or b == "abri")
    )


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or not (a package's ``__init__`` aside)."""
    g = nx.DiGraph([(a, b) for a, targets in graph.items() for b in targets if b != "abri"])
    return sorted(sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1)


def test_no_module_imports_from_a_layer_above() -> None:
    assert upward(imports(PACKAGE)) == []


def test_no_import_cycle() -> None:
    assert cycles(imports(PACKAGE, runtime=True)) == []


def lazy_imports(root: Path) -> list[str]:
    """``abri`` imports inside a function or class body (the lazy public API of ``abri/__init__.py`` aside)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == root / "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for outer in ast.walk(tree):
            if not isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            for node in ast.walk(outer):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                if any(n == root.name or n.startswith(root.name + ".") for n in names):
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return sorted(set(found))


def test_abri_imports_stand_at_the_top_of_modules() -> None:
    assert lazy_imports(PACKAGE) == []


def _plant(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the package with `line` added to `module` (a dotted name)."""
    copy = tmp_path / "abri"
    for path in PACKAGE.rglob("*.py"):
        target = copy / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    planted = copy.joinpath(*module.split(".")[1:]).with_suffix(".py")
    planted.write_text(planted.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("abri.inputs.report", "from abri.geo.gazetteer import load_communes"),
        ("abri.routing.graph", "def late():\n    from abri.planning.plan import plan_coaches"),
        ("abri.errors", "import abri.pipeline"),
    ],
)
def test_the_check_sees_a_planted_upward_import(tmp_path: Path, module: str, line: str) -> None:
    found = upward(imports(_plant(tmp_path, module, line)))
    assert any(f.startswith(module + " ") for f in found), found


def test_the_check_sees_a_planted_cycle(tmp_path: Path) -> None:
    copy = _plant(tmp_path, "abri.inputs.limits", "from abri.inputs.readers import read_cells")
    assert any(
        "abri.inputs.limits" in c and "abri.inputs.readers" in c for c in cycles(imports(copy))
    )
