"""The tables drawn straight to segments equal what Rich's own layout draws."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console, RenderableType

import cnncalc
from cnncalc.analysis.explain import Step, explain_report, overview
from cnncalc.render.tables import StepsTable
from tests.conftest import EXAMPLES


def text(renderable: RenderableType, width: int) -> str:
    """What a terminal shows (piped output widens instead: tests/test_layout.py)."""
    console = Console(
        file=io.StringIO(), width=width, force_terminal=True, color_system=None, highlight=False
    )
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


#: tables compared per op and example: Rich's layout is what makes explain slow
PER_OP = 2


def tables(example: Path, lang: str) -> list[StepsTable]:
    report = cnncalc.analyze(example)
    out = [StepsTable("the whole network", tuple(overview(report, lang)), lang)]
    seen: dict[str, int] = {}
    for section in explain_report(report, None, lang):
        op = section.row.op
        if seen.get(op, 0) < PER_OP:
            seen[op] = seen.get(op, 0) + 1
            out.append(StepsTable("", section.steps, lang))
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_steps_table_equals_rich_layout(example: Path, lang: str) -> None:
    for table in tables(example, lang):
        for width in (38, 80, 160):
            assert text(table, width) == text(table.rich_table(), width), (table.title, width)


def test_narrow_or_marked_up_text_is_left_to_rich() -> None:
    steps = (Step("Params", "1,792", "weights [and] bias"),)
    assert StepsTable("", steps).widths(100) is None  # '[' is Rich markup
    assert StepsTable("", (Step("Params", "1,792", "x"),)).widths(12) is None
    assert StepsTable("", (Step("Params", "1,792", "x"),)).widths(100) is not None
