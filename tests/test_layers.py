"""Imports run downward: each package of app/ imports only packages below it in ``LAYERS``
(and modules of its own), so there are no cycles and a newcomer can read the code bottom up.
Only the app factory (app/__init__.py) and the table list for Alembic (app/models.py) import
everything."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

# Lowest first. Names on one line are one layer: they may not import each other.
LAYERS = [
    ("typed",),
    ("codes", "config", "clock", "extensions", "errors", "sql", "identity", "money", "jsonbody", "punctuation"),
    ("dbtypes", "refusals", "security", "workflow"),
    ("files",),
    ("geo",),
    ("auth",),
    ("jobs",),
    ("households",),
    ("campaigns",),
    ("census",),
    ("records",),
    ("monitoring",),
    ("clues",),
    ("figures",),
    ("visits", "audits"),
    ("review", "roster", "sync"),
    ("reports",),
    ("admin", "demo", "pwa", "main", "i18n"),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
WIRING = {APP / "__init__.py", APP / "models.py"}


def _package(path: Path) -> str:
    return path.relative_to(APP).parts[0].removesuffix(".py")


def _imported(path: Path) -> set[str]:
    """The app packages and modules a file imports, anywhere in it (function-local too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "app":
                found.update([parts[1]] if len(parts) > 1 else [alias.name for alias in node.names])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[1] for alias in node.names
                         if alias.name.startswith("app.") and "." in alias.name)
    return found


SOURCES = sorted(path for path in APP.rglob("*.py") if path not in WIRING)


def test_every_package_has_a_layer():
    assert {_package(path) for path in SOURCES} - set(RANK) == set()


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(APP)))
def test_imports_run_downward(path):
    package = _package(path)
    upward = sorted(name for name in _imported(path) - {package} if RANK.get(name, -1) >= RANK[package])
    assert upward == [], f"{path.relative_to(APP)} imports {upward}, not below {package!r}"
