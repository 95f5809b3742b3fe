"""The working of one layer, step by step, in the words of the teaching text.

Pure: a `LayerReport` in, a list of `Step`s out (a label, a value, the arithmetic with the
layer's own numbers). `cnncalc layer` and `cnncalc explain` render the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.engine import FLOPS_PER_MAC, LayerReport, rf_number
from cnncalc.layers import (
    Activation,
    AdaptivePool,
    Conv,
    ConvTranspose,
    DwConv,
    Linear,
    Norm,
    Pool,
    fmt_shape,
    prod,
    transposed_formula,
    window_formula,
)


@dataclass(frozen=True)
class Step:
    label: str
    value: str
    working: str = ""


def n(v: int) -> str:
    return f"{v:,}"


def _axes(count: int) -> tuple[str, ...]:
    return {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}.get(count, ())


def explain(row: LayerReport, with_size: bool = True, batch: int = 1) -> list[Step]:
    """Every step of `row`'s numbers; `with_size=False` stops at the parameters."""
    layer = row.node.layer
    x = row.in_shape
    steps: list[Step] = []
    if isinstance(layer, (Conv, ConvTranspose)):
        steps += _conv_params(row)
    elif isinstance(layer, Linear):
        k = row.kernel_shape or (0, 0)
        per = f"{n(x[0])} + 1 = {n(x[0] + 1)}" if layer.bias else n(x[0])
        steps += [
            Step("Input features", n(x[0]), "every output is a weighted sum of all of them"),
            Step("Output features", n(layer.out_features), "one row of weights per output"),
            Step("Weight shape", fmt_shape(k), "(out, in)"),
            Step("Params per output", per.split(" = ")[-1], per + (" (weights + bias)" if layer.bias else "")),
            Step("Total params", n(row.params), f"{n(k[0])} × {per.split(' = ')[-1]} = {n(row.params)}"),
        ]
    elif isinstance(layer, Norm):
        steps.append(Step("Channels", n(x[0]), "normalised per channel; the count is unchanged"))
        steps.append(Step("Params", n(row.params),
                          f"2 × {x[0]} = {n(row.params)} (scale γ and shift β)" if row.params
                          else "no learnable affine"))  # fmt: skip
    elif isinstance(layer, (Pool, AdaptivePool)):
        steps.append(Step("Channels", f"{x[0]} → {row.out_shape[0]}",
                          "pooling keeps the channel count; it only shrinks the spatial size"))  # fmt: skip
        steps.append(Step("Params", "0", "pooling has no weights"))
    elif isinstance(layer, Activation):
        steps.append(Step("Params", "0", "element-wise; shape and channels unchanged"))
    else:
        steps.append(Step("Params", n(row.params)))
    if not with_size:
        return steps
    steps += _sizes(row)
    steps.append(Step("Output shape", fmt_shape(row.out_shape), "channels first, per sample"))
    if row.macs:
        steps += _macs(row, batch)
    if row.rf:
        size = "×".join(str(rf_number(a.size)) for a in row.rf)
        jump = "×".join(str(rf_number(a.jump)) for a in row.rf)
        steps.append(Step("Receptive field", size, f"input pixels seen by one output; jump {jump}"))
    return steps


def _conv_params(row: LayerReport) -> list[Step]:
    layer = row.node.layer
    assert isinstance(layer, (Conv, ConvTranspose))
    x = row.in_shape
    ks = row.kernel_shape or ()
    k = ks[2:]
    g = layer.groups if not isinstance(layer, DwConv) else x[0]
    transposed = isinstance(layer, ConvTranspose)
    cout = ks[1] * g if transposed else ks[0]
    kernel_txt = "×".join(str(v) for v in k)
    per_depth = x[0] // g if not transposed else ks[1]
    weights = prod(k) * per_depth
    per = f"{kernel_txt}×{per_depth}" + (" + 1" if layer.bias else "")
    per_total = weights + (1 if layer.bias else 0)
    steps = [
        Step("Input channels", n(x[0]),
             f"each kernel is {per_depth} deep: it covers "
             + ("all input channels" if g == 1 else f"{x[0]} / {g} groups = {per_depth} channels")),
        Step("Output channels", n(cout), f"{n(cout)} kernels, one per output channel"),
        Step("Kernel shape", fmt_shape(ks),
             "(in, out/groups, " + ", ".join(f"k{a}" for a in _axes(len(k))) + ")" if transposed
             else "(out, in/groups, " + ", ".join(f"k{a}" for a in _axes(len(k))) + ")"),
    ]  # fmt: skip
    if g > 1:
        note = (
            f"depthwise: groups = input channels = {g}, one {kernel_txt} filter per channel"
            if isinstance(layer, DwConv) or g == x[0]
            else f"groups={g} must divide both channel counts ({x[0]} and {cout})"
        )
        steps.append(Step("Groups", str(g), note))
    if all(v == 1 for v in k) and not transposed and g == 1:
        steps.append(Step("1×1 conv", "", "mixes channels only: changes the channel count freely"))
    if transposed:
        steps.append(Step("Params per input channel", n(weights) + (" + bias" if layer.bias else ""),
                          f"{kernel_txt}×{ks[1]} = {n(weights)}"))  # fmt: skip
        steps.append(Step("Total params", n(row.params),
                          f"{x[0]} × {n(weights)}" + (f" + {cout}" if layer.bias else "")
                          + f" = {n(row.params)}"))  # fmt: skip
    else:
        steps.append(Step("Params per kernel", n(per_total),
                          f"{per} = {n(per_total)}" + (" (weights + bias)" if layer.bias else "")))  # fmt: skip
        steps.append(Step("Total params", n(row.params), f"{n(cout)} × {n(per_total)} = {n(row.params)}"))
    return steps


def _sizes(row: LayerReport) -> list[Step]:
    layer = row.node.layer
    x = row.in_shape
    axes = _axes(len(x) - 1)
    out: list[Step] = []
    if isinstance(layer, (Conv, Pool)):
        k, s, d, p = layer.geometry(x)
        pads = p if isinstance(layer, Conv) else tuple((v, v) for v in p)  # type: ignore[misc]
        ceil = isinstance(layer, Pool) and layer.ceil_mode
        for a, i, kk, ss, pp, dd in zip(axes, x[1:], k, s, pads, d):
            out.append(Step(f"Output size {a}", "", window_formula(i, kk, ss, pp[0], pp[1], dd, ceil)))
    elif isinstance(layer, ConvTranspose):
        k, s, d, p, op = layer.geometry(x)
        for a, i, kk, ss, pp, dd, oo in zip(axes, x[1:], k, s, p, d, op):
            out.append(Step(f"Output size {a}", "", transposed_formula(i, kk, ss, pp, dd, oo)))
    return out


def _macs(row: LayerReport, batch: int) -> list[Step]:
    per_sample = row.macs // batch
    ks = row.kernel_shape or ()
    layer = row.node.layer
    if isinstance(layer, ConvTranspose):
        positions = prod(row.in_shape[1:])
        work = f"{n(positions)} input positions × {n(prod(ks))} weights = {n(per_sample)}"
    elif isinstance(layer, Linear):
        work = f"{n(ks[1])} × {n(ks[0])} = {n(per_sample)}"
    else:
        positions = prod(row.out_shape[1:])
        work = (f"{n(positions)} output positions × {n(prod(ks))} weights "
                f"({fmt_shape(ks)}) = {n(per_sample)}")  # fmt: skip
    if batch > 1:
        work += f"; × batch {batch} = {n(row.macs)}"
    return [
        Step("MACs", n(row.macs), work + " (bias excluded)"),
        Step("FLOPs", n(row.flops), f"{FLOPS_PER_MAC} × MACs = {n(row.flops)}"),
    ]
