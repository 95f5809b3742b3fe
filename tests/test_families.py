"""The four families of the modern building blocks, each written from docs/format.md alone as a
newcomer would (no example file copied): a ConvNeXt block, a ShuffleNetV2 unit pair, a ViT encoder
layer and a Swin block with patch merging. Each must equal the same block built in PyTorch from
torchvision's own classes (params, output shape, FLOPs measured by FlopCounterMode with autograd
on and attention on its math backend: docs/counting.md), and every layer must equal the network
cnncalc describes when it is built in torch (tests/parity.py)."""

from __future__ import annotations

import sys
import types
import warnings
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

import cnncalc  # noqa: E402
from tests.parity import compare  # noqa: E402

CONVNEXT = """
input: 32x14x14
layers:
  - residual:
      body:
        - dwconv: {k: 7, p: 3}
        - permute: [0, 2, 3, 1]
        - layernorm: {eps: 1e-6}
        - linear: 128
        - gelu
        - linear: 32
        - permute: [0, 3, 1, 2]
        - layer_scale: {init: 1e-6}
        - stochastic_depth: {p: 0.1, mode: row}
      shortcut: identity
"""

SHUFFLENET = """
input: 24x28x28
defaults:
  conv: {bias: false}
blocks:
  unit:
    params: {out: required, s: 1}
    layers:
      - chunk: 2
        name: x
        if: ${s == 1}
      - dwconv: {k: 3, s: $s, p: 1}
        from: x.0
        if: ${s > 1}
      - bn:
        if: ${s > 1}
      - conv: {out: "${out // 2}", k: 1}
        if: ${s > 1}
      - bn:
        if: ${s > 1}
      - relu:
        name: branch1
        if: ${s > 1}
      - conv: {out: "${out // 2}", k: 1}
        from: x.1
      - bn
      - relu
      - dwconv: {k: 3, s: $s, p: 1}
      - bn
      - conv: {out: "${out // 2}", k: 1}
      - bn
      - relu:
        name: branch2
      - concat: [branch1, branch2]
      - channel_shuffle: 2
layers:
  - unit: {out: 116, s: 2}
  - unit: {out: 116}
"""

VIT = """
input: 64x50                         # E×L: shapes are channels first, the features are the channels
layers:
  - transpose: {dim0: 1, dim1: 2}    # 50×64: tokens × features
  - residual:
      body:
        - layernorm: {eps: 1e-6}
          name: ln_1
        - attention: {heads: 4}
          name: self_attention
        - dropout: 0.0
      shortcut: identity
  - residual:
      body:
        - layernorm: {eps: 1e-6}
          name: ln_2
        - linear: 128
        - gelu
        - dropout: 0.0
        - linear: 64
        - dropout: 0.0
      shortcut: identity
"""

SWIN = """
input: 32x14x14
layers:
  - permute: [0, 2, 3, 1]
  - residual:
      body:
        - layernorm
        - window_attention: {heads: 2, window: 7, shift: 3}
        - stochastic_depth: 0.1
      shortcut: identity
  - residual:
      body:
        - layernorm
        - linear: 128
        - gelu
        - dropout: 0.0
        - linear: 32
        - dropout: 0.0
        - stochastic_depth: 0.1
      shortcut: identity
  - space_to_depth: 2                # patch merging: 7×7×128
  - layernorm
  - linear: {out: 64, bias: false}
"""


def _tv() -> Any:
    """torchvision's Python model classes (its compiled ops do not load against the CPU torch;
    tests/test_torchvision.py)."""
    sys.modules.setdefault(
        "torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("torchvision")


class _Transpose(nn.Module):
    def forward(self, x: Any) -> Any:
        return x.transpose(1, 2)


def _convnext() -> nn.Module:
    return _tv().models.convnext.CNBlock(32, layer_scale=1e-6, stochastic_depth_prob=0.1)


def _shufflenet() -> nn.Module:
    unit = _tv().models.shufflenetv2.InvertedResidual
    return nn.Sequential(unit(24, 116, 2), unit(116, 116, 1))


def _vit() -> nn.Module:
    block = _tv().models.vision_transformer.EncoderBlock(4, 64, 128, 0.0, 0.0)
    return nn.Sequential(_Transpose(), block)


def _swin() -> nn.Module:
    tv = _tv()
    swin = tv.models.swin_transformer
    block = swin.SwinTransformerBlock(32, 2, [7, 7], [3, 3], stochastic_depth_prob=0.1)
    return nn.Sequential(tv.ops.misc.Permute([0, 2, 3, 1]), block, swin.PatchMerging(32))


FAMILIES = {
    "convnext": (CONVNEXT, _convnext),
    "shufflenet": (SHUFFLENET, _shufflenet),
    "vit": (VIT, _vit),
    "swin": (SWIN, _swin),
}


def _measure(model: nn.Module, shape: tuple[int, ...]) -> tuple[int, int, tuple[int, ...]]:
    """torch's params, FLOPs (autograd on, math attention) and per-sample output shape."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    model.eval()
    counter = FlopCounterMode(display=False)
    with sdpa_kernel(SDPBackend.MATH), counter:
        out = model(torch.zeros(1, *shape))
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops(), out.shape[1:]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_equals_torchvisions_block(family: str) -> None:
    text, build = FAMILIES[family]
    report = cnncalc.analyze(text)
    params, flops, shape = _measure(build(), report.network.input_shape)
    assert report.totals.params == params
    assert report.totals.flops == flops
    assert report.output_shape == tuple(shape)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_layers_equal_torch(family: str) -> None:
    compare(cnncalc.load(FAMILIES[family][0]))


def test_the_families_numbers() -> None:
    """The figures, by the formulas of docs/counting.md, so that a change in either side shows.
    ConvNeXt at C = 32 on 14×14: dwconv 32·49 + 32, LN 64, Linears 32·128 + 128 and 128·32 + 32,
    γ 32; ViT on L = 50, E = 64, h = 4: 4E² + 4E, two LNs, the MLP 64→128→64, MACs
    4·L·E² + 2·L²·E + 2·L·E·128; Swin on 14×14×32, w = 7, 2 heads: 4C² + 4C + 13²·2."""
    convnext = cnncalc.analyze(CONVNEXT).totals
    assert convnext.params == (32 * 49 + 32) + 64 + (32 * 128 + 128) + (128 * 32 + 32) + 32
    vit = cnncalc.analyze(VIT).totals
    assert vit.params == (4 * 64**2 + 4 * 64) + 2 * 128 + (64 * 128 + 128) + (128 * 64 + 64)
    assert vit.macs == 4 * 50 * 64**2 + 2 * 50**2 * 64 + 2 * 50 * 64 * 128
    swin = cnncalc.analyze(SWIN)
    attn = next(r for r in swin.layers if r.op == "window_attention")
    assert attn.params == 4 * 32**2 + 4 * 32 + 13**2 * 2
    assert attn.macs == 4 * 14 * 14 * 32**2 + 2 * 14 * 14 * 7**2 * 32
    assert swin.output_shape == (7, 7, 64)
