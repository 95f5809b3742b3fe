"""`frozen: true`: on a layer, a block call, a block's declaration, a repeat and a structure;
the trainable/frozen split in the totals, the JSON, the CSV, the table (en and zh) and `diff`;
the errors of a value that is not a boolean. PyTorch parity of the split is in
tests/test_parity_examples.py (every example and random graphs, through `requires_grad_`) and
tests/test_torchvision.py (a fine-tuned ResNet-18)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.analysis.diff import diff_reports
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError, ExitStatus
from cnncalc.render.report import to_csv, totals_lines
from tests.conftest import EXAMPLES, ROOT

runner = CliRunner()
FROZEN_RESNET = ROOT / "tests" / "data" / "resnet18_frozen.yaml"

C1 = 8 * 3 * 3 * 3  # conv 3 → 8, 3×3, no bias: 216
BN = 2 * 8  # 16
C2 = 8 * 8 * 3 * 3  # 576
FC = 8 * 10 + 10  # 90

HEAD = "  - gap\n  - flatten\n  - linear: 10\n"


def analyze(layers: str, blocks: str = "") -> cnncalc.Report:
    head = "input: 3x16x16\ndefaults:\n  conv: {k: 3, p: 1, bias: false}\n"
    return cnncalc.analyze(head + blocks + "layers:\n" + layers + HEAD)


def frozen(report: cnncalc.Report) -> list[str]:
    return [r.name for r in report.layers if r.frozen]


def test_a_frozen_layer() -> None:
    r = analyze("  - conv: 8\n    frozen: true\n  - bn\n  - relu\n")
    assert frozen(r) == ["conv1"]
    assert (r.totals.frozen_params, r.totals.trainable_params) == (C1, BN + FC)
    assert r.totals.params == r.totals.trainable_params + r.totals.frozen_params
    assert r.layer("conv1").trainable_params == 0
    assert r.layer("bn1").trainable_params == BN


def test_frozen_false_is_the_default() -> None:
    r = analyze("  - conv: 8\n    frozen: false\n  - bn\n")
    assert frozen(r) == []
    assert (r.totals.trainable_params, r.totals.frozen_params) == (C1 + BN + FC, 0)


def test_a_frozen_repeat_freezes_every_copy() -> None:
    r = analyze("  - conv: 8\n  - conv: 8\n    repeat: 3\n    name: c\n    frozen: true\n")
    assert frozen(r) == ["c.0", "c.1", "c.2"]
    assert r.totals.frozen_params == 3 * C2


def test_a_frozen_block_call_and_a_frozen_block() -> None:
    blocks = (
        "blocks:\n  cbr:\n    layers: [conv: 8, bn, relu]\n"
        "  stem:\n    frozen: true\n    layers: [conv: 8, bn]\n"
    )
    r = analyze("  - stem\n  - cbr:\n    frozen: true\n  - cbr\n", blocks)
    assert frozen(r) == ["stem1.conv1", "stem1.bn1", "cbr1.conv1", "cbr1.bn1", "cbr1.relu1"]
    assert r.totals.frozen_params == (C1 + BN) + (C2 + BN)  # the stem and the first call
    assert r.totals.trainable_params == C2 + BN + FC  # the second call and the head


def test_a_frozen_residual_freezes_its_generated_shortcut() -> None:
    body = "[conv: {out: 16, s: 2}, bn, relu, conv: 16, bn]"
    r = analyze(f"  - conv: 8\n  - residual: {{body: {body}, shortcut: auto}}\n    frozen: true\n")
    shortcut = [x for x in r.layers if x.node.generated]
    assert [x.name for x in shortcut] == ["shortcut1.conv", "shortcut1.bn"]
    assert all(x.frozen for x in shortcut)
    body_params = 16 * 8 * 9 + 2 * 16 + 16 * 16 * 9 + 2 * 16  # 3,680
    projection = 16 * 8 + 2 * 16  # 1×1 conv, no bias, and its bn: 160
    assert r.totals.frozen_params == body_params + projection
    assert r.totals.trainable_params == C1 + 16 * 10 + 10


def test_a_frozen_parallel() -> None:
    r = analyze("  - parallel: {branches: [[conv: 8], [conv: 8, bn]], merge: add}\n"
                "    frozen: true\n  - conv: 8\n")  # fmt: skip
    assert r.totals.frozen_params == C1 + C1 + BN
    assert not r.layer("conv1").frozen  # the conv after the structure


def test_frozen_false_inside_a_frozen_item_unfreezes_nothing() -> None:
    """As `requires_grad_(False)` on a parent module reaches every child."""
    blocks = "blocks:\n  b:\n    layers:\n      - conv: 8\n        frozen: false\n      - bn\n"
    r = analyze("  - b:\n    frozen: true\n", blocks)
    assert frozen(r) == ["b1.conv1", "b1.bn1"]


def test_no_example_freezes_anything() -> None:
    for path in EXAMPLES:
        t = cnncalc.analyze(path).totals
        assert (t.trainable_params, t.frozen_params) == (t.params, 0), path.name


# --- the outputs ---------------------------------------------------------------------------


def test_json_has_the_split_and_each_layers_flag() -> None:
    data = cnncalc.analyze(FROZEN_RESNET).to_dict()
    totals = data["totals"]
    assert isinstance(totals, dict)
    assert totals["trainable_params"] == 11_689_512 - 157_504
    assert totals["frozen_params"] == 157_504
    layers = data["layers"]
    assert isinstance(layers, list)
    assert [x["frozen"] for x in layers[:5]] == [True, True, False, False, True]  # layer1.0.conv1
    assert sum(x["params"] for x in layers if x["frozen"]) == 157_504


def test_the_totals_line_shows_the_split_when_anything_is_frozen() -> None:
    report = cnncalc.analyze(FROZEN_RESNET)
    en = totals_lines(report, "en")
    assert en[0].startswith("Params       11,689,512")
    assert en[1] == "Trainable    11,532,008 · frozen 157,504"
    assert totals_lines(report, "zh")[1] == "可训练参数   11,532,008 · 冻结 157,504"
    plain = totals_lines(cnncalc.analyze(ROOT / "examples" / "resnet18.yaml"))
    assert not any(line.startswith("Trainable") for line in plain)


def test_the_command_prints_the_split() -> None:
    result = runner.invoke(app, ["params", str(FROZEN_RESNET), "--depth", "0"])
    assert result.exit_code == 0, result.output
    assert "\nTrainable    11,532,008 · frozen 157,504\n" in result.stdout
    result = runner.invoke(app, ["params", str(FROZEN_RESNET), "--format", "markdown"])
    assert "- Trainable: 11,532,008 · frozen 157,504\n" in result.stdout


def test_csv_has_a_frozen_column() -> None:
    lines = to_csv(cnncalc.analyze(FROZEN_RESNET)).splitlines()
    assert lines[0].endswith(",rf_jump,rf_global,in_shapes,frozen")
    assert lines[1].startswith("conv1,conv,") and lines[1].endswith(",true")
    assert lines[3].startswith("relu1,relu,") and lines[3].endswith(",false")


def test_diff_sees_what_was_frozen() -> None:
    old = cnncalc.analyze(ROOT / "examples" / "resnet18.yaml")
    new = cnncalc.analyze(FROZEN_RESNET)
    d = diff_reports(old, new)
    assert d.totals["trainable_params"].delta == -157_504
    assert d.totals["frozen_params"].to_dict() == {
        "old": 0, "new": 157_504, "delta": 157_504, "pct": None
    }  # fmt: skip
    assert "frozen_params" in d.shown_totals
    changed = {c.name: c.fields for c in d.layers}
    # the layers with parameters; a frozen relu or add changes nothing
    weighted = ["conv1", "bn1"]
    weighted += [f"layer1.{i}.{m}{j}" for i in (0, 1) for j in (1, 2) for m in ("conv", "bn")]
    assert changed == dict.fromkeys(weighted, ("frozen",))
    assert d.to_dict()["layers"][0]["new"]["frozen"] is True  # type: ignore[index]
    same = diff_reports(old, old)
    assert "frozen_params" in same.totals and "frozen_params" not in same.shown_totals


def test_diff_table_rows(tmp_path: Path) -> None:
    args = ["diff", str(ROOT / "examples" / "resnet18.yaml"), str(FROZEN_RESNET)]
    result = runner.invoke(app, [*args, "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert "| trainable params | 11,689,512 | 11,532,008 | -157,504 | -1.3% |" in result.stdout
    assert "| frozen params | 0 | 157,504 | +157,504 | new |" in result.stdout
    assert "| `conv1` | changed | conv | 64×112×112 | 9,408 | 118,013,952 | frozen |" in (
        result.stdout
    )
    data = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert data["totals"]["frozen_params"]["new"] == 157_504


# --- errors --------------------------------------------------------------------------------

BAD = [
    # (the value, the error's code, its hint), each at the value: line 4, column 13
    ("yes", "E0209", "write true"),
    ("no", "E0209", "write false"),
    ('"true"', "E0210", "write true or false"),
    ("1", "E0210", "write true or false"),
    ("[true]", "E0210", "write true or false"),
]


@pytest.mark.parametrize(("value", "code", "hint"), BAD)
def test_frozen_must_be_a_boolean(value: str, code: str, hint: str, tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(f"input: 3x16x16\nlayers:\n  - conv: {{out: 8, k: 3}}\n    frozen: {value}\n")
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze(path)
    err = info.value
    assert (err.code, err.pos.line if err.pos else None, err.pos.col if err.pos else None) == (
        code, 4, 13
    )  # fmt: skip
    assert err.hint_text() == hint
    result = runner.invoke(app, ["params", str(path)])
    assert result.exit_code == ExitStatus.BAD_INPUT
    assert f"{path}:4:13: error[{code}]: frozen must be true or false" in result.stderr
    assert f"hint: {hint}" in result.stderr
    assert "Traceback" not in result.output


def test_a_blocks_frozen_must_be_a_boolean() -> None:
    text = "input: 3x16x16\nblocks:\n  b:\n    frozen: on\n    layers: [relu]\nlayers: [b]\n"
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze(text)
    assert info.value.code == "E0209"
    assert info.value.pos is not None and (info.value.pos.line, info.value.pos.col) == (4, 13)


def test_a_blocks_unknown_key_names_frozen_in_its_hint() -> None:
    text = "input: 3x16x16\nblocks:\n  b:\n    frozn: true\n    layers: [relu]\nlayers: [b]\n"
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze(text)
    assert info.value.code == "E0317"
    assert info.value.hint_text() == "did you mean 'frozen'?"


def test_frozen_alone_is_no_item() -> None:
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze("input: 3x16x16\nlayers:\n  - frozen: true\n")
    assert info.value.code == "E0331"
