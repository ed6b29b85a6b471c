"""The layers read top-down (DEVELOPERS guide, "How the code should feel" 1).

toolkit.core  <-  inscriptions, vrf  <-  the rest of toolkit  <-  toolkit.cli

``inscriptions/`` and ``vrf/`` import from ``toolkit`` only its core; the core
imports nothing above itself; only ``toolkit/cli`` imports click, prints or exits.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", _modules("inscriptions") + _modules("vrf"), ids=_rel)
def test_libraries_import_only_the_toolkit_core(path: Path) -> None:
    bad = sorted(m for m in _imports(path) if m.startswith("toolkit") and not m.startswith("toolkit.core"))
    assert not bad, f"{_rel(path)} imports {bad}"
    assert "click" not in {m.split(".")[0] for m in _imports(path)}


@pytest.mark.parametrize("path", _modules("toolkit/core"), ids=_rel)
def test_core_imports_nothing_above_it(path: Path) -> None:
    above = sorted(
        m
        for m in _imports(path)
        if m.split(".")[0] in {"inscriptions", "vrf", "click"}
        or (m.startswith("toolkit") and not m.startswith("toolkit.core") and m != "toolkit")
    )
    assert not above, f"{_rel(path)} imports {above}"


@pytest.mark.parametrize(
    "path",
    [p for p in _modules("toolkit") if "cli" not in p.relative_to(ROOT / "toolkit").parts and p.name != "__main__.py"],
    ids=_rel,
)
def test_only_the_cli_layer_uses_click_or_the_renderer(path: Path) -> None:
    bad = sorted(m for m in _imports(path) if m == "click" or m.startswith("toolkit.cli"))
    assert not bad, f"{_rel(path)} imports {bad}"


@pytest.mark.parametrize("path", _modules("inscriptions") + _modules("vrf") + _modules("toolkit/core"), ids=_rel)
def test_libraries_never_print_or_exit(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"print", "exit", "quit"}, f"{_rel(path)}:{node.lineno} calls {node.func.id}"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert (node.value.id, node.attr) != ("sys", "exit"), f"{_rel(path)}:{node.lineno} uses sys.exit"
