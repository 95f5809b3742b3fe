"""PyTorch's class names as aliases of the ops they mean, and hints for words that are not ops.

`pytorch_kinds` derives a kind for each `torch.nn` class name (`Conv2d`, `BatchNorm2d`, `ReLU`,
…) from the op it is an alias of: the same arguments (which include PyTorch's own names), the
rank asserted where the class name states one, as `conv2d` and `bn2d` do. `HINTS` maps words
from other frameworks, and ambiguous ones, to the op they mean, with the reason; the registry's
`suggest_op` reads it for the unknown-op error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cnncalc.layers.registry import Kind

#: the spatial ranks PyTorch's `1d`/`2d`/`3d` suffixes name -> cnncalc's input rank
_RANKS = {"1d": 2, "2d": 3, "3d": 4}


def _ranked(prefix: str, op: str) -> dict[str, tuple[str, dict[str, object]]]:
    """`MaxPool1d`, `MaxPool2d`, `MaxPool3d` -> `op`, each asserting its rank."""
    return {
        f"{prefix}{suffix}": (op, {"rank": rank, "alias": f"{prefix}{suffix}"})
        for suffix, rank in _RANKS.items()
    }


def _pads() -> dict[str, tuple[str, dict[str, object]]]:
    out: dict[str, tuple[str, dict[str, object]]] = {}
    for prefix, mode in (
        ("ZeroPad", "constant"),
        ("ConstantPad", "constant"),
        ("ReflectionPad", "reflect"),
        ("ReplicationPad", "replicate"),
        ("CircularPad", "circular"),
    ):
        for name, (op, fixed) in _ranked(prefix, "pad").items():
            out[name] = (op, {**fixed, "mode": mode})
    return out


#: PyTorch class name -> (the op it is an alias of, the values it fixes)
TABLE: Mapping[str, tuple[str, Mapping[str, object]]] = MappingProxyType(
    {
        **{f"Conv{s}": (f"conv{s}", {"alias": f"Conv{s}"}) for s in _RANKS},
        **_ranked("ConvTranspose", "convT"),
        **{f"BatchNorm{s}": (f"bn{s}", {"alias": f"BatchNorm{s}"}) for s in _RANKS},
        **_ranked("InstanceNorm", "inorm"),
        "GroupNorm": ("gn", {}),
        "LayerNorm": ("layernorm", {}),
        "ReLU": ("relu", {}),
        "ReLU6": ("relu6", {}),
        "LeakyReLU": ("leakyrelu", {}),
        "GELU": ("gelu", {}),
        "SiLU": ("silu", {}),
        "Sigmoid": ("sigmoid", {}),
        "Tanh": ("tanh", {}),
        "Hardswish": ("hardswish", {}),
        "Hardsigmoid": ("hardsigmoid", {}),
        "PReLU": ("prelu", {}),
        **_ranked("MaxPool", "maxpool"),
        **_ranked("AvgPool", "avgpool"),
        **_ranked("AdaptiveAvgPool", "adaptiveavgpool"),
        **_ranked("AdaptiveMaxPool", "adaptivemaxpool"),
        "Dropout": ("dropout", {}),
        "Dropout1d": ("dropout", {}),
        "Dropout2d": ("dropout", {}),
        "Dropout3d": ("dropout", {}),
        "AlphaDropout": ("dropout", {}),
        "Flatten": ("flatten", {}),
        "Identity": ("identity", {}),
        "ChannelShuffle": ("channel_shuffle", {}),
        "Linear": ("linear", {}),
        "Upsample": ("upsample", {}),
        "UpsamplingNearest2d": ("upsample", {"mode": "nearest"}),
        "UpsamplingBilinear2d": ("upsample", {"mode": "bilinear", "align_corners": True}),
        **_pads(),
        "Unflatten": ("unflatten", {}),
        "PixelShuffle": ("pixel_shuffle", {}),
        "PixelUnshuffle": ("pixel_unshuffle", {}),
        "MultiheadAttention": ("attention", {}),
    }
)

#: arguments a PyTorch class does not take although its op does
_NOT_TAKEN: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "AvgPool1d": frozenset({"divisor_override"}),  # nn.AvgPool1d has no divisor_override
        "UpsamplingNearest2d": frozenset({"mode", "align_corners", "recompute_scale_factor"}),
        "UpsamplingBilinear2d": frozenset({"mode", "align_corners", "recompute_scale_factor"}),
    }
)


def pytorch_kinds(base: Mapping[str, Kind]) -> dict[str, Kind]:
    """A kind for every PyTorch class name in `TABLE`, made from the op it is an alias of."""
    out = {}
    for name, (op, fixed) in TABLE.items():
        kind = base[op]
        args = kind.args
        if op == "pad":  # the class names its fill; ConstantPad alone takes (and needs) a value
            drop = {"mode"} | ({"value"} if not name.startswith("ConstantPad") else set())
            args = tuple(
                replace(a, required=True) if a.field == "value" else a
                for a in args
                if a.field not in drop
            )
        args = tuple(a for a in args if a.field not in _NOT_TAKEN.get(name, ()))
        doc = f"PyTorch's nn.{name}: '{op}'" + (", asserting the rank" if "rank" in fixed else "")
        # PyTorch's first positional argument of a norm is its channels: `BatchNorm2d: 64`
        scalar = kind.scalar or ("in_channels" if kind.family == "norm" else None)
        out[name] = replace(
            kind, name=name, args=args, scalar=scalar, fixed={**kind.fixed, **fixed}, doc=doc
        )
    return out


def normal_word(word: str) -> str:
    """How hints compare words: case, `_`, `-` and spaces ignored (`Global_Avg_Pool`)."""
    return "".join(c for c in word.lower() if c not in "_- ")


#: a word that is not an op (another framework's, or an ambiguous one) -> (the op it means,
#: the catalogue code of the reason); keys as `normal_word` writes them
HINTS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "dense": ("linear", "H0402"),
        "fclayer": ("linear", "H0403"),
        "fullyconnected": ("linear", "H0403"),
        "globalavgpool": ("gap", "H0404"),
        "globalaveragepool": ("gap", "H0404"),
        "globalaveragepooling2d": ("gap", "H0404"),
        "globalavgpool2d": ("gap", "H0404"),
        "avgpoolglobal": ("gap", "H0404"),
        "globalpool": ("gap", "H0404"),
        "globalpooling": ("gap", "H0404"),
        "globalmaxpool": ("gmp", "H0405"),
        "globalmaxpooling2d": ("gmp", "H0405"),
        "sepconv": ("dwconv", "H0406"),
        "separableconv": ("dwconv", "H0406"),
        "separableconv2d": ("dwconv", "H0406"),
        "depthwiseseparableconv": ("dwconv", "H0406"),
        "depthwiseconv": ("dwconv", "H0407"),
        "depthwiseconv2d": ("dwconv", "H0407"),
        "batchnorm": ("bn", "H0408"),
        "batchnormalization": ("bn", "H0408"),
        "layernormalization": ("ln", "H0409"),
        "conv2dtranspose": ("convT", "H0410"),
        "transposedconv": ("convT", "H0410"),
        "upconv": ("convT", "H0410"),
        "upsampling2d": ("upsample", "H0411"),
        "interpolate": ("upsample", "H0411"),
        "maxpooling2d": ("maxpool", "H0412"),
        "averagepooling2d": ("avgpool", "H0412"),
        "zeropadding2d": ("pad", "H0412"),
        "concatenate": ("concat", "H0413"),
        "cat": ("concat", "H0413"),
        "softmax": ("identity", "H0414"),
        "logsoftmax": ("identity", "H0414"),
        "pool": ("maxpool", "H0415"),
        "pooling": ("maxpool", "H0415"),
        "norm": ("bn", "H0416"),
        "normalization": ("bn", "H0416"),
        "upsampling": ("upsample", "H0411"),
        "deconvolution": ("convT", "H0410"),
    }
)
