"""Parts of a tensor (`split`, `chunk`, `slice`) and the zero-count named ops (`channel_shuffle`,
`drop_path`): shapes, names and references, the graph, peak memory, located errors, parity."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app

runner = CliRunner()

UNIT = """\
input: 116x28x28
layers:
  - chunk: 2
    name: halves
  - conv: {out: 58, k: 1, bias: false}
  - concat: [halves.0, prev]
  - channel_shuffle: 2
"""


def test_chunk_makes_one_layer_per_part_named_by_index() -> None:
    r = cnncalc.analyze(UNIT)
    assert [(x.name, x.op, x.out_shape) for x in r.layers] == [
        ("halves.0", "chunk", (58, 28, 28)),
        ("halves.1", "chunk", (58, 28, 28)),
        ("conv1", "conv", (58, 28, 28)),
        ("concat1", "concat", (116, 28, 28)),
        ("channel_shuffle1", "channel_shuffle", (116, 28, 28)),
    ]
    conv, concat = r.layer("conv1"), r.layer("concat1")
    assert conv.inputs == ("halves.1",)  # prev after a chunk is its last part
    assert concat.inputs == ("halves.0", "conv1")
    assert conv.params == 58 * 58  # 3,364
    assert r.totals.params == 58 * 58
    assert sum(x.macs for x in r.layers) == conv.macs == 58 * 58 * 28 * 28


def test_the_parts_and_the_zero_count_ops_count_nothing() -> None:
    r = cnncalc.analyze(UNIT + "  - drop_path: 0.1\n  - stochastic_depth: {p: 0.2, mode: batch}\n")
    for row in r.layers:
        if row.op != "conv":
            assert (row.params, row.macs, row.kernel_shape) == (0, 0, None), row.name
    assert [x.op for x in r.layers[-2:]] == ["drop_path", "stochastic_depth"]


def test_peak_memory_keeps_the_untouched_half_alive_until_the_concat() -> None:
    r = cnncalc.analyze(UNIT)
    half = 58 * 28 * 28 * 4
    # the input dies once its last part is made; halves.0 waits for the concat
    at = {
        "halves.0": 2 * half + half,  # input + halves.0
        "halves.1": 2 * half + 2 * half,  # input + both parts (the input dies here)
        "conv1": 2 * half + half,  # halves.0, halves.1, conv1
        "concat1": half + half + 2 * half,  # halves.0, conv1, concat1
        "channel_shuffle1": 2 * half + 2 * half,
    }
    assert r.totals.peak_activation_bytes == max(at.values()) == 4 * half


def test_split_sizes_one_size_and_a_remainder() -> None:
    r = cnncalc.analyze("input: 10x4x4\nlayers:\n  - split: 4\n")
    assert [x.out_shape[0] for x in r.layers] == [4, 4, 2]
    r = cnncalc.analyze("input: 10x4x4\nlayers:\n  - split: {sizes: [3, 7]}\n    name: s\n")
    assert [(x.name, x.out_shape[0]) for x in r.layers] == [("s.0", 3), ("s.1", 7)]


def test_chunk_may_give_fewer_parts_as_pytorch_does() -> None:
    # ⌈6 / 4⌉ = 2 per part: 2, 2, 2 (three parts, not four)
    r = cnncalc.analyze("input: 6x4x4\nlayers:\n  - chunk: 4\n")
    assert [x.out_shape[0] for x in r.layers] == [2, 2, 2]
    r = cnncalc.analyze("input: 5x4x4\nlayers:\n  - chunk: 2\n")
    assert [x.out_shape[0] for x in r.layers] == [3, 2]


def test_slice_follows_pythons_rules_on_any_axis() -> None:
    text = (
        "input: 16x10x12\nlayers:\n  - slice: {start: -6}\n"
        "  - slice: {start: 1, end: 99, step: 3, dim: -1}\n"
    )
    r = cnncalc.analyze(text)
    assert r.layers[0].out_shape == (6, 10, 12)
    assert r.layers[1].out_shape == (6, 10, len(range(1, 12, 3)))  # 4
    # a spatial part's field starts where the part does: centre 1 + 3·j later, jump 3
    rf = r.layers[1].rf[1]
    assert (rf.size, rf.jump, rf.center) == (1, 3, 1)


def test_parts_of_a_repeat_and_references_to_them() -> None:
    text = """\
input: 8x4x4
layers:
  - chunk: 2
    repeat: 2
    name: c
  - concat: [c.0.0, c.1.1, c]
"""
    r = cnncalc.analyze(text)
    assert [x.name for x in r.layers] == ["c.0.0", "c.0.1", "c.1.0", "c.1.1", "concat1"]
    assert r.layer("c.1.0").in_shape == (4, 4, 4)
    assert r.layer("concat1").inputs == ("c.0.0", "c.1.1", "c.1.1")
    assert r.output_shape == (4 + 2 + 2, 4, 4)


def test_parts_are_reported_as_a_group_with_their_json() -> None:
    d = cnncalc.analyze(UNIT).to_dict()
    block = next(b for b in d["blocks"] if b["name"] == "halves")  # type: ignore[attr-defined]
    assert block["layers"] == 2 and block["params"] == 0
    layers = d["layers"]
    assert isinstance(layers, list)
    assert layers[1]["inputs"] == ["input"] and layers[1]["op"] == "chunk"


# --- errors: located, coded, with a hint, exit 2 -----------------------------------------------

ERRORS = [
    ("  - split: [16, 50]\n", "E0462", 3, 12),
    ("  - chunk: {chunks: 2, dim: 0}\n", "E0461", 3, 29),
    ("  - chunk: {chunks: 2, dim: 5}\n", "E0460", 3, 29),
    ("  - slice: {start: 200}\n", "E0463", 3, 20),
    ("  - channel_shuffle: 3\n", "E0464", 3, 22),
    ("  - drop_path: {p: 2}\n", "E0221", 3, 20),
    ("  - stochastic_depth: {mode: col}\n", "E0226", 3, 30),
    ("  - slice: {start: 1.5}\n", "E0206", 3, 20),
]


@pytest.mark.parametrize(("item", "code", "line", "col"), ERRORS)
def test_bad_parts_are_located_coded_errors(
    tmp_path: Path, item: str, code: str, line: int, col: int
) -> None:
    path = tmp_path / "net.yaml"
    path.write_text("input: 116x28x28\nlayers:\n" + item, encoding="utf-8")
    result = runner.invoke(app, ["params", str(path)])
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{line}:{col}: error[{code}]")
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_split_sum_error_states_the_arithmetic() -> None:
    with pytest.raises(cnncalc.CnnCalcError) as info:
        cnncalc.analyze("input: 116x28x28\nlayers:\n  - split: [16, 50]\n")
    assert info.value.code == "E0462"
    assert "16 + 50 = 66" in info.value.render() and "116" in info.value.render()
    assert "16 + 50 = 66" in info.value.render("zh")


def test_an_unknown_part_reference_is_an_error() -> None:
    with pytest.raises(cnncalc.CnnCalcError) as info:
        cnncalc.analyze(UNIT.replace("halves.0, prev", "halves.2, prev"))
    assert info.value.code == "E0348"
    assert "halves.0" in info.value.render()  # the hint lists the parts in scope


# --- parity ----------------------------------------------------------------------------------

PARITY = [
    UNIT + "  - drop_path: 0.1\n  - stochastic_depth: {p: 0.2, mode: batch}\n",
    "input: 5x8x8\nlayers:\n  - chunk: 4\n    name: c\n  - concat: [c.0, c.1, c.2]\n",
    "input: 6x9x9\nlayers:\n  - slice: {start: -7, end: 8, step: 2, dim: -1}\n"
    "  - split: {sizes: 2, dim: 2}\n  - conv: {out: 4, k: 3, p: 1}\n",
    "input: 12x6x6\nlayers:\n  - split: [2, 4, 6]\n    name: s\n  - ChannelShuffle: 3\n"
    "  - conv: {out: 6, k: 1}\n    from: s.1\n  - concat: [s.0, prev, s.2]\n",
    "input: [10, 7]\nlayers:\n  - slice: {start: 2, end: -1}\n  - chunk: {n: 3, dim: 2}\n",
]


@pytest.mark.parametrize("text", PARITY)
def test_parts_match_torch(text: str) -> None:
    pytest.importorskip("torch")
    from tests.parity import compare

    compare(cnncalc.load(text))


# --- ops and optional items as block parameters, the shortcut first ------------------------------

BLOCKS = """\
input: 16x8x8
blocks:
  cna:
    params: {out: required, act: relu, use_act: true}
    layers:
      - conv: {out: $out, k: 1}
      - bn
      - $act:
        if: $use_act
layers:
  - cna: {out: 8, act: hardswish}
  - cna: {out: 8, use_act: false}
  - cna: {out: 8, act: Hardsigmoid}
"""


def test_an_op_as_a_parameter_and_an_optional_item() -> None:
    r = cnncalc.analyze(BLOCKS)
    assert [x.name for x in r.layers] == [
        "cna1.conv1", "cna1.bn1", "cna1.hardswish1",
        "cna2.conv1", "cna2.bn1",
        "cna3.conv1", "cna3.bn1", "cna3.hardsigmoid1",
    ]  # fmt: skip
    # conv weights + bias, then bn's 2·8: the first sees 16 channels, the others 8
    assert r.totals.params == (8 * 16 + 8 + 2 * 8) + 2 * (8 * 8 + 8 + 2 * 8)  # 328


def test_an_absent_item_passes_its_input_to_its_name() -> None:
    text = "input: 8x4x4\nlayers:\n  - relu:\n    name: r\n    if: false\n  - add: [r, input]\n"
    r = cnncalc.analyze(text)
    assert [(x.name, x.inputs) for x in r.layers] == [("add1", ("input", "input"))]


def test_the_shortcut_first_keeps_the_numbers_and_moves_the_layers() -> None:
    body = "      body:\n        - conv: {out: 32, k: 3, s: 2, p: 1}\n        - bn\n"
    text = "input: 16x8x8\nlayers:\n  - residual:\n" + body
    after = cnncalc.analyze(text)
    first = cnncalc.analyze(text + "      shortcut_first: true\n")
    assert [x.name for x in first.layers] == [
        "shortcut1.conv",
        "shortcut1.bn",
        "conv1",
        "bn1",
        "add1",
    ]
    assert [x.name for x in after.layers] == [
        "conv1",
        "bn1",
        "shortcut1.conv",
        "shortcut1.bn",
        "add1",
    ]
    assert first.totals == after.totals
    assert first.layer("add1").inputs == ("shortcut1.bn", "bn1")


PARAM_ERRORS = [
    (BLOCKS.replace("act: hardswish", "act: 3"), "E0380", 8, 9),
    (BLOCKS.replace("act: hardswish", "act: gelux"), "E0333", 8, 9),
    ("input: 8x4x4\nlayers:\n  - relu:\n    if: false\n    repeat: 2\n", "E0381", 5, 5),
    ("input: 8x4x4\nlayers:\n  - relu:\n    if: maybe\n", "E0210", 4, 9),
    ("input: 8x4x4\nlayers:\n  - residual:\n      body: [relu]\n      shortcut_first: 1\n",
     "E0382", 5, 23),
    ("input: 8x4x4\nlayers:\n  - upsample: {size_of: input, scale: 2}\n", "E0383", 3, 32),
    ("input: 8x4x4\nlayers:\n  - upsample: {size_of: nowhere}\n", "E0348", 3, 25),
    ("input: 8x4x4\ndefaults:\n  upsample: {size_of: input}\nlayers: [upsample]\n", "E0385", 3, 14),
    ("input: 8x4x4\nlayers:\n  - flatten:\n    name: f\n  - upsample: {size_of: f}\n"
     "    from: input\n", "E0465", 5, 25),
]  # fmt: skip


@pytest.mark.parametrize(("text", "code", "line", "col"), PARAM_ERRORS)
def test_bad_block_parameter_items_are_located_coded_errors(
    tmp_path: Path, text: str, code: str, line: int, col: int
) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["params", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:{line}:{col}: error[{code}]"), result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("text", [BLOCKS, "input: 16x8x8\nlayers:\n  - residual:\n"
                                  "      body: [{conv: {out: 32, k: 3, s: 2, p: 1}}, bn]\n"
                                  "      shortcut_first: true\n"])  # fmt: skip
def test_block_parameter_items_match_torch(text: str) -> None:
    pytest.importorskip("torch")
    from tests.parity import compare

    compare(cnncalc.load(text))


def test_size_of_follows_the_other_tensor_and_keeps_it_no_input() -> None:
    text = (
        "input: 8x20x30\nlayers:\n  - conv: {out: 8, k: 3, s: 2, p: 1}\n  - gap\n"
        "  - upsample: {size_of: -2, mode: bilinear}\n  - upsample: {size_of: input}\n"
    )
    r = cnncalc.analyze(text)
    assert [x.out_shape for x in r.layers[2:]] == [(8, 10, 15), (8, 20, 30)]
    assert r.layers[3].inputs == ("upsample1",)  # the shape alone is read
    import dataclasses

    from cnncalc.engine import analyze_network

    other = analyze_network(dataclasses.replace(cnncalc.load(text), input_shape=(8, 7, 9)))
    assert [x.out_shape for x in other.layers[2:]] == [(8, 4, 5), (8, 7, 9)]


def test_explain_names_the_part_and_the_zero_count_ops() -> None:
    from cnncalc.analysis.explain import explain_report

    text = UNIT + "  - slice: {start: 8, end: -8, dim: 2}\n  - drop_path: 0.25\n"
    report = cnncalc.analyze(text)
    for lang, part, drop in (
        ("en", "indices 58 to 115 of the 116 along dim 1", "probability 0.25"),
        ("zh", "沿 dim 1 的 116 个下标中的第 58 到第 115 个", "概率 0.25"),
    ):
        shown = repr(explain_report(report, lang=lang))
        assert part in shown and drop in shown
        assert ("indices 8 to 19 of the 28 along dim 2" in shown) == (lang == "en")


def test_an_absent_item_still_names_a_known_op() -> None:
    with pytest.raises(cnncalc.CnnCalcError) as info:
        cnncalc.analyze("input: 8x4x4\nlayers:\n  - relu\n  - nosuchop:\n    if: false\n")
    assert info.value.code == "E0333"


def test_the_shortcut_first_around_an_empty_body() -> None:
    text = (
        "input: 16x8x8\nlayers:\n  - residual:\n      body:\n        - relu:\n"
        "          if: false\n      shortcut: [{conv: {out: 16, k: 1}}]\n"
        "      shortcut_first: true\n"
    )
    r = cnncalc.analyze(text)
    assert [(x.name, x.inputs) for x in r.layers] == [
        ("shortcut1.conv1", ("input",)),
        ("add1", ("shortcut1.conv1", "input")),
    ]
