"""Graph networks through the loader: naming and scopes, references, blocks, structures."""

from __future__ import annotations

import pytest

import cnncalc


def names(text: str) -> list[str]:
    return [row.name for row in cnncalc.analyze(text).layers]


def test_automatic_names_count_per_op_and_keep_digits_apart() -> None:
    assert names("input: 3x8x8\nlayers: [relu, relu6, relu6, relu]\n") == [
        "relu1",
        "relu6_1",
        "relu6_2",
        "relu2",
    ]


def test_explicit_names_are_never_taken_by_automatic_ones() -> None:
    text = "input: 3x8x8\nlayers:\n  - relu\n  - {relu: , name: relu2}\n  - relu\n"
    assert names(text) == ["relu1", "relu2", "relu3"]


def test_repeat_copies_are_numbered_and_the_name_means_the_last() -> None:
    text = (
        "input: 4x8x8\nlayers:\n  - conv: {out: 4, k: 3, p: 1}\n    repeat: 3\n    name: c\n"
        "    first: {s: 2}\n  - add: [c, c.1]\n"
    )
    r = cnncalc.analyze(text)
    assert [x.name for x in r.layers] == ["c.0", "c.1", "c.2", "add1"]
    assert r.layer("c.0").out_shape == (4, (8 + 2 - 2 - 1) // 2 + 1, 4)
    assert r.layer("add1").inputs == ("c.2", "c.1")


BASIC = """input: 16x8x8
defaults:
  conv: {bias: false}
blocks:
  basic:
    params: {out: required, s: 1}
    layers:
      - residual:
          body:
            - conv: {out: $out, k: 3, s: $s, p: 1}
            - bn
            - relu
            - conv: {out: $out, k: 3, p: 1}
            - bn
      - relu
layers:
  - basic: {out: 32}
    repeat: 2
    first: {s: 2}
    name: layer2
"""


def test_block_scopes_look_like_pytorch_module_paths() -> None:
    r = cnncalc.analyze(BASIC)
    assert [x.name for x in r.layers[:9]] == [
        "layer2.0.conv1",
        "layer2.0.bn1",
        "layer2.0.relu1",
        "layer2.0.conv2",
        "layer2.0.bn2",
        "layer2.0.shortcut1.conv",
        "layer2.0.shortcut1.bn",
        "layer2.0.add1",
        "layer2.0.relu2",
    ]
    # shortcut: auto = 1×1 conv, stride input/output, no bias, + bn
    assert r.layer("layer2.0.shortcut1.conv").params == 32 * 16
    assert r.layer("layer2.0.shortcut1.conv").out_shape == (32, 4, 4)
    assert r.layer("layer2.1.add1").inputs == ("layer2.0.relu2", "layer2.1.bn2")
    blocks = {b.name: b for b in r.blocks}
    assert blocks["layer2"].params == sum(x.params for x in r.layers)
    assert blocks["layer2.0"].params + blocks["layer2.1"].params == blocks["layer2"].params


def test_cin_is_the_channels_entering_the_block_everywhere_inside_it() -> None:
    text = """input: 12x8x8
blocks:
  b:
    layers:
      - conv: {out: 20, k: 1}
      - residual:
          body:
            - conv: {out: "${cin * 2}", k: 1}
          shortcut: optional
layers: [b]
"""
    r = cnncalc.analyze(text)
    assert r.output_shape == (12 * 2, 8, 8)


def test_expressions_make_divisible_and_whole_floats() -> None:
    text = """input: 32x8x8
blocks:
  b:
    params: {t: 6}
    layers:
      - conv: {out: "${make_divisible(cin * t / 4, 8)}", k: 1}
      - conv: {out: "${cin / 2}", k: 1}
layers: [b]
"""
    r = cnncalc.analyze(text)
    assert [x.out_shape[0] for x in r.layers] == [48, 16]  # 32·6/4 = 48; 32/2 = 16.0 -> 16


def test_branches_see_outer_names_and_get_their_own_scope() -> None:
    text = """input: 3x8x8
layers:
  - conv: {out: 4, k: 1}
    name: stem
  - conv: {out: 6, k: 1}
  - parallel:
      branches:
        - [{conv: {out: 4, k: 1}, from: stem}]
        - [{conv: {out: 2, k: 1}}]
"""
    r = cnncalc.analyze(text)
    assert r.layer("branch1.conv1").inputs == ("stem",)
    assert r.layer("branch2.conv1").inputs == ("conv1",)
    assert r.layer("concat1").out_shape == (4 + 2, 8, 8)


def test_unnamed_merges_can_be_referenced_by_their_automatic_name() -> None:
    text = (
        "input: 4x8x8\nlayers:\n  - residual: {body: [{conv: {out: 4, k: 1}}]}\n"
        "  - add: [add1, input]\n"
    )
    assert cnncalc.analyze(text).layer("add2").inputs == ("add1", "input")


def test_repeated_structures_get_a_scope_per_copy() -> None:
    text = """input: 4x8x8
layers:
  - residual: {body: [{conv: {out: 4, k: 1}, name: c}]}
    repeat: 2
    name: r
"""
    assert names(text) == ["r.0.c", "r.0.add1", "r.1.c", "r.1.add1"]


def test_densenet_style_concat_puts_the_input_first() -> None:
    text = (
        "input: 8x4x4\nlayers:\n  - residual:\n      body: [{conv: {out: 3, k: 1}}]\n"
        "      merge: concat\n"
    )
    r = cnncalc.analyze(text)
    assert r.layer("concat1").inputs == ("input", "conv1")
    assert r.output_shape == (8 + 3, 4, 4)


def test_optional_shortcut_disappears_when_shapes_differ() -> None:
    text = (
        "input: 8x4x4\nlayers:\n  - residual:\n      body: [{conv: {out: 3, k: 1}}]\n"
        "      shortcut: optional\n"
    )
    assert names(text) == ["conv1"]


def test_null_values_mean_no_arguments() -> None:
    assert names("input: 4x8x8\nlayers:\n  - relu:\n  - relu: null\n  - relu: ~\n") == [
        "relu1",
        "relu2",
        "relu3",
    ]


def test_family_defaults_reach_only_ops_that_take_the_value() -> None:
    text = (
        "input: 4x8x8\ndefaults:\n  conv: {p: same, k: 3}\nlayers:\n  - conv: 8\n"
        "  - convT: {out: 4, s: 2, k: 2}\n"
    )
    r = cnncalc.analyze(text)
    assert r.layer("conv1").out_shape == (8, 8, 8)  # same
    assert r.layer("convT1").out_shape == (4, (8 - 1) * 2 + (2 - 1) + 1, 16)  # padding 0


def test_one_argument_in_two_spellings_is_an_error() -> None:
    with pytest.raises(cnncalc.CnnCalcError, match="'kernel_size' and 'k' are the same"):
        cnncalc.analyze("input: 3x8x8\nlayers:\n  - conv: {out: 8, k: 3, kernel_size: 5}\n")


def test_several_outputs() -> None:
    text = (
        "input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 1}\n    name: a\n  - gap\n"
        "outputs: [a, prev]\n"
    )
    r = cnncalc.analyze(text)
    assert r.output_shapes == ((4, 8, 8), (4, 1, 1))
    assert r.to_dict()["outputs"] == [
        {"name": "a", "shape": [4, 8, 8]},
        {"name": "gap1", "shape": [4, 1, 1]},
    ]


def test_merge_receptive_field_is_the_widest_and_misalignment_warns() -> None:
    text = """input: 3x16x16
layers:
  - conv: {out: 4, k: 3, p: 1}
    name: a
  - conv: {out: 4, k: 5, p: 2}
    from: input
    name: b
  - add: [a, b]
"""
    r = cnncalc.analyze(text)
    assert r.layer("add1").rf[0].size == 5  # max(3, 5)
    assert not r.warnings  # both centred, same jump
    skewed = """input: 3x16x16
layers:
  - conv: {out: 4, k: 3, p: 1}
    name: a
  - conv: {out: 4, k: 2, s: 2}
    from: input
  - upsample: 2
  - add: [a, prev]
"""
    w = cnncalc.analyze(skewed).warnings
    assert len(w) == 1 and "misaligned" in w[0].message
    assert w[0].code == "W0501"


def test_unet_skip_stays_alive_in_peak_memory() -> None:
    text = """input: 1x16x16
layers:
  - conv: {out: 8, k: 3, p: 1}
    name: enc
  - maxpool: 2
  - conv: {out: 16, k: 3, p: 1}
  - convT: {out: 8, k: 2, s: 2}
  - concat: [enc, prev]
"""
    r = cnncalc.analyze(text)
    f = 4
    enc, pool, mid, up, cat = (f * 8 * 256, f * 8 * 64, f * 16 * 64, f * 8 * 256, f * 16 * 256)
    inp = f * 256
    # enc lives to the concat; each step holds its input, its output and enc
    assert r.totals.peak_activation_bytes == max(
        inp + enc, enc + pool, enc + pool + mid, enc + mid + up, enc + up + cat
    )


def test_a_broadcast_gate_is_not_a_misaligned_path() -> None:
    # squeeze-excite: the gate is 1×1, so only the main path has positions to align
    se = (
        "input: 8x8x8\nlayers:\n  - gap\n  - conv: {out: 8, k: 1}\n  - sigmoid\n"
        "  - mul: [input, prev]\n"
    )
    r = cnncalc.analyze(se)
    assert not r.warnings
    gate, mul = r.layer("gap1").rf[0], r.layer("mul1").rf[0]
    assert gate.size == 8 and gate.whole  # the gate saw the whole input
    # the product keeps the spatial path's local field (the input: 1 pixel) and is marked global
    assert (mul.size, mul.jump, mul.glob) == (1, 1, True)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            "defaults:\n  conv: {bias: no}\nlayers:\n  - dwconv: 3\n",
            "3:16",
            "'no' is not a boolean",
        ),
        ("layers:\n  - upsample: {scale: []}\n", "3:23", "'scale' of upsample is an empty list"),
    ],
)
def test_bad_values_are_errors_where_written(text: str, where: str, message: str) -> None:
    with pytest.raises(cnncalc.CnnCalcError) as info:
        cnncalc.analyze("input: 3x8x8\n" + text)
    assert info.value.pos is not None
    assert f"{info.value.pos.line}:{info.value.pos.col}" == where
    assert message in info.value.message
