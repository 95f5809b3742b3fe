"""The merges (several inputs, one output): `Add`, `Concat` on channels, `Mul` broadcasting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.protocol import Merge
from cnncalc.layers.window import Shape, fmt_shape
from cnncalc.records import frozen


def _mismatch(code: str, xs: Sequence[Shape]) -> LayerArgError:
    return LayerArgError(code, shapes=", ".join(fmt_shape(x) for x in xs))


@frozen
class Add(Merge):
    kind: ClassVar[str] = "add"

    def out_shape_many(self, xs: Sequence[Shape]) -> Shape:
        if any(x != xs[0] for x in xs):
            raise _mismatch("E0425", xs)
        return xs[0]


@frozen
class Concat(Merge):
    """Concatenation on the channel axis."""

    kind: ClassVar[str] = "concat"

    def out_shape_many(self, xs: Sequence[Shape]) -> Shape:
        if any(len(x) != len(xs[0]) or x[1:] != xs[0][1:] for x in xs):
            raise _mismatch("E0426", xs)
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
                raise _mismatch("E0427", xs)
            out.append(big.pop() if big else 1)
        return tuple(out)
