"""The classifier head: `Flatten` and `Linear` (which asks for a flat input)."""

from __future__ import annotations

from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.protocol import Layer, check_in
from cnncalc.layers.window import RF, Shape, fmt_shape, prod
from cnncalc.records import frozen


@frozen
class Flatten(Layer):
    kind: ClassVar[str] = "flatten"
    #: PyTorch's batched axis numbers; only the per-sample vector (1 to the end) is counted
    start_dim: float = 1
    end_dim: float = -1

    def out_shape(self, x: Shape) -> Shape:
        if self.start_dim != 1 or self.end_dim not in (-1, len(x)):
            start, end = f"{self.start_dim:g}", f"{self.end_dim:g}"
            raise LayerArgError("E0432", arg="start_dim", start=start, end=end, last=len(x))
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
            raise LayerArgError("E0417", shape=fmt_shape(x))
        check_in(x, self.in_features, features=True)
        return (self.out_features,)

    def kernel_shape(self, x: Shape) -> Shape:
        return (self.out_features, x[0])

    def params(self, x: Shape) -> int:
        return self.out_features * x[0] + (self.out_features if self.bias else 0)

    def macs(self, x: Shape) -> int:
        self.out_shape(x)
        return self.out_features * x[0]

    def rf(self, x: Shape, r: RF) -> RF:
        return tuple(a.whole_input() for a in r)
