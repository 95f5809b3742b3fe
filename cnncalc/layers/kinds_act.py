"""Element-wise kinds: activations, PReLU, dropout and identity (shape and field unchanged)."""

from __future__ import annotations

from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.protocol import (
    IN,
    OUT,
    OWN,
    READS_CHANNELS,
    Layer,
    Saved,
    Strides,
    keeps_nothing,
    pointwise,
)
from cnncalc.layers.window import Shape, prod
from cnncalc.records import frozen

#: the activation functions whose backward reads their output (the others read their input)
KEEPS_OUTPUT = frozenset({"relu", "sigmoid", "tanh"})

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

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """ReLU, sigmoid and tanh keep their output; the others their input."""
        return (Saved(OUT if self.function in KEEPS_OUTPUT else IN),)

    view = pointwise


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

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        return (Saved(IN),)

    view = pointwise


@frozen
class Dropout(Layer):
    kind: ClassVar[str] = "dropout"
    p: float = 0.5
    inplace: bool = False

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """On the CPU, PyTorch 2.13 multiplies by a scaled noise tensor of the input's dtype
        and keeps it (the fused kernel, and its bool mask, is for accelerators); p = 0 returns
        the input itself, p = 1 multiplies by a zero scalar and keeps that."""
        if self.p == 0:
            return ()
        if self.p == 1:
            return (Saved(OWN, elements=1, per_sample=False),)
        return (Saved(OWN, elements=prod(x)),)

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        return (True, strides) if self.p == 0 else pointwise(self, x, batch, strides)


@frozen
class Identity(Layer):
    kind: ClassVar[str] = "identity"

    saves = keeps_nothing

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        return True, strides  # the input itself
