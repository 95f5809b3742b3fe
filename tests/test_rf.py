"""The receptive field: whole-input layers see the input once, broadcast paths align with anything,
and global context is a mark on the local field (`+g`), not a field the size of the image."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app
from cnncalc.render.report import rf_text
from tests.conftest import ROOT

runner = CliRunner()
LENET = str(ROOT / "examples" / "lenet5.yaml")


# --- whole-input layers -------------------------------------------------------------------------


def test_stacked_linears_see_the_input_once() -> None:
    r = cnncalc.analyze((ROOT / "examples" / "lenet5.yaml").read_text())
    pool2 = r.layer("avgpool2").rf[0]
    # conv5 → 5, avgpool2 → 6 (J 2), conv5 → 6 + 4·2 = 14, avgpool2 → 14 + 1·2 = 16 (J 4)
    assert (pool2.size, pool2.jump) == (16, 4)
    whole = 16 + (5 - 1) * 4  # the 5×5 map's fields together: 32, the whole 32×32 input
    for name in ("linear1", "tanh3", "linear2", "tanh4", "linear3"):
        assert [a.size for a in r.layer(name).rf] == [whole, whole], name


def test_check_min_rf_60_fails_on_lenet() -> None:
    # lenet's output sees 32 pixels per axis (not 64, as when each linear widened the field)
    result = runner.invoke(app, ["check", LENET, "--min-rf", "60"])
    assert result.exit_code == 1, result.output
    assert runner.invoke(app, ["check", LENET, "--min-rf", "32"]).exit_code == 0


def test_global_pool_after_global_pool_adds_nothing() -> None:
    r = cnncalc.analyze(
        "input: 3x9x9\nlayers:\n  - conv: {out: 4, k: 3}\n  - gap\n  - conv: {out: 4, k: 1}\n"
        "  - gmp\n  - flatten\n  - linear: 5\n"
    )
    whole = 3 + (7 - 1) * 1
    assert [r.layer(n).rf[0].size for n in ("gap1", "conv2", "gmp1", "linear1")] == [whole] * 4


_WINDOW = st.tuples(
    st.sampled_from(["conv", "maxpool", "avgpool", "relu"]),
    st.integers(1, 4),  # k
    st.integers(1, 3),  # s
    st.integers(0, 2),  # p
    st.integers(1, 2),  # d
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.integers(4, 40),
    st.integers(4, 40),
    st.lists(_WINDOW, max_size=6),
    st.integers(0, 2),
    st.integers(0, 3),
)
def test_rf_never_exceeds_the_padded_input(
    h: int, w: int, stack: list[tuple[str, int, int, int, int]], pools: int, linears: int
) -> None:
    """Over random stacks: every layer's fields, over all its positions, lie inside the input and
    the padding that reached it; whole-input layers after the first do not grow the field."""
    assume(pools + linears > 0)
    lines = []
    for op, k, s, p, d in stack:
        if op == "conv":
            lines.append(f"  - conv: {{out: 2, k: {k}, s: {s}, p: {p}, d: {d}}}")
        elif op == "relu":
            lines.append("  - relu")
        else:
            lines.append(f"  - {op}: {{k: {k}, s: {s}, p: {min(p, k // 2)}}}")
    lines += ["  - gap"] * pools + ["  - flatten"] + ["  - linear: 3"] * linears
    try:
        r = cnncalc.analyze(f"input: 2x{h}x{w}\nlayers:\n" + "\n".join(lines) + "\n")
    except cnncalc.CnnCalcError:
        assume(False)
        return
    # the padded input per axis, in input pixels: each layer's padding times the jump before it
    bound = [h, w]
    jump = [1, 1]
    whole: list[object] | None = None
    for row, (op, k, s, p, _) in zip(r.layers, stack):
        if op != "relu":
            pad = p if op == "conv" else min(p, k // 2)
            bound = [b + 2 * pad * j for b, j in zip(bound, jump)]
            jump = [j * s for j in jump]
        for a, o, b in zip(row.rf, row.out_shape[1:], bound):
            assert a.size + (o - 1) * a.jump <= b
    for row in r.layers[len(stack) :]:
        if row.op == "flatten":
            continue
        sizes = [a.size for a in row.rf]
        assert all(s <= b for s, b in zip(sizes, bound)), (row.name, sizes, bound)
        if whole is None:
            whole = sizes
        assert sizes == whole, row.name  # seeing the whole input once is all there is


# --- broadcast paths: ASPP and squeeze-excite ---------------------------------------------------

ASPP = """input: 3x64x64
layers:
  - conv: {out: 8, k: 3, s: 4, p: 1}
    name: backbone
  - conv: {out: 4, k: 1}
    name: b1
  - conv: {out: 4, k: 3, p: 2, d: 2}
    from: backbone
    name: b2
  - conv: {out: 4, k: 3, p: 4, d: 4}
    from: backbone
    name: b3
  - conv: {out: 4, k: 3, p: 6, d: 6}
    from: backbone
    name: b4
  - gap:
    from: backbone
  - conv: {out: 4, k: 1}
  - upsample: {size: 16, mode: bilinear}
    name: pool
  - concat: [b1, b2, b3, b4, pool]
  - conv: {out: 4, k: 1}
"""


def test_aspp_image_pool_branch_is_aligned_with_anything() -> None:
    r = cnncalc.analyze(ASPP)
    assert not r.warnings
    cat = r.layer("concat1").rf[0]
    # the widest local branch: b4, 3 + (6·(3−1)+1 − 1)·4 = 51 (jump 4); the image-pool branch
    # brings global context in
    assert (cat.size, cat.jump, cat.glob) == (3 + 12 * 4, 4, True)
    assert r.layer("pool").rf[0].whole
    assert r.layer("conv2").rf[0].glob  # the mark passes on


def test_a_misaligned_merge_still_warns() -> None:
    # a stride-2 k2 branch brought back by nearest upsampling: jump 1 like the other path, but
    # its centre is half a pixel off
    skewed = ASPP.replace("  - gap:\n", "  - maxpool: 2\n")
    skewed = skewed.replace("{size: 16, mode: bilinear}", "2")
    w = cnncalc.analyze(skewed).warnings
    assert [x.code for x in w] == ["W0501"]


SE = """input: 8x16x16
layers:
  - conv: {out: 8, k: 3, p: 1}
    name: body
  - gap
  - conv: {out: 8, k: 1}
  - sigmoid
  - mul: [body, prev]
  - conv: {out: 8, k: 3, p: 1}
  - add: [body, prev]
  - gap
  - flatten
  - linear: 2
"""


def test_squeeze_excite_keeps_the_local_field_and_marks_global_context() -> None:
    r = cnncalc.analyze(SE)
    names = ("gap1", "mul1", "conv2", "add1", "linear1")
    gate, mul, conv, add, head = (r.layer(n).rf[0] for n in names)
    assert gate.whole and gate.size == 3 + (16 - 1) * 1
    assert (mul.size, mul.glob) == (3, True)  # body's 3×3, not the image
    assert (conv.size, conv.glob) == (3 + 2, True)  # grows locally, the mark passes on
    assert (add.size, add.glob) == (5, True)
    assert head.whole and not head.glob  # the whole input: the mark says nothing more
    assert rf_text(r.layer("conv2")) == "5 +g"
    assert rf_text(r.layer("body")) == "3"
    rows = {row["name"]: row["rf"] for row in r.to_dict()["layers"]}  # type: ignore[union-attr]
    assert rows["conv2"] == {"size": [5, 5], "jump": [1, 1], "global": True}
    assert rows["body"]["global"] is False and rows["linear1"]["global"] is False


def test_rf_budget_checks_the_local_field(tmp_path: Path) -> None:
    net = tmp_path / "se.yaml"
    net.write_text(SE.split("  - gap\n  - flatten")[0])  # the output is the add: 5 +g
    assert runner.invoke(app, ["check", str(net), "--min-rf", "5"]).exit_code == 0
    result = runner.invoke(app, ["check", str(net), "--min-rf", "6"])
    assert result.exit_code == 1, result.output


def test_efficientnet_blocks_show_local_fields() -> None:
    r = cnncalc.analyze((ROOT / "examples" / "efficientnet_b0.yaml").read_text())
    # stage 1: conv1 3×3 s2 → 3 (J 2), dwconv 3×3 → 3 + 2·2 = 7, then the SE gate
    assert rf_text(r.layer("stage1.se1.mul1")) == "7 +g"
    first = r.layers[0]
    report = json.loads(json.dumps(r.to_dict()))
    assert report["layers"][0]["rf"]["global"] is False and first.name == "conv1"
