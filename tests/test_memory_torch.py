"""Training memory against PyTorch: after one forward, `loss.backward()` and `optimizer.step()`
in torch 2.13, the bytes of the parameters, buffers, `.grad`s, master copies and every tensor in
`optimizer.state` equal `analysis.memory`'s components, for each optimizer and precision, with
and without frozen parts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

import sys  # noqa: E402
import types  # noqa: E402

sys.modules.setdefault(
    "torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations")
)

import cnncalc  # noqa: E402
from cnncalc.analysis.memory import OPTIMIZERS, Precision, Setup, weights  # noqa: E402
from cnncalc.engine import Network, Report, analyze_network  # noqa: E402
from tests.parity import freeze  # noqa: E402
from tests.torch_build import build_torch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}

FROZEN_NET = """
name: partly_frozen
input: 3x16x16
defaults: {conv: {kernel: 3, padding: 1}}
layers:
  - conv: 8
    frozen: true
  - bn
    # a frozen block: conv without bias and its norm
  - residual:
      body: [{conv: {out: 8, bias: false}}, bn, relu]
    frozen: true
  - {conv: {out: 16, stride: 2, bias: false}}
  - bn
  - prelu
  - gap
  - flatten
  - fc: 10
"""


def _make(name: str, params: list[torch.nn.Parameter]) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD(params, lr=0.1)
    if name == "momentum":
        return torch.optim.SGD(params, lr=0.1, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(params)
    return torch.optim.AdamW(params)


def _nbytes(tensors: Iterator[torch.Tensor]) -> int:
    return sum(t.numel() * t.element_size() for t in tensors)


def _state_bytes(opt: torch.optim.Optimizer) -> int:
    return _nbytes(v for st in opt.state.values() for v in st.values() if torch.is_tensor(v))


def step_in_torch(
    net: Network, optimizer: str, prec: Precision, real: bool = True
) -> dict[str, int]:
    """One training step in torch; the bytes of each component as torch holds them. `real`:
    gradients from a real backward (else each trainable parameter gets a zero `.grad`)."""
    report = analyze_network(net)
    torch.manual_seed(0)
    model = build_torch(net)
    freeze(model, report)
    model.to(DTYPES[prec.compute]).train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    if prec.mixed:  # the optimizer updates float32 master copies
        masters = [torch.nn.Parameter(p.detach().float()) for p in trainable]
        opt = _make(optimizer, masters)
    else:
        masters = []
        opt = _make(optimizer, list(model.parameters()))  # frozen ones take no state
    if real:
        x = torch.randn((net.batch, *net.input_shape), dtype=DTYPES[prec.compute])
        outs = model(x)
        last = report.layers[-1].name
        outs[last].float().sum().backward()
    else:
        for p in trainable:
            p.grad = torch.zeros_like(p)
    grads = _nbytes(p.grad for p in model.parameters() if p.grad is not None)
    for m, p in zip(masters, trainable):
        m.grad = p.grad.float()
    opt.step()
    return {
        "parameters": _nbytes(model.parameters()),
        "buffers": _nbytes(model.buffers()),
        "gradients": grads,
        "master_weights": _nbytes(iter(masters)),
        "optimizer_state": _state_bytes(opt),
        "trainable_tensors": sum(1 for p in model.parameters() if p.requires_grad),
    }


def ours(report: Report, optimizer: str, prec: Precision) -> dict[str, int]:
    w = weights(report, Setup(optimizer, prec))
    return {
        "parameters": w.parameters,
        "buffers": w.buffers,
        "gradients": w.gradients,
        "master_weights": w.master_weights,
        "optimizer_state": w.optimizer_state,
        "trainable_tensors": w.trainable_tensors,
    }


PRECISIONS = [
    Precision("float32"),
    Precision("bfloat16"),
    Precision("float16"),
    Precision("bfloat16", True),
    Precision("float16", True),
]


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("prec", PRECISIONS, ids=lambda p: p.name)
@pytest.mark.parametrize("batch", [1, 4])
def test_frozen_net_real_step(optimizer: str, prec: Precision, batch: int) -> None:
    net = cnncalc.load(FROZEN_NET + f"batch: {batch}\n")
    report = analyze_network(net)
    assert 0 < report.totals.frozen_params < report.totals.params
    if prec.compute == "float16":  # CPU float16 convs: the weights' part needs no forward
        got = step_in_torch(net, optimizer, prec, real=False)
    else:
        got = step_in_torch(net, optimizer, prec)
    assert ours(report, optimizer, prec) == got


def test_formula_adamw_mixed() -> None:
    """The components written out for the frozen net under AdamW and mixed bf16."""
    report = cnncalc.analyze(FROZEN_NET)
    t, p = report.totals, Precision("bfloat16", True)
    w = weights(report, Setup("adamw", p))
    assert w.parameters == 2 * t.params
    assert w.gradients == 2 * t.trainable_params
    assert w.master_weights == 4 * t.trainable_params
    # two float32 moments per trainable parameter, and a float32 `step` per trainable tensor:
    # the first bn (2), the stride-2 conv (1), its bn (2), prelu (1), fc (2)
    assert w.optimizer_state == 2 * 4 * t.trainable_params + 4 * (2 + 1 + 2 + 1 + 2)
    # three batch norms (the frozen one's too): running mean and var (bf16) and
    # num_batches_tracked (int64)
    assert w.buffers == (2 * 8 * 2 + 8) * 2 + (2 * 16 * 2 + 8)


EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_optimizer_state(name: str) -> None:
    """Every example, AdamW and momentum, float32: zero gradients stand in for a backward (the
    state an optimizer keeps does not depend on the gradients' values)."""
    net = cnncalc.load(ROOT / "examples" / f"{name}.yaml")
    report = analyze_network(net)
    for optimizer in ("adamw", "momentum"):
        got = step_in_torch(net, optimizer, Precision("float32"), real=False)
        assert ours(report, optimizer, Precision("float32")) == got, optimizer
