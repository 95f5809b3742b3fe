"""The examples reproduce the reference figures that docs/counting.md publishes (torchvision at
224×224): the test reads the table from the document, so the two cannot drift apart."""

from __future__ import annotations

import pytest

import cnncalc
from tests.conftest import ROOT

COUNTING = ROOT / "docs" / "counting.md"


def _reference() -> dict[str, tuple[int, int | None, float | None]]:
    """model -> (params, exact MACs or None, rounded GMACs or None), from the document's table."""
    out: dict[str, tuple[int, int | None, float | None]] = {}
    text = COUNTING.read_text(encoding="utf-8").split("## Reference figures", 1)[1]
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[1].replace(",", "").isdigit():
            continue
        name, params, macs = cells
        rounded = macs.endswith(" G")
        out[name] = (
            int(params.replace(",", "")),
            None if rounded else int(macs.replace(",", "")),
            float(macs[:-2]) if rounded else None,
        )
    return out


REFERENCE = {
    **_reference(),
    "stack": (1_792 + 73_856, 1_555_200 + 57_802_752, None),  # the document's teaching stack
}


def test_the_document_lists_the_torchvision_models() -> None:
    assert len(REFERENCE) == 17
    assert REFERENCE["resnet50"] == (25_557_032, 4_089_184_256, None)
    assert REFERENCE["alexnet"] == (61_100_840, None, 0.714)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_figures(name: str) -> None:
    path = ROOT / "examples" / f"{name}.yaml"
    if not path.exists():
        pytest.fail(f"examples/{name}.yaml is missing")
    params, macs, gmacs = REFERENCE[name]
    totals = cnncalc.analyze(path).totals
    assert totals.params == params
    if macs is not None:
        assert totals.macs == macs
    if gmacs is not None:
        digits = len(str(gmacs).split(".")[1])
        assert round(totals.macs / 1e9, digits) == gmacs


def test_stack_teaching_numbers() -> None:
    r = cnncalc.analyze(ROOT / "examples" / "stack.yaml")
    first, second = (x for x in r.layers if x.op == "conv")
    assert first.params == 64 * (3 * 3 * 3 + 1)  # 1,792
    assert second.params == 128 * (3 * 3 * 64 + 1)  # 73,856
    assert first.out_shape == (64, 30, 30)
    assert second.out_shape == (128, 28, 28)
