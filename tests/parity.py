"""PyTorch parity checks: analyse a `Network` with cnncalc, build it in torch, and assert that
every number cnncalc reports is the number torch measures.

`compare(net)` is the one entry point (reusable as `compare(cnncalc.load(path))`). It checks
total and per-layer parameter counts against `nn.Module.parameters()`, the trainable ones against
those with `requires_grad` once every frozen layer's module had `requires_grad_(False)`, every
node's per-sample output shape against the tensor torch produced, weight layouts against
`weight.shape`, and total and per-layer FLOPs against `torch.utils.flop_counter.FlopCounterMode`.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

from cnncalc.engine import Network, Report, analyze_network
from cnncalc.layers import MultiheadAttention
from tests.torch_build import TorchNet, build_torch, submodule_name

_WEIGHTED = (nn.modules.conv._ConvNd, nn.Linear)


class ParityError(AssertionError):
    """cnncalc and PyTorch disagree; the message names the layer and both numbers."""


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ParityError(message)


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def n_trainable(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def freeze(model: TorchNet, report: Report) -> None:
    """What `frozen: true` means in PyTorch: `requires_grad_(False)` on each frozen layer."""
    for row in report.layers:
        if row.frozen:
            model.submodule(row.name).requires_grad_(False)


def weight_shape(module: nn.Module) -> tuple[int, ...] | None:
    """The weight layout of the conv / linear module inside `module` (None if it has none);
    attention's is its `in_proj_weight`."""
    for sub in module.modules():
        if isinstance(sub, nn.MultiheadAttention):
            return tuple(sub.in_proj_weight.shape)
        if isinstance(sub, _WEIGHTED):
            return tuple(sub.weight.shape)
    return None


def run(
    model: nn.Module, net: Network, seed: int = 0
) -> tuple[dict[str, torch.Tensor], int, dict[str, int]]:
    """Run `model` in eval mode without grad on a random `(batch, *input_shape)` tensor; return
    the node outputs, total FLOPs and per-module FLOPs (keyed by FlopCounterMode's module path).

    With attention in the network autograd stays on and scaled-dot-product attention runs its
    math backend: under no_grad `nn.MultiheadAttention` takes a fused path that FlopCounterMode
    counts as 0, and with autograd on the CPU's fused attention kernel is still not counted
    (docs/counting.md, the oracle's blind spot); the math backend computes QKᵀ and AV as the
    matrix products they are, which FlopCounterMode counts."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn((net.batch, *net.input_shape), generator=gen)
    counter = FlopCounterMode(display=False)
    model.eval()
    attention = any(isinstance(n.layer, MultiheadAttention) for n in net.nodes)
    with torch.set_grad_enabled(attention), sdpa_kernel(SDPBackend.MATH), counter:
        outs = model(x)
    per_module = {path: sum(counts.values()) for path, counts in counter.get_flop_counts().items()}
    return outs, counter.get_total_flops(), per_module


def compare(net: Network) -> Report:
    """Assert that cnncalc's report on `net` matches PyTorch's measurements; return the report."""
    report = analyze_network(net)
    model: TorchNet = build_torch(net)
    freeze(model, report)
    outs, total_flops, per_module = run(model, net)
    root = type(model).__name__

    _check(
        report.totals.params == n_params(model),
        f"total params: cnncalc {report.totals.params}, torch {n_params(model)}",
    )
    totals = report.totals
    _check(
        totals.trainable_params == n_trainable(model)
        and totals.frozen_params == n_params(model) - n_trainable(model),
        f"trainable params: cnncalc {totals.trainable_params} (frozen {totals.frozen_params}), "
        f"torch {n_trainable(model)} of {n_params(model)}",
    )
    for row in report.layers:
        sub = model.submodule(row.name)
        what = f"{row.op} '{row.name}' (in {row.in_shapes}, layer {row.node.layer!r})"
        _check(
            row.params == n_params(sub),
            f"{what}: params cnncalc {row.params}, torch {n_params(sub)}",
        )
        _check(
            row.trainable_params == n_trainable(sub),
            f"{what}: trainable params cnncalc {row.trainable_params}, torch {n_trainable(sub)}",
        )
        got = tuple(outs[row.name].shape)
        _check(
            got == (net.batch, *row.out_shape),
            f"{what}: output cnncalc {row.out_shape} (batch {net.batch}), torch {got}",
        )
        weight = weight_shape(sub)
        _check(
            row.kernel_shape == weight,
            f"{what}: kernel shape cnncalc {row.kernel_shape}, torch weight {weight}",
        )
        flops = per_module.get(f"{root}.{submodule_name(row.name)}", 0)
        _check(
            row.flops == flops,
            f"{what}: FLOPs cnncalc {row.flops}, torch FlopCounterMode {flops}",
        )
    _check(
        report.totals.flops == total_flops,
        f"total FLOPs: cnncalc {report.totals.flops}, torch FlopCounterMode {total_flops}",
    )
    return report
