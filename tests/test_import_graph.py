"""The import graph of `kiosk` has no circle, counting every import the source spells out.

Why: a circle between modules means neither can be read, tested or moved alone, and it only
works by the accident of import order. Python tolerates many circles (a `TYPE_CHECKING`
import, an import inside a function), so only a test that reads every `import` statement
catches them: top level, nested in functions, and under `if TYPE_CHECKING:` alike.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "kiosk"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE


def module_names(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package by dotted name (a package is its `__init__.py`)."""
    out: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The package module `name` lands on: itself, else its nearest enclosing module."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules that `module` imports anywhere in its source."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # Relative: `from . import x` in kiosk/a/b.py is relative to kiosk.a.
                base_parts = module.split(".")
                if not is_package:
                    base_parts.pop()
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            # `from pkg import name`: name may be a submodule, else it is defined in pkg.
            targets = [f"{base}.{alias.name}" for alias in node.names] or [base]
        else:
            continue
        for target in targets:
            if target.split(".")[0] != PACKAGE:
                continue
            hit = _resolve(target, modules)
            if hit is not None and hit != module:
                found.add(hit)
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    modules = module_names(root)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (depth-first search, three colours)."""
    done: set[str] = set()
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> list[str] | None:
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in on_stack:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in done:
                cycle = visit(nxt)
                if cycle is not None:
                    return cycle
        stack.pop()
        on_stack.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            cycle = visit(start)
            if cycle is not None:
                return cycle
    return None


def test_kiosk_imports_have_no_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 40 and "kiosk.core.model" in graph  # the walk found the package
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize(
    ("files", "cycle"),
    [
        (
            {
                "__init__.py": "",
                "a.py": "from kiosk.b import x\n",
                "b.py": "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from kiosk.a import y\n",
            },
            ["kiosk.a", "kiosk.b", "kiosk.a"],
        ),
        (
            {
                "__init__.py": "",
                "sub/__init__.py": "from . import c\n",
                "sub/c.py": "def f():\n    import kiosk.sub.d\n",
                "sub/d.py": "from .. import sub\n",
            },
            ["kiosk.sub", "kiosk.sub.c", "kiosk.sub.d", "kiosk.sub"],
        ),
        ({"__init__.py": "", "a.py": "import kiosk.b\n", "b.py": "import os\n"}, None),
    ],
    ids=["type-checking", "nested-and-relative", "no-cycle"],
)
def test_graph_sees_every_kind_of_import(
    tmp_path: Path, files: dict[str, str], cycle: list[str] | None
) -> None:
    root = tmp_path / PACKAGE
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    assert find_cycle(import_graph(root)) == cycle


MAX_LINES = 460  # "about 450": past it, split the module by what it holds (#12)


def test_no_module_is_longer_than_one_can_read_whole() -> None:
    long = {
        name: lines
        for name, path in module_names().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules by what they hold (over {MAX_LINES} lines): {long}"
