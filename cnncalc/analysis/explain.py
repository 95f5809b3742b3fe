"""The working of one layer, step by step, in the words of the teaching text.

Pure: a `LayerReport` in, a list of `Step`s out (a label, a value, the arithmetic with the
layer's own numbers), in the language asked for. `cnncalc layer` and `cnncalc explain` render
the same steps; `explain_report` adds the network context (the receptive field entering each
layer, and an overview: the input, the channel path, the totals).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from cnncalc.analysis.explain_tokens import TOKEN_PARAM_STEPS, token_macs
from cnncalc.engine import (
    FLOPS_PER_MAC,
    INPUT,
    Block,
    LayerReport,
    Report,
    block_inputs,
)
from cnncalc.errors import CnnCalcError, Msg
from cnncalc.layers import (
    RF,
    Activation,
    AdaptivePool,
    Add,
    AxisRF,
    ChannelShuffle,
    Concat,
    Conv,
    ConvTranspose,
    Dropout,
    DropPath,
    DwConv,
    Flatten,
    Linear,
    Mul,
    Norm,
    Part,
    Pool,
    Shape,
    Upsample,
    axis_names,
    effective_kernel,
    fmt_shape,
    prod,
    transposed_formula,
    window_formula,
)
from cnncalc.layers.kinds_split import sample_axis
from cnncalc.messages import t
from cnncalc.messages.numbers import count_text, rf_text

_T = TypeVar("_T")


@dataclass(frozen=True)
class Step:
    label: str
    value: str
    working: str = ""


#: counts and receptive-field numbers as the teaching text writes them (scientific past 10^21)
n = count_text
rf_str = rf_text


def _window(k: Sequence[int]) -> str:
    return "×".join(str(v) for v in k)


def _lookup(table: Mapping[type, _T], layer: object) -> _T | None:
    """The entry for the layer's class or its nearest base class (DwConv finds Conv)."""
    for cls in type(layer).__mro__:
        entry = table.get(cls)
        if entry is not None:
            return entry
    return None


def explain(
    row: LayerReport,
    with_size: bool = True,
    batch: int = 1,
    lang: str = "en",
    rf_in: RF | None = None,
    context: bool = False,
) -> list[Step]:
    """Every step of `row`'s numbers; `with_size=False` stops at the parameters. With `rf_in`
    (the receptive field entering the layer) the receptive-field step shows its arithmetic;
    `context` adds the teaching text's asides (the kernels as count × shape, how groups split
    the channels, what a 1×1 conv does to them): `cnncalc explain` shows them, `cnncalc layer`
    keeps its short form."""
    params = _lookup(PARAM_STEPS, row.node.layer)
    if params is None:
        steps = [Step(t("explain.params", lang), n(row.params))]
    else:
        steps = params(row, lang, context)
    if not with_size:
        return steps
    sizes = _lookup(SIZE_STEPS, row.node.layer)
    if sizes is not None:
        steps += sizes(row, lang)
    shape = fmt_shape(row.out_shape)
    lay = row.layout
    key = "explain.w.out_shape" if lay is None else "explain.w.out_shape_moved"
    if lay and lay[-1] == 0:
        key = "explain.w.out_shape_last"
    steps.append(Step(t("explain.out_shape", lang), shape, t(key, lang)))
    if row.macs:
        steps += _macs(row, batch, lang)
    if row.rf:
        steps.append(_rf_step(row, rf_in, lang))
    return steps


def _norm_params(row: LayerReport, lang: str, context: bool) -> list[Step]:
    c = row.in_shape[0]
    working = (
        t("explain.w.norm_params", lang, c=n(c), total=n(row.params))
        if row.params
        else t("explain.w.norm_no_affine", lang)
    )
    return [
        Step(t("explain.channels", lang), n(c), t("explain.w.norm_channels", lang)),
        Step(t("explain.params", lang), n(row.params), working),
    ]


def _kept_channels(channels: str, params: str) -> ParamSteps:
    """Pooling and upsampling: channels kept, no weights."""

    def steps(row: LayerReport, lang: str, context: bool) -> list[Step]:
        value = f"{row.in_shape[0]} → {row.out_shape[0]}"
        return [
            Step(t("explain.channels", lang), value, t(channels, lang)),
            Step(t("explain.params", lang), "0", t(params, lang)),
        ]

    return steps


def _no_params(working: str) -> ParamSteps:
    def steps(row: LayerReport, lang: str, context: bool) -> list[Step]:
        p = row.node.layer.p if isinstance(row.node.layer, (Dropout, DropPath)) else 0
        return [Step(t("explain.params", lang), "0", t(working, lang, p=f"{p:g}"))]

    return steps


def _part_params(row: LayerReport, lang: str, context: bool) -> list[Step]:
    """A split, chunk or slice: which indices of which axis the part holds."""
    layer = row.node.layer
    assert isinstance(layer, Part)
    x, y = row.in_shape, row.out_shape
    axis = sample_axis(x, layer.dim)
    start = layer.offset(x)
    step = getattr(layer, "step", 1)
    last = start + (y[axis] - 1) * step
    working = t("explain.w.part", lang, a=start, b=last, n=x[axis], dim=axis + 1)
    return [
        Step(t("explain.part", lang), f"{y[axis]} / {x[axis]}", working),
        Step(t("explain.params", lang), "0", t("explain.w.part_params", lang)),
    ]


def _flatten_params(row: LayerReport, lang: str, context: bool) -> list[Step]:
    x = row.in_shape
    total = prod(x)
    working = t("explain.w.flatten", lang, shape=fmt_shape(x), total=n(total))
    return [Step(t("explain.features", lang), n(total), working)]


def _linear_params(row: LayerReport, lang: str, context: bool) -> list[Step]:
    layer = row.node.layer
    assert isinstance(layer, Linear)
    x = row.in_shape[-1:]  # the features: a vector's, or the last axis at every position
    k = row.kernel_shape or (0, 0)
    per_total = x[0] + (1 if layer.bias else 0)
    per = (
        t("explain.w.per_output_bias", lang, cin=n(x[0]), per=n(per_total))
        if layer.bias
        else t("explain.w.per_output_nobias", lang, cin=n(x[0]))
    )
    total = t("explain.w.total_linear", lang, cout=n(k[0]), per=n(per_total), total=n(row.params))
    return [
        Step(t("explain.in_features", lang), n(x[0]), t("explain.w.in_features", lang)),
        Step(
            t("explain.out_features", lang),
            n(layer.out_features),
            t("explain.w.out_features", lang),
        ),
        Step(t("explain.weight_shape", lang), fmt_shape(k), "(out, in)"),
        Step(t("explain.per_output", lang), n(per_total), per),
        Step(t("explain.total_params", lang), n(row.params), total),
    ]


def _conv_params(row: LayerReport, lang: str, context: bool) -> list[Step]:
    def tr(key: str, **args: object) -> str:
        return t(key, lang, **args)

    layer = row.node.layer
    assert isinstance(layer, (Conv, ConvTranspose))
    x = row.in_shape
    ks = row.kernel_shape or ()
    k = ks[2:]
    g = layer.groups if not isinstance(layer, DwConv) else x[0]
    transposed = isinstance(layer, ConvTranspose)
    cout = ks[1] * g if transposed else ks[0]
    window = _window(k)
    depth = x[0] // g  # the input channels each output channel reads (convT alike)
    weights = prod(k) * (ks[1] if transposed else depth)  # convT: per input channel
    axes = ", ".join(f"k{a}" for a in axis_names(len(k)))
    if g == 1:
        depth_txt = tr("explain.w.depth_all", depth=depth)
    else:
        key = "explain.w.depth_groups_ctx" if context else "explain.w.depth_groups"
        depth_txt = tr(key, depth=depth, cin=n(x[0]), g=g)
    if transposed:
        layout = tr("explain.w.layout_transposed", axes=axes)
    elif context:
        each = f"{window}×{depth}"
        layout = tr(
            "explain.w.layout", cout=n(cout), each=each, depth=depth, window=window, axes=axes
        )
    else:
        layout = tr("explain.w.layout_short", axes=axes)
    steps = [
        Step(tr("explain.in_channels"), n(x[0]), depth_txt),
        Step(tr("explain.out_channels"), n(cout), tr("explain.w.kernels", cout=n(cout))),
        Step(tr("explain.kernel_shape"), fmt_shape(ks), layout),
    ]
    if g > 1:
        if isinstance(layer, DwConv) or (g == x[0] and not transposed):
            mult = cout // x[0]
            if not context:
                note = tr("explain.w.depthwise", g=g, window=window)
            elif mult == 1:
                note = tr("explain.w.depthwise_ctx", g=g, window=window)
            else:
                note = tr("explain.w.depthwise_mult", g=g, mult=mult, window=window)
        else:
            note = tr("explain.w.grouped", g=g, cin=n(x[0]), cout=n(cout))
            if context:
                note += tr("explain.w.group_split", cin_g=x[0] // g, cout_g=cout // g)
        steps.append(Step(tr("explain.groups"), str(g), note))
    if all(v == 1 for v in k) and not transposed and g == 1:
        key = "explain.w.pointwise_ctx" if context else "explain.w.pointwise"
        steps.append(Step(tr("explain.pointwise"), "", tr(key, cin=x[0], cout=cout)))
    if transposed:
        per_in = f"{window}×{ks[1]} = {n(weights)}"
        bias = f" + {cout}" if layer.bias else ""
        value = n(weights) + (tr("explain.w.plus_bias") if layer.bias else "")
        steps.append(Step(tr("explain.per_input_channel"), value, per_in))
        total = f"{x[0]} × {n(weights)}{bias} = {n(row.params)}"
        steps.append(Step(tr("explain.total_params"), n(row.params), total))
        return steps
    per_total = weights + (1 if layer.bias else 0)
    key = "explain.w.per_kernel_bias" if layer.bias else "explain.w.per_kernel_nobias"
    per = tr(key, window=window, depth=depth, per=n(per_total))
    steps.append(Step(tr("explain.per_kernel"), n(per_total), per))
    total = tr("explain.w.total_conv", cout=n(cout), per=n(per_total), total=n(row.params))
    steps.append(Step(tr("explain.total_params"), n(row.params), total))
    return steps


def _concat_step(row: LayerReport, lang: str, context: bool) -> list[Step]:
    out = row.out_shape
    layer = row.node.layer
    assert isinstance(layer, Concat)
    a = layer.axis(row.in_shapes)
    parts = " + ".join(n(s[a]) for s in row.in_shapes)
    if a == 0 and row.layout is None:  # the channels of a grid
        working = t("explain.w.concat", lang, parts=parts, total=n(out[a]))
        return [Step(t("explain.channels", lang), n(out[a]), working)]
    working = t("explain.w.concat_axis", lang, parts=parts, total=n(out[a]), dim=layer.dim)
    return [Step(t("explain.joined", lang, dim=layer.dim), n(out[a]), working)]


def _elementwise_merge(key: str) -> ParamSteps:
    """Add and mul: the shapes that meet, and the channels that leave."""

    def steps(row: LayerReport, lang: str, context: bool) -> list[Step]:
        out = row.out_shape
        shapes = ", ".join(fmt_shape(s) for s in row.in_shapes)
        working = t(key, lang, shapes=shapes, out=fmt_shape(out))
        return [Step(t("explain.channels", lang), n(out[0]) if out else "", working)]

    return steps


def _window_sizes(row: LayerReport, lang: str) -> list[Step]:
    layer = row.node.layer
    assert isinstance(layer, (Conv, Pool))
    x = row.in_shape
    k, s, d, p = layer.geometry(x)
    pads = p if isinstance(layer, Conv) else tuple((v, v) for v in p)
    ceil = isinstance(layer, Pool) and layer.ceil_mode
    out = []
    for a, i, kk, ss, pp, dd in zip(axis_names(len(x) - 1), x[1:], k, s, pads, d):
        formula = window_formula(i, kk, ss, pp[0], pp[1], dd, ceil)
        out.append(Step(t("explain.out_size", lang, axis=a), "", formula))
    return out


def _transposed_sizes(row: LayerReport, lang: str) -> list[Step]:
    layer = row.node.layer
    assert isinstance(layer, ConvTranspose)
    x = row.in_shape
    k, s, d, p, op = layer.geometry(x)
    out = []
    for a, i, kk, ss, pp, dd, oo in zip(axis_names(len(x) - 1), x[1:], k, s, p, d, op):
        formula = transposed_formula(i, kk, ss, pp, dd, oo)
        out.append(Step(t("explain.out_size", lang, axis=a), "", formula))
    return out


def _adaptive_sizes(row: LayerReport, lang: str) -> list[Step]:
    x = row.in_shape
    out = []
    for a, i, o in zip(axis_names(len(x) - 1), x[1:], row.out_shape[1:]):
        working = t("explain.w.adaptive", lang, i=i, o=o)
        out.append(Step(t("explain.out_size", lang, axis=a), str(o), working))
    return out


ParamSteps = Callable[[LayerReport, str, bool], list[Step]]
SizeSteps = Callable[[LayerReport, str], list[Step]]

#: the parameter steps of each layer class (a subclass finds its base's entry)
PARAM_STEPS: Mapping[type, ParamSteps] = MappingProxyType(
    {
        Conv: _conv_params,
        ConvTranspose: _conv_params,
        Linear: _linear_params,
        Norm: _norm_params,
        Pool: _kept_channels("explain.w.pool_channels", "explain.w.pool_params"),
        AdaptivePool: _kept_channels("explain.w.pool_channels", "explain.w.pool_params"),
        Upsample: _kept_channels("explain.w.upsample_channels", "explain.w.upsample_params"),
        Activation: _no_params("explain.w.elementwise"),
        Dropout: _no_params("explain.w.dropout"),
        Part: _part_params,
        ChannelShuffle: _no_params("explain.w.shuffle"),
        DropPath: _no_params("explain.w.drop_path"),
        Flatten: _flatten_params,
        Concat: _concat_step,
        Add: _elementwise_merge("explain.w.add"),
        Mul: _elementwise_merge("explain.w.mul"),
        **TOKEN_PARAM_STEPS,
    }
)
#: the output-size steps of the layers whose size follows a formula
SIZE_STEPS: Mapping[type, SizeSteps] = MappingProxyType(
    {
        Conv: _window_sizes,
        Pool: _window_sizes,
        ConvTranspose: _transposed_sizes,
        AdaptivePool: _adaptive_sizes,
    }
)


def _macs(row: LayerReport, batch: int, lang: str) -> list[Step]:
    per_sample = row.macs // batch
    ks = row.kernel_shape or ()
    layer = row.node.layer
    tokens = token_macs(row, per_sample, lang)
    if tokens is not None:
        work = tokens
    elif isinstance(layer, Linear) and len(row.in_shape) > 1:  # at every position
        at = n(prod(row.in_shape[:-1]))
        cin, cout, macs = n(ks[1]), n(ks[0]), n(per_sample)
        work = t("explain.w.macs_positions", lang, positions=at, cin=cin, cout=cout, macs=macs)
    elif isinstance(layer, Linear):
        work = f"{n(ks[1])} × {n(ks[0])} = {n(per_sample)}"
    else:  # a transposed conv's weights act at each input position, a conv's at each output
        transposed = isinstance(layer, ConvTranspose)
        positions = prod((row.in_shape if transposed else row.out_shape)[1:])
        key = "explain.w.macs_transposed" if transposed else "explain.w.macs_conv"
        weights, kshape, macs = n(prod(ks)), fmt_shape(ks), n(per_sample)
        work = t(key, lang, positions=n(positions), weights=weights, kshape=kshape, macs=macs)
    if batch > 1:
        work += t("explain.w.batch", lang, batch=batch, total=n(row.macs))
    return [
        Step(t("explain.macs", lang), n(row.macs), work + t("explain.w.no_bias", lang)),
        Step(
            t("explain.flops", lang),
            n(row.flops),
            f"{FLOPS_PER_MAC} × MACs = {n(row.flops)}",
        ),
    ]


def _rf_step(row: LayerReport, rf_in: RF | None, lang: str) -> Step:
    size = "×".join(rf_str(a.size) for a in row.rf)
    jump = "×".join(rf_str(a.jump) for a in row.rf)
    label = t("explain.rf", lang)
    if rf_in is None or len(rf_in) != len(row.rf):
        return Step(label, size, t("explain.w.rf", lang, jump=jump))
    layer = row.node.layer
    x = row.in_shape
    working: list[str] = []
    if isinstance(layer, (Conv, Pool)) and len(x) - 1 == len(rf_in):
        k, s, d, _ = layer.geometry(x)
        word = t("explain.w.jump", lang)
        for a, b, kk, ss, dd in zip(rf_in, row.rf, k, s, d):
            keff = effective_kernel(kk, dd)
            working.append(
                f"{rf_str(a.size)} + ({keff}−1)·{rf_str(a.jump)} = {rf_str(b.size)}"
                f"{word}{rf_str(a.jump)}·{ss} = {rf_str(b.jump)}"
            )
        text = working[0] if len(set(working)) == 1 else " | ".join(working)
        return Step(label, size, t("explain.w.rf_step", lang, formula=text))
    if isinstance(layer, (Add, Concat, Mul)):
        return Step(label, size, t("explain.w.rf_merge", lang, size=size))
    if all(a.size == b.size and a.jump == b.jump for a, b in zip(rf_in, row.rf)):
        return Step(label, size, t("explain.w.rf_same", lang))
    if isinstance(layer, (Linear, AdaptivePool)):
        return Step(label, size, t("explain.w.rf_whole", lang, jump=jump))
    return Step(label, size, t("explain.w.rf", lang, jump=jump))


# --- the whole network ----------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One layer's explanation within a network: the row and its steps."""

    row: LayerReport
    steps: tuple[Step, ...]


def input_rfs(report: Report) -> dict[str, RF]:
    """The receptive field after every layer and of the network input, by name."""
    shape = report.network.input_shape
    out: dict[str, RF] = {INPUT: tuple(AxisRF(extent=e) for e in shape[1:])}
    for row in report.layers:
        out[row.name] = row.rf
    return out


@dataclass(frozen=True)
class BlockSection:
    """A block's explanation (`explain -l layer1`): its subtotals, its layers, its shortcuts;
    the sections of its layers follow it."""

    block: Block
    in_shapes: tuple[Shape, ...]
    steps: tuple[Step, ...]


def explain_report(
    report: Report, layer: str | None = None, lang: str = "en"
) -> list[Section | BlockSection]:
    """Every layer's steps (or one layer's, or one block's and its layers'), with the receptive
    field entering each layer."""
    rows = report.layers
    head: list[Section | BlockSection] = []
    if layer is not None:
        blocks = {b.name: b for b in report.blocks}
        names = [r.name for r in rows]
        if layer in blocks:
            block = blocks[layer]
            rows = rows[block.start : block.end]
            head.append(block_section(report, block, lang))
        elif layer in names:
            rows = tuple(r for r in rows if r.name == layer)
        else:
            import difflib

            close = difflib.get_close_matches(layer, [*names, *blocks], n=1, cutoff=0.6)
            hint = Msg("H0001", name=close[0]) if close else None
            raise CnnCalcError("E0701", name=layer, hint=hint)
    rfs = input_rfs(report)
    batch = report.network.batch
    return head + [
        Section(row, tuple(explain(row, True, batch, lang, rfs.get(row.inputs[0]), context=True)))
        for row in rows
    ]


def _local(name: str, block: Block) -> str:
    return name.removeprefix(block.name + ".")


def block_section(report: Report, block: Block, lang: str = "en") -> BlockSection:
    """A block's subtotals (the sum of its layers), its layers and its shortcuts."""
    rows = report.layers[block.start : block.end]
    in_shapes = block_inputs(report, block)
    weighted = [r for r in rows if r.params]
    if 1 < len(weighted) <= 6:
        working = " + ".join(n(r.params) for r in weighted) + f" = {n(block.params)}"
    else:
        working = t("explain.w.weighted_layers", lang, count=len(weighted))
    total = report.totals
    steps = [
        Step(
            t("explain.layers", lang),
            n(len(rows)),
            ", ".join(_local(r.name, block) for r in rows),
        ),
        Step(t("explain.params", lang), n(block.params), working),
        Step(
            t("explain.share", lang),
            _pct(block.params, total.params),
            t("explain.w.share", lang, macs=_pct(block.macs, total.macs)),
        ),
        Step(t("explain.macs", lang), n(block.macs), ""),
        Step(
            t("explain.flops", lang), n(block.flops), f"{FLOPS_PER_MAC} × MACs = {n(block.flops)}"
        ),
        Step(t("explain.out_shape", lang), fmt_shape(block.out_shape), ""),
    ]
    steps += _shortcut_steps(report, block, lang)
    return BlockSection(block, in_shapes, tuple(steps))


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def _shortcut_steps(report: Report, block: Block, lang: str) -> list[Step]:
    """One step per two-input `add` in the block: the shortcut it adds, a projection (a
    `shortcut…` sub-block, with its params) or an identity (a tensor from outside the merge's
    own block; a `residual` lists its shortcut first)."""
    subs = [b for b in report.blocks if b.name.startswith(block.name + ".")]
    out = []
    for row in report.layers[block.start : block.end]:
        if not isinstance(row.node.layer, Add) or len(row.inputs) != 2:
            continue
        scope = row.name.rsplit(".", 1)[0] + "." if "." in row.name else ""
        proj = next(
            (b for b in subs for src in row.inputs
             if src.startswith(b.name + ".") and b.name.rsplit(".", 1)[-1].startswith("shortcut")),
            None,
        )  # fmt: skip
        if proj is not None:
            ops = " + ".join(
                r.op + (" " + fmt_shape(r.kernel_shape) if r.kernel_shape else "")
                for r in report.layers[proj.start : proj.end]
            )
            value = n(proj.params)
            working = t("explain.w.projection", lang, name=_local(proj.name, block), ops=ops)
        else:
            outside = [i for i in row.inputs if not (scope and i.startswith(scope))]
            value = "0"
            working = t("explain.w.identity", lang, name=(outside or row.inputs)[0])
        label = t("explain.shortcut", lang, name=_local(row.name, block))
        out.append(Step(label, value, working))
    return out


def channel_path(report: Report) -> list[int]:
    """Channel counts along the main path, without repeats: `[3, 64, 128]`."""
    from cnncalc.analysis.flow import spine

    # where each tensor's channels are: first, or where a permute moved them (the last axis
    # of ConvNeXt's and Swin's channels-last tensors); a reshaped tensor's are unknown
    where = {r.out_shape: r.layout for r in report.layers}
    out: list[int] = []
    for shape in spine(report):
        layout = where.get(shape)
        if not shape or layout == ():
            continue
        c = shape[layout.index(0)] if layout else shape[0]
        if not out or out[-1] != c:
            out.append(c)
    return out


#: the most channel counts the overview's path shows (a YOLO's spine has some twenty)
_PATH_SHOWN = 8


def overview(report: Report, lang: str = "en") -> list[Step]:
    """The network as the teaching text introduces it: the input, the channels layer by layer,
    the totals, and the one output-size rule every conv and pool follows."""
    net = report.network
    c = net.input_shape[0]
    key = {1: "explain.w.input_grey", 3: "explain.w.input_rgb"}.get(c, "explain.w.input_multi")
    steps = [Step(t("explain.input", lang), fmt_shape(net.input_shape), t(key, lang, c=c))]
    path = channel_path(report)
    if len(path) > 1:
        shown = [str(v) for v in path]
        if len(shown) > _PATH_SHOWN:  # one line in the value column: the ends, the middle elided
            half = _PATH_SHOWN // 2
            more = t("explain.path_more", lang, n=len(shown) - 2 * half)
            shown = [*shown[:half], more, *shown[-half:]]
        steps.append(
            Step(
                t("explain.channel_path", lang),
                " → ".join(shown),
                t("explain.w.channel_path", lang),
            )
        )
    weighted = [r for r in report.layers if r.params]
    total = report.totals.params
    if 1 < len(weighted) <= 6:
        working = " + ".join(n(r.params) for r in weighted) + f" = {n(total)}"
    else:
        working = t("explain.w.weighted_layers", lang, count=len(weighted))
    steps.append(Step(t("explain.total_params", lang), n(total), working))
    if report.totals.macs:
        steps.append(Step(t("explain.macs", lang), n(report.totals.macs), ""))
        steps.append(
            Step(
                t("explain.flops", lang),
                n(report.totals.flops),
                f"{FLOPS_PER_MAC} × MACs = {n(report.totals.flops)}",
            )
        )
    if any(isinstance(r.node.layer, (Conv, Pool)) for r in report.layers):
        steps.append(
            Step(
                t("explain.size_rule", lang),
                "",
                "o = ⌊(i + p_left + p_right − d·(k−1) − 1)/s⌋ + 1",
            )
        )
    return steps
