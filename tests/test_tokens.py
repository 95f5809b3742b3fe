"""Channels last, tokens, layer scale and attention: the numbers by formula, the layout rules
(a permuted tensor is refused by the kinds that read channels first, a channels-first grid by
the kinds that read the last axis), the receptive field through a permute, `cin` of a token
sequence, attention's scores in the peak, and the explanations."""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.analysis.explain import explain
from cnncalc.analysis.lint import lint
from tests.conftest import ROOT

GRID = "input: 16x8x8\nlayers:\n"
LAST = GRID + "  - permute: [0, 2, 3, 1]\n"  # 8×8×16
TOKENS = "input: 3x32x32\nlayers:\n  - conv: {out: 64, k: 8, s: 8}\n" + (
    "  - flatten: {start_dim: 2}\n  - transpose: {dim0: 1, dim1: 2}\n"
)  # 16 tokens × 64


def code_of(text: str) -> str:
    with pytest.raises(cnncalc.CnnCalcError) as info:
        cnncalc.analyze(text)
    return info.value.code


def test_a_linear_at_every_position() -> None:
    r = cnncalc.analyze(LAST + "  - linear: 32\n")
    row = r.layers[-1]
    assert row.out_shape == (8, 8, 32)
    assert row.kernel_shape == (32, 16)
    assert row.params == 32 * 16 + 32
    assert row.macs == 8 * 8 * 16 * 32  # positions × in × out
    flat = cnncalc.analyze("input: [16]\nlayers:\n  - linear: 32\n").layers[0]
    assert flat.macs == 16 * 32 and flat.rf == ()


def test_layernorm_over_the_last_axis() -> None:
    r = cnncalc.analyze(LAST + "  - layernorm: {eps: 1.0e-6}\n  - LayerNorm: {bias: false}\n")
    assert [row.params for row in r.layers[1:]] == [2 * 16, 16]
    assert code_of(LAST + "  - layernorm: {normalized_shape: 8}\n") == "E0407"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (LAST + "  - conv: {out: 4, k: 1}\n", "E0480"),
        (LAST + "  - bn\n", "E0480"),
        (LAST + "  - ln\n", "E0480"),
        (LAST + "  - maxpool: 2\n", "E0480"),
        (LAST + "  - pixel_shuffle: 2\n", "E0480"),
        (GRID + "  - linear: 4\n", "E0417"),
        (GRID + "  - layernorm\n", "E0481"),
        (GRID + "  - flatten: {start_dim: 2}\n  - attention: 2\n", "E0489"),
        (GRID + "  - attention: 2\n", "E0489"),
    ],
)
def test_each_kind_reads_the_axes_it_expects(text: str, code: str) -> None:
    assert code_of(text) == code


def test_the_hint_says_how_to_permute_back() -> None:
    with pytest.raises(cnncalc.CnnCalcError) as info:
        cnncalc.analyze(LAST + "  - conv: {out: 4, k: 1}\n")
    assert "permute: [0, 3, 1, 2]" in info.value.hint_text("en")
    assert (info.value.pos.line, info.value.pos.col) == (4, 5)


def test_permuting_back_makes_a_grid_again() -> None:
    r = cnncalc.analyze(LAST + "  - permute: [0, -1, 1, 2]\n  - conv: {out: 4, k: 3}\n")
    assert r.output_shape == (4, 6, 6)
    assert r.layers[-2].layout is None and r.layers[0].layout == (1, 2, 0)


def test_the_receptive_field_follows_the_permute() -> None:
    """A conv 3×3 (field 3), channels last for two pointwise Linears (still 3), back, a global
    pool: the whole input, 8 + 2 — the grid's true extent survived the permutes."""
    text = GRID.replace("16x8x8", "4x8x6") + (
        "  - conv: {out: 16, k: 3, p: 1}\n  - permute: [0, 2, 3, 1]\n  - linear: 8\n"
        "  - linear: 16\n  - permute: [0, 3, 1, 2]\n  - gap\n"
    )
    r = cnncalc.analyze(text)
    assert [a.size for a in r.layers[3].rf] == [3, 3]
    assert [a.size for a in r.layers[-1].rf] == [8 + 2, 6 + 2]


@pytest.mark.parametrize(
    ("item", "shape"),
    [
        ("flatten: {start_dim: 2}", (16, 64)),
        ("flatten: {start_dim: 1, end_dim: 2}", (128, 8)),
        ("flatten: {start_dim: -2}", (16, 64)),
        ("flatten", (1024,)),
        ("transpose: {dim0: 1, dim1: -1}", (8, 8, 16)),
        ("reshape: [16, -1]", (16, 64)),
        ("reshape: {shape: [4, 4, 64]}", (4, 4, 64)),
        ("unflatten: {dim: 1, sizes: [4, -1]}", (4, 4, 8, 8)),
        ("select: {dim: 2, index: -1}", (16, 8)),
        ("pixel_unshuffle: 2", (64, 4, 4)),
        ("pixel_shuffle: 2", (4, 16, 16)),
    ],
)
def test_reshapes(item: str, shape: tuple[int, ...]) -> None:
    r = cnncalc.analyze(GRID + f"  - {item}\n")
    assert r.output_shape == shape
    assert r.totals.params == r.totals.macs == 0


def test_learnable_tensors_of_no_layer() -> None:
    r = cnncalc.analyze(
        TOKENS + "  - class_token\n  - pos_embedding\n  - layer_scale: {dim: -1}\n"
        "  - class_token: {num: 2}\n"
    )
    conv, _, _, token, pos, scale, two = r.layers
    assert token.out_shape == (17, 64) and token.params == 64
    assert pos.params == 17 * 64
    assert scale.params == 64
    assert two.out_shape == (19, 64) and two.params == 2 * 64
    assert r.totals.macs == conv.macs  # element-wise: no MACs
    grid = cnncalc.analyze(GRID + "  - layer_scale: {init: 0.5}\n")
    assert grid.totals.params == 16  # one γ per channel, C×1×1


def test_attention_counts() -> None:
    """L = 16 tokens, E = 64, h = 4: 4E² + 4E params; 4·L·E² + 2·L²·E MACs; the scores h·L²
    alive while it runs."""
    r = cnncalc.analyze(TOKENS + "  - attention: {heads: 4}\n")
    row = r.layers[-1]
    assert row.params == 4 * 64 * 64 + 4 * 64
    assert row.kernel_shape == (3 * 64, 64)
    assert row.macs == 4 * 16 * 64 * 64 + 2 * 16 * 16 * 64
    kv = cnncalc.analyze(TOKENS + "  - attention: {heads: 4, add_bias_kv: true, bias: false}\n")
    assert kv.layers[-1].params == 4 * 64 * 64 + 2 * 64
    assert kv.layers[-1].macs == 4 * 16 * 64 * 64 + 2 * 16 * 17 * 64
    assert code_of(TOKENS + "  - attention: {heads: 5}\n") == "E0490"
    assert code_of(TOKENS + "  - attention: {heads: 4, kdim: 32}\n") == "E0407"


def test_attention_scores_are_in_the_peak() -> None:
    """On 256 tokens of 8 features the scores (2 heads · 256²) dwarf every tensor."""
    text = "input: 8x16x16\nlayers:\n  - flatten: {start_dim: 2}\n  - permute: [0, 2, 1]\n"
    r = cnncalc.analyze(text + "  - attention: 2\n")
    tensor = 4 * 8 * 256
    # the permute's input and output, the attention's output, and its scores
    assert r.totals.peak_activation_bytes == 2 * tensor + 4 * 2 * 256 * 256
    batch = cnncalc.analyze(text.replace("input:", "batch: 3\ninput:") + "  - attention: 2\n")
    assert batch.totals.peak_activation_bytes == 3 * r.totals.peak_activation_bytes


def test_matmul() -> None:
    text = TOKENS + "  - transpose: {dim0: 1, dim1: 2}\n    name: kt\n  - matmul: [-2, kt]\n"
    row = cnncalc.analyze(text).layers[-1]
    assert row.out_shape == (16, 16) and row.macs == 16 * 64 * 16
    assert code_of(TOKENS + "  - matmul: [prev, prev]\n") == "E0352"


def test_cin_of_a_token_sequence_is_its_features() -> None:
    text = (
        "blocks:\n  mlp:\n    params: {}\n    layers:\n      - linear: ${4 * cin}\n"
        "      - linear: $cin\n" + TOKENS + "  - mlp\n"
    )
    r = cnncalc.analyze(text)
    assert r.output_shape == (16, 64) and r.layers[-2].out_shape == (16, 256)


def test_explain_says_where_params_and_l_squared_come_from() -> None:
    r = cnncalc.analyze(TOKENS + "  - class_token\n  - layer_scale: {dim: -1}\n  - attention: 4\n")
    token, scale, attn = (explain(row, context=True) for row in r.layers[-3:])
    assert any("1 learnable token(s) × 64 features = 64" in s.working for s in token)
    assert any("one per channel" in s.working for s in scale)
    macs = next(s for s in attn if s.label == "MACs")
    assert macs.value == f"{4 * 17 * 64 * 64 + 2 * 17 * 17 * 64:,}"
    assert "L²" in macs.working and "4 · 17 · 64²" in macs.working
    zh = explain(r.layers[-1], lang="zh")
    assert any("L²" in s.working and "四倍" in s.working for s in zh)
    shape = next(s for s in attn if s.label == "Output shape")
    assert shape.working == "channels last (permuted), per sample"


def test_a_patch_embedding_is_not_a_wide_first_layer() -> None:
    assert [f.code for f in lint(cnncalc.analyze(ROOT / "examples" / "vit_b_16.yaml"))] == []
    wide = cnncalc.analyze("input: 3x32x32\nlayers:\n  - conv: {out: 768, k: 3}\n")
    assert "CNN108" in [f.code for f in lint(wide)]


@pytest.mark.parametrize(
    ("name", "params", "macs"),
    [("convnext_tiny", 28_589_128, 4_455_531_264), ("vit_b_16", 86_567_656, 17_563_828_224)],
)
def test_the_examples_totals(name: str, params: int, macs: int) -> None:
    totals = cnncalc.analyze(ROOT / "examples" / f"{name}.yaml").totals
    assert (totals.params, totals.macs) == (params, macs)


def test_window_attention_counts() -> None:
    """A 10×9 map, C = 8, 2 heads, windows of 4: padded to 12×12 = 9 windows; params
    4C² + 4C + 7²·2; MACs 4·144·C² + 2·144·4²·C; scores 2·144·16 in the peak."""
    text = "input: 8x10x9\nlayers:\n  - permute: [0, 2, 3, 1]\n"
    r = cnncalc.analyze(text + "  - window_attention: {heads: 2, window: 4, shift: 2}\n")
    row = r.layers[-1]
    assert row.out_shape == (10, 9, 8)
    assert row.params == 4 * 64 + 4 * 8 + 7 * 7 * 2
    assert row.macs == 4 * 144 * 64 + 2 * 144 * 16 * 8
    tensor = 4 * 8 * 90
    assert r.totals.peak_activation_bytes == 2 * tensor + 4 * 2 * 144 * 16
    nobias = cnncalc.analyze(text + "  - window_attention: {heads: 2, qkv_bias: false}\n")
    assert nobias.layers[-1].params == 4 * 64 + 8 + 13 * 13 * 2
    steps = explain(row, context=True)
    assert any("12×12" in s.working and ": 9" in s.working for s in steps)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("input: 8x10x9\nlayers:\n  - window_attention: 2\n", "E0492"),
        (LAST + "  - window_attention: 3\n", "E0490"),
        (LAST + "  - roll: {shifts: [1, 2], dims: [1]}\n", "E0493"),
        (LAST + "  - roll: {shifts: [1], dims: [4]}\n", "E0483"),
        (GRID + "  - space_to_depth: 2\n", "E0492"),
    ],
)
def test_window_errors(text: str, code: str) -> None:
    assert code_of(text) == code


def test_space_to_depth_pads_odd_sizes_as_torchvision() -> None:
    r = cnncalc.analyze("input: 8x7x6\nlayers:\n  - permute: [0, 2, 3, 1]\n  - space_to_depth\n")
    assert r.output_shape == (4, 3, 32)
    rolled = cnncalc.analyze(LAST + "  - roll: {shifts: [-3, 3], dims: [1, 2]}\n")
    assert rolled.output_shape == (8, 8, 16) and rolled.totals.params == 0


def test_swin_totals() -> None:
    totals = cnncalc.analyze(ROOT / "examples" / "swin_t.yaml").totals
    assert (totals.params, totals.macs) == (28_288_354, 4_490_566_656)


def test_concat_along_any_axis() -> None:
    joins = "  - concat: {inputs: [prev, prev], dim: 1}\n"
    text = TOKENS + joins + joins.replace("dim: 1", "dim: -1")
    r = cnncalc.analyze(text)
    assert [row.out_shape for row in r.layers[-2:]] == [(32, 64), (32, 128)]
    steps = explain(r.layers[-1])
    assert steps[0].label == "Size on dim -1" and steps[0].value == "128"
    assert code_of(TOKENS + "  - concat: {inputs: [prev, prev], dim: 3}\n") == "E0483"
    assert code_of(TOKENS + "  - concat: {dim: 1}\n") == "E0364"
    assert code_of(TOKENS + "  - add: {inputs: [prev, prev], dim: 1}\n") == "E0314"
    bad = TOKENS + "  - select: {dim: 1, index: 0}\n  - concat: {inputs: [prev, -2], dim: 1}\n"
    assert code_of(bad) == "E0352"
    grid = cnncalc.analyze(GRID + "  - concat: {inputs: [input, input], dim: 2}\n")
    assert grid.output_shape == (16, 16, 8)


def test_the_channel_path_follows_the_permutes() -> None:
    from cnncalc.analysis.explain import channel_path

    path = channel_path(cnncalc.analyze(ROOT / "examples" / "convnext_tiny.yaml"))
    assert path[:5] == [3, 96, 384, 96, 384] and 56 not in path


def test_quadratic_attention_advice_names_the_numbers() -> None:
    """4,096 tokens of 64: products 2·4096²·64, projections 4·4096·64², scores 4·4096²."""
    text = (
        "input: 3x256x256\nlayers:\n  - conv: {out: 64, k: 4, s: 4}\n"
        "  - flatten: {start_dim: 2}\n  - transpose: {dim0: 1, dim1: 2}\n  - attention: 4\n"
    )
    (finding,) = [f for f in lint(cnncalc.analyze(text)) if f.code == "CNN110"]
    message = finding.message("en")
    assert f"{2 * 4096 * 4096 * 64:,}" in message and f"{4 * 4096 * 64 * 64:,}" in message
    assert f"{4 * 4096 * 4096:,} scores" in message
    assert finding.why("en") and finding.why("zh") and "词元" in finding.message("zh")
