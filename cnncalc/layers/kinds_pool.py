"""Pooling: max and average over a window, and adaptive (global) pooling."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.protocol import (
    IN,
    INT64,
    OWN,
    READS_CHANNELS,
    Layer,
    Saved,
    check_rank,
    spatial,
)
from cnncalc.layers.window import (
    RF,
    Ints,
    Shape,
    check_out,
    expand,
    fmt_shape,
    num,
    prod,
    window,
    window_formula,
)
from cnncalc.records import frozen


@frozen
class Pool(Layer):
    """Max or average pooling; stride defaults to the kernel (None = kernel)."""

    kind: ClassVar[str] = "pool"
    reads: ClassVar[str] = READS_CHANNELS
    kernel_size: Ints = (2,)
    stride: Ints | None = None
    padding: Ints = (0,)
    dilation: Ints = (1,)
    ceil_mode: bool = False
    rank: int | None = None
    alias: str = ""
    return_indices: bool = False  # MaxPool's indices output: changes no count

    def geometry(self, x: Shape) -> tuple[Ints, Ints, Ints, Ints]:
        check_rank(x, self.kind, self.rank, self.alias or self.kind)
        n = len(spatial(x, self.alias or self.kind))
        k = expand(self.kernel_size, n, "kernel_size")
        s = expand(self.stride if self.stride is not None else self.kernel_size, n, "stride")
        p = expand(self.padding, n, "padding")
        d = expand(self.dilation, n, "dilation")
        for kk, pp in zip(k, p):
            if pp > kk // 2:
                raise LayerArgError("E0412", arg="padding", op=self.kind, p=pp, k=kk, h=kk // 2)
        return k, s, d, p

    def out_shape(self, x: Shape) -> Shape:
        k, s, d, p = self.geometry(x)
        args = list(zip(x[1:], k, s, p, p, d, (self.ceil_mode,) * len(k)))
        sizes = [window(*a) for a in args]
        if min(sizes) < 1:
            check_out(self.kind, sizes, [window_formula(*a) for a in args], x)
        return (x[0], *sizes)

    def rf(self, x: Shape, r: RF) -> RF:
        k, s, d, p = self.geometry(x)
        return tuple(a.step(kk, ss, pp, dd) for a, kk, ss, pp, dd in zip(r, k, s, p, d))


@frozen
class MaxPool(Pool):
    kind: ClassVar[str] = "maxpool"

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """The input and the argmax of every output (int64 indices)."""
        return (Saved(IN), Saved(OWN, elements=prod(self.out_shape(x)), itemsize=INT64))


@frozen
class AvgPool(Pool):
    kind: ClassVar[str] = "avgpool"
    count_include_pad: bool = True
    divisor_override: int | None = None  # divides by this, not the window: changes no count

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        return (Saved(IN),)

    def out_shape(self, x: Shape) -> Shape:
        k = self.geometry(x)[0]
        if self.divisor_override is not None and len(x) == 2:
            raise LayerArgError("E0433", arg="divisor_override", shape=fmt_shape(x))
        if len(x) == 4 and any(i < kk for i, kk in zip(x[1:], k)):
            # avg_pool3d alone checks the unpadded input against the kernel (parity-tested)
            raise LayerArgError("E0413", arg="kernel_size", size=fmt_shape(x[1:]), k=fmt_shape(k))
        return super().out_shape(x)


@frozen
class AdaptivePool(Layer):
    """Adaptive pooling: the output size is what was asked (1 = global pooling)."""

    kind: ClassVar[str] = "adaptivepool"
    reads: ClassVar[str] = READS_CHANNELS
    output_size: Ints = (1,)
    rank: int | None = None
    alias: str = ""
    return_indices: bool = False

    def out_shape(self, x: Shape) -> Shape:
        check_rank(x, self.kind, self.rank, self.alias or self.kind)
        sp = spatial(x, self.alias or self.kind)
        return (x[0], *expand(self.output_size, len(sp), "output_size"))

    def rf(self, x: Shape, r: RF) -> RF:
        sp = x[1:]
        o = expand(self.output_size, len(sp), "output_size")
        out = []
        for a, i, oo in zip(r, sp, o):
            if oo == 1:
                out.append(a.whole_input())
            else:  # widest window PyTorch uses: ceil((j+1)·i/o) − floor(j·i/o)
                # = ceil((i + r)/o) at the largest residue r = j·i mod o, which is o − gcd(i, o)
                k = -(-(i + oo - math.gcd(i, oo)) // oo)
                out.append(a.step(k, num(Fraction(i, oo))))
        return tuple(out)


@frozen
class AdaptiveAvgPool(AdaptivePool):
    kind: ClassVar[str] = "adaptiveavgpool"

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """The input; to one value per channel PyTorch takes the mean instead, which keeps
        nothing."""
        sp = x[1:]
        if all(o == 1 for o in expand(self.output_size, len(sp), "output_size")):
            return ()
        return (Saved(IN),)


@frozen
class AdaptiveMaxPool(AdaptivePool):
    kind: ClassVar[str] = "adaptivemaxpool"

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """The input and the argmax of every output (int64 indices)."""
        return (Saved(IN), Saved(OWN, elements=prod(self.out_shape(x)), itemsize=INT64))
