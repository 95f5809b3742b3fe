"""The memory of one training step, by component: a report, an optimizer and a precision in,
exact byte counts out. Pure: no I/O, no state.

What each component holds, as PyTorch 2.13 keeps it (docs/training.md, "Training memory"):

- **parameters**: every parameter (frozen ones too) in the compute dtype;
- **buffers**: BatchNorm's (and a tracking InstanceNorm's) running mean and variance in the
  compute dtype plus its int64 `num_batches_tracked`; Swin's int64 relative-position index;
- **gradients**: one `.grad` per trainable parameter, in the compute dtype;
- **master weights**: under mixed precision, a float32 copy of every trainable parameter, which
  the optimizer updates (the compute copy is refreshed from it);
- **optimizer state**: what `optimizer.state` holds after one `step()` — nothing for plain SGD,
  a momentum buffer per trainable parameter for SGD with momentum, `exp_avg` and `exp_avg_sq`
  for Adam and AdamW (in the parameters' dtype: float32 under mixed precision) and, per
  parameter tensor, a 0-d float32 `step`;
- **activations**: the bytes autograd saves for backward, batch included (`analysis.train`);
- **transient**: the largest short-lived tensors of the backward pass (`analysis.train`).

The sum is the estimate of the step's peak. Not modelled: the allocator's rounding and caching,
cuDNN/cuBLAS workspaces, the framework's own context (CUDA's is some hundreds of MiB), the
input batch and the loss, and any float32 gradient copy a mixed-precision trainer keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from cnncalc.analysis.train import TRAIN_DTYPES, training
from cnncalc.engine import DTYPE_BYTES, LayerReport, Report
from cnncalc.errors import CnnCalcError
from cnncalc.layers import (
    BatchNorm,
    Conv,
    ConvTranspose,
    InstanceNorm,
    LayerNorm,
    LayerNormLast,
    Linear,
    Merge,
    MultiheadAttention,
    Norm,
    WindowAttention,
)
from cnncalc.messages.numbers import count_text
from cnncalc.quantities import format_quantity

#: optimizer -> state tensors of a parameter's size it keeps per trainable parameter
OPTIMIZERS: Mapping[str, int] = MappingProxyType({"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2})
#: the optimizers that keep a 0-d `step` tensor per parameter (float32: `_get_scalar_dtype()`)
STEP_OPTIMIZERS = frozenset({"adam", "adamw"})
STEP_BYTES = 4
#: the dtype of master weights and of the optimizer state under mixed precision
MASTER_DTYPE = "float32"
#: the int64 of `num_batches_tracked` and of index buffers
INDEX_BYTES = 8
DEFAULT_OPTIMIZER = "adamw"

#: `--dtype` spellings of mixed precision -> the compute dtype
MIXED: Mapping[str, str] = MappingProxyType({"mixed-bf16": "bfloat16", "mixed-fp16": "float16"})
#: the short names training code often uses
ALIASES: Mapping[str, str] = MappingProxyType(
    {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}
)

COMPONENTS = (
    "parameters",
    "buffers",
    "gradients",
    "master_weights",
    "optimizer_state",
    "activations",
    "transient",
)


@dataclass(frozen=True)
class Precision:
    """The compute dtype (parameters, gradients, activations) and whether a float32 master copy
    of the trainable parameters and float32 optimizer state go with it (mixed precision)."""

    compute: str = "float32"
    mixed: bool = False

    @property
    def name(self) -> str:
        """As `--dtype` spells it: `float32`, `bfloat16`, `mixed-bf16`."""
        if not self.mixed:
            return self.compute
        return next(k for k, v in MIXED.items() if v == self.compute)

    @property
    def state_dtype(self) -> str:
        return MASTER_DTYPE if self.mixed else self.compute


def precision(text: str) -> Precision:
    """`--dtype` for training: a plain dtype, or `mixed-bf16` / `mixed-fp16`."""
    text = ALIASES.get(text, text)
    if text in MIXED:
        return Precision(MIXED[text], True)
    if text in TRAIN_DTYPES:
        return Precision(text)
    raise CnnCalcError("E1031", dtype=text, dtypes=", ".join((*TRAIN_DTYPES, *MIXED)))


@dataclass(frozen=True)
class Setup:
    """How a network is trained: the optimizer and the precision."""

    optimizer: str = DEFAULT_OPTIMIZER
    precision: Precision = Precision()

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise CnnCalcError("E1032", name=self.optimizer, options=", ".join(OPTIMIZERS))


# --- what each layer holds ----------------------------------------------------------------------


def _bias(flag: bool) -> int:
    return 1 if flag else 0


def param_tensors(row: LayerReport) -> int:
    """How many parameter tensors the layer has (`len(list(module.parameters()))`): a norm's
    weight and bias are two, a conv without bias one; a kind with one learnable tensor (PReLU,
    a layer scale, a class token) one."""
    m = row.node.layer
    if isinstance(m, Merge) or row.params == 0:
        return 0
    if isinstance(m, (Conv, ConvTranspose, Linear)):
        return 1 + _bias(m.bias)
    if isinstance(m, (LayerNorm, LayerNormLast)):
        return 1 + _bias(m.bias)  # affine (params > 0): the weight, and the bias if any
    if isinstance(m, Norm):  # batch, group and instance norm: weight and bias
        return 2
    if isinstance(m, MultiheadAttention):  # in_proj_weight, out_proj.weight, biases, bias_k/v
        return 2 + 2 * _bias(m.bias) + 2 * _bias(m.add_bias_kv)
    if isinstance(m, WindowAttention):  # qkv and proj weights, biases, the bias table
        return 3 + _bias(m.qkv_bias) + _bias(m.proj_bias)
    return 1


def buffer_bytes(row: LayerReport, elem: int) -> int:
    """The bytes of the layer's buffers (module state that is not a parameter), with floating
    buffers in a dtype of `elem` bytes."""
    layer = row.node.layer
    if isinstance(layer, (BatchNorm, InstanceNorm)) and layer.track_running_stats:
        return 2 * row.in_shape[0] * elem + INDEX_BYTES  # running mean, var, num_batches_tracked
    if isinstance(layer, WindowAttention):  # relative_position_index: int64, w²·w²
        return layer.window_size**4 * INDEX_BYTES
    return 0


# --- the weights' part (independent of the batch) ------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """The batch-independent components, in bytes."""

    parameters: int
    buffers: int
    gradients: int
    master_weights: int
    optimizer_state: int
    #: the optimizer state's parts: moment buffers (momentum, exp_avg, exp_avg_sq) and `step`s
    moment_bytes: int
    step_bytes: int
    trainable_params: int
    trainable_tensors: int

    @property
    def total(self) -> int:
        return (
            self.parameters
            + self.buffers
            + self.gradients
            + self.master_weights
            + self.optimizer_state
        )


def weights(report: Report, setup: Setup) -> Weights:
    """Parameters, buffers, gradients, master weights and optimizer state of `report`'s network
    trained as `setup` says."""
    prec = setup.precision
    elem = DTYPE_BYTES[prec.compute]
    state_elem = DTYPE_BYTES[prec.state_dtype]
    rows = report.layers
    trainable = report.totals.trainable_params
    tensors = sum(param_tensors(r) for r in rows if not r.node.frozen)
    moments = OPTIMIZERS[setup.optimizer] * trainable * state_elem
    steps = tensors * STEP_BYTES if setup.optimizer in STEP_OPTIMIZERS else 0
    return Weights(
        parameters=report.totals.params * elem,
        buffers=sum(buffer_bytes(r, elem) for r in rows),
        gradients=trainable * elem,
        master_weights=trainable * DTYPE_BYTES[MASTER_DTYPE] if prec.mixed else 0,
        optimizer_state=moments + steps,
        moment_bytes=moments,
        step_bytes=steps,
        trainable_params=trainable,
        trainable_tensors=tensors,
    )


# --- the whole step -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainMemory:
    """Every component of one training step at one batch, in bytes; `total` is their sum, the
    estimate of the step's peak."""

    setup: Setup
    batch: int
    weights: Weights
    activations: int
    transient: int

    @property
    def total(self) -> int:
        return self.weights.total + self.activations + self.transient

    def components(self) -> tuple[tuple[str, int], ...]:
        """(name, bytes) of each component, in the order of `COMPONENTS`."""
        w = self.weights
        values = (w.parameters, w.buffers, w.gradients, w.master_weights, w.optimizer_state)
        return tuple(zip(COMPONENTS, (*values, self.activations, self.transient)))

    def to_dict(self) -> dict[str, object]:
        """The JSON form: the setup, each component and the total."""
        return {
            "optimizer": self.setup.optimizer,
            "dtype": self.setup.precision.name,
            "batch": self.batch,
            **dict(self.components()),
            "total": self.total,
        }


def train_memory(
    report: Report, setup: Setup, saved: int, transient: int, batch: int
) -> TrainMemory:
    """The memory of a step at `batch`, given what autograd saves (`saved`) and the backward
    pass's largest transient at that batch (both from `analysis.train`)."""
    return TrainMemory(setup, batch, weights(report, setup), saved, transient)


# --- the largest batch that fits --------------------------------------------------------------

#: the largest batch `fit` considers (PyTorch's sizes are int64)
MAX_BATCH = 2**63 - 1


def memory_at(report: Report, setup: Setup, batch: int, w: Weights | None = None) -> TrainMemory:
    """Every component of a step at `batch` (`analysis.train` counts the activations)."""
    t = training(report, batch=batch, dtype=setup.precision.compute)
    return TrainMemory(setup, batch, w or weights(report, setup), t.saved_bytes, t.transient_bytes)


@dataclass(frozen=True)
class Fit:
    """The largest batch whose step fits in `limit` bytes: `best` at that batch, `over` at the
    next one (None when every batch up to `MAX_BATCH` fits). The memory is a line in the batch,
    `fixed + per_sample × b` (the weights' part and the batch-independent statistics, plus what
    each sample adds), through the memory counted at b and b + 1."""

    limit: int
    best: TrainMemory
    over: TrainMemory | None
    fixed: int
    per_sample: int

    @property
    def batch(self) -> int:
        return self.best.batch

    def at(self, batch: int) -> int:
        """The line's bytes at `batch`."""
        return self.fixed + self.per_sample * batch


def fit(report: Report, setup: Setup, limit: int) -> Fit:
    """The largest batch whose training step (`TrainMemory.total`) is at most `limit` bytes.

    Every component is independent of the batch (the weights' part, BatchNorm's per-channel
    statistics) or proportional to it, so the memory is nearly a line in the batch (a few
    layers keep a view instead of a copy at batch 1 only). The batch comes from the line through
    two countings in closed form, and is checked against the memory counted at b and b + 1; a
    miss draws the line again through the count nearer the answer (a secant step), and after a
    few a bisection over the counted memory decides. An error when batch 1 does not fit."""
    w = weights(report, setup)

    def count(batch: int) -> TrainMemory:
        return memory_at(report, setup, batch, w)

    one = count(1)
    if one.total > limit:
        raise CnnCalcError(
            "E1033",
            need=format_quantity(one.total, "bytes"),
            need_b=count_text(one.total),
            limit=format_quantity(limit, "bytes"),
            limit_b=count_text(limit),
            weights=format_quantity(w.total, "bytes"),
            weights_b=count_text(w.total),
            optimizer=setup.optimizer,
            dtype=setup.precision.name,
        )
    a, b = one, count(2)
    for _ in range(_SECANT_STEPS):
        if b.total > limit and b.batch == a.batch + 1:
            return _fit(limit, a, b)
        rise, run = b.total - a.total, b.batch - a.batch
        if rise <= 0:  # nothing grows with the batch (every layer frozen): any batch fits
            return Fit(limit, count(MAX_BATCH), None, a.total, 0)
        guess = min(MAX_BATCH, max(1, a.batch + (limit - a.total) * run // rise))
        best = count(guess)
        if best.total <= limit:
            if guess == MAX_BATCH:
                return Fit(limit, best, None, best.total - rise // run * guess, rise // run)
            over = count(guess + 1)
            if over.total > limit:
                return _fit(limit, best, over)
        a, b = (b, best) if best.batch > b.batch else (best, b)
    return _bisect(
        count, limit, one
    )  # pragma: no cover - the secant steps found it on every example


#: line redrawings before `fit` bisects
_SECANT_STEPS = 4


def _fit(limit: int, best: TrainMemory, over: TrainMemory) -> Fit:
    """The answer, with the line through the counts at b and b + 1."""
    slope = over.total - best.total
    return Fit(limit, best, over, best.total - slope * best.batch, slope)


def _bisect(
    count: Callable[[int], TrainMemory], limit: int, lo: TrainMemory
) -> Fit:  # pragma: no cover - `fit`'s safety net
    """The largest fitting batch by doubling then halving over the counted memory (monotone in
    the batch): at most about 126 countings."""
    hi = lo.batch * 2
    while True:
        m = count(min(hi, MAX_BATCH))
        if m.total > limit:
            break
        if hi >= MAX_BATCH:
            return Fit(limit, m, None, m.total, 0)
        lo, hi = m, hi * 2
    high = m
    while high.batch - lo.batch > 1:
        mid = count((lo.batch + high.batch) // 2)
        lo, high = (mid, high) if mid.total <= limit else (lo, mid)
    return _fit(limit, lo, high)
