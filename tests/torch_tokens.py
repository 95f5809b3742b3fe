"""Torch builders for the channels-last, token and attention kinds (see tests/torch_build.py,
which registers them). Axis numbers are passed to torch as the YAML wrote them: torch, not this
file, decides what they mean."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from cnncalc import layers as L

Shape = tuple[int, ...]


class Permute(nn.Module):
    def __init__(self, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.dims = dims

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(*self.dims)


class Transpose(nn.Module):
    def __init__(self, a: int, b: int) -> None:
        super().__init__()
        self.a, self.b = a, b

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.transpose(self.a, self.b)


class Reshape(nn.Module):
    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)


class Select(nn.Module):
    def __init__(self, dim: int, index: int) -> None:
        super().__init__()
        self.dim, self.index = dim, index

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.select(self.dim, self.index)


class LayerScale(nn.Module):
    """ConvNeXt's `layer_scale * x`: γ of shape (C, 1, 1) on a C×H×W tensor."""

    def __init__(self, x: Shape, axis: int, init: float) -> None:
        super().__init__()
        shape = [1] * len(x)
        shape[axis] = x[axis]
        self.layer_scale = nn.Parameter(torch.full(shape, init))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer_scale * x


class ClassToken(nn.Module):
    """ViT's `torch.cat([class_token.expand(n, -1, -1), x], dim=1)`."""

    def __init__(self, x: Shape, axis: int, num: int) -> None:
        super().__init__()
        shape = list(x)
        shape[axis] = num
        self.axis = axis + 1
        self.class_token = nn.Parameter(torch.zeros(1, *shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        token = self.class_token.expand(x.shape[0], *self.class_token.shape[1:])
        return torch.cat([token, x], dim=self.axis)


class PosEmbedding(nn.Module):
    def __init__(self, x: Shape) -> None:
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.zeros(1, *x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.pos_embedding


class SelfAttention(nn.Module):
    """`attn(x, x, x, need_weights=False)`, as torchvision's encoder blocks call it."""

    def __init__(self, layer: L.MultiheadAttention, x: Shape) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(
            x[-1],
            layer.num_heads,
            dropout=layer.dropout,
            bias=layer.bias,
            add_bias_kv=layer.add_bias_kv,
            add_zero_attn=layer.add_zero_attn,
            batch_first=True,
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.attn(x, x, x, need_weights=False)[0]  # type: ignore[no-any-return]


class MatmulMerge(nn.Module):
    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.matmul(a, b)


def _axis(dim: int, x: Shape) -> int:
    a = L.kinds_tokens.batched_axis(dim, len(x))
    assert a is not None
    return a


def _pixel(layer: L.PixelShuffle, x: Shape) -> nn.Module:
    if layer.inverse:
        return nn.PixelUnshuffle(layer.factor)
    return nn.PixelShuffle(layer.factor)


TOKEN_BUILDERS: dict[type[L.Layer], Callable[[Any, Shape], nn.Module]] = {
    L.Permute: lambda m, x: Permute(m.dims),
    L.Transpose: lambda m, x: Transpose(m.dim0, m.dim1),
    L.Reshape: lambda m, x: Reshape(m.shape),
    L.Unflatten: lambda m, x: nn.Unflatten(m.dim, m.sizes),
    L.Select: lambda m, x: Select(m.dim, m.index),
    L.LayerNormLast: lambda m, x: nn.LayerNorm(
        x[-1], eps=m.eps, elementwise_affine=m.affine, bias=m.bias
    ),
    L.LayerScale: lambda m, x: LayerScale(x, _axis(m.dim, x), m.init),
    L.ClassToken: lambda m, x: ClassToken(x, _axis(m.dim, x), m.num_tokens),
    L.PosEmbedding: lambda m, x: PosEmbedding(x),
    L.PixelShuffle: _pixel,
    L.MultiheadAttention: SelfAttention,
}
TOKEN_MERGES: dict[type[L.Merge], type[nn.Module]] = {L.Matmul: MatmulMerge}


class Roll(nn.Module):
    def __init__(self, shifts: tuple[int, ...], dims: tuple[int, ...]) -> None:
        super().__init__()
        self.shifts, self.dims = shifts, dims

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.roll(x, self.shifts, self.dims)


class SpaceToDepth(nn.Module):
    """torchvision's `_patch_merging_pad` for any block size: pad to whole blocks, then the
    r×r offsets concatenated on the channels, the row offset fastest."""

    def __init__(self, r: int) -> None:
        super().__init__()
        self.r = r

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        r = self.r
        h, w = x.shape[-3:-1]
        x = torch.nn.functional.pad(x, (0, 0, 0, (-w) % r, 0, (-h) % r))
        parts = [x[..., i::r, j::r, :] for j in range(r) for i in range(r)]
        return torch.cat(parts, -1)


def _window_attention(layer: L.WindowAttention, x: Shape) -> nn.Module:
    """torchvision's own `ShiftedWindowAttention` (its Python class only)."""
    import sys
    import types

    sys.modules.setdefault(
        "torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations")
    )
    from torchvision.models.swin_transformer import ShiftedWindowAttention

    w, s = layer.window_size, layer.shift_size
    return ShiftedWindowAttention(
        x[-1],
        [w, w],
        [s, s],
        layer.num_heads,
        qkv_bias=layer.qkv_bias,
        proj_bias=layer.proj_bias,
        attention_dropout=layer.attention_dropout,
        dropout=layer.dropout,
    )


TOKEN_BUILDERS.update(
    {
        L.Roll: lambda m, x: Roll(m.shifts, m.dims),
        L.SpaceToDepth: lambda m, x: SpaceToDepth(m.block_size),
        L.WindowAttention: _window_attention,
    }
)
