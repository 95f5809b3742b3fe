"""Layer kinds: one frozen record per kind, each answering the same cost protocol.

Every method takes the per-sample input shape (channels first, no batch). The window arithmetic,
padding and receptive-field step live in `window`, the protocol in `protocol`, the kinds by
family in `kinds_*`, and the one registry (`KINDS`) in `registry`; this module re-exports them.
"""

from __future__ import annotations

from cnncalc.layers.kinds_act import ACTIVATIONS, Activation, Dropout, Identity, PReLU
from cnncalc.layers.kinds_conv import Conv, ConvTranspose, DwConv
from cnncalc.layers.kinds_linear import Flatten, Linear
from cnncalc.layers.kinds_merge import Add, Concat, Mul
from cnncalc.layers.kinds_norm import BatchNorm, GroupNorm, InstanceNorm, LayerNorm, Norm
from cnncalc.layers.kinds_pool import (
    AdaptiveAvgPool,
    AdaptiveMaxPool,
    AdaptivePool,
    AvgPool,
    MaxPool,
    Pool,
)
from cnncalc.layers.kinds_shape import PAD_FILLS, UPSAMPLE_MODES, UPSAMPLE_RANKS, Pad_, Upsample
from cnncalc.layers.kinds_split import ChannelShuffle, Chunk, DropPath, Part, Slice, Split
from cnncalc.layers.protocol import Cost, Layer, Merge
from cnncalc.layers.registry import ARG_TYPE_DOCS, ELEMENTWISE, KINDS, MERGES, Arg, ArgType, Kind
from cnncalc.layers.window import (
    INT_MAX,
    PAD_MODES,
    RANK_NAMES,
    RF,
    AxisRF,
    Ints,
    Num,
    Pad,
    PadSpec,
    Shape,
    axis_names,
    effective_kernel,
    fmt_shape,
    prod,
    resolve_padding,
    transposed_formula,
    window,
    window_formula,
)

__all__ = [
    "ACTIVATIONS",
    "ARG_TYPE_DOCS",
    "ELEMENTWISE",
    "INT_MAX",
    "KINDS",
    "MERGES",
    "PAD_FILLS",
    "PAD_MODES",
    "RANK_NAMES",
    "RF",
    "UPSAMPLE_MODES",
    "UPSAMPLE_RANKS",
    "Activation",
    "AdaptiveAvgPool",
    "AdaptiveMaxPool",
    "AdaptivePool",
    "Add",
    "Arg",
    "ArgType",
    "AvgPool",
    "AxisRF",
    "BatchNorm",
    "ChannelShuffle",
    "Chunk",
    "Concat",
    "Conv",
    "ConvTranspose",
    "Cost",
    "DropPath",
    "Dropout",
    "DwConv",
    "Flatten",
    "GroupNorm",
    "Identity",
    "InstanceNorm",
    "Ints",
    "Kind",
    "Layer",
    "LayerNorm",
    "Linear",
    "MaxPool",
    "Merge",
    "Mul",
    "Norm",
    "Num",
    "PReLU",
    "Pad",
    "PadSpec",
    "Pad_",
    "Part",
    "Pool",
    "Shape",
    "Slice",
    "Split",
    "Upsample",
    "axis_names",
    "effective_kernel",
    "fmt_shape",
    "prod",
    "resolve_padding",
    "transposed_formula",
    "window",
    "window_formula",
]
