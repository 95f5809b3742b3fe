"""Modules and functions stay small enough to read: at most 700 lines a module and 80 a function
in cnncalc/. The message catalogues are data (one entry a line), not logic, and are left out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

MAX_MODULE = 700
MAX_FUNCTION = 80
CATALOGUES = {"cnncalc/messages/en.py", "cnncalc/messages/zh.py"}
SOURCES = [
    p
    for p in sorted((ROOT / "cnncalc").rglob("*.py"))
    if p.relative_to(ROOT).as_posix() not in CATALOGUES
]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_and_functions_are_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_MODULE
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION
    ]
    assert long == []


def test_the_catalogues_hold_only_data() -> None:
    """What the size rule leaves out is a catalogue: constants and dict literals, no code."""
    for rel in CATALOGUES:
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        kinds = {type(node).__name__ for node in tree.body}
        assert kinds <= {"Expr", "ImportFrom", "Assign", "AnnAssign"}, (rel, kinds)
