"""Element-wise kinds: activations, PReLU, dropout and identity (shape and field unchanged)."""

from __future__ import annotations

from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.protocol import READS_CHANNELS, Layer
from cnncalc.layers.window import Shape
from cnncalc.records import frozen

#: the activation functions by canonical name (`swish` is registered as `silu`)
ACTIVATIONS = (
    "relu",
    "relu6",
    "leakyrelu",
    "gelu",
    "silu",
    "sigmoid",
    "tanh",
    "hardswish",
    "hardsigmoid",
)


@frozen
class Activation(Layer):
    """A parameter-free element-wise function; `function` is the canonical name."""

    kind: ClassVar[str] = "act"
    function: str = "relu"
    negative_slope: float = 0.01
    inplace: bool = False  # PyTorch's memory saving: changes no count
    approximate: str = "none"  # GELU's tanh approximation: changes no count


@frozen
class PReLU(Layer):
    kind: ClassVar[str] = "prelu"
    reads: ClassVar[str] = READS_CHANNELS
    num_parameters: int = 1
    init: float = 0.25

    def out_shape(self, x: Shape) -> Shape:
        if self.num_parameters not in (1, x[0]):
            raise LayerArgError("E0416", arg="num", num=self.num_parameters, c=x[0])
        return x

    def params(self, x: Shape) -> int:
        return self.num_parameters


@frozen
class Dropout(Layer):
    kind: ClassVar[str] = "dropout"
    p: float = 0.5
    inplace: bool = False


@frozen
class Identity(Layer):
    kind: ClassVar[str] = "identity"
