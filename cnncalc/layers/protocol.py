"""The cost protocol every kind answers, and the input checks the kinds share.

Every method takes the per-sample input shape. A kind overrides what differs from the base
(shape-preserving, free, no weights, receptive field unchanged); `cost` is everything at once,
and a kind may fuse it (a test holds every fused `cost` equal to the per-quantity methods).

Training (`analysis.train`): `backward_macs` is what FlopCounterMode counts in the backward pass,
`saves` the tensors autograd keeps between forward and backward (torch 2.13), `view` whether the
output shares its input's storage. Every kind states `saves` (the base raises): a test holds
each registered kind to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.window import RANK_NAMES, RF, Shape, fmt_shape
from cnncalc.records import frozen

Cost = tuple[Shape, int, int, "Shape | None", RF]

#: where a tensor's axes come from: None for channels first (every grid kind's output), a
#: permutation for a permuted grid (axis i holds channels-first axis `layout[i]`: `(1, 2, 0)` is
#: channels last), `()` for a tensor reshaped so that no axis is known to be the channels
Layout = tuple[int, ...] | None

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

    def view(self, x: Shape, contiguous: bool) -> tuple[bool, bool]:
        """(whether the output is a view sharing the input's storage, whether the output is
        contiguous), for an input that is `contiguous` or not. The base: a new tensor."""
        return False, True


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
