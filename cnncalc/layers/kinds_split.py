"""Parts of a tensor and zero-count named ops: `split`, `chunk` and `slice` (one part of the
input along one axis each: a split or chunk is expanded into one node per part),
`channel_shuffle` and `drop_path` (shape kept, nothing counted, shown in the tables)."""

from __future__ import annotations

from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.protocol import OWN, Layer, Saved, Strides, keeps_nothing, pointwise
from cnncalc.layers.window import RF, Shape, fmt_shape
from cnncalc.records import frozen

#: torchvision's StochasticDepth modes: drop the whole sample, or each row of the batch alone
DROP_PATH_MODES = ("row", "batch")


def sample_axis(x: Shape, dim: int) -> int:
    """PyTorch's `dim` (0 = the batch, 1 = channels, negative from the end) as an axis of the
    per-sample shape `x`; the batch axis and axes past the last are errors."""
    rank = len(x) + 1  # the batch axis in front
    if not -rank <= dim < rank:
        raise LayerArgError("E0460", arg="dim", dim=dim, shape=fmt_shape(x), lo=-rank, hi=rank - 1)
    axis = dim % rank
    if axis == 0:
        raise LayerArgError("E0461", arg="dim", dim=dim)
    return axis - 1


@frozen
class Part(Layer):
    """One part (`index`) of the input cut along PyTorch's axis `dim` into `sizes(x)`."""

    kind: ClassVar[str] = "part"
    dim: int = 1
    index: int = 0

    def sizes(self, x: Shape) -> tuple[int, ...]:
        raise NotImplementedError

    saves = keeps_nothing

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        return True, strides  # a part of the input's storage, strided as it

    def offset(self, x: Shape) -> int:
        """Where the part starts on its axis."""
        return sum(self.sizes(x)[: self.index])

    def out_shape(self, x: Shape) -> Shape:
        axis = sample_axis(x, self.dim)
        sizes = self.sizes(x)
        return (*x[:axis], sizes[self.index], *x[axis + 1 :])

    def rf(self, x: Shape, r: RF) -> RF:
        axis = sample_axis(x, self.dim) - 1  # the receptive field has no channel axis
        if axis < 0:
            return r
        start = self.offset(x)
        return tuple(a.step(1, 1, -start) if i == axis else a for i, a in enumerate(r))


@frozen
class Split(Part):
    """`torch.split(x, split_size_or_sections, dim)`: parts of `split_size` (the last one
    smaller), or of the listed `sections`, which must add up to the axis."""

    kind: ClassVar[str] = "split"
    split_size_or_sections: tuple[int, ...] = (1,)

    def sizes(self, x: Shape) -> tuple[int, ...]:
        n = x[sample_axis(x, self.dim)]
        sections = self.split_size_or_sections
        if len(sections) == 1:
            size = sections[0]
            return (size,) * (n // size) + ((n % size,) if n % size else ())
        if sum(sections) != n:
            total = " + ".join(str(s) for s in sections)
            raise LayerArgError(
                "E0462", arg="split_size_or_sections", total=total, sum=sum(sections), n=n
            )
        return sections


@frozen
class Chunk(Part):
    """`x.chunk(chunks, dim)`: parts of ⌈n / chunks⌉, the last one smaller; as in PyTorch
    there may be fewer than `chunks` of them (6 channels in 4 chunks: 2, 2, 2)."""

    kind: ClassVar[str] = "chunk"
    chunks: int = 2

    def sizes(self, x: Shape) -> tuple[int, ...]:
        n = x[sample_axis(x, self.dim)]
        size = -(-n // self.chunks)
        return (size,) * (n // size) + ((n % size,) if n % size else ())


@frozen
class Slice(Part):
    """`x[:, start:end:step]` on axis `dim` (Python's slice rules: negative counts from the
    end, out-of-range bounds are clipped); an empty part is an error."""

    kind: ClassVar[str] = "slice"
    start: int | None = None
    end: int | None = None
    step: int = 1

    def bounds(self, x: Shape) -> tuple[int, int]:
        n = x[sample_axis(x, self.dim)]
        start, stop, _ = slice(self.start, self.end).indices(n)
        count = len(range(start, stop, self.step))
        if count == 0:
            raise LayerArgError(
                "E0463", arg="start", start=_bound(self.start), end=_bound(self.end), n=n
            )
        return start, count

    def sizes(self, x: Shape) -> tuple[int, ...]:
        return (self.bounds(x)[1],)

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        """A view whose axis strides `step` times as far."""
        axis = sample_axis(x, self.dim) + 1
        return True, tuple(s * self.step if i == axis else s for i, s in enumerate(strides))

    def offset(self, x: Shape) -> int:
        return self.bounds(x)[0]

    def rf(self, x: Shape, r: RF) -> RF:
        axis = sample_axis(x, self.dim) - 1
        if axis < 0:
            return r
        start = self.offset(x)
        step = self.step
        return tuple(a.step(1, step, -start) if i == axis else a for i, a in enumerate(r))


def _bound(v: int | None) -> str:
    return "" if v is None else str(v)


@frozen
class ChannelShuffle(Layer):
    """`nn.ChannelShuffle(groups)` (ShuffleNet): channels regrouped, nothing counted."""

    kind: ClassVar[str] = "channel_shuffle"
    groups: int = 2

    def out_shape(self, x: Shape) -> Shape:
        if x[0] % self.groups:
            raise LayerArgError("E0464", arg="groups", g=self.groups, c=x[0], r=x[0] % self.groups)
        return x

    saves = keeps_nothing


@frozen
class DropPath(Layer):
    """Stochastic depth (torchvision's `StochasticDepth(p, mode)`, timm's `DropPath`): the
    identity at inference, nothing counted."""

    kind: ClassVar[str] = "drop_path"
    p: float = 0.0
    mode: str = "row"

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """In training, torchvision's `input * noise`: the noise (one value per sample for
        `row`, one in all for `batch`), in the input's dtype; p = 0 returns the input."""
        if self.p == 0:
            return ()
        return (Saved(OWN, elements=1, per_sample=self.mode == "row"),)

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        return (True, strides) if self.p == 0 else pointwise(self, x, batch, strides)


#: the kinds an item expands into one node per part
MULTI_OUTPUT = (Split, Chunk)
