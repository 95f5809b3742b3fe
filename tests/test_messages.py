"""The message catalogue is the only place a sentence is written: every diagnostic is a code, every
code is raised somewhere and documented, and the Chinese texts hold no English sentence."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cnncalc import messages
from cnncalc.errors import CODE, CnnCalcError, Msg
from cnncalc.messages import catalogue, en, zh
from tests.conftest import ROOT

PACKAGE = ROOT / "cnncalc"
ERRORS_MD = ROOT / "docs" / "errors.md"
#: the classes (and the `Msg` record) whose first argument must be a code
BUILDERS = frozenset(
    {"CnnCalcError", "SpecError", "ShapeError", "LayerArgError", "CnnCalcWarning", "Msg"}
)
CODES = catalogue.codes()


def _sources() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "messages" not in p.parts]


def _called(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _literal_codes() -> set[str]:
    """Every string constant in cnncalc/ (outside messages/) that looks like a code."""
    found: set[str] = set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and CODE.match(node.value)
            ):
                found.add(node.value)
    return found


def test_no_diagnostic_is_built_from_a_sentence() -> None:
    """Every error, warning, note and message is built from a code (a string literal such as
    'E0101', or a variable holding one), never from an f-string or a sentence."""
    bad = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _called(node)
            if name not in BUILDERS and name != "note":
                continue
            first = node.args[0]
            literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
            if isinstance(first, ast.JoinedStr) or (literal and not CODE.match(first.value)):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(first)[:60]}")
    assert bad == []


def test_every_code_is_raised_somewhere() -> None:
    used = _literal_codes()
    assert sorted(set(CODES) - used) == [], "catalogue codes nothing raises"
    assert sorted(used - set(en.MESSAGES)) == [], "codes raised but missing from the catalogue"


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    assert sorted(set(en.MESSAGES) ^ set(zh.MESSAGES)) == []
    for key, text in en.MESSAGES.items():
        assert messages.placeholders(text) == messages.placeholders(zh.MESSAGES[key]), key


def test_every_error_has_a_hint() -> None:
    missing = [c for c in CODES if c.startswith("E") and c + ".hint" not in en.MESSAGES]
    assert missing == []


#: three English words in a row, once quoted user text, placeholders and code are taken out
_SENTENCE = re.compile(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}\b")
_QUOTED = re.compile(r"'[^']*'|`[^`]*`|\{[a-z_]+\}|\"[^\"]*\"")


@pytest.mark.parametrize("key", [k for k in en.MESSAGES if CODE.match(k.split(".")[0])])
def test_chinese_holds_no_english_sentence(key: str) -> None:
    text = _QUOTED.sub("", zh.MESSAGES[key])
    assert not _SENTENCE.search(text), f"{key}: {zh.MESSAGES[key]}"


def test_a_coded_error_renders_in_both_languages() -> None:
    code = CODES[0]
    args = dict.fromkeys(messages.placeholders(en.MESSAGES[code]), "x")
    err = CnnCalcError(code, **args)
    assert err.render("en").startswith(f"error[{code}]: ")
    assert err.render("zh").startswith(f"错误[{code}]：")
    assert Msg(code, **args).text("zh") == zh.MESSAGES[code].format(**args)


def test_errors_md_is_current(update_goldens: bool) -> None:
    text = catalogue.errors_markdown()
    if update_goldens:
        ERRORS_MD.write_text(text, encoding="utf-8")
    assert ERRORS_MD.read_text(encoding="utf-8") == text, "run pytest --update-goldens"
    for code in CODES:
        assert f"`{code}`" in text


def test_codes_are_listed_under_their_section() -> None:
    """A code is in the section with the longest prefix of it: the Ultralytics codes of two
    ranges together, E0810 (the layer command's) beside them not."""
    text = catalogue.errors_markdown()
    sections = {s.split("\n", 1)[0]: s for s in text.split("\n## ")[1:]}
    ultra = sections["Ultralytics files"]
    for code in ("E0390", "E0397", "W0390", "E0811", "E0816", "W0811"):
        assert f"| `{code}` |" in ultra
    assert "| `E0810` |" in sections["The `layer` command's options"]
    assert "| `E0810` |" not in ultra and "| `W0390` |" not in sections["Warnings"]


def test_errors_md_shows_a_brace_as_the_terminal_does() -> None:
    """`{{` in a message is `str.format`'s escape of one brace: the page shows what is printed."""
    text = catalogue.errors_markdown()
    assert "{{" not in text and "}}" not in text
    row = next(line for line in text.splitlines() if line.startswith("| `E0213` |"))
    assert "or {key: value} |" in row  # the hint, as printed
    assert "'${`{expr}`}'" in next(line for line in text.splitlines() if "`E0205`" in line)
