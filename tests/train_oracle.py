"""The training oracle: run a cnncalc `Network` built in torch through one forward and
`loss.backward()`, and measure what autograd saved and what FlopCounterMode counted backward.

Saved activations are measured with `torch.autograd.graph.saved_tensors_hooks`: every tensor
autograd packs is attributed to the node whose module was running when it was packed (the first
such node for a storage saved twice), by its untyped storage (data pointer), at the storage's
size in bytes; storages of parameters and buffers (module state, alive anyway) are excluded.
The loss is the sum of the network's outputs (a sum saves nothing). Attention runs its math
backend, as the forward parity does (docs/counting.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

from cnncalc.engine import Network, Report, analyze_network
from tests.parity import freeze
from tests.torch_build import TorchNet, build_torch, submodule_name

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


@dataclass
class Measured:
    """What torch did: bytes saved per node (first saver of each storage), their sum, the
    backward FLOPs in total and per node."""

    saved: dict[str, int] = field(default_factory=dict)
    saved_total: int = 0
    backward_flops: int = 0
    backward_by_node: dict[str, int] = field(default_factory=dict)
    forward_flops: int = 0


class TorchCrash(Exception):
    """A network torch 2.13's CPU backward cannot run: it would end the process."""


def _refuse_crashing_group_norm(module: torch.nn.Module, args: tuple[torch.Tensor, ...]) -> None:
    """torch 2.13 on the CPU segfaults in the backward of a `GroupNorm` whose affine weight
    learns and whose input is a channels-last tensor that needs no gradient (after a frozen
    channels-first `ln`, which writes channels last): measured, not modelled, so refused."""
    (x,) = args
    weight = getattr(module, "weight", None)
    if (
        not x.requires_grad
        and weight is not None
        and weight.requires_grad
        and not x.is_contiguous()
        and x.dim() in (4, 5)
        and x.is_contiguous(
            memory_format=torch.channels_last if x.dim() == 4 else torch.channels_last_3d
        )
    ):
        raise TorchCrash("GroupNorm backward on a channels-last input without a gradient")


def _push(stack: list[str], name: str) -> None:
    stack.append(name)


def _pop(stack: list[str]) -> None:
    stack.pop()


def measure(net: Network, dtype: str = "float32", seed: int = 0) -> tuple[Report, Measured]:
    report = analyze_network(net)
    torch.manual_seed(seed)
    model: TorchNet = build_torch(net)
    freeze(model, report)
    model.to(DTYPES[dtype])
    model.train()
    state = {t.untyped_storage().data_ptr() for t in (*model.parameters(), *model.buffers())}
    names = {submodule_name(r.name): r.name for r in report.layers}
    running: list[str] = []
    hooks = []
    for module in model.modules():
        if isinstance(module, torch.nn.GroupNorm):
            hooks.append(module.register_forward_pre_hook(_refuse_crashing_group_norm))
    for sub, name in names.items():
        module = model.get_submodule(sub)
        hooks.append(module.register_forward_pre_hook(lambda m, a, n=name: _push(running, n)))
        hooks.append(module.register_forward_hook(lambda m, a, o: _pop(running)))
    seen: dict[int, str] = {}
    out = Measured()
    keep: list[torch.Tensor] = []

    def pack(t: torch.Tensor) -> torch.Tensor:
        storage = t.untyped_storage()
        ptr = storage.data_ptr()
        if ptr in state or ptr in seen or storage.nbytes() == 0:
            return t
        owner = running[-1] if running else ""
        seen[ptr] = owner
        out.saved[owner] = out.saved.get(owner, 0) + storage.nbytes()
        out.saved_total += storage.nbytes()
        keep.append(t)
        return t

    gen = torch.Generator().manual_seed(seed)
    x = torch.randn((net.batch, *net.input_shape), generator=gen).to(DTYPES[dtype])
    outputs = report.output_names
    counter = FlopCounterMode(display=False)
    with sdpa_kernel(SDPBackend.MATH), counter:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            values = model(x)
        for h in hooks:
            h.remove()
        forward = counter.get_flop_counts()
        out.forward_flops = counter.get_total_flops()
        loss = sum(values[o].float().sum() for o in outputs if o in values)
        if isinstance(loss, torch.Tensor) and loss.requires_grad:
            loss.backward()
    out.backward_flops = counter.get_total_flops() - out.forward_flops
    root = type(model).__name__
    for path, counts in counter.get_flop_counts().items():
        sub = path[len(root) + 1 :]
        if path.startswith(root + ".") and sub in names:
            before = sum(forward.get(path, {}).values())
            out.backward_by_node[names[sub]] = sum(counts.values()) - before
    return report, out
