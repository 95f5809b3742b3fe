"""The convolutions: `Conv` (any rank), `DwConv` (depthwise) and `ConvTranspose`."""

from __future__ import annotations

from fractions import Fraction
from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.kinds_shape import PADS_KEEPING_INPUT
from cnncalc.layers.protocol import (
    IN,
    OWN,
    READS_CHANNELS,
    Cost,
    Layer,
    Saved,
    check_in,
    check_rank,
    spatial,
)
from cnncalc.layers.window import (
    RF,
    Ints,
    Pad,
    PadSpec,
    Shape,
    check_out,
    check_pad_fits,
    effective_kernel,
    expand,
    half,
    num,
    prod,
    resolve_padding,
    transposed_formula,
    transposed_size,
    window,
    window_formula,
)
from cnncalc.records import frozen


def check_groups(g: int, cin: int, cout: int) -> None:
    """`groups` must divide both channel counts (PyTorch's rule for every grouped conv)."""
    if cin % g or cout % g:
        raise LayerArgError("E0410", arg="groups", g=g, cin=cin, cout=cout, a=cin % g, b=cout % g)


@frozen
class Conv(Layer):
    """`nn.ConvNd`: weight `(out, in/groups, *k)`."""

    kind: ClassVar[str] = "conv"
    reads: ClassVar[str] = READS_CHANNELS
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
    #: how PyTorch fills the padding (zeros, reflect, replicate, circular): changes no count
    padding_mode: str = "zeros"

    def geometry(self, x: Shape) -> tuple[Ints, Ints, Ints, Pad]:
        """Kernel, stride, dilation and (left, right) padding per axis for input `x`."""
        check_rank(x, self.kind, self.rank, self.alias)
        sp = spatial(x, self.alias)
        n = len(sp)
        k = expand(self.kernel_size, n, "kernel_size")
        s = expand(self.stride, n, "stride")
        d = expand(self.dilation, n, "dilation")
        return k, s, d, resolve_padding(self.padding, sp, k, s, d)

    def cin(self, x: Shape) -> int:
        return x[0]

    def cout(self, x: Shape) -> int:
        return self.out_channels

    def _check_channels(self, x: Shape) -> None:
        check_in(x, self.in_channels)
        check_groups(self.groups, self.cin(x), self.cout(x))

    def _out(self, x: Shape, geom: tuple[Ints, Ints, Ints, Pad]) -> Shape:
        k, s, d, p = geom
        self._check_channels(x)
        sp = x[1:]
        if self.padding_mode != "zeros":
            check_pad_fits(self.padding_mode, sp, p, ("E0428", "E0429"))
        sizes = [window(*a) for a in zip(sp, k, s, (q[0] for q in p), (q[1] for q in p), d)]
        if min(sizes) < 1:
            formulas = [
                window_formula(*a) for a in zip(sp, k, s, (q[0] for q in p), (q[1] for q in p), d)
            ]
            check_out(self.alias, sizes, formulas, x)
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
        return self._rf(r, self.geometry(x))

    @staticmethod
    def _rf(r: RF, geom: tuple[Ints, Ints, Ints, Pad]) -> RF:
        k, s, d, p = geom
        return tuple(a.step(kk, ss, pp[0], dd) for a, kk, ss, pp, dd in zip(r, k, s, p, d))

    def n_groups(self, x: Shape) -> int:
        return self.groups

    def backward_macs(self, x: Shape, grad_in: bool, grad_weight: bool) -> int:
        """The input's gradient costs the forward's MACs; the weight's, as FlopCounterMode
        counts it (a conv of the input by the output's gradient over all in × out channel
        pairs), `groups` times the forward's."""
        macs = self.macs(x)
        return macs * grad_in + macs * self.n_groups(x) * grad_weight

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """The input, as the convolution receives it: the input itself, or a padded copy when
        the padding is written out first (a fill other than zeros, `tf_same`, per-side
        pairs: PyTorch pads before the convolution). `same` with an uneven total and zeros
        pads first only the difference (one more on the right) and leaves the symmetric part
        to the convolution, as `F.conv2d(padding='same')` does."""
        p = self.geometry(x)[3]
        if self.pads_first(p):
            if self.padding == "same" and self.padding_mode == "zeros":
                p = tuple((0, abs(b - a)) for a, b in p)
            padded = Saved(OWN, elements=x[0] * prod([i + a + b for i, (a, b) in zip(x[1:], p)]))
            keeps_input = grad_in and self.padding_mode in PADS_KEEPING_INPUT  # the pad's own
            return (padded, Saved(IN)) if keeps_input else (padded,)
        return (Saved(IN),)

    def pads_first(self, p: Pad) -> bool:
        if self.padding_mode != "zeros" or self.padding == "tf_same":
            return any(a or b for a, b in p)
        return any(a != b for a, b in p)

    def cost(self, x: Shape, r: RF) -> Cost:
        geom = self.geometry(x)  # once, not once per quantity: convs dominate large networks
        out = self._out(x, geom)
        kshape = self._kernel(x, geom[0])
        weights = prod(kshape)
        bias = self.cout(x) if self.bias else 0
        return out, weights + bias, weights * prod(out[1:]), kshape, self._rf(r, geom)


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

    def n_groups(self, x: Shape) -> int:
        return x[0]

    def _check_channels(self, x: Shape) -> None:
        check_in(x, self.in_channels)

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
            padding_mode=self.padding_mode,
        )


@frozen
class ConvTranspose(Layer):
    """`nn.ConvTransposeNd`: weight `(in, out/groups, *k)`."""

    kind: ClassVar[str] = "convT"
    reads: ClassVar[str] = READS_CHANNELS
    out_channels: int
    kernel_size: Ints = (1,)
    stride: Ints = (1,)
    padding: Ints = (0,)
    output_padding: Ints = (0,)
    dilation: Ints = (1,)
    groups: int = 1
    bias: bool = True
    in_channels: int | None = None
    rank: int | None = None
    alias: str = "convT"
    padding_mode: str = "zeros"  # the only mode PyTorch's ConvTranspose takes

    def geometry(self, x: Shape) -> tuple[Ints, Ints, Ints, Ints, Ints]:
        check_rank(x, self.kind, self.rank, self.alias)
        n = len(spatial(x, self.alias))
        k = expand(self.kernel_size, n, "kernel_size")
        s = expand(self.stride, n, "stride")
        d = expand(self.dilation, n, "dilation")
        p = expand(self.padding, n, "padding")
        op = expand(self.output_padding, n, "output_padding")
        for ss, dd, oo in zip(s, d, op):
            if not 0 <= oo < max(ss, dd):
                raise LayerArgError("E0411", arg="output_padding", op=oo, s=ss, d=dd, m=max(ss, dd))
        return k, s, d, p, op

    def out_shape(self, x: Shape) -> Shape:
        k, s, d, p, op = self.geometry(x)
        check_in(x, self.in_channels)
        check_groups(self.groups, x[0], self.out_channels)
        sizes = [transposed_size(*a) for a in zip(x[1:], k, s, p, d, op)]
        if min(sizes) < 1:
            formulas = [transposed_formula(*a) for a in zip(x[1:], k, s, p, d, op)]
            check_out("convT", sizes, formulas, x)
        return (self.out_channels, *sizes)

    def kernel_shape(self, x: Shape) -> Shape:
        k = self.geometry(x)[0]
        return (x[0], self.out_channels // self.groups, *k)

    def params(self, x: Shape) -> int:
        return prod(self.kernel_shape(x)) + (self.out_channels if self.bias else 0)

    def macs(self, x: Shape) -> int:
        self.out_shape(x)
        return prod(self.kernel_shape(x)) * prod(x[1:])

    def backward_macs(self, x: Shape, grad_in: bool, grad_weight: bool) -> int:
        """As a conv's: the input's gradient the forward's MACs, the weight's `groups` times."""
        macs = self.macs(x)
        return macs * grad_in + macs * self.groups * grad_weight

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        return (Saved(IN),)

    def rf(self, x: Shape, r: RF) -> RF:
        k, s, d, p, _ = self.geometry(x)
        out = []
        for a, kk, ss, dd, pp in zip(r, k, s, d, p):
            keff = effective_kernel(kk, dd)
            taps = -(-keff // ss)  # inputs that one output position depends on
            out.append(
                a.moved(
                    a.size + (taps - 1) * a.jump,
                    num(Fraction(a.jump) / ss),
                    num(a.center + (pp - half(keff - 1)) * Fraction(a.jump) / ss),
                )
            )
        return tuple(out)
