"""Every pointer to documentation resolves for an installed package, offline: a lint finding
points at `cnncalc lint --explain CODE`, which prints the rule's documentation from the message
catalogue (shipped in the package, in every language); docs/lint.md holds the same text,
generated; no message or `--help` names a path under docs/ or a web address the project does not
have."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from cnncalc.analysis.lint import RULES, Finding, rule_parts, rule_text, rules_markdown, wrap
from cnncalc.cli import app
from cnncalc.errors import columns
from cnncalc.messages import CATALOGUES
from tests.conftest import ROOT

LINT_MD = ROOT / "docs" / "lint.md"
BEGIN = "<!-- the rules: generated from the message catalogue"
END = "<!-- end of the rules -->"
#: a path to the docs that is not part of a URL (`see docs/lint.md`)
_RELATIVE = re.compile(r"(?<![/\w])docs/[\w.-]+\.md")
_URL = re.compile(r"https?://")
runner = CliRunner()


def test_lint_md_holds_the_catalogues_rules(update_goldens: bool) -> None:
    text = LINT_MD.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    comment, _, rest = rest.partition("\n")
    _, _, tail = rest.partition(END)
    generated = f"{head}{BEGIN}{comment}\n\n{rules_markdown()}\n{END}{tail}"
    if update_goldens:
        LINT_MD.write_text(generated, encoding="utf-8")
    assert text == generated, "run pytest --update-goldens"


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_explains_itself_in_both_languages(code: str) -> None:
    for lang in sorted(CATALOGUES):
        parts = dict(rule_parts(code, lang))
        assert {"fires", "reason", "fix"} <= parts.keys(), (lang, parts.keys())
        text = rule_text(code, lang)
        assert text.startswith(f"{code} {RULES[code].slug}\n")
        assert max(map(columns, text.splitlines())) <= 88, lang
    # the example is YAML the loader reads, and fires the rule it illustrates
    en, zh = dict(rule_parts(code, "en")), dict(rule_parts(code, "zh"))
    assert ("example" in en) == ("example" in zh)
    if "example" in en:
        from cnncalc import analyze
        from cnncalc.analysis.lint import lint

        for example in (en["example"], zh["example"]):
            assert code in {f.code for f in lint(analyze(example))}


def test_wrap_breaks_at_spaces_and_between_wide_characters() -> None:
    assert wrap("aa bb cc", 5) == ["aa bb", "cc"]
    assert wrap("一二三四五", 4) == ["一二", "三四", "五"]  # two columns each
    assert wrap("一二三，四", 6) == ["一二", "三，四"]  # `，` never starts a line
    assert wrap("abcdefgh", 3) == ["abc", "def", "gh"]  # a word longer than the line


@pytest.mark.parametrize("word", ["CNN105", "cnn105", "bias-before-bn"])
def test_explain_prints_the_rule(word: str) -> None:
    result = runner.invoke(app, ["lint", "--explain", word])
    assert result.exit_code == 0, result.output
    assert result.stdout == rule_text("CNN105")
    zh = runner.invoke(app, ["lint", "--explain", word, "--lang", "zh"])
    assert zh.stdout == rule_text("CNN105", "zh")
    assert "修正：" in zh.stdout


def test_explain_an_unknown_rule_or_nothing_at_all() -> None:
    result = runner.invoke(app, ["lint", "--explain", "CNN1O5"])
    assert result.exit_code == 2
    assert "error[E0702]: --explain: no lint rule 'CNN1O5'" in result.stderr
    assert "'CNN105'" in result.stderr
    result = runner.invoke(app, ["lint"])
    assert result.exit_code == 2
    assert "error[E0704]" in result.stderr


def test_every_finding_points_at_its_explanation() -> None:
    for code in RULES:
        command = Finding(code, "x", None).link
        result = runner.invoke(app, command.split()[1:])
        assert result.exit_code == 0 and result.stdout.startswith(code), command


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_no_message_points_at_a_path_or_address(lang: str) -> None:
    bad = {k: v for k, v in CATALOGUES[lang].items() if _RELATIVE.search(v) or _URL.search(v)}
    assert bad == {}


def test_the_package_names_no_web_address_it_does_not_have() -> None:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "urls" not in project  # the project has no public address yet: none is made up
    for path in sorted((ROOT / "cnncalc").rglob("*.py")):
        assert "OWNER/" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("command", ["lint", "params", "check", "explain", "diff", "layer"])
def test_help_points_at_no_path_the_package_lacks(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert not _RELATIVE.search(result.stdout), result.stdout
    if command == "lint":
        assert "cnncalc lint --explain CNN102" in result.stdout
