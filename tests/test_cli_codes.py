"""The command line's, the analyses' and the renderers' messages are keyed by code: every error
they raise names a catalogue code, every code of their catalogue section is raised somewhere, and
every error code has a hint."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from cnncalc.errors import CODE
from cnncalc.messages import en, zh
from tests.conftest import ROOT

AREA = [
    *sorted((ROOT / "cnncalc" / "cli").glob("*.py")),
    *sorted((ROOT / "cnncalc" / "render").glob("*.py")),
    *sorted((ROOT / "cnncalc" / "analysis").glob("*.py")),
    ROOT / "cnncalc" / "quantities.py",
]
ERRORS = {"CnnCalcError", "SpecError", "ShapeError", "CnnCalcWarning", "LayerArgError", "Msg"}
#: functions that still build errors from sentences: `lint:` moves into the loader
LITERAL_ALLOWED: set[tuple[str, str]] = set()
#: where codes are used as arguments rather than in an error's constructor
CODE_ARG = re.compile(r'"([EW]0[0-9]{3})"')


def calls(path: Path) -> list[tuple[str, ast.Call]]:
    """(enclosing function, call) for every call that builds an error or a message."""
    out: list[tuple[str, ast.Call]] = []
    for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(fn, ast.FunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS:
                    out.append((fn.name, node))
    return out


def sentence(node: ast.expr | None) -> bool:
    """Whether an error's first argument is (or may be) a sentence rather than a code: a string
    that is no code, an f-string, a concatenation. A name holding a code passes."""
    if isinstance(node, ast.IfExp):
        return sentence(node.body) or sentence(node.orelse)
    if isinstance(node, ast.Constant):
        return not CODE.match(str(node.value))
    return node is None or isinstance(node, (ast.JoinedStr, ast.BinOp))


def test_every_error_names_a_code() -> None:
    literal = []
    for path in AREA:
        rel = path.relative_to(ROOT / "cnncalc").as_posix()
        for fn, call in calls(path):
            if sentence(call.args[0] if call.args else None) and (rel, fn) not in LITERAL_ALLOWED:
                literal.append(f"{rel}:{call.lineno}")
    assert literal == []


def test_every_cli_code_is_used() -> None:
    used = {c for path in AREA for c in CODE_ARG.findall(path.read_text(encoding="utf-8"))}
    codes = {k for k in en.CLI if "." not in k}
    assert sorted(codes - used) == []


def test_every_cli_error_has_a_hint_in_both_languages() -> None:
    errors = [k for k in en.CLI if k.startswith("E") and "." not in k]
    assert errors
    assert [k for k in errors if f"{k}.hint" not in en.CLI] == []
    assert set(en.CLI) == set(zh.CLI)


def test_every_training_code_is_used_and_has_a_hint() -> None:
    """The training section (E10xx, W10xx) holds every code analysis/train.py, memory.py and
    cli/train.py raise, each raised somewhere, every error with a hint in both languages."""
    train_arg = re.compile(r'"([EW]10[0-9]{2})"')
    used = {c for path in AREA for c in train_arg.findall(path.read_text(encoding="utf-8"))}
    codes = {k for k in en.TRAIN if "." not in k}
    assert codes and all(re.fullmatch(r"[EW]10[0-9]{2}", k) for k in codes)
    assert sorted(codes - used) == [] and sorted(used - codes) == []
    errors = [k for k in codes if k.startswith("E")]
    assert [k for k in errors if f"{k}.hint" not in en.TRAIN] == []
    assert set(en.TRAIN) == set(zh.TRAIN)
