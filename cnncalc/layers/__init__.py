"""Layer kinds: one frozen dataclass per kind, each answering the same cost protocol.

Every method takes the per-sample input shape (channels first, no batch). The window arithmetic
(`window`), the receptive-field step (`AxisRF.step`) and the registry (`KINDS`) are each stated
once here; the loader, the engine, the schema and the explanations all read them.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from types import MappingProxyType
from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.records import frozen

Shape = tuple[int, ...]
Ints = tuple[int, ...]
Pad = tuple[tuple[int, int], ...]
PadSpec = str | Ints | Pad

PAD_MODES = ("same", "valid", "tf_same")
INT_MAX = 2**63 - 1  # PyTorch sizes are int64; larger numbers are typos (and slow bignums)


def fmt_shape(shape: Sequence[int]) -> str:
    """`(64, 3, 3, 3)` -> `64×3×3×3`."""
    return "×".join(str(v) for v in shape)


def prod(values: Sequence[int]) -> int:
    return math.prod(values)


# --- window arithmetic (conv and pool share it) -------------------------------------------


def effective_kernel(k: int, d: int) -> int:
    """The span a dilated kernel covers: `k̂ = d(k−1) + 1`."""
    return d * (k - 1) + 1


def window(i: int, k: int, s: int, pl: int, pr: int, d: int, ceil: bool = False) -> int:
    """PyTorch's output size of a sliding window along one axis (may be < 1: caller checks)."""
    num = i + pl + pr - effective_kernel(k, d)
    if not ceil:
        return num // s + 1
    o = -(-num // s) + 1
    if (o - 1) * s >= i + pl:
        o -= 1
    return o


def window_formula(i: int, k: int, s: int, pl: int, pr: int, d: int, ceil: bool = False) -> str:
    """The same computation, written out with numbers: `⌊(32 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 30`."""
    pad = f"2·{pl}" if pl == pr else f"{pl} + {pr}"
    core = f"({i} + {pad} − {d}·({k}−1) − 1)/{s}"
    o = window(i, k, s, pl, pr, d, ceil)
    if ceil:
        return f"⌈{core}⌉ + 1 = {o}"
    return f"⌊{core}⌋ + 1 = {o}"


def transposed_formula(i: int, k: int, s: int, p: int, d: int, op: int) -> str:
    o = (i - 1) * s - 2 * p + effective_kernel(k, d) + op
    return f"({i}−1)·{s} − 2·{p} + {d}·({k}−1) + {op} + 1 = {o}"


# --- receptive field -----------------------------------------------------------------------


Num = int | Fraction  # receptive-field numbers stay plain ints until an upsampling divides them


def num(v: Num) -> Num:
    """A whole Fraction back to an int (ints are much faster, and print as themselves)."""
    return int(v) if isinstance(v, Fraction) and v.denominator == 1 else v


def half(v: int) -> Num:
    return v // 2 if v % 2 == 0 else Fraction(v, 2)


@frozen
class AxisRF:
    """Receptive field along one input axis: size and jump in input pixels, centre of the
    first output position, and the spatial extent last seen on this axis (for global ops)."""

    size: Num = 1
    jump: Num = 1
    center: Num = 0
    extent: int = 1

    def step(self, k: int, s: Num, pl: int = 0, d: int = 1) -> AxisRF:
        """`r += (k̂−1)·J; J *= s` with `k̂ = d(k−1)+1`."""
        keff = effective_kernel(k, d)
        j = self.jump
        return AxisRF(
            self.size + (keff - 1) * j,
            num(j * s),
            num(self.center + (half(keff - 1) - pl) * j),
            self.extent,
        )

    def whole(self) -> AxisRF:
        """A global pool or a linear layer sees every position that reached it."""
        return self.step(self.extent, 1)


RF = tuple[AxisRF, ...]
Cost = tuple[Shape, int, int, "Shape | None", RF]


# --- helpers -------------------------------------------------------------------------------


def _expand(value: Ints, n: int, arg: str) -> Ints:
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise LayerArgError(
            f"'{arg}' has {len(value)} values but the input has {n} spatial "
            f"{'axis' if n == 1 else 'axes'}",
            arg=arg,
            hint=f"give one value or {n}",
        )
    return value


def _spatial(x: Shape, kind: str, min_rank: int = 2) -> Shape:
    if len(x) < min_rank:
        raise LayerArgError(
            f"{kind} needs a tensor with spatial axes but receives {fmt_shape(x)}",
            hint="put it before 'flatten' / 'linear'",
        )
    return x[1:]


RANK_NAMES = {2: "1-D", 3: "2-D", 4: "3-D"}


def _check_rank(x: Shape, kind: str, rank: int | None, alias: str) -> None:
    if rank is not None and len(x) != rank:
        raise LayerArgError(
            f"{alias} expects a {RANK_NAMES.get(rank, str(rank))} input ({rank} axes with "
            f"channels) but receives {fmt_shape(x)}",
            hint=f"write '{kind}' to take the rank from the input",
        )


def _check_in(x: Shape, expected: int | None, what: str = "input channels") -> None:
    if expected is not None and expected != x[0]:
        raise LayerArgError(
            f"'in' is {expected} but {x[0]} {what} arrive",
            arg="in",
            hint=f"write in: {x[0]}, or change the layer that produces the input",
        )


def resolve_padding(
    spec: PadSpec, spatial: Shape, k: Ints, s: Ints, d: Ints, kind: str = "conv"
) -> Pad:
    """Per-axis (left, right) padding for a concrete input size."""
    n = len(spatial)
    if isinstance(spec, str):
        if spec == "valid":
            return ((0, 0),) * n
        if spec == "same":
            if any(v != 1 for v in s):
                raise LayerArgError(
                    f"padding 'same' needs stride 1 but stride is {fmt_shape(s)} "
                    "(PyTorch rejects it)",
                    arg="padding",
                    hint="use 'tf_same' for TensorFlow's SAME with a stride, or explicit sizes",
                )
            return tuple(
                (tot // 2, tot - tot // 2) for tot in (dd * (kk - 1) for kk, dd in zip(k, d))
            )
        # tf_same: o = ceil(i/s), the extra pixel goes right
        out: list[tuple[int, int]] = []
        for i, kk, ss, dd in zip(spatial, k, s, d):
            o = -(-i // ss)
            tot = max((o - 1) * ss + effective_kernel(kk, dd) - i, 0)
            out.append((tot // 2, tot - tot // 2))
        return tuple(out)
    if spec and isinstance(spec[0], tuple):
        pairs: Pad = spec
        if len(pairs) != n:
            raise LayerArgError(
                f"'padding' has {len(pairs)} per-side pairs but the input has {n} spatial axes",
                arg="padding",
            )
        return pairs
    ints = _expand(spec, n, "padding")  # type: ignore[arg-type]
    return tuple((int(p), int(p)) for p in ints)


def axis_names(n: int) -> tuple[str, ...]:
    """The spatial axes' names as PyTorch writes them: L; H, W; D, H, W."""
    return {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}.get(n, tuple(f"#{i}" for i in range(n)))


def _check_out(kind: str, sizes: Sequence[int], formulas: Sequence[str], x: Shape) -> None:
    for axis, (o, f) in enumerate(zip(sizes, formulas)):
        if o < 1:
            name = axis_names(len(sizes))[axis]
            raise LayerArgError(
                f"{kind} output size on axis {name} would be {o}: {f}",
                hint=f"the input {fmt_shape(x)} is too small for this window; "
                "reduce the kernel, stride or dilation, add padding, or use a larger input",
            )


# --- the protocol ---------------------------------------------------------------------------


@frozen
class Layer:
    """Base of every kind: shape-preserving, free, no weights, receptive field unchanged."""

    kind: ClassVar[str] = "layer"
    #: learnable weight tensors use PyTorch's layout; merges take several inputs
    arity: ClassVar[int] = 1

    def out_shape(self, x: Shape) -> Shape:
        return x

    def params(self, x: Shape) -> int:
        return 0

    def macs(self, x: Shape) -> int:
        """Multiply-accumulates per sample (conv, transposed conv and linear only)."""
        return 0

    def kernel_shape(self, x: Shape) -> Shape | None:
        return None

    def rf(self, x: Shape, r: RF) -> RF:
        return r

    def cost(self, x: Shape, r: RF) -> Cost:
        """Everything at once: (output shape, params, MACs, kernel shape, receptive field)."""
        return self.out_shape(x), self.params(x), self.macs(x), self.kernel_shape(x), self.rf(x, r)


@frozen
class Merge:
    """Base of the merges: several inputs, one output, no weights."""

    kind: ClassVar[str] = "merge"

    def out_shape_many(self, xs: Sequence[Shape]) -> Shape:
        raise NotImplementedError


# --- convolutions ---------------------------------------------------------------------------


@frozen
class Conv(Layer):
    """`nn.ConvNd`: weight `(out, in/groups, *k)`."""

    kind: ClassVar[str] = "conv"
    out_channels: int
    kernel_size: Ints = (1,)
    stride: Ints = (1,)
    padding: PadSpec = (0,)
    dilation: Ints = (1,)
    groups: int = 1
    bias: bool = True
    in_channels: int | None = None
    rank: int | None = None
    alias: str = "conv"

    def geometry(self, x: Shape) -> tuple[Ints, Ints, Ints, Pad]:
        """Kernel, stride, dilation and (left, right) padding per axis for input `x`."""
        _check_rank(x, self.kind, self.rank, self.alias)
        sp = _spatial(x, self.alias)
        n = len(sp)
        k = _expand(self.kernel_size, n, "kernel_size")
        s = _expand(self.stride, n, "stride")
        d = _expand(self.dilation, n, "dilation")
        return k, s, d, resolve_padding(self.padding, sp, k, s, d)

    def cin(self, x: Shape) -> int:
        return x[0]

    def cout(self, x: Shape) -> int:
        return self.out_channels

    def _check_channels(self, x: Shape) -> None:
        _check_in(x, self.in_channels)
        g, cin, cout = self.groups, self.cin(x), self.cout(x)
        if cin % g or cout % g:
            raise LayerArgError(
                f"groups={g} must divide both the input channels ({cin}) and the output "
                f"channels ({cout})",
                arg="groups",
                hint=f"in {cin} % {g} = {cin % g}, out {cout} % {g} = {cout % g}",
            )

    def _out(self, x: Shape, geom: tuple[Ints, Ints, Ints, Pad]) -> Shape:
        k, s, d, p = geom
        self._check_channels(x)
        sp = x[1:]
        sizes = [window(*a) for a in zip(sp, k, s, (q[0] for q in p), (q[1] for q in p), d)]
        if min(sizes) < 1:
            formulas = [
                window_formula(*a) for a in zip(sp, k, s, (q[0] for q in p), (q[1] for q in p), d)
            ]
            _check_out(self.alias, sizes, formulas, x)
        return (self.cout(x), *sizes)

    def _kernel(self, x: Shape, k: Ints) -> Shape:
        return (self.cout(x), self.cin(x) // self.groups, *k)

    def out_shape(self, x: Shape) -> Shape:
        return self._out(x, self.geometry(x))

    def kernel_shape(self, x: Shape) -> Shape:
        return self._kernel(x, self.geometry(x)[0])

    def params(self, x: Shape) -> int:
        return prod(self.kernel_shape(x)) + (self.cout(x) if self.bias else 0)

    def macs(self, x: Shape) -> int:
        return prod(self.kernel_shape(x)) * prod(self.out_shape(x)[1:])

    def rf(self, x: Shape, r: RF) -> RF:
        k, s, d, p = self.geometry(x)
        return tuple(a.step(kk, ss, pp[0], dd) for a, kk, ss, pp, dd in zip(r, k, s, p, d))

    def cost(self, x: Shape, r: RF) -> Cost:
        geom = self.geometry(x)  # once, not once per quantity: convs dominate large networks
        k, s, d, p = geom
        out = self._out(x, geom)
        kshape = self._kernel(x, k)
        weights = prod(kshape)
        rf = tuple(a.step(kk, ss, pp[0], dd) for a, kk, ss, pp, dd in zip(r, k, s, p, d))
        bias = self.cout(x) if self.bias else 0
        return out, weights + bias, weights * prod(out[1:]), kshape, rf


@frozen
class DwConv(Conv):
    """Depthwise conv: groups = input channels, out = in × multiplier."""

    kind: ClassVar[str] = "dwconv"
    out_channels: int = 0
    multiplier: int = 1
    alias: str = "dwconv"

    def cout(self, x: Shape) -> int:
        return x[0] * self.multiplier

    def _kernel(self, x: Shape, k: Ints) -> Shape:
        return (self.cout(x), 1, *k)

    def _check_channels(self, x: Shape) -> None:
        _check_in(x, self.in_channels)

    def as_conv(self, x: Shape) -> Conv:
        """The plain `Conv` this layer is (what PyTorch builds)."""
        return Conv(
            out_channels=self.cout(x),
            kernel_size=self.kernel_size,
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
            groups=x[0],
            bias=self.bias,
        )


@frozen
class ConvTranspose(Layer):
    """`nn.ConvTransposeNd`: weight `(in, out/groups, *k)`."""

    kind: ClassVar[str] = "convT"
    out_channels: int
    kernel_size: Ints = (1,)
    stride: Ints = (1,)
    padding: Ints = (0,)
    output_padding: Ints = (0,)
    dilation: Ints = (1,)
    groups: int = 1
    bias: bool = True
    in_channels: int | None = None

    def geometry(self, x: Shape) -> tuple[Ints, Ints, Ints, Ints, Ints]:
        sp = _spatial(x, "convT")
        n = len(sp)
        k = _expand(self.kernel_size, n, "kernel_size")
        s = _expand(self.stride, n, "stride")
        d = _expand(self.dilation, n, "dilation")
        p = _expand(self.padding, n, "padding")
        op = _expand(self.output_padding, n, "output_padding")
        for ss, dd, oo in zip(s, d, op):
            if not 0 <= oo < max(ss, dd):
                raise LayerArgError(
                    f"output_padding {oo} must be smaller than max(stride, dilation) = "
                    f"max({ss}, {dd}) = {max(ss, dd)}",
                    arg="output_padding",
                    hint="PyTorch's ConvTranspose rule: output_padding < max(stride, dilation)",
                )
        return k, s, d, p, op

    def out_shape(self, x: Shape) -> Shape:
        k, s, d, p, op = self.geometry(x)
        _check_in(x, self.in_channels)
        g = self.groups
        if x[0] % g or self.out_channels % g:
            raise LayerArgError(
                f"groups={g} must divide both the input channels ({x[0]}) and the output "
                f"channels ({self.out_channels})",
                arg="groups",
            )
        sizes = [
            (i - 1) * ss - 2 * pp + effective_kernel(kk, dd) + oo
            for i, kk, ss, pp, dd, oo in zip(x[1:], k, s, p, d, op)
        ]
        if min(sizes) < 1:
            formulas = [transposed_formula(*a) for a in zip(x[1:], k, s, p, d, op)]
            _check_out("convT", sizes, formulas, x)
        return (self.out_channels, *sizes)

    def kernel_shape(self, x: Shape) -> Shape:
        k = self.geometry(x)[0]
        return (x[0], self.out_channels // self.groups, *k)

    def params(self, x: Shape) -> int:
        return prod(self.kernel_shape(x)) + (self.out_channels if self.bias else 0)

    def macs(self, x: Shape) -> int:
        self.out_shape(x)
        return prod(self.kernel_shape(x)) * prod(x[1:])

    def rf(self, x: Shape, r: RF) -> RF:
        k, s, d, p, _ = self.geometry(x)
        out = []
        for a, kk, ss, dd, pp in zip(r, k, s, d, p):
            keff = effective_kernel(kk, dd)
            taps = -(-keff // ss)  # inputs that one output position depends on
            out.append(
                AxisRF(
                    a.size + (taps - 1) * a.jump,
                    num(Fraction(a.jump) / ss),
                    num(a.center + (pp - half(keff - 1)) * Fraction(a.jump) / ss),
                    a.extent,
                )
            )
        return tuple(out)


# --- pooling --------------------------------------------------------------------------------


@frozen
class Pool(Layer):
    """Max or average pooling; stride defaults to the kernel (None = kernel)."""

    kind: ClassVar[str] = "pool"
    kernel_size: Ints = (2,)
    stride: Ints | None = None
    padding: Ints = (0,)
    dilation: Ints = (1,)
    ceil_mode: bool = False

    def geometry(self, x: Shape) -> tuple[Ints, Ints, Ints, Ints]:
        sp = _spatial(x, self.kind)
        n = len(sp)
        k = _expand(self.kernel_size, n, "kernel_size")
        s = _expand(self.stride if self.stride is not None else self.kernel_size, n, "stride")
        p = _expand(self.padding, n, "padding")
        d = _expand(self.dilation, n, "dilation")
        for kk, pp in zip(k, p):
            if pp > kk // 2:
                raise LayerArgError(
                    f"{self.kind} padding {pp} is more than half the kernel "
                    f"({kk} // 2 = {kk // 2})",
                    arg="padding",
                    hint=f"PyTorch requires padding <= kernel_size // 2; use at most {kk // 2}",
                )
        return k, s, d, p

    def out_shape(self, x: Shape) -> Shape:
        k, s, d, p = self.geometry(x)
        args = list(zip(x[1:], k, s, p, p, d, (self.ceil_mode,) * len(k)))
        sizes = [window(*a) for a in args]
        if min(sizes) < 1:
            _check_out(self.kind, sizes, [window_formula(*a) for a in args], x)
        return (x[0], *sizes)

    def rf(self, x: Shape, r: RF) -> RF:
        k, s, d, p = self.geometry(x)
        return tuple(a.step(kk, ss, pp, dd) for a, kk, ss, pp, dd in zip(r, k, s, p, d))


@frozen
class MaxPool(Pool):
    kind: ClassVar[str] = "maxpool"


@frozen
class AvgPool(Pool):
    kind: ClassVar[str] = "avgpool"
    count_include_pad: bool = True

    def out_shape(self, x: Shape) -> Shape:
        k = self.geometry(x)[0]
        if len(x) == 4 and any(i < kk for i, kk in zip(x[1:], k)):
            # avg_pool3d alone checks the unpadded input against the kernel (parity-tested)
            raise LayerArgError(
                f"avgpool on a 3-D input needs every spatial size to be at least the kernel, "
                f"but the input is {fmt_shape(x[1:])} and the kernel {fmt_shape(k)}",
                arg="kernel_size",
                hint="PyTorch's AvgPool3d rejects an input smaller than its kernel, "
                "even with padding or ceil_mode",
            )
        return super().out_shape(x)


@frozen
class AdaptivePool(Layer):
    """Adaptive pooling: the output size is what was asked (1 = global pooling)."""

    kind: ClassVar[str] = "adaptivepool"
    output_size: Ints = (1,)

    def out_shape(self, x: Shape) -> Shape:
        sp = _spatial(x, self.kind)
        return (x[0], *_expand(self.output_size, len(sp), "output_size"))

    def rf(self, x: Shape, r: RF) -> RF:
        sp = x[1:]
        o = _expand(self.output_size, len(sp), "output_size")
        out = []
        for a, i, oo in zip(r, sp, o):
            if oo == 1:
                out.append(a.whole())
            else:  # widest window PyTorch uses: ceil((j+1)·i/o) − floor(j·i/o)
                # = ceil((i + r)/o) at the largest residue r = j·i mod o, which is o − gcd(i, o)
                k = -(-(i + oo - math.gcd(i, oo)) // oo)
                out.append(a.step(k, num(Fraction(i, oo))))
        return tuple(out)


@frozen
class AdaptiveAvgPool(AdaptivePool):
    kind: ClassVar[str] = "adaptiveavgpool"


@frozen
class AdaptiveMaxPool(AdaptivePool):
    kind: ClassVar[str] = "adaptivemaxpool"


# --- normalisation --------------------------------------------------------------------------


@frozen
class Norm(Layer):
    """Normalisation with an optional per-channel affine (weight and bias)."""

    kind: ClassVar[str] = "norm"
    affine: bool = True
    eps: float = 1e-5
    in_channels: int | None = None

    def check(self, x: Shape) -> None:
        _check_in(x, self.in_channels)

    def out_shape(self, x: Shape) -> Shape:
        self.check(x)
        return x

    def params(self, x: Shape) -> int:
        return 2 * x[0] if self.affine else 0


@frozen
class BatchNorm(Norm):
    """`nn.BatchNormNd`; running statistics are buffers, not parameters."""

    kind: ClassVar[str] = "bn"
    momentum: float = 0.1
    rank: int | None = None
    alias: str = "bn"

    def check(self, x: Shape) -> None:
        if self.rank is not None:
            ok = len(x) in (1, 2) if self.rank == 2 else len(x) == self.rank
            if not ok:
                _check_rank(x, self.kind, self.rank, self.alias)
        super().check(x)


@frozen
class GroupNorm(Norm):
    kind: ClassVar[str] = "gn"
    num_groups: int = 32

    def check(self, x: Shape) -> None:
        super().check(x)
        if self.num_groups < 1 or x[0] % self.num_groups:
            raise LayerArgError(
                f"gn groups={self.num_groups} must divide the {x[0]} input channels",
                arg="groups",
                hint=f"{x[0]} % {self.num_groups} = {x[0] % max(self.num_groups, 1)}",
            )


@frozen
class LayerNorm(Norm):
    """Layer norm over the channel axis at every position (ConvNeXt's LayerNorm2d)."""

    kind: ClassVar[str] = "ln"


@frozen
class InstanceNorm(Norm):
    """Normalises each channel of each sample over its positions, so it needs more than one."""

    kind: ClassVar[str] = "inorm"
    affine: bool = False

    def check(self, x: Shape) -> None:
        super().check(x)
        if len(x) < 2 or prod(x[1:]) < 2:
            raise LayerArgError(
                f"inorm needs more than one position per channel but receives {fmt_shape(x)}",
                hint="instance norm is for feature maps; use 'ln' or 'bn' on vectors",
            )


# --- activations and other element-wise kinds -----------------------------------------------


@frozen
class Activation(Layer):
    """A parameter-free element-wise function; `function` is the canonical name."""

    kind: ClassVar[str] = "act"
    function: str = "relu"
    negative_slope: float = 0.01


ACTIVATIONS = (
    "relu",
    "relu6",
    "leakyrelu",
    "gelu",
    "silu",
    "sigmoid",
    "tanh",
    "hardswish",
    "hardsigmoid",
)


@frozen
class PReLU(Layer):
    kind: ClassVar[str] = "prelu"
    num_parameters: int = 1

    def out_shape(self, x: Shape) -> Shape:
        if self.num_parameters not in (1, x[0]):
            raise LayerArgError(
                f"prelu num={self.num_parameters} must be 1 or the {x[0]} input channels",
                arg="num",
            )
        return x

    def params(self, x: Shape) -> int:
        return self.num_parameters


@frozen
class Dropout(Layer):
    kind: ClassVar[str] = "dropout"
    p: float = 0.5


@frozen
class Identity(Layer):
    kind: ClassVar[str] = "identity"


@frozen
class Flatten(Layer):
    kind: ClassVar[str] = "flatten"

    def out_shape(self, x: Shape) -> Shape:
        return (prod(x),)


@frozen
class Linear(Layer):
    """`nn.Linear`: weight `(out, in)`; cnncalc asks for a flat input."""

    kind: ClassVar[str] = "linear"
    out_features: int = 1
    bias: bool = True
    in_features: int | None = None

    def out_shape(self, x: Shape) -> Shape:
        if len(x) != 1:
            raise LayerArgError(
                f"linear needs a flat input but receives {fmt_shape(x)}",
                hint="add 'flatten' (or 'gap' then 'flatten') before it",
            )
        _check_in(x, self.in_features, "input features")
        return (self.out_features,)

    def kernel_shape(self, x: Shape) -> Shape:
        return (self.out_features, x[0])

    def params(self, x: Shape) -> int:
        return self.out_features * x[0] + (self.out_features if self.bias else 0)

    def macs(self, x: Shape) -> int:
        self.out_shape(x)
        return self.out_features * x[0]

    def rf(self, x: Shape, r: RF) -> RF:
        return tuple(a.whole() for a in r)


UPSAMPLE_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear")
#: spatial ranks each interpolation mode works on (PyTorch's F.interpolate)
UPSAMPLE_RANKS: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {"linear": (1,), "bilinear": (2,), "bicubic": (2,), "trilinear": (3,)}
)


@frozen
class Upsample(Layer):
    """`nn.Upsample` by `scale_factor` (output = floor(i · scale)) or to a fixed `size`;
    with neither, the scale is 2."""

    kind: ClassVar[str] = "upsample"
    scale_factor: tuple[float, ...] | None = None
    size: Ints | None = None
    mode: str = "nearest"

    def out_shape(self, x: Shape) -> Shape:
        sp = _spatial(x, "upsample")
        ranks = UPSAMPLE_RANKS.get(self.mode)
        if ranks is not None and len(sp) not in ranks:
            fits = [m for m, r in UPSAMPLE_RANKS.items() if len(sp) in r]
            raise LayerArgError(
                f"upsample mode '{self.mode}' needs a {RANK_NAMES[ranks[0] + 1]} input but "
                f"receives {fmt_shape(x)}",
                arg="mode",
                hint=f"for this input use mode {' or '.join(['nearest', *fits])}",
            )
        if self.size is not None and self.scale_factor is not None:
            raise LayerArgError(
                "upsample takes 'scale' or 'size', not both (PyTorch rejects both)",
                arg="size",
            )
        if self.size is not None:
            return (x[0], *_expand(self.size, len(sp), "size"))
        scale = self.scale_factor or (2.0,)
        if len(scale) == 1:
            scale = scale * len(sp)
        elif len(scale) != len(sp):
            raise LayerArgError(
                f"'scale' has {len(scale)} values but the input has {len(sp)} spatial axes",
                arg="scale",
            )
        sizes = []
        for axis, (i, f) in enumerate(zip(sp, scale)):
            try:
                o = math.floor(i * f)
            except (OverflowError, ValueError):  # i · f is inf: no tensor is that large
                raise LayerArgError(
                    f"upsample by {f:g} overflows a size of {i}", arg="scale"
                ) from None
            if o < 1:
                raise LayerArgError(
                    f"upsample output size on axis {axis_names(len(sp))[axis]} would be {o}: "
                    f"⌊{i} · {f:g}⌋ = {o}",
                    arg="scale",
                    hint=f"the input {fmt_shape(x)} is too small for this scale; use a larger one",
                )
            sizes.append(o)
        return (x[0], *sizes)

    def rf(self, x: Shape, r: RF) -> RF:
        out = self.out_shape(x)
        taps = 0 if self.mode == "nearest" else 1
        return tuple(
            AxisRF(a.size + taps * a.jump, num(a.jump * Fraction(i, o)), a.center, a.extent)
            for a, i, o in zip(r, x[1:], out[1:])
        )


@frozen
class Pad_(Layer):
    """Explicit padding (`nn.ZeroPad2d`, `nn.ReflectionPad2d`, …)."""

    kind: ClassVar[str] = "pad"
    padding: PadSpec = (1,)
    mode: str = "constant"
    value: float = 0.0

    def sides(self, x: Shape) -> Pad:
        sp = _spatial(x, "pad")
        if isinstance(self.padding, str):
            raise LayerArgError("pad needs explicit sizes, not 'same'", arg="padding")
        return resolve_padding(self.padding, sp, (1,) * len(sp), (1,) * len(sp), (1,) * len(sp))

    def out_shape(self, x: Shape) -> Shape:
        sides = self.sides(x)
        limit = {"reflect": 1, "circular": 0}.get(self.mode)  # PyTorch: pad < size / <= size
        if limit is not None:
            for i, (a, b) in zip(x[1:], sides):
                if max(a, b) > i - limit:
                    rule = "smaller than" if limit else "at most"
                    raise LayerArgError(
                        f"{self.mode} padding {max(a, b)} must be {rule} the input size {i}",
                        arg="padding",
                        hint="use mode constant or replicate, or pad in smaller steps",
                    )
        return (x[0], *(i + a + b for i, (a, b) in zip(x[1:], sides)))

    def rf(self, x: Shape, r: RF) -> RF:
        return tuple(a.step(1, 1, pl) for a, (pl, _) in zip(r, self.sides(x)))


# --- merges ---------------------------------------------------------------------------------


def _merge_mismatch(kind: str, xs: Sequence[Shape], what: str) -> LayerArgError:
    shown = ", ".join(fmt_shape(x) for x in xs)
    return LayerArgError(f"{kind} needs inputs whose {what} match, but receives {shown}")


@frozen
class Add(Merge):
    kind: ClassVar[str] = "add"

    def out_shape_many(self, xs: Sequence[Shape]) -> Shape:
        if any(x != xs[0] for x in xs):
            raise _merge_mismatch(self.kind, xs, "shapes")
        return xs[0]


@frozen
class Concat(Merge):
    """Concatenation on the channel axis."""

    kind: ClassVar[str] = "concat"

    def out_shape_many(self, xs: Sequence[Shape]) -> Shape:
        if any(len(x) != len(xs[0]) or x[1:] != xs[0][1:] for x in xs):
            raise _merge_mismatch(self.kind, xs, "shapes except channels")
        return (sum(x[0] for x in xs), *xs[0][1:])


@frozen
class Mul(Merge):
    """Element-wise product with broadcasting (a squeeze-excite gate is `C×1×1`)."""

    kind: ClassVar[str] = "mul"

    def out_shape_many(self, xs: Sequence[Shape]) -> Shape:
        rank = max(len(x) for x in xs)
        padded = [(1,) * (rank - len(x)) + x for x in xs]
        out = []
        for sizes in zip(*padded):
            big = set(sizes) - {1}
            if len(big) > 1:
                raise _merge_mismatch(self.kind, xs, "shapes (after broadcasting)")
            out.append(big.pop() if big else 1)
        return tuple(out)


#: kinds that act on each value alone: shapes, channels and receptive field pass through them
ELEMENTWISE = (Norm, Activation, PReLU, Dropout, Identity)


# --- the registry ---------------------------------------------------------------------------


class ArgType(str, enum.Enum):
    """How an argument's YAML value is read (the loader's converters and the schema's types are
    keyed by it)."""

    INT = "int"
    INTS = "ints"
    PADDING = "padding"
    BOOL = "bool"
    FLOAT = "float"
    PROB = "prob"
    SCALE = "scale"
    CHOICE = "choice"
    OPT_INTS = "opt_ints"


@dataclass(frozen=True)
class Arg:
    """One argument of a kind as the YAML format spells it."""

    field: str
    type: ArgType
    names: tuple[str, ...]
    doc: str
    choices: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Kind:
    """How an op name maps onto a layer class: its arguments, scalar shorthand, fixed values."""

    name: str
    cls: type[Layer] | type[Merge]
    args: tuple[Arg, ...] = ()
    scalar: str | None = None
    fixed: Mapping[str, object] = field(default_factory=dict)
    doc: str = ""
    #: whether the op has channels and so accepts `in`
    family: str = ""

    @functools.cached_property
    def arg_by_name(self) -> Mapping[str, Arg]:
        """Every accepted spelling of every argument -> the argument."""
        return MappingProxyType({n: a for a in self.args for n in a.names})


_IN = Arg("in_channels", ArgType.INT, ("in", "in_channels"), "input channels (checked)")
_K = Arg("kernel_size", ArgType.INTS, ("k", "kernel", "kernel_size"), "kernel size", required=True)
_S = Arg("stride", ArgType.INTS, ("s", "stride"), "stride")
_D = Arg("dilation", ArgType.INTS, ("d", "dilation"), "dilation")
_BIAS = Arg("bias", ArgType.BOOL, ("bias",), "learnable bias")
_CONV_ARGS = (
    Arg("out_channels", ArgType.INT, ("out", "out_channels"), "output channels", required=True),
    _K,
    _S,
    Arg("padding", ArgType.PADDING, ("p", "pad", "padding"), "padding"),
    _D,
    Arg("groups", ArgType.INT, ("g", "groups"), "groups"),
    _BIAS,
    _IN,
)
_DW_ARGS = (
    _K,
    _S,
    Arg("padding", ArgType.PADDING, ("p", "pad", "padding"), "padding"),
    _D,
    Arg(
        "multiplier", ArgType.INT, ("mult", "multiplier", "depth_multiplier"), "channel multiplier"
    ),
    _BIAS,
    _IN,
)
_CONVT_ARGS = (
    Arg("out_channels", ArgType.INT, ("out", "out_channels"), "output channels", required=True),
    _K,
    _S,
    Arg("padding", ArgType.INTS, ("p", "pad", "padding"), "padding"),
    Arg("output_padding", ArgType.INTS, ("output_padding", "op"), "extra size on one side"),
    _D,
    Arg("groups", ArgType.INT, ("g", "groups"), "groups"),
    _BIAS,
    _IN,
)
_POOL_K = Arg("kernel_size", ArgType.INTS, ("k", "kernel", "kernel_size"), "window", required=True)
_POOL_S = Arg("stride", ArgType.OPT_INTS, ("s", "stride"), "stride (default: the kernel)")
_POOL_P = Arg("padding", ArgType.INTS, ("p", "pad", "padding"), "padding (at most kernel // 2)")
_CEIL = Arg("ceil_mode", ArgType.BOOL, ("ceil", "ceil_mode"), "round the output size up")
_NORM_IN = Arg(
    "in_channels", ArgType.INT, ("in", "in_channels", "num_features", "num_channels"), "c"
)
_AFFINE = Arg("affine", ArgType.BOOL, ("affine", "elementwise_affine"), "learnable scale and shift")
_EPS = Arg("eps", ArgType.FLOAT, ("eps",), "numerical epsilon")
_NORM_ARGS = (_AFFINE, _EPS, _NORM_IN)
_BN_ARGS = (*_NORM_ARGS, Arg("momentum", ArgType.FLOAT, ("momentum",), "running-stat momentum"))
_ADAPT = (
    Arg("output_size", ArgType.INTS, ("out", "output_size", "size"), "output size", required=True),
)


def _act(name: str, doc: str) -> Kind:
    args: tuple[Arg, ...] = ()
    if name == "leakyrelu":
        args = (Arg("negative_slope", ArgType.FLOAT, ("negative_slope", "slope"), "slope below 0"),)
    return Kind(name, Activation, args, fixed={"function": name}, doc=doc)


def _kinds() -> dict[str, Kind]:
    k: dict[str, Kind] = {}
    conv_doc = "convolution (rank from the input)"
    k["conv"] = Kind("conv", Conv, _CONV_ARGS, "out_channels", doc=conv_doc, family="conv")
    for r, alias in ((2, "conv1d"), (3, "conv2d"), (4, "conv3d")):
        k[alias] = Kind(
            alias,
            Conv,
            _CONV_ARGS,
            "out_channels",
            {"rank": r, "alias": alias},
            f"{RANK_NAMES[r]} convolution (asserts the rank)",
            "conv",
        )
    k["dwconv"] = Kind(
        "dwconv", DwConv, _DW_ARGS, "kernel_size", doc="depthwise convolution", family="conv"
    )
    for alias in ("convT", "deconv", "conv_transpose"):
        k[alias] = Kind(
            alias,
            ConvTranspose,
            _CONVT_ARGS,
            "out_channels",
            doc="transposed convolution",
            family="conv",
        )
    max_args = (_POOL_K, _POOL_S, _POOL_P, _D, _CEIL)
    avg_args = (
        _POOL_K,
        _POOL_S,
        _POOL_P,
        _CEIL,
        Arg("count_include_pad", ArgType.BOOL, ("count_include_pad",), "average over padding too"),
    )
    k["maxpool"] = Kind("maxpool", MaxPool, max_args, "kernel_size", doc="max pooling")
    k["avgpool"] = Kind("avgpool", AvgPool, avg_args, "kernel_size", doc="average pooling")
    k["adaptiveavgpool"] = Kind(
        "adaptiveavgpool", AdaptiveAvgPool, _ADAPT, "output_size", doc="adaptive average pooling"
    )
    k["adaptivemaxpool"] = Kind(
        "adaptivemaxpool", AdaptiveMaxPool, _ADAPT, "output_size", doc="adaptive max pooling"
    )
    k["gap"] = Kind("gap", AdaptiveAvgPool, (), fixed={"output_size": (1,)}, doc="global avg pool")
    k["gmp"] = Kind("gmp", AdaptiveMaxPool, (), fixed={"output_size": (1,)}, doc="global max pool")
    k["bn"] = Kind("bn", BatchNorm, _BN_ARGS, doc="batch norm", family="norm")
    for r, alias in ((2, "bn1d"), (3, "bn2d"), (4, "bn3d")):
        k[alias] = Kind(
            alias,
            BatchNorm,
            _BN_ARGS,
            None,
            {"rank": r, "alias": alias},
            f"batch norm on a {RANK_NAMES[r]} input",
            "norm",
        )
    gn_groups = Arg(
        "num_groups", ArgType.INT, ("groups", "g", "num_groups"), "groups", required=True
    )
    k["gn"] = Kind(
        "gn", GroupNorm, (gn_groups, *_NORM_ARGS), "num_groups", doc="group norm", family="norm"
    )
    k["ln"] = Kind("ln", LayerNorm, _NORM_ARGS, doc="layer norm over channels", family="norm")
    k["inorm"] = Kind("inorm", InstanceNorm, _NORM_ARGS, doc="instance norm", family="norm")
    docs = {
        "relu": "max(0, x)",
        "relu6": "min(max(0, x), 6)",
        "leakyrelu": "x if x > 0 else slope·x",
        "gelu": "Gaussian error linear unit",
        "silu": "x·sigmoid(x)",
        "sigmoid": "1/(1+e^−x)",
        "tanh": "hyperbolic tangent",
        "hardswish": "x·relu6(x+3)/6",
        "hardsigmoid": "relu6(x+3)/6",
    }
    for name in ACTIVATIONS:
        k[name] = _act(name, docs[name])
    k["swish"] = _act("silu", docs["silu"])
    k["prelu"] = Kind(
        "prelu",
        PReLU,
        (Arg("num_parameters", ArgType.INT, ("num", "num_parameters"), "slopes"),),
        "num_parameters",
        doc="learnable leaky relu",
    )
    lin_args = (
        Arg("out_features", ArgType.INT, ("out", "out_features"), "output features", required=True),
        _BIAS,
        Arg("in_features", ArgType.INT, ("in", "in_features"), "input features (checked)"),
    )
    k["linear"] = Kind(
        "linear", Linear, lin_args, "out_features", doc="fully connected", family="linear"
    )
    k["fc"] = replace(k["linear"], name="fc")
    k["flatten"] = Kind("flatten", Flatten, doc="flatten to a vector")
    k["dropout"] = Kind(
        "dropout",
        Dropout,
        (Arg("p", ArgType.PROB, ("p",), "drop probability"),),
        "p",
        doc="dropout",
    )
    k["identity"] = Kind("identity", Identity, doc="no-op")
    up_args = (
        Arg("scale_factor", ArgType.SCALE, ("scale", "scale_factor"), "scale factor"),
        Arg("size", ArgType.INTS, ("size",), "output size"),
        Arg("mode", ArgType.CHOICE, ("mode",), "interpolation", UPSAMPLE_MODES),
    )
    k["upsample"] = Kind("upsample", Upsample, up_args, "scale_factor", doc="upsampling")
    pad_args = (
        Arg("padding", ArgType.PADDING, ("p", "pad", "padding"), "padding", required=True),
        Arg(
            "mode",
            ArgType.CHOICE,
            ("mode",),
            "fill",
            ("constant", "reflect", "replicate", "circular"),
        ),
        Arg("value", ArgType.FLOAT, ("value",), "fill value"),
    )
    k["pad"] = Kind("pad", Pad_, pad_args, "padding", doc="explicit padding")
    k["add"] = Kind("add", Add, doc="element-wise sum")
    k["concat"] = Kind("concat", Concat, doc="channel concatenation")
    k["mul"] = Kind("mul", Mul, doc="element-wise product (broadcasting)")
    return k


KINDS: Mapping[str, Kind] = MappingProxyType(_kinds())
MERGES = frozenset(name for name, kind in KINDS.items() if issubclass(kind.cls, Merge))
