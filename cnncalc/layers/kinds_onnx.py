"""The layers of an imported ONNX graph that cnncalc has no kind of its own for: ops that hold
no weights and multiply nothing (a reshape, a transpose, a reduction, a comparison), each with the
per-sample output shape the file's shape inference found. They are not in the registry: a
network file cannot write them; `loader/onnx_build` makes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cnncalc.layers.protocol import Layer, Layout, Merge
from cnncalc.layers.window import RF, Shape
from cnncalc.records import frozen


@frozen
class OnnxOp(Layer):
    """An ONNX op that holds no weights of its own and multiplies nothing, with the per-sample
    output shape the file's shape inference found. Its axes are not known as channels."""

    kind: ClassVar[str] = "onnx"
    op_type: str = ""
    out: Shape = (1,)

    def out_shape(self, x: Shape) -> Shape:
        return self.out

    def out_layout(self, x: Shape, out: Shape, layout: Layout) -> Layout:
        return ()

    def rf(self, x: Shape, r: RF) -> RF:
        return r if self.out == x else tuple(a.whole_input() for a in r)


@frozen
class OnnxMerge(Merge):
    """An ONNX op of several data inputs that multiplies nothing (`Sub`, `Where`, a broadcast
    `Add`), with the per-sample output shape the file's shape inference found."""

    kind: ClassVar[str] = "onnx"
    op_type: str = ""
    out: Shape = (1,)

    def out_shape_many(self, xs: Sequence[Shape]) -> Shape:
        return self.out
