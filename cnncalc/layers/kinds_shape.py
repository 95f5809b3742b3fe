"""Kinds that only resize: `Upsample` (by a scale or to a size) and explicit padding."""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.protocol import (
    IN,
    READS_CHANNELS,
    Layer,
    Saved,
    check_rank,
    spatial,
)
from cnncalc.layers.window import (
    RANK_NAMES,
    RF,
    Ints,
    Pad,
    PadSpec,
    Shape,
    axis_names,
    check_pad_fits,
    expand,
    fmt_shape,
    num,
    resolve_padding,
)
from cnncalc.records import frozen

UPSAMPLE_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear")
#: spatial ranks each interpolation mode works on (PyTorch's F.interpolate)
UPSAMPLE_RANKS: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {"linear": (1,), "bilinear": (2,), "bicubic": (2,), "trilinear": (3,)}
)
PAD_FILLS = ("constant", "reflect", "replicate", "circular")


#: the fills whose backward reads the input (a reflection or replication pad); a constant
#: fill's and a circular one's need only the sizes
PADS_KEEPING_INPUT = frozenset({"reflect", "replicate"})


@frozen
class Upsample(Layer):
    """`nn.Upsample` by `scale_factor` (output = floor(i · scale)) or to a fixed `size`;
    with neither, the scale is 2."""

    kind: ClassVar[str] = "upsample"
    reads: ClassVar[str] = READS_CHANNELS
    scale_factor: tuple[float, ...] | None = None
    size: Ints | None = None
    mode: str = "nearest"
    #: PyTorch's interpolation details (None: not given); they change no count
    align_corners: bool | None = None
    recompute_scale_factor: bool | None = None
    #: the node whose spatial size is the output size (`F.interpolate(size=y.shape[-2:])`):
    #: the engine gives it as `size` (`sized`) when it infers the layer
    size_of: str | None = None

    def sized(self, y: Shape) -> Upsample:
        """This upsample to the spatial size of `y` (the shape of the `size_of` tensor)."""
        if len(y) < 2:
            raise LayerArgError("E0465", arg="size_of", ref=self.size_of, shape=fmt_shape(y))
        values = {**vars(self), "size": y[1:], "scale_factor": None}
        return Upsample(**values)

    def _check(self, x: Shape, n: int) -> None:
        ranks = UPSAMPLE_RANKS.get(self.mode)
        if ranks is not None and n not in ranks:
            fits = [m for m, r in UPSAMPLE_RANKS.items() if n in r]
            raise LayerArgError(
                "E0418",
                arg="mode",
                mode=self.mode,
                rank=RANK_NAMES[ranks[0] + 1],
                shape=fmt_shape(x),
                modes=", ".join(["nearest", *fits]),
            )
        if self.size is not None and self.scale_factor is not None:
            raise LayerArgError("E0419", arg="size")
        if self.align_corners is not None and self.mode not in UPSAMPLE_RANKS:
            # F.interpolate: only the interpolating modes have corners to align
            modes = ", ".join(UPSAMPLE_RANKS)
            raise LayerArgError("E0430", arg="align_corners", mode=self.mode, modes=modes)
        if self.recompute_scale_factor and self.size is not None:
            raise LayerArgError("E0431", arg="recompute_scale_factor")

    def out_shape(self, x: Shape) -> Shape:
        sp = spatial(x, "upsample")
        self._check(x, len(sp))
        if self.size is not None:
            return (x[0], *expand(self.size, len(sp), "size"))
        scale = expand(self.scale_factor or (2.0,), len(sp), "scale")
        sizes = []
        for axis, (i, f) in enumerate(zip(sp, scale)):
            try:
                o = math.floor(i * f)
            except (OverflowError, ValueError):  # i · f is inf: no tensor is that large
                raise LayerArgError("E0420", arg="scale", f=f"{f:g}", i=i) from None
            if o < 1:
                name = axis_names(len(sp))[axis]
                raise LayerArgError(
                    "E0421", arg="scale", axis=name, o=o, i=i, f=f"{f:g}", shape=fmt_shape(x)
                )
            sizes.append(o)
        return (x[0], *sizes)

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """Interpolation's backward needs the sizes only; `area` is adaptive average pooling,
        which keeps its input."""
        return (Saved(IN),) if self.mode == "area" else ()

    def rf(self, x: Shape, r: RF) -> RF:
        out = self.out_shape(x)
        taps = 0 if self.mode == "nearest" else 1
        return tuple(
            a.moved(a.size + taps * a.jump, num(a.jump * Fraction(i, o)), a.center)
            for a, i, o in zip(r, x[1:], out[1:])
        )


@frozen
class Pad_(Layer):
    """Explicit padding (`nn.ZeroPad2d`, `nn.ReflectionPad2d`, …)."""

    kind: ClassVar[str] = "pad"
    reads: ClassVar[str] = READS_CHANNELS
    padding: PadSpec = (1,)
    mode: str = "constant"
    value: float = 0.0
    rank: int | None = None
    #: the PyTorch class name (`ZeroPad2d`, …): its padding is a flat `(left, right, …)` list,
    #: last axis first, as PyTorch writes it
    alias: str = ""

    def sides(self, x: Shape) -> Pad:
        check_rank(x, self.kind, self.rank, self.alias or self.kind)
        n = len(spatial(x, self.alias or "pad"))
        p = self.padding
        if isinstance(p, str):
            raise LayerArgError("E0422", arg="padding", mode=p)
        if self.alias and p and not isinstance(p[0], tuple) and len(p) > 1:
            if len(p) != 2 * n:
                raise LayerArgError("E0434", arg="padding", alias=self.alias, count=len(p), n=2 * n)
            flat: Ints = p
            return tuple((int(flat[2 * i]), int(flat[2 * i + 1])) for i in reversed(range(n)))
        return resolve_padding(p, x[1:], (1,) * n, (1,) * n, (1,) * n)

    def out_shape(self, x: Shape) -> Shape:
        sides = self.sides(x)
        check_pad_fits(self.mode, x[1:], sides, ("E0423", "E0424"))
        return (x[0], *(i + a + b for i, (a, b) in zip(x[1:], sides)))

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        return (Saved(IN),) if self.mode in PADS_KEEPING_INPUT else ()

    def rf(self, x: Shape, r: RF) -> RF:
        return tuple(a.step(1, 1, pl) for a, (pl, _) in zip(r, self.sides(x)))
