"""Normalisation: batch, group, layer and instance norm (an optional per-channel affine)."""

from __future__ import annotations

from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.protocol import (
    IN,
    OWN,
    READS_CHANNELS,
    Layer,
    Saved,
    Strides,
    check_in,
    check_rank,
    dense_strides,
)
from cnncalc.layers.window import Shape, fmt_shape, prod
from cnncalc.records import frozen


@frozen
class Norm(Layer):
    """Normalisation with an optional per-channel affine (weight and bias)."""

    kind: ClassVar[str] = "norm"
    reads: ClassVar[str] = READS_CHANNELS
    affine: bool = True
    eps: float = 1e-5
    in_channels: int | None = None

    def check(self, x: Shape) -> None:
        check_in(x, self.in_channels)

    def out_shape(self, x: Shape) -> Shape:
        self.check(x)
        return x

    def params(self, x: Shape) -> int:
        return 2 * x[0] if self.affine else 0


@frozen
class BatchNorm(Norm):
    """`nn.BatchNormNd`; running statistics are buffers, not parameters."""

    kind: ClassVar[str] = "bn"
    momentum: float | None = 0.1  # None: a cumulative average, as PyTorch's momentum=None
    rank: int | None = None
    alias: str = "bn"
    track_running_stats: bool = True  # buffers only: changes no count

    def check(self, x: Shape) -> None:
        if self.rank is not None:
            ok = len(x) in (1, 2) if self.rank == 2 else len(x) == self.rank
            if not ok:
                check_rank(x, self.kind, self.rank, self.alias)
        super().check(x)

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """In training mode: the input, and the batch's mean and inverse standard deviation
        per channel (in the activation dtype)."""
        stats = Saved(OWN, elements=x[0], per_sample=False)
        return (Saved(IN), stats, stats)


@frozen
class GroupNorm(Norm):
    kind: ClassVar[str] = "gn"
    num_groups: int = 32

    def check(self, x: Shape) -> None:
        super().check(x)
        g = self.num_groups
        if g < 1 or x[0] % g:
            raise LayerArgError("E0414", arg="groups", g=g, c=x[0], r=x[0] % max(g, 1))

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """The input, and the mean and inverse standard deviation of every group."""
        stats = Saved(OWN, elements=self.num_groups)
        return (Saved(IN), stats, stats)


@frozen
class LayerNorm(Norm):
    """Layer norm over the channel axis at every position (ConvNeXt's LayerNorm2d)."""

    kind: ClassVar[str] = "ln"
    bias: bool = True  # PyTorch's LayerNorm(bias=False) learns the scale only

    def params(self, x: Shape) -> int:
        return (1 + self.bias) * x[0] if self.affine else 0

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """The input (moved to channels last: a view), the mean and inverse standard
        deviation of every position."""
        stats = Saved(OWN, elements=prod(x[1:]))
        return (Saved(IN), stats, stats)

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        """A channels-last result (as `nn.LayerNorm` over the last axis writes it), moved back
        to channels first."""
        if len(x) == 1:
            return False, dense_strides((batch, *x))
        last = dense_strides((batch, *x[1:], x[0]))
        return False, (last[0], last[-1], *last[1:-1])


@frozen
class InstanceNorm(Norm):
    """Normalises each channel of each sample over its positions, so it needs more than one."""

    kind: ClassVar[str] = "inorm"
    affine: bool = False
    momentum: float | None = 0.1  # None: a cumulative average, as PyTorch's momentum=None
    track_running_stats: bool = False
    rank: int | None = None
    alias: str = "inorm"

    def check(self, x: Shape) -> None:
        check_rank(x, self.kind, self.rank, self.alias)
        super().check(x)
        if len(x) < 2 or prod(x[1:]) < 2:
            raise LayerArgError("E0415", shape=fmt_shape(x))

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """`F.instance_norm` is a batch norm of one sample with N·C channels: the input (a
        view of it), the mean and inverse std of every channel of every sample, and the
        affine weight (and running statistics) repeated N times, new tensors each."""
        c = x[0]
        stats = Saved(OWN, elements=c)
        repeats = (Saved(OWN, elements=c),) * (self.affine + 2 * self.track_running_stats)
        return (Saved(IN), stats, stats, *repeats)
