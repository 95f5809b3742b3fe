"""Channels last and token sequences: `permute`, `transpose`, `reshape`, `unflatten`, `select`,
`layernorm` over the last axis, the learnable tensors that belong to no layer (`layer_scale`,
`class_token`, `pos_embedding`), and space-to-depth (`pixel_shuffle`, `pixel_unshuffle`).

Axis numbers are PyTorch's, batch included (0 is the batch, negative counts from the end), as
torchvision writes them: `Permute([0, 2, 3, 1])`, `x.flatten(2).transpose(1, 2)`. A permuted
tensor is the same per-sample tuple in another order; its layout (`protocol.Layout`) says where
the channels went, so that the kinds that read channels first refuse it and the receptive field
stays on the input's axes.
"""

from __future__ import annotations

from fractions import Fraction
from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.kinds_linear import batched_axis, channels_last
from cnncalc.layers.protocol import (
    IN,
    OWN,
    READS_CHANNELS,
    READS_LAST,
    Layer,
    Layout,
    Saved,
    Strides,
    check_in,
    check_rank,
    keeps_nothing,
    pointwise,
    reshaped,
)
from cnncalc.layers.window import RF, Ints, Shape, fmt_shape, num, prod
from cnncalc.records import frozen


def _dims(dims: Ints) -> str:
    return ", ".join(str(d) for d in dims)


def _compose(layout: Layout, order: Ints) -> Layout:
    """The layout after taking the axes in `order` (per-sample indices)."""
    if layout == ():
        return ()
    src = tuple(range(len(order))) if layout is None else layout
    out = tuple(src[i] for i in order)
    return None if out == tuple(range(len(out))) else out


def _kept(x: Shape, out: Shape, layout: Layout) -> Layout:
    """A reshape's layout: channels first while the first axis stays, channels last while the
    last does, else no axis is known as the channels."""
    if layout is None and out[0] == x[0]:
        return None
    if layout and layout[-1] == 0 and out[-1] == x[-1]:
        return channels_last(len(out))
    return ()


def _permuted(order: Ints, strides: Strides) -> tuple[bool, Strides]:
    """A permutation is a view, its strides permuted (the batch's stays first)."""
    return True, (strides[0], *(strides[i + 1] for i in order))


def _axis(dim: int, x: Shape, op: str) -> int:
    a = batched_axis(dim, len(x))
    if a is None:
        raise LayerArgError("E0483", arg="dim", op=op, dim=dim, last=len(x))
    return a


@frozen
class Permute(Layer):
    """`x.permute(dims)` (torchvision's `Permute`): `dims` names every axis, the batch first."""

    kind: ClassVar[str] = "permute"
    dims: Ints = (0, 1)

    def order(self, x: Shape) -> Ints:
        n = len(x) + 1
        norm = tuple(d + n if d < 0 else d for d in self.dims)
        if sorted(norm) != list(range(n)) or norm[0] != 0:
            raise LayerArgError("E0482", arg="dims", dims=_dims(self.dims), n=n, last=n - 1)
        return tuple(d - 1 for d in norm[1:])

    def out_shape(self, x: Shape) -> Shape:
        return tuple(x[i] for i in self.order(x))

    def out_layout(self, x: Shape, out: Shape, layout: Layout) -> Layout:
        return _compose(layout, self.order(x))

    saves = keeps_nothing

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        return _permuted(self.order(x), strides)


@frozen
class Transpose(Layer):
    """`x.transpose(dim0, dim1)`: two per-sample axes swap."""

    kind: ClassVar[str] = "transpose"
    dim0: int = 1
    dim1: int = 2

    def order(self, x: Shape) -> Ints:
        a, b = _axis(self.dim0, x, "transpose"), _axis(self.dim1, x, "transpose")
        order = list(range(len(x)))
        order[a], order[b] = b, a
        return tuple(order)

    def out_shape(self, x: Shape) -> Shape:
        return tuple(x[i] for i in self.order(x))

    def out_layout(self, x: Shape, out: Shape, layout: Layout) -> Layout:
        return _compose(layout, self.order(x))

    saves = keeps_nothing

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        return _permuted(self.order(x), strides)


def _resolve(x: Shape, sizes: Ints, op: str) -> Shape:
    """Sizes with at most one -1 (inferred), holding as many elements as `x`."""
    free = [i for i, s in enumerate(sizes) if s == -1]
    if len(free) > 1 or any(s < 1 and s != -1 for s in sizes):
        raise LayerArgError("E0484", arg="shape", op=op, sizes=_dims(sizes), shape=fmt_shape(x))
    known = prod([s for s in sizes if s != -1])
    total = prod(x)
    if free and known and total % known == 0:
        out = list(sizes)
        out[free[0]] = total // known
        return tuple(out)
    if free or known != total:
        raise LayerArgError(
            "E0485", arg="shape", op=op, sizes=_dims(sizes), shape=fmt_shape(x), n=total
        )
    return sizes


@frozen
class Reshape(Layer):
    """`x.reshape(N, *shape)`: a per-sample shape (one size may be -1), same element count."""

    kind: ClassVar[str] = "reshape"
    shape: Ints = (-1,)

    def out_shape(self, x: Shape) -> Shape:
        return _resolve(x, self.shape, "reshape")

    def out_layout(self, x: Shape, out: Shape, layout: Layout) -> Layout:
        return _kept(x, out, layout)

    saves = keeps_nothing

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        """A view where one exists, a contiguous copy otherwise."""
        return reshaped(x, batch, strides, self.out_shape(x))


@frozen
class Unflatten(Layer):
    """`nn.Unflatten(dim, sizes)`: one axis becomes several (one size may be -1)."""

    kind: ClassVar[str] = "unflatten"
    dim: int = 1
    sizes: Ints = (-1,)

    def out_shape(self, x: Shape) -> Shape:
        a = _axis(self.dim, x, "unflatten")
        return (*x[:a], *_resolve(x[a : a + 1], self.sizes, "unflatten"), *x[a + 1 :])

    def out_layout(self, x: Shape, out: Shape, layout: Layout) -> Layout:
        return _kept(x, out, layout)

    saves = keeps_nothing

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        """A view (one axis split in several always is)."""
        return reshaped(x, batch, strides, self.out_shape(x))


@frozen
class Select(Layer):
    """`x.select(dim, index)` (`x[:, 0]`: ViT's class token): the axis goes away."""

    kind: ClassVar[str] = "select"
    dim: int = 1
    index: int = 0

    def out_shape(self, x: Shape) -> Shape:
        a = _axis(self.dim, x, "select")
        if len(x) == 1:  # a sample is at least a vector
            raise LayerArgError("E0494", arg="dim", shape=fmt_shape(x))
        if not -x[a] <= self.index < x[a]:
            raise LayerArgError("E0486", arg="index", index=self.index, size=x[a], dim=self.dim)
        return (*x[:a], *x[a + 1 :])

    def out_layout(self, x: Shape, out: Shape, layout: Layout) -> Layout:
        a = _axis(self.dim, x, "select")
        return None if layout is None and a > 0 else ()

    saves = keeps_nothing

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        """A strided view: the rest of the input's storage stays with it."""
        a = _axis(self.dim, x, "select") + 1
        return True, (*strides[:a], *strides[a + 1 :])


@frozen
class LayerNormLast(Layer):
    """`nn.LayerNorm(normalized_shape)` over the last axis (a vector, or every position of a
    channels-last tensor): scale and shift per feature."""

    kind: ClassVar[str] = "layernorm"
    reads: ClassVar[str] = READS_LAST
    last_code: ClassVar[str] = "E0481"
    affine: bool = True
    eps: float = 1e-5
    in_channels: int | None = None
    bias: bool = True

    def out_shape(self, x: Shape) -> Shape:
        check_in(x[-1:], self.in_channels, features=True)
        return x

    def params(self, x: Shape) -> int:
        return (1 + self.bias) * x[-1] if self.affine else 0

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """The input, the mean and inverse standard deviation of every position."""
        stats = Saved(OWN, elements=prod(x[:-1]))
        return (Saved(IN), stats, stats)


@frozen
class LayerScale(Layer):
    """A learnable scale per channel, `γ · x` (ConvNeXt's `layer_scale`, shape `(C, 1, 1)`):
    C parameters on axis `dim`; the product is element-wise, so no MACs."""

    kind: ClassVar[str] = "layer_scale"
    init: float = 1e-6
    dim: int = 1

    def out_shape(self, x: Shape) -> Shape:
        _axis(self.dim, x, "layer_scale")
        return x

    def params(self, x: Shape) -> int:
        return x[_axis(self.dim, x, "layer_scale")]

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """`γ · x` keeps x for γ's gradient (and γ, a parameter, for x's)."""
        return (Saved(IN),) if grad_weight else ()

    view = pointwise


@frozen
class ClassToken(Layer):
    """ViT's `class_token`: `num_tokens` learnable tokens prepended along axis `dim` (the
    sequence), 196 → 197; params = tokens × features."""

    kind: ClassVar[str] = "class_token"
    num_tokens: int = 1
    dim: int = 1

    def out_shape(self, x: Shape) -> Shape:
        a = _axis(self.dim, x, "class_token")
        return (*x[:a], x[a] + self.num_tokens, *x[a + 1 :])

    def params(self, x: Shape) -> int:
        a = _axis(self.dim, x, "class_token")
        return self.num_tokens * prod(x) // x[a]

    saves = keeps_nothing


@frozen
class PosEmbedding(Layer):
    """A learnable tensor of the input's shape, added (ViT's `pos_embedding`): params = its
    elements; a sum, so no MACs."""

    kind: ClassVar[str] = "pos_embedding"

    def params(self, x: Shape) -> int:
        return prod(x)

    saves = keeps_nothing


@frozen
class PixelShuffle(Layer):
    """`nn.PixelShuffle(r)` (depth to space): `C·r², H, W` → `C, H·r, W·r` on every spatial
    axis; `nn.PixelUnshuffle(r)` (`inverse`, space to depth) the other way."""

    kind: ClassVar[str] = "pixel_shuffle"
    reads: ClassVar[str] = READS_CHANNELS
    factor: int = 2
    inverse: bool = False

    def out_shape(self, x: Shape) -> Shape:
        check_rank(x, self.kind, 3, self.kind)  # PyTorch's works on the last two axes
        sp = x[1:]
        r, n = self.factor, len(sp)
        if self.inverse:
            if any(i % r for i in sp):
                raise LayerArgError("E0487", arg="factor", r=r, shape=fmt_shape(x))
            return (x[0] * r**n, *(i // r for i in sp))
        if x[0] % r**n:
            raise LayerArgError("E0488", arg="factor", r=r, c=x[0], rn=r**n)
        return (x[0] // r**n, *(i * r for i in sp))

    def rf(self, x: Shape, r: RF) -> RF:
        self.out_shape(x)
        f = self.factor
        if self.inverse:  # an r×r window, stride r, as a conv would
            return tuple(a.step(f, f) for a in r)
        return tuple(a.moved(a.size, num(Fraction(a.jump) / f), a.center) for a in r)

    saves = keeps_nothing


@frozen
class Roll(Layer):
    """`torch.roll(x, shifts, dims)` (Swin's cyclic shift): values move, nothing is counted."""

    kind: ClassVar[str] = "roll"
    shifts: Ints = (0,)
    dims: Ints = (1,)

    def out_shape(self, x: Shape) -> Shape:
        if len(self.shifts) != len(self.dims):
            shifts, dims = _dims(self.shifts), _dims(self.dims)
            raise LayerArgError("E0493", arg="shifts", shifts=shifts, dims=dims)
        for d in self.dims:
            _axis(d, x, "roll")
        return x

    saves = keeps_nothing


@frozen
class SpaceToDepth(Layer):
    """Swin's patch merging before its norm and linear: on a channels-last `H×W×C` grid, each
    r×r block of positions becomes one position of r²·C channels (odd sizes zero-padded, as
    torchvision pads them): `⌈H/r⌉×⌈W/r⌉×r²C`."""

    kind: ClassVar[str] = "space_to_depth"
    reads: ClassVar[str] = READS_LAST
    last_code: ClassVar[str] = "E0492"
    block_size: int = 2

    def out_shape(self, x: Shape) -> Shape:
        if len(x) != 3:
            raise LayerArgError("E0492", op=self.kind, shape=fmt_shape(x), dims="0, 2, 3, 1")
        r = self.block_size
        return (-(-x[0] // r), -(-x[1] // r), r * r * x[2])

    def rf(self, x: Shape, r: RF) -> RF:
        f = self.block_size
        return tuple(a.step(f, f) for a in r) if len(r) == 2 else r

    saves = keeps_nothing
