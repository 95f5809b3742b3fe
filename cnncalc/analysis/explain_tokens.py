"""The explanation steps of the channels-last, token and attention kinds: how many parameters a
layer scale, a class token and a position embedding add and why, and how attention's cost grows
with the square of the sequence. `explain` looks them up like its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from cnncalc.engine import LayerReport
from cnncalc.layers import (
    ClassToken,
    LayerNormLast,
    LayerScale,
    Matmul,
    MultiheadAttention,
    Permute,
    PixelShuffle,
    PosEmbedding,
    Reshape,
    Roll,
    Select,
    SpaceToDepth,
    Transpose,
    Unflatten,
    WindowAttention,
    fmt_shape,
    prod,
)
from cnncalc.messages import t
from cnncalc.messages.numbers import count_text as n

if TYPE_CHECKING:
    from cnncalc.analysis.explain import Step

Steps = Callable[[LayerReport, str, bool], "list[Step]"]


def _step(label: str, value: str, working: str = "") -> Step:
    from cnncalc.analysis.explain import Step

    return Step(label, value, working)


def _layer_scale(row: LayerReport, lang: str, context: bool) -> list[Step]:
    c = row.params
    return [
        _step(t("explain.channels", lang), n(c), t("explain.w.layer_scale_channels", lang)),
        _step(t("explain.params", lang), n(c), t("explain.w.layer_scale", lang, c=n(c))),
    ]


def _class_token(row: LayerReport, lang: str, context: bool) -> list[Step]:
    layer = row.node.layer
    assert isinstance(layer, ClassToken)
    x, out = row.in_shape, row.out_shape
    each = row.params // layer.num_tokens
    working = t("explain.w.class_token", lang, num=layer.num_tokens, e=n(each), total=n(row.params))
    tokens = t("explain.w.tokens_grow", lang, a=fmt_shape(x), b=fmt_shape(out))
    return [
        _step(t("explain.tokens", lang), fmt_shape(out), tokens),
        _step(t("explain.params", lang), n(row.params), working),
    ]


def _pos_embedding(row: LayerReport, lang: str, context: bool) -> list[Step]:
    x = row.in_shape
    dims = " × ".join(n(v) for v in x)
    working = t("explain.w.pos_embedding", lang, dims=dims, total=n(row.params))
    return [_step(t("explain.params", lang), n(row.params), working)]


def _layernorm(row: LayerReport, lang: str, context: bool) -> list[Step]:
    f = row.in_shape[-1]
    working = (
        t("explain.w.layernorm_params", lang, f=n(f), total=n(row.params))
        if row.params
        else t("explain.w.norm_no_affine", lang)
    )
    return [
        _step(t("explain.features", lang), n(f), t("explain.w.layernorm_features", lang)),
        _step(t("explain.params", lang), n(row.params), working),
    ]


def _attention(row: LayerReport, lang: str, context: bool) -> list[Step]:
    layer = row.node.layer
    assert isinstance(layer, MultiheadAttention)
    length, e = row.in_shape
    h = layer.num_heads
    ks = row.kernel_shape or ()
    key = "explain.w.attention_params" if layer.bias else "explain.w.attention_params_nobias"
    total = t(key, lang, e=n(e), total=n(row.params))
    if layer.add_bias_kv:
        total += t("explain.w.bias_kv", lang, e=n(e))
    return [
        _step(t("explain.tokens", lang), n(length), t("explain.w.attention_tokens", lang)),
        _step(
            t("explain.heads", lang),
            str(h),
            t("explain.w.attention_heads", lang, e=n(e), h=h, d=n(e // h)),
        ),
        _step(t("explain.weight_shape", lang), fmt_shape(ks), t("explain.w.in_proj", lang)),
        _step(t("explain.total_params", lang), n(row.params), total),
    ]


def _window_attention(row: LayerReport, lang: str, context: bool) -> list[Step]:
    layer = row.node.layer
    assert isinstance(layer, WindowAttention)
    hp, wp, c = layer.padded(row.in_shape)
    w, h = layer.window_size, layer.num_heads
    windows = (hp // w) * (wp // w)
    table = (2 * w - 1) ** 2 * h
    return [
        _step(
            t("explain.windows", lang),
            n(windows),
            t("explain.w.windows", lang, hp=hp, wp=wp, w=w, windows=n(windows)),
        ),
        *_window_moves(row, lang),
        _step(
            t("explain.heads", lang),
            str(h),
            t("explain.w.attention_heads", lang, e=n(c), h=h, d=n(c // h)),
        ),
        _step(
            t("explain.total_params", lang),
            n(row.params),
            t(
                "explain.w.window_params",
                lang,
                c=n(c),
                k=2 * w - 1,
                h=h,
                table=n(table),
                total=n(row.params),
            ),
        ),
    ]


def _window_moves(row: LayerReport, lang: str) -> list[Step]:
    """The zero-cost moves inside a window attention, in the order they run: the cyclic shift
    (torch.roll) and the window partition and reverse, with their shapes."""
    layer = row.node.layer
    assert isinstance(layer, WindowAttention)
    h, w_, c = row.in_shape
    hp, wp, _ = layer.padded(row.in_shape)
    w, s = layer.window_size, layer.shift_size
    windows = (hp // w) * (wp // w)
    partition = t(
        "explain.w.partition", lang, h=h, w=w_, c=n(c), hp=hp, wp=wp, windows=n(windows), w2=w * w
    )
    rolled = [axis for axis, size in (("H", hp), ("W", wp)) if w < size]  # torchvision's rule
    if s == 0:
        shift, working = "0", t("explain.w.shift_none", lang)
    elif not rolled:
        shift, working = "0", t("explain.w.shift_covered", lang, w=w, hp=hp, wp=wp, s=s)
    elif len(rolled) == 1:
        shift, working = str(s), t("explain.w.shift_one", lang, s=s, axis=rolled[0], w=w)
    else:
        shift, working = str(s), t("explain.w.shift", lang, s=s)
    return [
        _step(t("explain.shift", lang), shift, working),
        _step(t("explain.partition", lang), f"{n(windows)}×{w * w}×{n(c)}", partition),
    ]


def _reorder(row: LayerReport, lang: str, context: bool) -> list[Step]:
    working = t("explain.w.reorder", lang, a=fmt_shape(row.in_shape), b=fmt_shape(row.out_shape))
    return [_step(t("explain.params", lang), "0", working)]


def _matmul(row: LayerReport, lang: str, context: bool) -> list[Step]:
    a, b = row.in_shapes
    working = t(
        "explain.w.matmul", lang, a=fmt_shape(a), b=fmt_shape(b), out=fmt_shape(row.out_shape)
    )
    return [_step(t("explain.params", lang), "0", working)]


#: the parameter steps of each token kind
TOKEN_PARAM_STEPS: Mapping[type, Steps] = MappingProxyType(
    {
        LayerScale: _layer_scale,
        ClassToken: _class_token,
        PosEmbedding: _pos_embedding,
        LayerNormLast: _layernorm,
        MultiheadAttention: _attention,
        WindowAttention: _window_attention,
        Roll: _reorder,
        SpaceToDepth: _reorder,
        Permute: _reorder,
        Transpose: _reorder,
        Reshape: _reorder,
        Unflatten: _reorder,
        Select: _reorder,
        PixelShuffle: _reorder,
        Matmul: _matmul,
    }
)


def token_macs(row: LayerReport, per_sample: int, lang: str) -> str | None:
    """The MACs' working of attention (its L² growth) and of a matrix product; None for the
    other kinds."""
    layer = row.node.layer
    if isinstance(layer, MultiheadAttention):
        length, e = row.in_shape
        keys = layer.keys(row.in_shape)
        proj = 4 * length * e * e
        return t(
            "explain.w.macs_attention",
            lang,
            l=n(length),
            lk=n(keys),
            e=n(e),
            proj=n(proj),
            products=n(layer.products(row.in_shape)),
            macs=n(per_sample),
            scores=n(layer.scratch(row.in_shape)),
        )
    if isinstance(layer, WindowAttention):
        hp, wp, c = layer.padded(row.in_shape)
        return t(
            "explain.w.macs_window",
            lang,
            p=n(hp * wp),
            c=n(c),
            w=layer.window_size,
            proj=n(4 * hp * wp * c * c),
            products=n(layer.products(row.in_shape)),
            macs=n(per_sample),
        )
    if isinstance(layer, Matmul):
        a, b = row.in_shapes
        lead = prod(row.out_shape[:-2])
        return t(
            "explain.w.macs_matmul",
            lang,
            lead=n(lead),
            n=n(a[-2]),
            k=n(a[-1]),
            m=n(b[-1]),
            macs=n(per_sample),
        )
    return None
