"""The merges (several inputs, one output): `Add`, `Concat` on channels, `Mul` broadcasting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.kinds_linear import batched_axis
from cnncalc.layers.protocol import IN, OWN, Merge, Saved
from cnncalc.layers.window import Shape, fmt_shape, prod
from cnncalc.records import frozen


def _mismatch(code: str, xs: Sequence[Shape], dim: int = 1) -> LayerArgError:
    return LayerArgError(code, shapes=", ".join(fmt_shape(x) for x in xs), dim=dim)


@frozen
class Add(Merge):
    kind: ClassVar[str] = "add"

    def out_shape_many(self, xs: Sequence[Shape]) -> Shape:
        if any(x != xs[0] for x in xs):
            raise _mismatch("E0425", xs)
        return xs[0]

    def saves_many(self, xs: Sequence[Shape], grads: Sequence[bool]) -> tuple[Saved, ...]:
        return ()  # a sum's and a join's backward need only the shapes


@frozen
class Concat(Merge):
    """`torch.cat(xs, dim)`: on the channel axis by default (`dim` 1, PyTorch's numbering with
    the batch as 0), or any other (ViT's class token joins along the sequence)."""

    kind: ClassVar[str] = "concat"
    dim: int = 1

    def axis(self, xs: Sequence[Shape]) -> int:
        a = batched_axis(self.dim, len(xs[0]))
        if a is None:
            raise LayerArgError("E0483", arg="dim", op="concat", dim=self.dim, last=len(xs[0]))
        return a

    def out_shape_many(self, xs: Sequence[Shape]) -> Shape:
        a = self.axis(xs)
        first = xs[0]
        if any(len(x) != len(first) or x[:a] != first[:a] or x[a + 1 :] != first[a + 1 :]
               for x in xs):  # fmt: skip
            raise _mismatch("E0426" if a == 0 else "E0495", xs, dim=self.dim)
        return (*first[:a], sum(x[a] for x in xs), *first[a + 1 :])

    def saves_many(self, xs: Sequence[Shape], grads: Sequence[bool]) -> tuple[Saved, ...]:
        return ()  # a sum's and a join's backward need only the shapes


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

    def saves_many(self, xs: Sequence[Shape], grads: Sequence[bool]) -> tuple[Saved, ...]:
        """`((x0 · x1) · x2) …`: each product keeps the factor the other's gradient needs,
        a partial product being a tensor of its own."""
        kept: list[Saved] = []
        need = grads[0]
        for i in range(1, len(xs)):
            if need:
                kept.append(Saved(IN, index=i))
            if grads[i]:
                partial = self.out_shape_many(xs[:i])
                kept.append(Saved(IN, index=0) if i == 1 else Saved(OWN, elements=prod(partial)))
            need = need or grads[i]
        return tuple(kept)
