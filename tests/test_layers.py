"""One block per layer kind: shapes, parameters and MACs, expected values written as formulas."""

from __future__ import annotations

from fractions import Fraction

import pytest

import cnncalc
from cnncalc.layers import KINDS, MERGES, window


def one(text_layers: str, input_shape: str = "3x32x32") -> cnncalc.Report:
    return cnncalc.analyze(f"input: {input_shape}\nlayers:\n{text_layers}")


def row(text_layers: str, input_shape: str = "3x32x32", index: int = -1) -> dict[str, object]:
    layers = one(text_layers, input_shape).to_dict()["layers"]
    assert isinstance(layers, list)
    out = layers[index]
    assert isinstance(out, dict)
    return out


# --- window arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("i", "k", "s", "p", "d", "ceil", "expected"),
    [
        (32, 3, 1, 0, 1, False, (32 + 0 - 1 * (3 - 1) - 1) // 1 + 1),  # 30
        (224, 7, 2, 3, 1, False, (224 + 6 - 6 - 1) // 2 + 1),  # 112
        (112, 3, 2, 1, 1, False, (112 + 2 - 2 - 1) // 2 + 1),  # 56
        (7, 3, 2, 0, 1, True, -(-(7 - 3) // 2) + 1),  # ceil: 3
        (3, 4, 2, 0, 1, True, 1),  # a window larger than the input rounds up to 1
        (6, 2, 2, 0, 1, True, 3),  # last window starts inside: no drop
        (5, 2, 2, 1, 1, True, 3),  # (o-1)*s >= i+p drops the extra window: 4 -> 3
        (17, 3, 1, 2, 2, False, (17 + 4 - 2 * 2 - 1) // 1 + 1),  # dilation 2
    ],
)
def test_window_follows_pytorch(
    i: int, k: int, s: int, p: int, d: int, ceil: bool, expected: int
) -> None:
    assert window(i, k, s, p, p, d, ceil) == expected


# --- convolutions -----------------------------------------------------------------------------


def test_conv_teaching_example() -> None:
    r = row("  - conv: {out: 64, k: 3}")
    assert r["kernel_shape"] == [64, 3, 3, 3]
    assert r["params"] == 64 * (3 * 3 * 3 + 1)  # 1792
    assert r["out_shape"] == [64, 30, 30]
    assert r["macs"] == 64 * 30 * 30 * (3 * 3 * 3)
    assert r["flops"] == 2 * 64 * 30 * 30 * 27


def test_conv_stride_padding_dilation_groups_no_bias() -> None:
    r = row("  - conv: {out: 32, k: 3, s: 2, p: 2, d: 2, g: 4, bias: false}", "8x17x17")
    o = (17 + 2 * 2 - 2 * (3 - 1) - 1) // 2 + 1
    assert r["out_shape"] == [32, o, o]
    assert r["kernel_shape"] == [32, 8 // 4, 3, 3]
    assert r["params"] == 32 * (8 // 4) * 3 * 3
    assert r["macs"] == 32 * (8 // 4) * 9 * o * o


def test_conv_non_square_and_per_axis() -> None:
    r = row("  - conv: {out: 4, k: 3x5, s: [1, 2], p: [1, 2]}", "2x10x20")
    assert r["kernel_shape"] == [4, 2, 3, 5]
    assert r["out_shape"] == [4, (10 + 2 - 2 - 1) // 1 + 1, (20 + 4 - 4 - 1) // 2 + 1]


@pytest.mark.parametrize(
    ("padding", "size"),
    [
        ("same", 15),
        ("valid", 15 - 5 + 1),
        ("[[0, 1], [2, 3]]", None),
    ],
)
def test_conv_padding_modes(padding: str, size: int | None) -> None:
    r = row(f"  - conv: {{out: 4, k: 5, p: {padding}}}", "2x15x15")
    if size is not None:
        assert r["out_shape"] == [4, size, size]
    else:
        assert r["out_shape"] == [4, 15 + 0 + 1 - 4, 15 + 2 + 3 - 4]


def test_conv_tf_same_any_stride() -> None:
    # o = ceil(i / s); total padding max((o-1)s + k - i, 0)
    r = row("  - conv: {out: 4, k: 3, s: 2, p: tf_same}", "2x15x15")
    assert r["out_shape"] == [4, -(-15 // 2), -(-15 // 2)]


def test_conv_rank_from_input_1d_and_3d() -> None:
    r1 = row("  - conv: {out: 8, k: 3}", "4x100")
    assert r1["out_shape"] == [8, 98]
    assert r1["kernel_shape"] == [8, 4, 3]
    r3 = row("  - conv3d: {out: 8, k: 3, p: 1}", "4x8x16x16")
    assert r3["out_shape"] == [8, 8, 16, 16]
    assert r3["params"] == 8 * 4 * 27 + 8


def test_rank_alias_asserts_rank() -> None:
    with pytest.raises(cnncalc.CnnCalcError, match="conv2d expects a 2-D input") as info:
        one("  - conv2d: {out: 8, k: 3}", "4x100")
    assert info.value.code == "E0405"


def test_dwconv_and_multiplier() -> None:
    r = row("  - dwconv: {k: 3, p: 1, mult: 2}", "16x8x8")
    assert r["kernel_shape"] == [16 * 2, 1, 3, 3]
    assert r["params"] == 32 * 9 + 32
    assert r["out_shape"] == [32, 8, 8]
    assert r["macs"] == 32 * 9 * 8 * 8
    assert row("  - dwconv: 3", "16x8x8")["out_shape"] == [16, 6, 6]


def test_conv_transpose() -> None:
    r = row("  - convT: {out: 8, k: 3, s: 2, p: 1, output_padding: 1}", "16x7x7")
    o = (7 - 1) * 2 - 2 * 1 + 1 * (3 - 1) + 1 + 1  # 14
    assert r["out_shape"] == [8, o, o]
    assert r["kernel_shape"] == [16, 8, 3, 3]  # (in, out/groups, k, k)
    assert r["params"] == 16 * 8 * 9 + 8
    assert r["macs"] == 16 * 7 * 7 * 8 * 9  # in · ∏(in spatial) · out/g · ∏k


def test_conv_defaults_precedence() -> None:
    text = (
        "input: 3x8x8\ndefaults:\n  conv: {bias: false, k: 1}\nlayers:\n  - conv: 4\n"
        "  - conv: {out: 4, bias: true}\n  - dwconv: 3\n"
    )
    layers = cnncalc.analyze(text).layers
    assert layers[0].params == 4 * 3 * 1  # defaults: no bias, k 1
    assert layers[1].params == 4 * 4 + 4  # own bias wins
    assert layers[2].params == 4 * 9  # dwconv takes k from its own value, bias from defaults


# --- pooling ----------------------------------------------------------------------------------


def test_maxpool_stride_defaults_to_kernel() -> None:
    r = row("  - maxpool: 2", "8x32x32")
    assert r["out_shape"] == [8, 16, 16]
    assert r["params"] == 0
    assert r["macs"] == 0


def test_maxpool_padding_dilation_ceil() -> None:
    r = row("  - maxpool: {k: 3, s: 2, p: 1, d: 2, ceil: true}", "8x16x16")
    o = window(16, 3, 2, 1, 1, 2, True)
    assert r["out_shape"] == [8, o, o]


def test_avgpool() -> None:
    assert row("  - avgpool: {k: 3, s: 1, p: 1}", "8x16x16")["out_shape"] == [8, 16, 16]


def test_adaptive_and_global_pools() -> None:
    assert row("  - adaptiveavgpool: 7", "8x13x13")["out_shape"] == [8, 7, 7]
    assert row("  - adaptivemaxpool: [2, 3]", "8x13x13")["out_shape"] == [8, 2, 3]
    assert row("  - gap", "8x13x13")["out_shape"] == [8, 1, 1]
    assert row("  - gmp", "8x13x13")["out_shape"] == [8, 1, 1]


# --- normalisation, activations, element-wise --------------------------------------------------


@pytest.mark.parametrize(
    ("item", "params"),
    [
        ("bn", 2 * 16),
        ("bn: {affine: false}", 0),
        ("gn: 4", 2 * 16),
        ("ln", 2 * 16),
        ("inorm", 0),
        ("inorm: {affine: true}", 2 * 16),
        ("prelu", 1),
        ("prelu: 16", 16),
    ],
)
def test_norm_params(item: str, params: int) -> None:
    r = row(f"  - {item}", "16x8x8")
    assert r["params"] == params
    assert r["out_shape"] == [16, 8, 8]
    assert r["macs"] == 0


@pytest.mark.parametrize(
    "act",
    [
        "relu",
        "relu6",
        "leakyrelu",
        "gelu",
        "silu",
        "swish",
        "sigmoid",
        "tanh",
        "hardswish",
        "hardsigmoid",
        "dropout",
        "identity",
        "dropout: 0.3",
    ],
)
def test_free_elementwise(act: str) -> None:
    r = row(f"  - {act}", "16x8x8")
    assert (r["params"], r["macs"], r["out_shape"]) == (0, 0, [16, 8, 8])


def test_flatten_and_linear() -> None:
    report = one("  - flatten\n  - linear: 10\n  - fc: {out: 5, bias: false}", "4x3x3")
    assert report.layers[0].out_shape == (4 * 3 * 3,)
    assert report.layers[1].params == 36 * 10 + 10
    assert report.layers[1].macs == 36 * 10
    assert report.layers[1].kernel_shape == (10, 36)
    assert report.layers[2].params == 10 * 5


def test_upsample_and_pad() -> None:
    assert row("  - upsample: 2", "4x5x7")["out_shape"] == [4, 10, 14]
    assert row("  - upsample: {size: [9, 9], mode: bilinear}", "4x5x7")["out_shape"] == [4, 9, 9]
    assert row("  - upsample: 1.5", "4x5x7")["out_shape"] == [4, 7, 10]  # floor(i · scale)
    assert row("  - pad: 2", "4x5x7")["out_shape"] == [4, 9, 11]
    assert row("  - pad: {p: [[1, 0], [0, 3]], mode: reflect}", "4x5x7")["out_shape"] == [4, 6, 10]


# --- merges -----------------------------------------------------------------------------------


def test_add_concat_mul() -> None:
    text = """input: 8x4x4
layers:
  - conv: {out: 8, k: 1}
    name: a
  - conv: {out: 4, k: 1}
    from: input
    name: b
  - concat: [a, b]
  - add: [a, input]
  - gap
    """
    r = cnncalc.analyze(text)
    assert r.layer("concat1").out_shape == (8 + 4, 4, 4)
    assert r.layer("add1").out_shape == (8, 4, 4)
    gate = cnncalc.analyze("input: 8x4x4\nlayers:\n  - gap:\n    name: g\n  - mul: [input, g]\n")
    assert gate.output_shape == (8, 4, 4)


def test_every_kind_is_registered_once_with_docs() -> None:
    for name, kind in KINDS.items():
        assert kind.doc, name
    assert {"add", "concat", "mul", "matmul"} == set(MERGES)


# --- totals, memory, receptive field -----------------------------------------------------------


def test_rows_sum_to_totals_and_batch_scales() -> None:
    text = "input: 3x32x32\nbatch: 4\ndtype: float16\nchannels: 3→64→128\n"
    r = cnncalc.analyze(text)
    assert r.totals.params == sum(x.params for x in r.layers) == 64 * 28 + 128 * (64 * 9 + 1)
    assert r.totals.macs == sum(x.macs for x in r.layers) == 4 * (64 * 900 * 27 + 128 * 784 * 576)
    assert r.totals.flops == 2 * r.totals.macs
    assert r.totals.param_bytes == 2 * r.totals.params
    # input + conv1 alive while conv1 runs; conv1 + conv2 while conv2 runs (float16, batch 4)
    assert r.totals.peak_activation_bytes == 4 * 2 * max(
        3 * 32 * 32 + 64 * 30 * 30, 64 * 30 * 30 + 128 * 28 * 28
    )


def test_peak_memory_keeps_skip_alive() -> None:
    text = """input: 1x8x8
layers:
  - conv: {out: 4, k: 1}
    name: skip
  - conv: {out: 2, k: 1}
  - conv: {out: 2, k: 1}
  - concat: [skip, prev]
"""
    r = cnncalc.analyze(text)
    f = 4  # float32
    # while the third conv runs: skip (4ch), conv2 (2ch) and conv3 (2ch) are alive
    assert r.totals.peak_activation_bytes == f * 64 * max(1 + 4, 4 + 2, 4 + 2 + 2, 4 + 2 + 6)


def test_receptive_field_recurrence() -> None:
    r = cnncalc.analyze(
        "input: 3x64x64\nlayers:\n  - conv: {out: 8, k: 7, s: 2, p: 3}\n"
        "  - maxpool: {k: 3, s: 2, p: 1}\n"
        "  - conv: {out: 8, k: 3, p: 2, d: 2}\n"
    )
    sizes = [row.rf[0].size for row in r.layers]
    # r += (k̂−1)·J; J *= s
    assert sizes == [7, 7 + 2 * 2, 11 + (2 * (3 - 1) + 1 - 1) * 4]
    assert r.layers[-1].rf[0].jump == Fraction(4)


def test_global_pool_sees_whole_input() -> None:
    r = cnncalc.analyze("input: 3x9x9\nlayers:\n  - conv: {out: 4, k: 3}\n  - gap\n")
    assert r.layers[-1].rf[0].size == 3 + (7 - 1) * 1


def test_analysis_restores_the_cycle_collector() -> None:
    import gc

    assert gc.isenabled()
    cnncalc.analyze("input: 3x8x8\nchannels: 3→4\n")
    with pytest.raises(cnncalc.CnnCalcError):
        cnncalc.analyze("input: 3x8x8\nchannels: 3→4\nkernel: 9\n")
    assert gc.isenabled()
    gc.disable()
    try:
        cnncalc.analyze("input: 3x8x8\nchannels: 3→4\n")
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
