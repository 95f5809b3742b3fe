"""The cost protocol every kind answers, and the input checks the kinds share.

Every method takes the per-sample input shape. A kind overrides what differs from the base
(shape-preserving, free, no weights, receptive field unchanged); `cost` is everything at once,
and a kind may fuse it (a test holds every fused `cost` equal to the per-quantity methods).

Training (`analysis.train`): `backward_macs` is what FlopCounterMode counts in the backward pass,
`saves` the tensors autograd keeps between forward and backward (torch 2.13), `view` whether the
output shares its input's storage, and with which strides (`dense_strides`, `view_strides`).
Every kind states `saves` (the base raises): a test holds each registered kind to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.window import RANK_NAMES, RF, Shape, fmt_shape, prod
from cnncalc.records import frozen

Cost = tuple[Shape, int, int, "Shape | None", RF]

#: where a tensor's axes come from: None for channels first (every grid kind's output), a
#: permutation for a permuted grid (axis i holds channels-first axis `layout[i]`: `(1, 2, 0)` is
#: channels last), `()` for a tensor reshaped so that no axis is known to be the channels
Layout = tuple[int, ...] | None

#: a tensor's strides in elements, batch axis first (as `Tensor.stride()`)
Strides = tuple[int, ...]

#: what a saved tensor is (`Saved.what`): the layer's input (a merge's input `index`), its
#: output, or a tensor of its own (BatchNorm's statistics, max pooling's indices, a mask)
IN, OUT, OWN = "in", "out", "own"


@frozen
class Saved:
    """One tensor autograd keeps for a layer's backward. An input or output is shared: it is
    counted once however many layers keep it, at the size of the storage it lives in (a view
    keeps all of it). An own tensor has `elements` per sample (in all when not `per_sample`)
    of `itemsize` bytes (0: the activation dtype's)."""

    what: str
    index: int = 0
    elements: int = 0
    itemsize: int = 0
    per_sample: bool = True
    #: kept at batch 1 only (`SINGLE`) or at a larger batch only (`BATCHED`) — where a view
    #: is contiguous only at batch 1, torch copies it at any other —, or for float32
    #: activations only (`FULL`) or for bfloat16 and float16 only (`REDUCED`: attention's
    #: math kernel computes in float32 on the CPU)
    when: str = ""
    #: own tensors of one layer with the same tag are one storage (views of one tensor)
    tag: str = ""


SINGLE, BATCHED, FULL, REDUCED = "single", "batched", "full", "reduced"


#: PyTorch's index dtype (max pooling's indices), and float32 (statistics kept in float32)
INT64, FLOAT32 = 8, 4


def dense_strides(shape: Shape) -> Strides:
    """A new tensor's strides: row-major (contiguous)."""
    out, step = [], 1
    for n in reversed(shape):
        out.append(step)
        step *= max(n, 1)
    return tuple(reversed(out))


def view_strides(shape: Shape, strides: Strides, new: Shape) -> Strides | None:
    """The strides of `new` as a view of a tensor of `shape` and `strides` (PyTorch's
    `computeStride`, which `view` and `reshape` use), or None when no view has that shape:
    `reshape` then copies into a contiguous tensor. Axes of size 1 constrain nothing."""
    if prod(shape) == 0:
        return dense_strides(new)
    out = [0] * len(new)
    view_d = len(new) - 1
    base = strides[-1] if strides else 1
    numel = view_numel = 1
    for d in range(len(shape) - 1, -1, -1):
        numel *= shape[d]
        if d == 0 or (shape[d - 1] != 1 and strides[d - 1] != numel * base):
            while view_d >= 0 and (view_numel < numel or new[view_d] == 1):
                out[view_d] = view_numel * base
                view_numel *= new[view_d]
                view_d -= 1
            if view_numel != numel:
                return None
            if d > 0:
                base, numel, view_numel = strides[d - 1], 1, 1
    return None if view_d != -1 else tuple(out)


def like_strides(shape: Shape, strides: Strides) -> Strides:
    """The strides of a new tensor laid out as one of `shape` and `strides` is (PyTorch's
    `infer_dense_strides`, as an element-wise op's output: a permuted input gives a permuted
    output, a strided one a dense one in the same axis order)."""
    perm = list(range(len(shape) - 1, -1, -1))  # innermost first
    for i in range(1, len(perm)):
        j = i
        for k in range(i - 1, -1, -1):
            a, b = perm[k], perm[j]
            if strides[a] == 0 or strides[b] == 0:
                continue
            if strides[a] < strides[b]:
                break
            if strides[a] > strides[b] or shape[a] > shape[b]:
                perm[k], perm[j] = perm[j], perm[k]
                j = k
    out = [0] * len(shape)
    step = 1
    for d in perm:
        out[d] = step
        step *= max(shape[d], 1)
    return tuple(out)


def pointwise(self: object, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
    """`Layer.view` of an element-wise kind: a new tensor laid out as its input."""
    return False, like_strides((batch, *x), strides)


def reshaped(x: Shape, batch: int, strides: Strides, out: Shape) -> tuple[bool, Strides]:
    """`Layer.view` of a reshape (`reshape`, `flatten`, `unflatten`) from `x` to `out`: a view
    where one exists, else a contiguous copy."""
    new = (batch, *out)
    view = view_strides((batch, *x), strides, new)
    return (False, dense_strides(new)) if view is None else (True, view)


def keeps_nothing(self: object, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
    """`Layer.saves` of a kind whose backward needs no tensor (shapes only): a sum, a join,
    a view, a copy."""
    return ()


#: what a kind reads its input's axes as (`Layer.reads`)
READS_ANY, READS_CHANNELS, READS_LAST = "", "channels", "last"


@frozen
class Layer:
    """Base of every kind: shape-preserving, free, no weights, receptive field unchanged."""

    kind: ClassVar[str] = "layer"
    #: `READS_CHANNELS`: the first axis is the channels (conv, pool, bn …: a permuted tensor is
    #: an error); `READS_LAST`: the last axis is the features (a channels-first grid is an error)
    reads: ClassVar[str] = READS_ANY
    #: the error when a `READS_LAST` kind receives a channels-first grid
    last_code: ClassVar[str] = "E0481"
    #: a matrix product over the last axis (a linear): a non-contiguous input of more than
    #: one axis is copied into a contiguous one, and the copy is what the backward keeps
    flattens_input: ClassVar[bool] = False

    def out_layout(self, x: Shape, out: Shape, layout: Layout) -> Layout:
        """The output's layout: the input's while the rank stays, channels first otherwise."""
        return layout if len(out) == len(x) else None

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

    def scratch(self, x: Shape) -> int:
        """Elements per sample alive only while the layer runs (attention's scores)."""
        return 0

    def cost(self, x: Shape, r: RF) -> Cost:
        """Everything at once: (output shape, params, MACs, kernel shape, receptive field)."""
        return self.out_shape(x), self.params(x), self.macs(x), self.kernel_shape(x), self.rf(x, r)

    # --- training -----------------------------------------------------------------------

    def backward_macs(self, x: Shape, grad_in: bool, grad_weight: bool) -> int:
        """Backward MACs per sample (half of FlopCounterMode's backward FLOPs): the gradient of
        the input when `grad_in` (something upstream learns), of the weight when `grad_weight`
        (the layer learns). Only the kinds with MACs have any."""
        return 0

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """The tensors autograd keeps for this layer's backward (asked only when its output
        needs a gradient), parameters excluded."""
        raise NotImplementedError(f"{type(self).__name__} states no training rule")

    def view(self, x: Shape, batch: int, strides: Strides) -> tuple[bool, Strides]:
        """(whether the output is a view sharing the input's storage, the output's strides,
        batch axis first) for an input of `strides` at `batch`. The base: a new, contiguous
        tensor."""
        return False, dense_strides((batch, *self.out_shape(x)))


@frozen
class Merge:
    """Base of the merges: several inputs, one output, no weights."""

    kind: ClassVar[str] = "merge"

    def out_shape_many(self, xs: Sequence[Shape]) -> Shape:
        raise NotImplementedError

    def macs_many(self, xs: Sequence[Shape]) -> int:
        """Multiply-accumulates per sample (a matrix product's; a merge of sums has none)."""
        return 0

    def backward_macs_many(self, xs: Sequence[Shape], grads: Sequence[bool]) -> int:
        """Backward MACs per sample, for the inputs that need a gradient (`grads`)."""
        return 0

    def saves_many(self, xs: Sequence[Shape], grads: Sequence[bool]) -> tuple[Saved, ...]:
        """The tensors autograd keeps for the backward (sums and joins keep none)."""
        raise NotImplementedError(f"{type(self).__name__} states no training rule")


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


def check_layout(layer: Layer, x: Shape, layout: Layout) -> None:
    """A kind that reads the first axis as channels gets a channels-first tensor (or a reshaped
    one, whose axes the user chose); a kind that reads the last axis as features gets a vector
    or a tensor whose channels are not first (a channels-first grid would mix a spatial axis)."""
    if layer.reads == READS_CHANNELS and layout and layout != tuple(range(len(layout))):
        back = [0, *(layout.index(i) + 1 for i in range(len(layout)))]
        dims = ", ".join(str(d) for d in back)
        raise LayerArgError("E0480", op=layer.kind, shape=fmt_shape(x), dims=dims)
    if layer.reads == READS_LAST and layout is None and len(x) > 1:
        rank = len(x) + 1
        dims = ", ".join(str(d) for d in (0, *range(2, rank), 1))
        code = layer.last_code
        raise LayerArgError(code, op=layer.kind, shape=fmt_shape(x), dims=dims)
