"""Links to the documentation resolve for an installed package: they are URLs (the wheel ships no
docs/), the URL is the project's own (pyproject.toml), and every anchor the code links to is a
heading of the page it names."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from cnncalc.analysis.lint import RULES, Finding
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.messages import CATALOGUES, DOCS_URL, docs_link
from tests.conftest import ROOT

DOCS = ROOT / "docs"
#: a call of `docs_link` with literal arguments, as the code writes them
_CALL = re.compile(r"""docs_link\(\s*["']([^"']+)["'](?:\s*,\s*["']([^"']*)["'])?\s*\)""")
#: a path to the docs that is not part of a URL (`see docs/lint.md`)
_RELATIVE = re.compile(r"(?<![/\w])docs/[\w.-]+\.md")


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation (backticks
    included) dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: str) -> set[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # no headings in code blocks
    return {github_anchor(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def linked() -> list[tuple[str, str]]:
    """Every (page, anchor) the code links to: each rule's link and each literal call."""
    out = []
    for code in RULES:
        link = Finding(code, "x", None).link
        assert link.startswith(DOCS_URL + "/"), link
        page, _, anchor = link[len(DOCS_URL) + 1 :].partition("#")
        out.append((page, anchor))
    for path in sorted((ROOT / "cnncalc").rglob("*.py")):
        out += _CALL.findall(path.read_text(encoding="utf-8"))
    return out


def test_the_docs_url_is_the_projects() -> None:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Documentation"] == DOCS_URL
    assert DOCS_URL.startswith(project["urls"]["Homepage"] + "/")
    assert docs_link("lint.md", "cnn101-channel-jump") == f"{DOCS_URL}/lint.md#cnn101-channel-jump"


def test_every_anchor_linked_from_the_code_is_a_heading() -> None:
    links = linked()
    assert len([a for _, a in links if a]) >= len(RULES)
    for page, anchor in links:
        assert (DOCS / page).is_file(), page
        if anchor:
            assert anchor in anchors(page), (page, anchor, sorted(anchors(page)))


def test_the_anchors_are_githubs() -> None:
    assert github_anchor("CNN105 `bias-before-bn`") == "cnn105-bias-before-bn"
    assert "cnn105-bias-before-bn" in anchors("lint.md")
    assert "cnn105" not in anchors("lint.md")  # an `<a id>` is no heading


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_no_message_points_at_a_path_the_package_lacks(lang: str) -> None:
    bad = {k: v for k, v in CATALOGUES[lang].items() if _RELATIVE.search(v)}
    assert bad == {}


def test_hints_link_the_docs_online() -> None:
    err = CnnCalcError("E0702", name="nothing-like-it", docs=docs_link("lint.md"))
    assert f"(see {DOCS_URL}/lint.md)" in err.render()


@pytest.mark.parametrize("command", ["lint", "params", "check", "explain", "diff", "layer"])
def test_help_points_at_no_path_the_package_lacks(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert not _RELATIVE.search(result.stdout), result.stdout
    if command == "lint":
        assert f"{DOCS_URL}/lint.md" in result.stdout
