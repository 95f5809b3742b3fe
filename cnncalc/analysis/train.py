"""Training cost per layer: backward FLOPs, the activations autograd saves, the backward's
largest transient.

Interface (pure: a `Report` in, frozen records out):

    training(report, *, batch=None, dtype=None) -> Training   # defaults: the report's
    Training.layers: tuple[LayerTrain, ...]     # one per report layer, same order
    Training.backward_macs / backward_flops     # batch included; FLOPs = 2 × MACs
    Training.saved_bytes                        # distinct storages, batch included
    Training.transient_bytes                    # the largest gradient working set (below)
    Training.batch / dtype
    LayerTrain: name, backward_macs, backward_flops, saved_bytes, needs_grad, transient_bytes

The conventions, all measured against torch 2.13.0 (docs/training.md):
- A tensor needs a gradient when a layer upstream learns: the input does not; a layer's output
  does when the layer has trainable parameters or an input that needs one. A layer whose output
  needs none is not in the autograd graph: no backward FLOPs, nothing saved.
- Backward FLOPs are FlopCounterMode's around `loss.backward()`: a conv's input gradient costs
  its forward, its weight gradient `groups` × its forward; a linear's or matmul's each operand's
  gradient the forward; each only when that gradient is needed (`Layer.backward_macs`).
- Saved bytes: what `saved_tensors_hooks` sees, by storage: every layer's `saves` (its input,
  its output or a tensor of its own) with parameters and buffers excluded; an input or output
  kept by several layers counts once, at the size of its storage (a view keeps its base: a
  slice of a tensor keeps all of it). Each storage is attributed to the first layer (in the
  report's order) that keeps it, so the layers' `saved_bytes` sum to the total.
- `dtype` is the activations' (float32, bfloat16, float16); BatchNorm's statistics are float32
  and indices int64 whatever it is. Autocast (mixed precision) is not modelled exactly here.
- The transient of one layer's backward: the gradient of its output plus the gradients of its
  inputs that need one (and a layer's scratch, attention's scores' gradient), all alive while it
  runs; `transient_bytes` is the largest over the layers. An estimate: the allocator's caching
  and rounding, kernels' workspaces and gradients accumulated across branches are not counted.
"""

from __future__ import annotations

from collections.abc import Sequence

from cnncalc.engine import DTYPE_BYTES, FLOPS_PER_MAC, INPUT, LayerReport, Report
from cnncalc.errors import CnnCalcError
from cnncalc.layers import (
    BATCHED,
    FULL,
    IN,
    OUT,
    REDUCED,
    SINGLE,
    Layer,
    Merge,
    Saved,
    Strides,
    dense_strides,
    prod,
    view_strides,
)
from cnncalc.records import frozen

#: the activation dtypes training is counted for
TRAIN_DTYPES = ("float32", "bfloat16", "float16")


@frozen
class LayerTrain:
    """One layer's training numbers, batch included. `needs_grad`: its output needs a gradient
    (it is in the autograd graph). `saved_bytes`: the storages it is the first to keep."""

    name: str
    backward_macs: int
    backward_flops: int
    saved_bytes: int
    needs_grad: bool = False
    transient_bytes: int = 0


@frozen
class Training:
    """A network's training numbers at `batch` and `dtype` (module docstring)."""

    layers: tuple[LayerTrain, ...]
    backward_macs: int
    backward_flops: int
    saved_bytes: int
    transient_bytes: int
    batch: int
    dtype: str


def _saves(row: LayerReport, grads: Sequence[bool], trainable: bool) -> tuple[Saved, ...]:
    layer = row.node.layer
    if isinstance(layer, Merge):
        return layer.saves_many(row.in_shapes, grads)
    return layer.saves(row.in_shape, grads[0], trainable)


def _backward_macs(row: LayerReport, grads: Sequence[bool], trainable: bool) -> int:
    layer = row.node.layer
    if isinstance(layer, Merge):
        return layer.backward_macs_many(row.in_shapes, grads)
    return layer.backward_macs(row.in_shape, grads[0], trainable)


def _view(row: LayerReport, batch: int, strides: Strides) -> tuple[bool, Strides]:
    layer = row.node.layer
    if isinstance(layer, Layer):
        return layer.view(row.in_shape, batch, strides)
    return False, dense_strides((batch, *row.out_shape))


def _copied(row: LayerReport, batch: int, strides: Strides) -> bool:
    """Whether a linear reads a copy of its input: over more than one axis it folds the
    leading axes (batch included) into one with a reshape, a copy where no view has that
    shape (after a `permute` or `transpose`, at a batch above 1 or with axes between)."""
    layer, x = row.node.layer, row.in_shape
    if not (isinstance(layer, Layer) and layer.flattens_input and len(x) > 1):
        return False
    return view_strides((batch, *x), strides, (batch * prod(x[:-1]), x[-1])) is None


def training(report: Report, *, batch: int | None = None, dtype: str | None = None) -> Training:
    """The training numbers of `report`'s network at `batch` and `dtype` (the report's when
    not given)."""
    net = report.network
    batch = net.batch if batch is None else batch
    dtype = net.dtype if dtype is None else dtype
    if dtype not in TRAIN_DTYPES:
        raise CnnCalcError("E1001", net.input_pos, dtype=dtype, dtypes=", ".join(TRAIN_DTYPES))
    elem = DTYPE_BYTES[dtype]
    needs: dict[str, bool] = {INPUT: False}
    root: dict[str, str] = {INPUT: INPUT}  # tensor -> the tensor whose storage it lives in
    size: dict[str, int] = {INPUT: prod(net.input_shape) * elem * batch}
    strides: dict[str, Strides] = {INPUT: dense_strides((batch, *net.input_shape))}
    kept: set[str] = set()
    #: the conditions (`Saved.when`) this batch and dtype rule out
    skip = {SINGLE if batch > 1 else BATCHED, REDUCED if dtype == "float32" else FULL}
    rows: list[LayerTrain] = []
    total_macs = total_saved = transient = 0
    for row in report.layers:
        inputs = row.inputs
        grads = [needs[i] for i in inputs]
        trainable = row.params > 0 and not row.frozen
        shares, strides[row.name] = _view(row, batch, strides[inputs[0]])
        root[row.name] = root[inputs[0]] if shares else row.name
        out_bytes = prod(row.out_shape) * elem * batch
        if not shares:
            size[row.name] = out_bytes
        needed = trainable or any(grads)
        needs[row.name] = needed
        if not needed:
            rows.append(LayerTrain(row.name, 0, 0, 0))
            continue
        saved = 0
        layer = row.node.layer
        copied = _copied(row, batch, strides[inputs[0]])  # and the copy is what is kept
        tags: set[str] = set()
        for s in _saves(row, grads, trainable):
            if s.when in skip or s.tag in tags:
                continue
            if s.tag:
                tags.add(s.tag)
            if s.what == IN and copied:
                saved += prod(row.in_shape) * elem * batch
            elif s.what in (IN, OUT):
                tensor = root[inputs[s.index] if s.what == IN else row.name]
                if tensor not in kept:
                    kept.add(tensor)
                    saved += size[tensor]
            else:
                saved += s.elements * (s.itemsize or elem) * (batch if s.per_sample else 1)
        macs = _backward_macs(row, grads, trainable) * batch
        scratch = 0 if isinstance(layer, Merge) else layer.scratch(row.in_shape) * elem * batch
        ins = sum(prod(x) for x, g in zip(row.in_shapes, grads) if g) * elem * batch
        here = out_bytes + ins + scratch
        transient = max(transient, here)
        total_macs += macs
        total_saved += saved
        rows.append(LayerTrain(row.name, macs, FLOPS_PER_MAC * macs, saved, True, here))
    return Training(
        layers=tuple(rows),
        backward_macs=total_macs,
        backward_flops=FLOPS_PER_MAC * total_macs,
        saved_bytes=total_saved,
        transient_bytes=transient,
        batch=batch,
        dtype=dtype,
    )
