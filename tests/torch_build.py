"""Build a cnncalc canonical `Network` as a PyTorch module, so the parity tests can measure it.

`build_layer` maps one cnncalc layer (and the per-sample shape it receives) onto the torch module
a PyTorch user would write for it, passing cnncalc's arguments through unchanged wherever torch
has the same argument, so that torch — not this file — decides what they mean. `build_torch`
holds one submodule per node and walks the nodes in order; its forward returns every node's
output by node name. Only the test tier imports torch; cnncalc itself never does.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import torch
import torch.nn.functional as F
from torch import nn

from cnncalc import layers as L
from cnncalc.engine import INPUT, Network, analyze_network
from tests.torch_tokens import TOKEN_BUILDERS, TOKEN_MERGES

Shape = tuple[int, ...]
IntArg = int | tuple[int, ...]

_CONV: tuple[type[nn.Module], ...] = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_CONVT: tuple[type[nn.Module], ...] = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
_MAXPOOL: tuple[type[nn.Module], ...] = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)
_AVGPOOL: tuple[type[nn.Module], ...] = (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)
_ADAPTIVE_AVG: tuple[type[nn.Module], ...] = (
    nn.AdaptiveAvgPool1d,
    nn.AdaptiveAvgPool2d,
    nn.AdaptiveAvgPool3d,
)
_ADAPTIVE_MAX: tuple[type[nn.Module], ...] = (
    nn.AdaptiveMaxPool1d,
    nn.AdaptiveMaxPool2d,
    nn.AdaptiveMaxPool3d,
)
_BATCHNORM: tuple[type[nn.Module], ...] = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
_INSTANCENORM: tuple[type[nn.Module], ...] = (
    nn.InstanceNorm1d,
    nn.InstanceNorm2d,
    nn.InstanceNorm3d,
)

ACTIVATIONS: dict[str, Callable[[L.Activation], nn.Module]] = {
    "relu": lambda a: nn.ReLU(),
    "relu6": lambda a: nn.ReLU6(),
    "leakyrelu": lambda a: nn.LeakyReLU(a.negative_slope),
    "gelu": lambda a: nn.GELU(approximate=a.approximate),
    "silu": lambda a: nn.SiLU(),
    "sigmoid": lambda a: nn.Sigmoid(),
    "tanh": lambda a: nn.Tanh(),
    "hardswish": lambda a: nn.Hardswish(),
    "hardsigmoid": lambda a: nn.Hardsigmoid(),
}


def _arg(values: Sequence[int]) -> IntArg:
    """cnncalc's `(3,)` means "3 on every axis": torch's `3`; longer tuples pass as they are."""
    return int(values[0]) if len(values) == 1 else tuple(int(v) for v in values)


def _by_rank(classes: tuple[type[nn.Module], ...], x: Shape) -> type[nn.Module]:
    """The 1-D / 2-D / 3-D variant for a per-sample shape `(C, *spatial)`."""
    n = len(x) - 1
    if not 1 <= n <= len(classes):
        raise ValueError(f"no {classes[0].__name__} variant for a {n}-axis input {x}")
    return classes[n - 1]


def torch_pad(sides: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """Per-axis (left, right) pairs, first axis first, as `F.pad` wants them: last axis first."""
    return tuple(v for pair in reversed(tuple(sides)) for v in pair)


class PadThen(nn.Module):
    """An explicit `F.pad` before a module: TF-style "same" and per-side conv padding (filled
    as the conv's `padding_mode` fills, which is what torch's conv does with it)."""

    def __init__(self, pad: tuple[int, ...], inner: nn.Module, mode: str = "zeros") -> None:
        super().__init__()
        self.pad = pad
        self.inner = inner
        self.mode = "constant" if mode == "zeros" else mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(F.pad(x, self.pad, mode=self.mode))  # type: ignore[no-any-return]


class Pad(nn.Module):
    """`F.pad` as a module (cnncalc's `pad` op)."""

    def __init__(self, pad: tuple[int, ...], mode: str, value: float) -> None:
        super().__init__()
        self.pad = pad
        self.mode = mode
        self.value = value

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.mode == "constant":
            return F.pad(x, self.pad, mode="constant", value=self.value)
        return F.pad(x, self.pad, mode=self.mode)


class ChannelLayerNorm(nn.Module):
    """ConvNeXt's LayerNorm2d for any rank: normalise over channels at every position."""

    def __init__(self, channels: int, eps: float, affine: bool, bias: bool = True) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(channels, eps=eps, elementwise_affine=affine, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            return self.norm(x)  # type: ignore[no-any-return]
        return self.norm(x.movedim(1, -1)).movedim(-1, 1)  # type: ignore[no-any-return]


class AddMerge(nn.Module):
    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return functools.reduce(operator.add, xs)


class ConcatMerge(nn.Module):
    def __init__(self, dim: int = 1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return torch.cat(xs, dim=self.dim)


class MulMerge(nn.Module):
    """Product with broadcasting of the per-sample shapes: a lower-rank input gets its missing
    axes in front of its own, after the batch axis (torch alone would align it with the batch)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        rank = max(x.dim() for x in xs)
        lifted = [x.reshape(x.shape[0], *(1,) * (rank - x.dim()), *x.shape[1:]) for x in xs]
        return functools.reduce(operator.mul, lifted)


# --- one builder per layer class -------------------------------------------------------------


def _conv(layer: L.Conv, x: Shape) -> nn.Module:
    cls = _by_rank(_CONV, x)
    spec = layer.padding
    kwargs: dict[str, Any] = {
        "kernel_size": _arg(layer.kernel_size),
        "stride": _arg(layer.stride),
        "dilation": _arg(layer.dilation),
        "groups": layer.groups,
        "bias": layer.bias,
        "padding_mode": layer.padding_mode,
    }
    if spec in ("same", "valid"):  # torch's own meaning, not cnncalc's resolution
        return cls(x[0], layer.cout(x), padding=spec, **kwargs)
    if isinstance(spec, str) or (spec and isinstance(spec[0], tuple)):
        # tf_same and uneven per-side pairs: torch has no such padding, so pad explicitly first;
        # even pairs are the conv's own padding, as one writes them (and as cnncalc exports them)
        k, s, d, _ = layer.geometry(x)
        sides = L.resolve_padding(spec, x[1:], k, s, d)
        if spec != "tf_same" and all(a == b for a, b in sides):
            return cls(x[0], layer.cout(x), padding=tuple(a for a, _ in sides), **kwargs)
        inner = cls(x[0], layer.cout(x), padding=0, **{**kwargs, "padding_mode": "zeros"})
        return PadThen(torch_pad(sides), inner, layer.padding_mode)
    return cls(x[0], layer.cout(x), padding=_arg(spec), **kwargs)  # type: ignore[arg-type]


def _dwconv(layer: L.DwConv, x: Shape) -> nn.Module:
    return _conv(layer.as_conv(x), x)


def _convT(layer: L.ConvTranspose, x: Shape) -> nn.Module:
    return _by_rank(_CONVT, x)(
        x[0],
        layer.out_channels,
        kernel_size=_arg(layer.kernel_size),
        stride=_arg(layer.stride),
        padding=_arg(layer.padding),
        output_padding=_arg(layer.output_padding),
        groups=layer.groups,
        bias=layer.bias,
        dilation=_arg(layer.dilation),
        padding_mode=layer.padding_mode,
    )


def _maxpool(layer: L.MaxPool, x: Shape) -> nn.Module:
    return _by_rank(_MAXPOOL, x)(
        _arg(layer.kernel_size),
        stride=None if layer.stride is None else _arg(layer.stride),
        padding=_arg(layer.padding),
        dilation=_arg(layer.dilation),
        ceil_mode=layer.ceil_mode,
    )


def _avgpool(layer: L.AvgPool, x: Shape) -> nn.Module:
    return _by_rank(_AVGPOOL, x)(
        _arg(layer.kernel_size),
        stride=None if layer.stride is None else _arg(layer.stride),
        padding=_arg(layer.padding),
        ceil_mode=layer.ceil_mode,
        count_include_pad=layer.count_include_pad,
        **({} if layer.divisor_override is None else {"divisor_override": layer.divisor_override}),
    )


def _adaptive_avg(layer: L.AdaptiveAvgPool, x: Shape) -> nn.Module:
    return _by_rank(_ADAPTIVE_AVG, x)(_arg(layer.output_size))


def _adaptive_max(layer: L.AdaptiveMaxPool, x: Shape) -> nn.Module:
    return _by_rank(_ADAPTIVE_MAX, x)(_arg(layer.output_size))


def _batchnorm(layer: L.BatchNorm, x: Shape) -> nn.Module:
    cls = nn.BatchNorm1d if len(x) == 1 else _by_rank(_BATCHNORM, x)
    return cls(
        x[0],
        eps=layer.eps,
        momentum=layer.momentum,
        affine=layer.affine,
        track_running_stats=layer.track_running_stats,
    )


def _groupnorm(layer: L.GroupNorm, x: Shape) -> nn.Module:
    return nn.GroupNorm(layer.num_groups, x[0], eps=layer.eps, affine=layer.affine)


def _layernorm(layer: L.LayerNorm, x: Shape) -> nn.Module:
    return ChannelLayerNorm(x[0], layer.eps, layer.affine, layer.bias)


def _instancenorm(layer: L.InstanceNorm, x: Shape) -> nn.Module:
    cls = nn.InstanceNorm1d if len(x) == 1 else _by_rank(_INSTANCENORM, x)
    return cls(
        x[0],
        eps=layer.eps,
        affine=layer.affine,
        momentum=layer.momentum,
        track_running_stats=layer.track_running_stats,
    )


def _activation(layer: L.Activation, x: Shape) -> nn.Module:
    return ACTIVATIONS[layer.function](layer)


def _prelu(layer: L.PReLU, x: Shape) -> nn.Module:
    return nn.PReLU(layer.num_parameters, init=layer.init)


def _dropout(layer: L.Dropout, x: Shape) -> nn.Module:
    return nn.Dropout(layer.p)


def _identity(layer: L.Identity, x: Shape) -> nn.Module:
    return nn.Identity()


def _flatten(layer: L.Flatten, x: Shape) -> nn.Module:
    return nn.Flatten(start_dim=int(layer.start_dim), end_dim=int(layer.end_dim))


def _linear(layer: L.Linear, x: Shape) -> nn.Module:
    return nn.Linear(x[-1], layer.out_features, bias=layer.bias)


def _upsample(layer: L.Upsample, x: Shape) -> nn.Module:
    details = {
        "mode": layer.mode,
        "align_corners": layer.align_corners,
        "recompute_scale_factor": layer.recompute_scale_factor,
    }
    if layer.size_of is not None:  # the size of another tensor, as the report found it
        return SizeOf(layer.size_of, **details)
    if layer.size is not None:
        return nn.Upsample(size=_arg(layer.size), **details)
    scale = layer.scale_factor or (1.0,)
    factor: float | tuple[float, ...] = float(scale[0]) if len(scale) == 1 else tuple(scale)
    return nn.Upsample(scale_factor=factor, **details)


def _pad(layer: L.Pad_, x: Shape) -> nn.Module:
    return Pad(torch_pad(layer.sides(x)), layer.mode, layer.value)


class SizeOf(nn.Module):
    """`F.interpolate(x, size=y.shape[2:])`: `TorchNet` hands it the tensor `y` by name."""

    def __init__(self, name: str, **details: Any) -> None:
        super().__init__()
        self.name = name
        self.details = details

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, size=tuple(y.shape[2:]), **self.details)


class TakePart(nn.Module):
    """One part of `torch.split`, `Tensor.chunk` or a slice, taken as PyTorch takes it."""

    def __init__(self, layer: L.Part) -> None:
        super().__init__()
        self.layer = layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        layer = self.layer
        if isinstance(layer, L.Split):
            sizes = layer.split_size_or_sections
            arg: int | list[int] = sizes[0] if len(sizes) == 1 else list(sizes)
            return torch.split(x, arg, dim=layer.dim)[layer.index]
        if isinstance(layer, L.Chunk):
            return x.chunk(layer.chunks, dim=layer.dim)[layer.index]
        assert isinstance(layer, L.Slice)
        index = [slice(None)] * x.dim()
        index[layer.dim] = slice(layer.start, layer.end, layer.step)
        return x[tuple(index)]


class DropPath(nn.Module):
    """torchvision's `StochasticDepth` (the identity in eval mode): the input times a noise of
    its own dtype, one value per sample (`row`) or one in all (`batch`)."""

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        survival = 1.0 - self.p
        size = [x.shape[0]] + [1] * (x.dim() - 1) if self.mode == "row" else [1] * x.dim()
        noise = torch.empty(size, dtype=x.dtype, device=x.device).bernoulli_(survival)
        if survival > 0:
            noise.div_(survival)
        return x * noise


_LayerT = TypeVar("_LayerT", bound=L.Layer)


def _entry(
    cls: type[_LayerT], build: Callable[[_LayerT, Shape], nn.Module]
) -> tuple[type[L.Layer], Callable[[Any, Shape], nn.Module]]:
    return cls, build


#: exact class -> builder; a class missing here is a kind the parity tier does not know yet
BUILDERS: dict[type[L.Layer], Callable[[Any, Shape], nn.Module]] = dict(
    [
        _entry(L.Conv, _conv),
        _entry(L.DwConv, _dwconv),
        _entry(L.ConvTranspose, _convT),
        _entry(L.MaxPool, _maxpool),
        _entry(L.AvgPool, _avgpool),
        _entry(L.AdaptiveAvgPool, _adaptive_avg),
        _entry(L.AdaptiveMaxPool, _adaptive_max),
        _entry(L.BatchNorm, _batchnorm),
        _entry(L.GroupNorm, _groupnorm),
        _entry(L.LayerNorm, _layernorm),
        _entry(L.InstanceNorm, _instancenorm),
        _entry(L.Activation, _activation),
        _entry(L.PReLU, _prelu),
        _entry(L.Dropout, _dropout),
        _entry(L.Identity, _identity),
        _entry(L.Flatten, _flatten),
        _entry(L.Linear, _linear),
        _entry(L.Upsample, _upsample),
        _entry(L.Pad_, _pad),
        _entry(L.Split, lambda layer, x: TakePart(layer)),
        _entry(L.Chunk, lambda layer, x: TakePart(layer)),
        _entry(L.Slice, lambda layer, x: TakePart(layer)),
        _entry(L.ChannelShuffle, lambda layer, x: nn.ChannelShuffle(layer.groups)),
        _entry(L.DropPath, lambda layer, x: DropPath(layer.p, layer.mode)),
    ]
)

MERGES: dict[type[L.Merge], type[nn.Module]] = {
    L.Add: AddMerge,
    L.Concat: ConcatMerge,
    L.Mul: MulMerge,
}
BUILDERS.update(TOKEN_BUILDERS)
MERGES.update(TOKEN_MERGES)


def build_layer(layer: L.Layer | L.Merge, x: Shape) -> nn.Module:
    """The torch module for one layer receiving per-sample shape `x` (the first input's, for a
    merge). Dispatch is on the exact class, so a new kind fails loudly here until it is mapped."""
    if isinstance(layer, L.Concat):
        return ConcatMerge(layer.dim)
    if isinstance(layer, L.Merge):
        return MERGES[type(layer)]()
    build = BUILDERS.get(type(layer))
    if build is None:
        raise TypeError(f"no torch builder for {type(layer).__name__}")
    return build(layer, x)


def submodule_name(node_name: str) -> str:
    """A node name as a submodule name: torch forbids dots, and the prefix keeps node names such
    as `training` or `forward` from colliding with `nn.Module` attributes."""
    return "n_" + node_name.replace(".", "__")


class TorchNet(nn.Module):
    """One submodule per node; forward feeds each node its inputs by name and returns every
    node's output, keyed by node name."""

    def __init__(self, net: Network) -> None:
        super().__init__()
        report = analyze_network(net)
        self.plan: list[tuple[str, str, tuple[str, ...]]] = []
        for row in report.layers:
            sub = submodule_name(row.name)
            self.add_module(sub, build_layer(row.node.layer, row.in_shapes[0]))
            self.plan.append((row.name, sub, row.inputs))

    def submodule(self, node_name: str) -> nn.Module:
        return self.get_submodule(submodule_name(node_name))

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        values: dict[str, torch.Tensor] = {INPUT: x}
        for name, sub, inputs in self.plan:
            module = self.get_submodule(sub)
            extra = (values[module.name],) if isinstance(module, SizeOf) else ()
            values[name] = module(*(values[i] for i in inputs), *extra)
        del values[INPUT]
        return values


def build_torch(net: Network) -> TorchNet:
    """The same network in torch (freshly initialised, in training mode as torch builds it)."""
    return TorchNet(net)
