"""The cost protocol every kind answers, and the input checks the kinds share.

Every method takes the per-sample input shape. A kind overrides what differs from the base
(shape-preserving, free, no weights, receptive field unchanged); `cost` is everything at once,
and a kind may fuse it (a test holds every fused `cost` equal to the per-quantity methods).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.window import RANK_NAMES, RF, Shape, fmt_shape
from cnncalc.records import frozen

Cost = tuple[Shape, int, int, "Shape | None", RF]


@frozen
class Layer:
    """Base of every kind: shape-preserving, free, no weights, receptive field unchanged."""

    kind: ClassVar[str] = "layer"

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


# --- input checks ---------------------------------------------------------------------------


def spatial(x: Shape, op: str, min_rank: int = 2) -> Shape:
    """The spatial sizes of `x`, or an error when it has none (a vector)."""
    if len(x) < min_rank:
        raise LayerArgError("E0404", op=op, shape=fmt_shape(x))
    return x[1:]


def check_rank(x: Shape, kind: str, rank: int | None, alias: str) -> None:
    """`conv2d` and friends assert the input's rank (channels included)."""
    if rank is not None and len(x) != rank:
        raise LayerArgError(
            "E0405",
            alias=alias,
            rank_name=RANK_NAMES.get(rank, str(rank)),
            rank=rank,
            shape=fmt_shape(x),
            kind=kind,
        )


def check_in(x: Shape, expected: int | None, features: bool = False) -> None:
    """A written `in` must equal the channels (or features) that arrive."""
    if expected is not None and expected != x[0]:
        raise LayerArgError("E0407" if features else "E0406", arg="in", e=expected, x=x[0])
