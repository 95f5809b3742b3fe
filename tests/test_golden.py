"""Golden JSON and table text for every example; `pytest --update-goldens` rewrites them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

import cnncalc
from cnncalc import loader
from cnncalc.engine import analyze_network
from cnncalc.errors import Source
from cnncalc.render.json import to_json
from cnncalc.render.tables import params_renderable
from tests.conftest import EXAMPLES, GOLDEN


def table_text(report: cnncalc.Report, width: int = 100) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    console.print(params_renderable(report))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in out.splitlines()) + "\n"


def check(path: Path, actual: str, update: bool) -> None:
    if update:
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"missing golden {path.name}: run pytest --update-goldens"
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} differs"


def analyze(example: Path) -> cnncalc.Report:
    """Analyse under the path a user would type from the repository root (goldens quote it)."""
    source = Source(f"examples/{example.name}", example.read_text(encoding="utf-8"))
    return analyze_network(loader.load_source(source))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_golden_json(example: Path, update_goldens: bool) -> None:
    report = analyze(example)
    check(GOLDEN / f"{example.stem}.json", to_json(report.to_dict()), update_goldens)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_golden_table(example: Path, update_goldens: bool) -> None:
    report = analyze(example)
    check(GOLDEN / f"{example.stem}.txt", table_text(report), update_goldens)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_rows_sum_to_totals(example: Path) -> None:
    data = cnncalc.analyze(example).to_dict()
    layers, totals = data["layers"], data["totals"]
    assert isinstance(layers, list) and isinstance(totals, dict)
    for key in ("params", "macs", "flops"):
        assert sum(row[key] for row in layers) == totals[key]
    assert totals["flops"] == 2 * totals["macs"]
    assert json.loads(to_json(data)) == data


def test_no_golden_without_an_example() -> None:
    stems = {p.stem for p in EXAMPLES}
    orphans = [p.name for p in GOLDEN.glob("*") if p.stem not in stems]
    assert not orphans, f"golden files without an example: {orphans}"
