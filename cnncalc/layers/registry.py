"""The registry: every op name, its layer class and its arguments, in one literal table.

The loader reads `KINDS` to turn YAML into layers (its converters are keyed by `ArgType`), the
JSON Schema reads it for completion and hover text, and the docs are tested against it.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from cnncalc.errors import Msg
from cnncalc.layers.kinds_act import ACTIVATIONS, Activation, Dropout, Identity, PReLU
from cnncalc.layers.kinds_attn import Matmul, MultiheadAttention, WindowAttention
from cnncalc.layers.kinds_conv import Conv, ConvTranspose, DwConv
from cnncalc.layers.kinds_linear import Flatten, Linear
from cnncalc.layers.kinds_merge import Add, Concat, Mul
from cnncalc.layers.kinds_norm import BatchNorm, GroupNorm, InstanceNorm, LayerNorm, Norm
from cnncalc.layers.kinds_pool import AdaptiveAvgPool, AdaptiveMaxPool, AvgPool, MaxPool
from cnncalc.layers.kinds_shape import PAD_FILLS, UPSAMPLE_MODES, Pad_, Upsample
from cnncalc.layers.kinds_split import (
    DROP_PATH_MODES,
    ChannelShuffle,
    Chunk,
    DropPath,
    Slice,
    Split,
)
from cnncalc.layers.kinds_tokens import (
    ClassToken,
    LayerNormLast,
    LayerScale,
    Permute,
    PixelShuffle,
    PosEmbedding,
    Reshape,
    Roll,
    Select,
    SpaceToDepth,
    Transpose,
    Unflatten,
)
from cnncalc.layers.protocol import Layer, Merge
from cnncalc.layers.pytorch import HINTS, TABLE, normal_word, pytorch_kinds
from cnncalc.layers.window import RANK_NAMES


class ArgType(str, enum.Enum):
    """How an argument's YAML value is read (the loader's converters and the schema's types are
    keyed by it)."""

    INT = "int"
    INTS = "ints"
    PADDING = "padding"
    BOOL = "bool"
    FLOAT = "float"
    OPT_FLOAT = "opt_float"
    PROB = "prob"
    SCALE = "scale"
    CHOICE = "choice"
    OPT_INTS = "opt_ints"
    INDEX = "index"
    REF = "ref"
    DIM = "dim"
    DIMS = "dims"


#: each argument type as docs/format.md's "Argument values" table names it
ARG_TYPE_DOCS: Mapping[ArgType, str] = MappingProxyType(
    {
        ArgType.INT: "integer",
        ArgType.INTS: "size",
        ArgType.OPT_INTS: "size",
        ArgType.PADDING: "padding",
        ArgType.BOOL: "boolean",
        ArgType.FLOAT: "number",
        ArgType.OPT_FLOAT: "number or null",
        ArgType.PROB: "probability",
        ArgType.SCALE: "scale",
        ArgType.CHOICE: "choice",
        ArgType.INDEX: "index",
        ArgType.REF: "reference",
        ArgType.DIM: "axis",
        ArgType.DIMS: "axes",
    }
)


@dataclass(frozen=True)
class Arg:
    """One argument of a kind as the YAML format spells it."""

    field: str
    type: ArgType
    names: tuple[str, ...]
    doc: str
    choices: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Kind:
    """How an op name maps onto a layer class: its arguments, scalar shorthand, fixed values."""

    name: str
    cls: type[Layer] | type[Merge]
    args: tuple[Arg, ...] = ()
    scalar: str | None = None
    fixed: Mapping[str, object] = field(default_factory=dict)
    doc: str = ""
    #: whether the op has channels and so accepts `in`
    family: str = ""

    @functools.cached_property
    def arg_by_name(self) -> Mapping[str, Arg]:
        """Every accepted spelling of every argument -> the argument."""
        return MappingProxyType({n: a for a in self.args for n in a.names})


#: kinds that act on each value alone: shapes, channels and receptive field pass through them
ELEMENTWISE = (
    Norm,
    Activation,
    PReLU,
    Dropout,
    Identity,
    DropPath,
    LayerNormLast,
    LayerScale,
    PosEmbedding,
)

# --- the arguments, shared where kinds share them -------------------------------------------

#: PyTorch's `padding_mode` of a conv (how `F.pad` fills before the convolution)
CONV_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
GELU_APPROXIMATIONS = ("none", "tanh")

_IN = Arg("in_channels", ArgType.INT, ("in", "in_channels"), "input channels (checked)")
_OUT = Arg("out_channels", ArgType.INT, ("out", "out_channels"), "output channels", required=True)
_K = Arg("kernel_size", ArgType.INTS, ("k", "kernel", "kernel_size"), "kernel size", required=True)
_S = Arg("stride", ArgType.INTS, ("s", "stride"), "stride")
_P = Arg("padding", ArgType.PADDING, ("p", "pad", "padding"), "padding")
_D = Arg("dilation", ArgType.INTS, ("d", "dilation"), "dilation")
_G = Arg("groups", ArgType.INT, ("g", "groups"), "groups")
_BIAS = Arg("bias", ArgType.BOOL, ("bias",), "learnable bias")
_MULT = Arg(
    "multiplier", ArgType.INT, ("mult", "multiplier", "depth_multiplier"), "channel multiplier"
)
_PMODE = Arg(
    "padding_mode",
    ArgType.CHOICE,
    ("padding_mode",),
    "how the padding is filled (changes no count)",
    CONV_PADDING_MODES,
)
_CONV_ARGS = (_OUT, _K, _S, _P, _D, _G, _BIAS, _IN, _PMODE)
_DW_ARGS = (_K, _S, _P, _D, _MULT, _BIAS, _IN, _PMODE)
_CONVT_ARGS = (
    _OUT,
    _K,
    _S,
    Arg("padding", ArgType.INTS, ("p", "pad", "padding"), "padding"),
    Arg("output_padding", ArgType.INTS, ("output_padding", "op"), "extra size on one side"),
    _D,
    _G,
    _BIAS,
    _IN,
    replace(_PMODE, choices=CONV_PADDING_MODES[:1]),  # PyTorch: only zeros for ConvTranspose
)
_POOL_K = Arg("kernel_size", ArgType.INTS, ("k", "kernel", "kernel_size"), "window", required=True)
_POOL_S = Arg("stride", ArgType.OPT_INTS, ("s", "stride"), "stride (default: the kernel)")
_POOL_P = Arg("padding", ArgType.INTS, ("p", "pad", "padding"), "padding (at most kernel // 2)")
_CEIL = Arg("ceil_mode", ArgType.BOOL, ("ceil", "ceil_mode"), "round the output size up")
_INDICES = Arg(
    "return_indices", ArgType.BOOL, ("return_indices",), "also return the argmax (changes no count)"
)
_NORM_IN = Arg(
    "in_channels", ArgType.INT, ("in", "in_channels", "num_features", "num_channels"), "c"
)
_AFFINE = Arg("affine", ArgType.BOOL, ("affine", "elementwise_affine"), "learnable scale and shift")
_EPS = Arg("eps", ArgType.FLOAT, ("eps",), "numerical epsilon")
_MOMENTUM = Arg(
    "momentum",
    ArgType.OPT_FLOAT,
    ("momentum",),
    "running-stat momentum (null: a cumulative average)",
)
_TRACK = Arg(
    "track_running_stats",
    ArgType.BOOL,
    ("track_running_stats",),
    "keep running statistics (buffers: changes no count)",
)
_NORM_ARGS = (_AFFINE, _EPS, _NORM_IN)
_BN_ARGS = (*_NORM_ARGS, _MOMENTUM, _TRACK)
_LN_ARGS = (
    _AFFINE,
    _EPS,
    replace(_NORM_IN, names=(*_NORM_IN.names, "normalized_shape")),
    Arg("bias", ArgType.BOOL, ("bias",), "learnable shift (with affine)"),
)
_ADAPT = (
    Arg("output_size", ArgType.INTS, ("out", "output_size", "size"), "output size", required=True),
)
_INPLACE = Arg("inplace", ArgType.BOOL, ("inplace",), "overwrite the input (changes no count)")
_ACT_DOCS = {
    "relu": "max(0, x)",
    "relu6": "min(max(0, x), 6)",
    "leakyrelu": "x if x > 0 else slope·x",
    "gelu": "Gaussian error linear unit",
    "silu": "x·sigmoid(x)",
    "sigmoid": "1/(1+e^−x)",
    "tanh": "hyperbolic tangent",
    "hardswish": "x·relu6(x+3)/6",
    "hardsigmoid": "relu6(x+3)/6",
}
#: the arguments each activation takes, as its PyTorch module does
_ACT_ARGS: Mapping[str, tuple[Arg, ...]] = MappingProxyType(
    {
        "relu": (_INPLACE,),
        "relu6": (_INPLACE,),
        "leakyrelu": (
            Arg("negative_slope", ArgType.FLOAT, ("negative_slope", "slope"), "slope below 0"),
            _INPLACE,
        ),
        "gelu": (
            Arg(
                "approximate",
                ArgType.CHOICE,
                ("approximate",),
                "tanh approximation (changes no count)",
                GELU_APPROXIMATIONS,
            ),
        ),
        "silu": (_INPLACE,),
        "hardswish": (_INPLACE,),
        "hardsigmoid": (_INPLACE,),
    }
)

# --- the kinds, by family ---------------------------------------------------------------------


def _conv_kinds() -> dict[str, Kind]:
    out = "out_channels"
    k = {"conv": Kind("conv", Conv, _CONV_ARGS, out, doc="convolution (rank from the input)")}
    for r, alias in ((2, "conv1d"), (3, "conv2d"), (4, "conv3d")):
        doc = f"{RANK_NAMES[r]} convolution (asserts the rank)"
        k[alias] = Kind(alias, Conv, _CONV_ARGS, out, {"rank": r, "alias": alias}, doc)
    k["dwconv"] = Kind("dwconv", DwConv, _DW_ARGS, "kernel_size", doc="depthwise convolution")
    for alias in ("convT", "deconv", "conv_transpose"):
        k[alias] = Kind(alias, ConvTranspose, _CONVT_ARGS, out, doc="transposed convolution")
    return {name: replace(kind, family="conv") for name, kind in k.items()}


def _pool_kinds() -> dict[str, Kind]:
    count_pad = Arg(
        "count_include_pad", ArgType.BOOL, ("count_include_pad",), "average over padding too"
    )
    divisor = Arg(
        "divisor_override",
        ArgType.INT,
        ("divisor_override",),
        "divide by this, not the window size (changes no count)",
    )
    max_args = (_POOL_K, _POOL_S, _POOL_P, _D, _CEIL, _INDICES)
    avg_args = (_POOL_K, _POOL_S, _POOL_P, _CEIL, count_pad, divisor)
    ada, adm = AdaptiveAvgPool, AdaptiveMaxPool
    return {
        "maxpool": Kind("maxpool", MaxPool, max_args, "kernel_size", doc="max pooling"),
        "avgpool": Kind("avgpool", AvgPool, avg_args, "kernel_size", doc="average pooling"),
        "adaptiveavgpool": Kind(
            "adaptiveavgpool", ada, _ADAPT, "output_size", doc="adaptive average pooling"
        ),
        "adaptivemaxpool": Kind(
            "adaptivemaxpool", adm, (*_ADAPT, _INDICES), "output_size", doc="adaptive max pooling"
        ),
        "gap": Kind("gap", ada, (), fixed={"output_size": (1,)}, doc="global avg pool"),
        "gmp": Kind("gmp", adm, (), fixed={"output_size": (1,)}, doc="global max pool"),
    }


def _norm_kinds() -> dict[str, Kind]:
    k = {"bn": Kind("bn", BatchNorm, _BN_ARGS, doc="batch norm", family="norm")}
    for r, alias in ((2, "bn1d"), (3, "bn2d"), (4, "bn3d")):
        doc = f"batch norm on a {RANK_NAMES[r]} input"
        k[alias] = Kind(alias, BatchNorm, _BN_ARGS, None, {"rank": r, "alias": alias}, doc, "norm")
    groups = Arg("num_groups", ArgType.INT, ("groups", "g", "num_groups"), "groups", required=True)
    k["gn"] = Kind(
        "gn", GroupNorm, (groups, *_NORM_ARGS), "num_groups", doc="group norm", family="norm"
    )
    k["ln"] = Kind("ln", LayerNorm, _LN_ARGS, doc="layer norm over channels", family="norm")
    inorm_args = (*_NORM_ARGS, _MOMENTUM, _TRACK)
    k["inorm"] = Kind("inorm", InstanceNorm, inorm_args, doc="instance norm", family="norm")
    return k


def _act(name: str) -> Kind:
    args = _ACT_ARGS.get(name, ())
    return Kind(name, Activation, args, fixed={"function": name}, doc=_ACT_DOCS[name])


def _act_kinds() -> dict[str, Kind]:
    k = {name: _act(name) for name in ACTIVATIONS}
    k["swish"] = _act("silu")
    slopes = Arg("num_parameters", ArgType.INT, ("num", "num_parameters"), "slopes")
    init = Arg("init", ArgType.FLOAT, ("init",), "initial slope (changes no count)")
    k["prelu"] = Kind("prelu", PReLU, (slopes, init), "num_parameters", doc="learnable leaky relu")
    return k


_PAD_P = Arg("padding", ArgType.PADDING, ("p", "pad", "padding"), "padding", required=True)
_PAD_VALUE = Arg("value", ArgType.FLOAT, ("value",), "fill value")
_UP_SIZE = (
    Arg("scale_factor", ArgType.SCALE, ("scale", "scale_factor"), "scale factor"),
    Arg("size", ArgType.INTS, ("size",), "output size"),
)


def _other_kinds() -> dict[str, Kind]:
    lin_args = (
        Arg("out_features", ArgType.INT, ("out", "out_features"), "output features", required=True),
        _BIAS,
        Arg("in_features", ArgType.INT, ("in", "in_features"), "input features (checked)"),
    )
    linear = Kind("linear", Linear, lin_args, "out_features", doc="fully connected")
    linear = replace(linear, family="linear")
    p = Arg("p", ArgType.PROB, ("p",), "drop probability")
    up_args = (
        *_UP_SIZE,
        Arg("size_of", ArgType.REF, ("size_of",), "the output size: that of another tensor"),
        Arg("mode", ArgType.CHOICE, ("mode",), "interpolation", UPSAMPLE_MODES),
        Arg("align_corners", ArgType.BOOL, ("align_corners",), "corner alignment (no count)"),
        Arg(
            "recompute_scale_factor",
            ArgType.BOOL,
            ("recompute_scale_factor",),
            "interpolate with the output's own scale (changes no count)",
        ),
    )
    pad_args = (_PAD_P, Arg("mode", ArgType.CHOICE, ("mode",), "fill", PAD_FILLS), _PAD_VALUE)
    dims = (
        Arg("start_dim", ArgType.FLOAT, ("start_dim",), "first axis (PyTorch's numbering): 1"),
        Arg("end_dim", ArgType.FLOAT, ("end_dim",), "last axis (PyTorch's numbering): -1"),
    )
    return {
        "linear": linear,
        "fc": replace(linear, name="fc"),
        "flatten": Kind("flatten", Flatten, dims, doc="flatten to a vector"),
        "dropout": Kind("dropout", Dropout, (p, _INPLACE), "p", doc="dropout"),
        "identity": Kind("identity", Identity, doc="no-op"),
        "upsample": Kind("upsample", Upsample, up_args, "scale_factor", doc="upsampling"),
        "pad": Kind("pad", Pad_, pad_args, "padding", doc="explicit padding"),
        "add": Kind("add", Add, doc="element-wise sum"),
        "concat": Kind(
            "concat",
            Concat,
            (Arg("dim", ArgType.DIM, ("dim",), "the axis joined (1: the channels)"),),
            doc="concatenation (channels, or any axis)",
        ),
        "mul": Kind("mul", Mul, doc="element-wise product (broadcasting)"),
    }


# --- parts of a tensor and zero-count named ops (kinds_split) ------------------------------

_DIM = Arg("dim", ArgType.DIM, ("dim",), "PyTorch's axis: 1 = channels (the default)")


def _split_kinds() -> dict[str, Kind]:
    sections = Arg(
        "split_size_or_sections",
        ArgType.INTS,
        ("split_size_or_sections", "sizes"),
        "one part size, or the size of each part",
        required=True,
    )
    chunks = Arg("chunks", ArgType.INT, ("chunks", "n"), "number of parts", required=True)
    bounds = (
        Arg("start", ArgType.INDEX, ("start",), "first index (default 0)"),
        Arg("end", ArgType.INDEX, ("end", "stop"), "index past the last (default: the end)"),
        Arg("step", ArgType.INT, ("step",), "step"),
    )
    shuffle = Arg("groups", ArgType.INT, ("groups", "g"), "groups", required=True)
    drop = (
        Arg("p", ArgType.PROB, ("p",), "drop probability (changes no count)"),
        Arg("mode", ArgType.CHOICE, ("mode",), "what is dropped together", DROP_PATH_MODES),
    )
    drop_path = Kind("drop_path", DropPath, drop, "p", doc="stochastic depth (no-op at inference)")
    return {
        "split": Kind("split", Split, (sections, _DIM), "split_size_or_sections",
                      doc="torch.split: parts of given sizes"),
        "chunk": Kind("chunk", Chunk, (chunks, _DIM), "chunks", doc="x.chunk: n equal parts"),
        "slice": Kind("slice", Slice, (*bounds, _DIM), doc="x[:, start:end:step]"),
        "channel_shuffle": Kind("channel_shuffle", ChannelShuffle, (shuffle,), "groups",
                                doc="ShuffleNet's channel shuffle"),
        "drop_path": drop_path,
        "stochastic_depth": replace(drop_path, name="stochastic_depth"),
    }  # fmt: skip


def _dim(field: str, doc: str, names: tuple[str, ...] = ()) -> Arg:
    return Arg(field, ArgType.DIM, names or (field,), doc)


def _token_kinds() -> dict[str, Kind]:
    """Channels last, token sequences, learnable tensors of no layer, attention."""
    axis = _dim("dim", "PyTorch's axis (0 is the batch; negative from the end)")
    ln_args = (*_LN_ARGS[:2], replace(_LN_ARGS[2], doc="features (checked)"), _LN_ARGS[3])
    shuffle = (Arg("factor", ArgType.INT, ("factor", "upscale_factor"), "r", required=True),)
    unshuffle = (Arg("factor", ArgType.INT, ("factor", "downscale_factor"), "r", required=True),)
    dims = Arg("dims", ArgType.DIMS, ("dims",), "every axis in its new place", required=True)
    sizes = Arg("sizes", ArgType.DIMS, ("sizes", "unflattened_size"), "sizes", required=True)
    shape = Arg("shape", ArgType.DIMS, ("shape",), "per-sample sizes", required=True)
    return {
        "permute": Kind("permute", Permute, (dims,), "dims", doc="reorder the axes"),
        "transpose": Kind(
            "transpose",
            Transpose,
            (_dim("dim0", "one axis", ("dim0",)), _dim("dim1", "the other", ("dim1",))),
            doc="swap two axes",
        ),
        "reshape": Kind("reshape", Reshape, (shape,), "shape", doc="new per-sample shape"),
        "unflatten": Kind("unflatten", Unflatten, (axis, sizes), doc="split one axis"),
        "select": Kind(
            "select",
            Select,
            (axis, Arg("index", ArgType.INDEX, ("index",), "position on the axis")),
            doc="take one position, dropping the axis",
        ),
        "layernorm": Kind(
            "layernorm", LayerNormLast, ln_args, "in_channels", doc="layer norm over the last axis"
        ),
        "layer_scale": Kind(
            "layer_scale",
            LayerScale,
            (Arg("init", ArgType.FLOAT, ("init", "init_value"), "initial γ (no count)"), axis),
            doc="learnable scale per channel",
        ),
        "class_token": Kind(
            "class_token",
            ClassToken,
            (Arg("num_tokens", ArgType.INT, ("num", "num_tokens"), "tokens"), axis),
            "num_tokens",
            doc="learnable tokens prepended",
        ),
        "pos_embedding": Kind("pos_embedding", PosEmbedding, doc="learnable tensor added"),
        "pixel_shuffle": Kind(
            "pixel_shuffle", PixelShuffle, shuffle, "factor", doc="depth to space"
        ),
        "pixel_unshuffle": Kind(
            "pixel_unshuffle",
            PixelShuffle,
            unshuffle,
            "factor",
            fixed={"inverse": True},
            doc="space to depth",
        ),
    }


def _attention_kinds() -> dict[str, Kind]:
    """Matrix products: attention, windowed attention (with its roll and patch merging), matmul."""
    heads = Arg("num_heads", ArgType.INT, ("heads", "num_heads"), "attention heads", required=True)
    attn_args = (
        heads,
        Arg("embed_dim", ArgType.INT, ("in", "embed_dim"), "features (checked)"),
        _BIAS,
        Arg("add_bias_kv", ArgType.BOOL, ("add_bias_kv",), "a learnable key/value token each"),
        Arg("add_zero_attn", ArgType.BOOL, ("add_zero_attn",), "a zero key/value token each"),
        Arg("kdim", ArgType.INT, ("kdim",), "key features (checked: self-attention)"),
        Arg("vdim", ArgType.INT, ("vdim",), "value features (checked: self-attention)"),
        Arg("dropout", ArgType.PROB, ("dropout",), "attention dropout (changes no count)"),
        Arg("batch_first", ArgType.BOOL, ("batch_first",), "PyTorch's layout (changes no count)"),
    )
    return {
        "attention": Kind(
            "attention", MultiheadAttention, attn_args, "num_heads", doc="multi-head self-attention"
        ),
        "matmul": Kind("matmul", Matmul, doc="matrix product"),
        "window_attention": Kind(
            "window_attention",
            WindowAttention,
            (
                heads,
                Arg("window_size", ArgType.INT, ("window", "window_size"), "window side w"),
                Arg("shift_size", ArgType.INT, ("shift", "shift_size"), "shift (no count)"),
                Arg("qkv_bias", ArgType.BOOL, ("qkv_bias",), "the qkv projection's bias"),
                Arg("proj_bias", ArgType.BOOL, ("proj_bias",), "the output projection's bias"),
                Arg("attention_dropout", ArgType.PROB, ("attention_dropout",), "no count"),
                Arg("dropout", ArgType.PROB, ("dropout",), "no count"),
            ),
            "num_heads",
            doc="windowed self-attention (Swin)",
        ),
        "roll": Kind(
            "roll",
            Roll,
            (
                Arg("shifts", ArgType.DIMS, ("shifts",), "how far", required=True),
                Arg("dims", ArgType.DIMS, ("dims",), "along which axes", required=True),
            ),
            doc="cyclic shift",
        ),
        "space_to_depth": Kind(
            "space_to_depth",
            SpaceToDepth,
            (Arg("block_size", ArgType.INT, ("block_size", "factor"), "r"),),
            "block_size",
            doc="patch merging, channels last",
        ),
    }


_BASE: Mapping[str, Kind] = MappingProxyType(
    {
        **_conv_kinds(),
        **_pool_kinds(),
        **_norm_kinds(),
        **_act_kinds(),
        **_other_kinds(),
        **_split_kinds(),
        **_token_kinds(),
        **_attention_kinds(),
    }
)
KINDS: Mapping[str, Kind] = MappingProxyType({**_BASE, **pytorch_kinds(_BASE)})
MERGES = frozenset(name for name, kind in KINDS.items() if issubclass(kind.cls, Merge))
#: the PyTorch class names among the ops (`Conv2d`, `ReLU`, …) -> the op each is an alias of
PYTORCH_NAMES: Mapping[str, str] = MappingProxyType({n: op for n, (op, _) in TABLE.items()})


def suggest_op(word: str) -> Msg | None:
    """A hint for an unknown op: the op a word from another framework means (`dense`,
    `globalavgpool`, `sep_conv`: `HINTS`), or the op that differs from it only in case or
    underscores (`relu6` for `ReLU6`, `BatchNorm2d` for `batchnorm2d`); None otherwise."""
    key = normal_word(word)
    if key in HINTS:
        op, reason = HINTS[key]
        return Msg("H0401", name=op, reason=Msg(reason))
    same = [op for op in KINDS if normal_word(op) == key]
    return Msg("H0001", name=same[0]) if same else None
