"""The `check` and `diff` tables on a narrow terminal: whole columns go in the stated order
(`render.ci.CHECK_DROP`, `DIFF_TOTALS_DROP`, `DIFF_LAYERS_DROP`), a number is never cut (no
`11.6…`, no unit split from its value), and names wrap instead of losing their end."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console, RenderableType
from typer.testing import CliRunner

import cnncalc
from cnncalc.analysis.budget import CheckResult, check_report
from cnncalc.analysis.diff import diff_reports
from cnncalc.cli import app
from cnncalc.render.ci import (
    CHECK_COLUMNS,
    CHECK_DROP,
    DIFF_LAYERS,
    DIFF_LAYERS_DROP,
    DIFF_TOTALS,
    DIFF_TOTALS_DROP,
    check_table,
    diff_table,
    layer_cells,
)
from tests.conftest import ROOT

EX = ROOT / "examples"


def terminal(renderable: RenderableType, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def piped(renderable: RenderableType) -> str:
    console = Console(file=io.StringIO(), width=80, force_terminal=False, color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def _check() -> CheckResult:
    path = EX / "resnet18.yaml"
    return CheckResult((check_report(cnncalc.analyze(path), str(path)),))


def _tokens(text: str) -> set[str]:
    return set(text.split())


WIDTHS = range(100, 39, -1)


@pytest.mark.parametrize("width", WIDTHS)
def test_check_keeps_every_number_whole(width: int) -> None:
    result = _check()
    text = terminal(check_table(result), width)
    assert "…" not in text, (width, text)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    words = _tokens(text)
    for b in result.files[0].budgets:
        cells = piped(check_table(result))
        assert b.name in cells
    # every used amount and limit, each with its unit, as one word on one line
    for word in _tokens(piped(check_table(result))):
        if word[:1].isdigit() and any(c.isalpha() for c in word):  # 11.69M, 16MiB, 1.814G
            assert word in words, (width, word)
    assert ("FAIL" in words) or ("pass" in words)


def test_check_drops_its_columns_in_the_stated_order() -> None:
    result = _check()
    headers = {"limit_from": "from", "headroom": "Headroom"}  # "Limit from" spans two words
    seen_dropped: list[str] = []
    for width in WIDTHS:
        head = terminal(check_table(result), width)
        gone = [k for k in CHECK_DROP if headers[k] not in head]
        assert gone == list(CHECK_DROP[: len(gone)]), (width, gone)
        assert len(gone) >= len(seen_dropped)
        seen_dropped = gone
    assert seen_dropped == list(CHECK_DROP)  # at 40 columns both have gone
    assert "from" in terminal(check_table(result), 100)


def _diff() -> object:
    old = cnncalc.analyze(EX / "resnet18.yaml")
    new = cnncalc.analyze(EX / "resnet50.yaml")
    return diff_reports(old, new, "examples/resnet18.yaml", "examples/resnet50.yaml")


@pytest.mark.parametrize("width", WIDTHS)
def test_diff_keeps_every_number_whole(width: int) -> None:
    d = _diff()
    text = terminal(diff_table(d), width)  # type: ignore[arg-type]
    assert "…" not in text, (width, text)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    lines = text.splitlines()
    # a byte total keeps its unit on the line of its number: "46,758,048 B", never "B" alone
    assert not any(line.split()[-1:] == ["B"] and len(line.split()) <= 4 for line in lines), text
    words = _tokens(text)
    for name in d.shown_totals:  # type: ignore[attr-defined]
        for value in (d.totals[name].old, d.totals[name].new):  # type: ignore[attr-defined]
            assert f"{value:,}" in words, (width, name, value)
    first = layer_cells(d.layers[0])  # type: ignore[attr-defined]
    assert first[4].split()[0] in words  # the first changed layer's params


def test_diff_drops_its_columns_in_the_stated_order() -> None:
    d = _diff()
    wide = terminal(diff_table(d), 200)  # type: ignore[arg-type]
    for header in ("Δ%", "Also", "Op", "Output", "MACs"):
        assert header in wide
    # the totals keep the relative change longer than the absolute one
    fifty = terminal(diff_table(d), 56)  # type: ignore[arg-type]
    assert "Δ%" in fifty and " Δ " not in fifty and "+118.6%" in fifty
    narrow = terminal(diff_table(d), 40)  # type: ignore[arg-type]
    assert "Δ%" not in narrow and "25,557,032" in narrow
    assert DIFF_TOTALS_DROP == ("delta", "pct")
    assert DIFF_LAYERS_DROP == ("also", "op", "output", "macs")
    header_line = next(line for line in narrow.splitlines() if line.split()[:1] == ["Layer"])
    assert header_line.split() == ["Layer", "Change", "Params"]


def test_piped_tables_are_never_narrowed() -> None:
    old, new = str(EX / "resnet18.yaml"), str(EX / "resnet50.yaml")
    result = CliRunner().invoke(app, ["diff", old, new], env={"COLUMNS": "40", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    header = next(line for line in result.stdout.splitlines() if line.startswith(" Layer"))
    assert header.split() == ["Layer", "Change", "Op", "Output", "Params", "MACs", "Also"]
    assert "115,605,504 → 12,845,056 (-102,760,448)" in result.stdout
    result = CliRunner().invoke(app, ["check", old], env={"COLUMNS": "40", "NO_COLOR": "1"})
    assert "Limit from" in result.stdout and "6.125MiB" in result.stdout


def test_the_readme_states_the_check_and_diff_drop_orders() -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    names = {c.key: c.header for c in (*CHECK_COLUMNS, *DIFF_TOTALS, *DIFF_LAYERS)}
    check = ", then ".join(f"`{names[k]}`" for k in CHECK_DROP)
    totals = ", then ".join(f"`{names[k]}`" for k in DIFF_TOTALS_DROP)
    layers = ", ".join(f"`{names[k]}`" for k in DIFF_LAYERS_DROP)
    assert f"The `check` table drops {check};" in readme
    assert f"drops {totals} from its totals and {layers} from its layers" in readme
