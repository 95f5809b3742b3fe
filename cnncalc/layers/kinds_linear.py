"""`Flatten` (any run of axes) and `Linear` (over the last axis: a flat vector, or every position
of a channels-last tensor)."""

from __future__ import annotations

from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.protocol import (
    IN,
    READS_LAST,
    Layer,
    Layout,
    Saved,
    Strides,
    check_in,
    keeps_nothing,
    reshaped,
)
from cnncalc.layers.window import RF, Shape, prod
from cnncalc.records import frozen


def channels_last(rank: int) -> Layout:
    """The layout of a tensor whose last axis holds the channels (tokens × features)."""
    return (*range(1, rank), 0)


def batched_axis(dim: float, rank: int) -> int | None:
    """A PyTorch axis number (0 = the batch, negative from the end) on a per-sample shape of
    `rank` axes, as a per-sample index; None when it names no per-sample axis."""
    if dim != int(dim):
        return None
    d = int(dim) + (rank + 1 if dim < 0 else 0)
    return d - 1 if 1 <= d <= rank else None


@frozen
class Flatten(Layer):
    """`nn.Flatten(start_dim, end_dim)`: PyTorch's (batched) axis numbers, axis 0 the batch."""

    kind: ClassVar[str] = "flatten"
    start_dim: float = 1
    end_dim: float = -1

    def span(self, x: Shape) -> tuple[int, int]:
        """The per-sample axes flattened, `x[a:b]`."""
        a, b = batched_axis(self.start_dim, len(x)), batched_axis(self.end_dim, len(x))
        if a is None or b is None or b < a:
            start, end = f"{self.start_dim:g}", f"{self.end_dim:g}"
            raise LayerArgError("E0432", arg="start_dim", start=start, end=end, last=len(x))
        return a, b + 1

    def out_shape(self, x: Shape) -> Shape:
        a, b = self.span(x)
        return (*x[:a], prod(x[a:b]), *x[b:])

    saves = keeps_nothing

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        """A reshape: a view where one exists, a contiguous copy otherwise."""
        return reshaped(x, batch, strides, self.out_shape(x))

    def out_layout(self, x: Shape, out: Shape, layout: Layout) -> Layout:
        a, b = self.span(x)
        if len(out) == 1 or (a >= 1 and layout is None):  # the channels stay first
            return None
        if layout and layout[-1] == 0 and b < len(x):  # the channels stay last
            return channels_last(len(out))
        return ()


@frozen
class Linear(Layer):
    """`nn.Linear`: weight `(out, in)`, applied over the last axis — a flat vector, or every
    position of a channels-last tensor (positions × in × out MACs)."""

    kind: ClassVar[str] = "linear"
    reads: ClassVar[str] = READS_LAST
    last_code: ClassVar[str] = "E0417"
    flattens_input: ClassVar[bool] = True
    out_features: int = 1
    bias: bool = True
    in_features: int | None = None

    def out_shape(self, x: Shape) -> Shape:
        check_in(x[-1:], self.in_features, features=True)
        return (*x[:-1], self.out_features)

    def kernel_shape(self, x: Shape) -> Shape:
        return (self.out_features, x[-1])

    def params(self, x: Shape) -> int:
        return self.out_features * x[-1] + (self.out_features if self.bias else 0)

    def macs(self, x: Shape) -> int:
        self.out_shape(x)
        return prod(x) * self.out_features

    def backward_macs(self, x: Shape, grad_in: bool, grad_weight: bool) -> int:
        """Two matrix products as large as the forward's: for the input and for the weight."""
        macs = self.macs(x)
        return macs * grad_in + macs * grad_weight

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """The input, for the weight's gradient only (the input's needs the weight alone)."""
        return (Saved(IN),) if grad_weight else ()

    def rf(self, x: Shape, r: RF) -> RF:
        """On a vector it sees the whole input; at every position, just that position."""
        return tuple(a.whole_input() for a in r) if len(x) == 1 else r
