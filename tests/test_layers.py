"""The package's layers: what may import what.

base (``errors``, ``safetext``) <- ``kb`` (the knowledge base and library
API) <- ``pages`` (views and renderers) <- ``cli`` (the command line). A
module imports only from its own layer or those below, and no modules import
each other in a loop, counting imports inside functions (only imports for
type checkers are left out).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "ketaminfo"
LAYERS = {"base": 0, "kb": 1, "pages": 2, "cli": 3}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS[parts[1]]
    return 0 if module != "ketaminfo.__main__" else 3


def _imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
        for node in ast.walk(branch)
    }
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only or not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[: len(package) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        elif (node.module or "").startswith("ketaminfo"):
            target = node.module or ""
        else:
            continue
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            found.add(sub if sub in known else target)
    return {name for name in found if name in known and name != module}


GRAPH = {name: _imports(name, path, _modules()) for name, path in _modules().items()}


def test_nothing_imports_from_a_layer_above_it():
    upward = [
        (module, target)
        for module, targets in GRAPH.items()
        for target in targets
        if _layer(target) > _layer(module) and target != "ketaminfo"
    ]
    assert upward == []


def test_no_import_loops():
    visiting: list[str] = []
    done: set[str] = set()
    loops: list[list[str]] = []

    def visit(module: str) -> None:
        if module in visiting:
            loops.append(visiting[visiting.index(module):] + [module])
            return
        if module in done:
            return
        visiting.append(module)
        for target in sorted(GRAPH[module]):
            visit(target)
        visiting.pop()
        done.add(module)

    for module in sorted(GRAPH):
        visit(module)
    assert loops == []

