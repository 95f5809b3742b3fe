"""One layer from command-line values: the one-layer network `cnncalc layer` explains."""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.engine import INPUT, Network, Node, Report
from cnncalc.errors import CnnCalcError
from cnncalc.layers import (
    INT_MAX,
    KINDS,
    AvgPool,
    Conv,
    ConvTranspose,
    DwConv,
    Layer,
    Linear,
    MaxPool,
    PadSpec,
    fmt_shape,
)
from cnncalc.loader.sizes import split_sizes

TORCH_NAMES = {
    "conv": "nn.Conv{d}d",
    "dwconv": "nn.Conv{d}d",
    "convT": "nn.ConvTranspose{d}d",
    "maxpool": "nn.MaxPool{d}d",
    "avgpool": "nn.AvgPool{d}d",
    "linear": "nn.Linear",
}


@dataclass(frozen=True)
class SingleLayer:
    """What `cnncalc layer` was told."""

    op: str
    in_channels: int
    out: int | None
    kernel: tuple[int, ...]
    size: tuple[int, ...] | None
    dim: int | None
    stride: tuple[int, ...] | None
    padding: PadSpec
    dilation: tuple[int, ...]
    groups: int
    bias: bool
    output_padding: tuple[int, ...]


#: the options that do not apply to every op, and the layer argument each one sets
OPTION_ARGS = {
    "kernel": "kernel_size",
    "stride": "stride",
    "padding": "padding",
    "dilation": "dilation",
    "groups": "groups",
    "no-bias": "bias",
    "output-padding": "output_padding",
}


def parse_sizes(text: str, what: str, minimum: int = 1) -> tuple[int, ...]:
    """`3`, `3x5`, `224×192`, `8,8` (the YAML size grammar) -> sizes; anything else is an
    error naming the option."""
    values = split_sizes(text)
    if values is None:
        raise CnnCalcError("E0801", what=what, text=text)
    if min(values) < minimum or max(values) > INT_MAX:
        raise CnnCalcError("E0802", what=what, text=text, min=minimum, max=f"{INT_MAX:,}",
                           example=max(minimum, 1))  # fmt: skip
    return values


def check_options(spec: SingleLayer, given: frozenset[str]) -> None:
    """Refuse options the op does not take, rather than print a layer PyTorch has no form of."""
    takes = {a.field for a in KINDS[spec.op].args}
    for option in sorted(given):
        if OPTION_ARGS[option] not in takes:
            options = ", ".join(f"--{o}" for o, a in OPTION_ARGS.items() if a in takes)
            raise CnnCalcError("E0803", op=spec.op, option=option, options=options)
    if spec.op == "linear" and (spec.size is not None or spec.dim is not None):
        raise CnnCalcError("E0804")


def _rank(spec: SingleLayer) -> int:
    rank = _spatial_rank(spec)
    if rank > 3:
        raise CnnCalcError("E0805", rank=rank)
    return rank


def _spatial_rank(spec: SingleLayer) -> int:
    if spec.size is not None and len(spec.size) > 1:
        if spec.dim is not None and spec.dim != len(spec.size):
            raise CnnCalcError("E0806", size=fmt_shape(spec.size), n=len(spec.size), dim=spec.dim)
        return len(spec.size)
    if spec.dim is not None:
        return spec.dim
    return (
        max(len(v) for v in (spec.kernel, spec.stride or (1,), spec.dilation))
        if max(len(spec.kernel), len(spec.stride or (1,)), len(spec.dilation)) > 1
        else 2
    )


def build(spec: SingleLayer) -> Layer:
    need_out = spec.op in ("conv", "convT", "linear")
    if need_out and spec.out is None:
        raise CnnCalcError("E0807", op=spec.op)
    if not need_out and spec.out is not None and spec.op != "dwconv":
        raise CnnCalcError("E0808", op=spec.op)
    out = spec.out or 0
    if spec.op == "linear":
        return Linear(out_features=out, bias=spec.bias)
    if spec.op == "conv":
        return Conv(
            out,
            spec.kernel,
            spec.stride or (1,),
            spec.padding,
            spec.dilation,
            spec.groups,
            spec.bias,
        )
    if spec.op == "dwconv":
        mult = 1
        if spec.out is not None:
            if spec.out % spec.in_channels:
                cin = spec.in_channels
                raise CnnCalcError("E0809", out=spec.out, cin=cin, double=2 * cin)
            mult = spec.out // spec.in_channels
        return DwConv(
            kernel_size=spec.kernel,
            stride=spec.stride or (1,),
            padding=spec.padding,
            dilation=spec.dilation,
            bias=spec.bias,
            multiplier=mult,
        )
    if spec.op == "convT":
        if isinstance(spec.padding, str) or (spec.padding and isinstance(spec.padding[0], tuple)):
            raise CnnCalcError("E0810", op="convT")
        return ConvTranspose(
            out,
            spec.kernel,
            spec.stride or (1,),
            spec.padding,  # type: ignore[arg-type]
            spec.output_padding,
            spec.dilation,
            spec.groups,
            spec.bias,
        )
    if isinstance(spec.padding, str) or (spec.padding and isinstance(spec.padding[0], tuple)):
        raise CnnCalcError("E0810", op=spec.op)
    pad: tuple[int, ...] = spec.padding  # type: ignore[assignment]
    if spec.op == "maxpool":
        return MaxPool(spec.kernel, spec.stride, pad, spec.dilation)
    return AvgPool(spec.kernel, spec.stride, pad)


def _arg(value: object) -> str:
    if isinstance(value, tuple):
        return str(value[0]) if len(set(value)) == 1 else str(value)
    return repr(value) if isinstance(value, str) else str(value)


def torch_call(spec: SingleLayer, rank: int, out: int) -> str:
    """The PyTorch constructor this layer is, e.g. `nn.Conv2d(3, 64, kernel_size=3)`."""
    name = TORCH_NAMES[spec.op].format(d=rank)
    if spec.op == "linear":
        return f"{name}({spec.in_channels}, {out}" + (", bias=False)" if not spec.bias else ")")
    args = [] if spec.op in ("maxpool", "avgpool") else [str(spec.in_channels), str(out)]
    args.append(f"kernel_size={_arg(spec.kernel)}")
    if spec.stride is not None:
        args.append(f"stride={_arg(spec.stride)}")
    if spec.padding not in ((0,), "valid"):
        args.append(f"padding={_arg(spec.padding)}")
    if spec.dilation != (1,):
        args.append(f"dilation={_arg(spec.dilation)}")
    if spec.op == "dwconv":
        args.append(f"groups={spec.in_channels}")
    elif spec.groups != 1:
        args.append(f"groups={spec.groups}")
    if spec.op == "convT" and spec.output_padding != (0,):
        args.append(f"output_padding={_arg(spec.output_padding)}")
    if not spec.bias and spec.op not in ("maxpool", "avgpool"):
        args.append("bias=False")
    return f"{name}({', '.join(args)})"


def single_network(spec: SingleLayer) -> tuple[Network, int]:
    """A one-layer network of `spec`, and its rank (spatial axes; 0 for linear)."""
    layer = build(spec)
    rank = _rank(spec)
    if spec.op == "linear":
        shape: tuple[int, ...] = (spec.in_channels,)
        rank = 0
    elif spec.size is None:
        # without a size, only the kernel and the parameters are known: use a roomy input
        k = max(spec.kernel) * max(spec.dilation) + 1
        shape = (spec.in_channels, *(k,) * rank)
    else:
        size = spec.size * rank if len(spec.size) == 1 else spec.size
        shape = (spec.in_channels, *size)
    return Network(shape, (Node(spec.op, spec.op, layer, (INPUT,)),)), rank


def single_title(spec: SingleLayer, rank: int, report: Report) -> str:
    """The layer in PyTorch's terms, and the input when a size was given."""
    title = torch_call(spec, rank, report.layers[0].out_shape[0])
    if spec.size is not None:
        title += f"  ·  input {fmt_shape(report.network.input_shape)}"
    return title
