"""One layer as PyTorch code: the constructor of its attribute (torch's class and arguments,
torch's defaults marked so that the writer leaves them out) and its forward expression. Pure:
no torch here (`render.pytorch` writes the module)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cnncalc.layers as L
from cnncalc.engine import LayerReport
from cnncalc.layers.kinds_linear import batched_axis
from cnncalc.render.pycode import Br, Code, call, py_str, py_value
from cnncalc.render.pytorch_helpers import (
    CHANNEL_LAYER_NORM,
    DROP_PATH,
    SPACE_TO_DEPTH,
    WINDOW_ATTENTION,
)

Shape = tuple[int, ...]

_REQUIRED = object()
#: attribute names an `nn.Module` already uses (an attribute so named would break the module)
_MODULE_ATTRS = frozenset(
    {
        "training",
        "forward",
        "state_dict",
        "parameters",
        "buffers",
        "children",
        "modules",
        "named_modules",
        "named_parameters",
        "named_buffers",
        "named_children",
        "add_module",
        "register_buffer",
        "register_parameter",
        "register_module",
        "apply",
        "cuda",
        "cpu",
        "to",
        "type",
        "float",
        "double",
        "half",
        "bfloat16",
        "train",
        "eval",
        "zero_grad",
        "share_memory",
        "extra_repr",
        "get_submodule",
        "get_parameter",
        "get_buffer",
        "requires_grad_",
        "load_state_dict",
        "dump_patches",
        "call_super_init",
        "ipu",
        "xpu",
        "mtia",
        "compile",
        "set_submodule",
        "get_extra_state",
        "set_extra_state",
        "to_empty",
        "_modules",
        "_parameters",
        "_buffers",
    }
)
#: names the generated module defines or imports itself
_RESERVED = frozenset({"torch", "nn", "OrderedDict"})


# --- one layer -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """One constructor argument: torch's name for it, its value and torch's default (left
    out when the value equals it); `positional` ones are written without their name."""

    name: str
    value: object
    default: object = _REQUIRED
    positional: bool = False


@dataclass(frozen=True)
class Init:
    """The expression that makes a layer's attribute: `head(args)tail`."""

    head: str
    args: tuple[Arg, ...]
    tail: str = ""
    #: a bare `nn.Parameter`, not a module
    param: bool = False


#: a forward expression from the attribute's access path and the input variables
Fwd = Callable[[str, Sequence[str]], Code]


@dataclass(frozen=True)
class Leaf:
    init: Init | None  # None: computed inline, no attribute
    fwd: Fwd
    fwd_key: str  # what `fwd` writes, for comparing two layers' code
    helpers: tuple[str, ...] = ()
    #: extra inputs after the node's own (an upsample's `size_of` tensor)
    extra: tuple[str, ...] = ()

    @property
    def plain(self) -> bool:
        """A module called on its one input (it can sit in an `nn.Sequential`)."""
        return self.init is not None and not self.init.param and self.fwd_key == "$m($0)"


def _module_call(m: str, xs: Sequence[str]) -> Code:
    return call(m, *xs)


def _tpl(template: str, *parts: str) -> tuple[Fwd, str]:
    """A forward expression written as a template (`$m` the attribute, `$0` the first
    input); when it is a call, its arguments are split at commas for the layout."""

    def fwd(m: str, xs: Sequence[str]) -> Code:
        return _split(re.sub(r"\$(m|\d+)", lambda g: m if g[1] == "m" else xs[int(g[1])], template))

    return fwd, template


def _split(text: str) -> Code:
    """`f(a, b)` as a bracketed expression, so that a long one can be laid out over lines."""
    found = re.fullmatch(r"([\w.\[\]]+)\((.*)\)", text)
    if not found or not _balanced(found.group(2)):
        return text
    return call(found.group(1), *_args(found.group(2)))


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth < 0:
            return False
    return depth == 0


def _args(text: str) -> list[Code]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    out.append(text[start:].strip())
    items: list[Code] = []
    for a in out:
        listed = re.fullmatch(r"\[(.*)\]", a)
        if listed and _balanced(listed.group(1)):
            items.append(Br("", tuple(_args(listed.group(1))), "[", "]"))
        else:
            items.append(a)
    return items


def _n(values: Sequence[int] | int) -> object:
    """cnncalc's `(3,)` or `(3, 3)` is torch's `3`; other tuples stay tuples."""
    if isinstance(values, int):
        return values
    vals = tuple(int(v) for v in values)
    return vals[0] if len(set(vals)) == 1 else vals


def _rank(x: Shape, what: str) -> int:
    n = len(x) - 1
    assert 1 <= n <= 3, (what, x)  # the engine reads 1 to 3 spatial axes
    return n


def _module(head: str, *args: Arg, frozen: bool = False) -> Init:
    return Init(head + "(", args, ").requires_grad_(False)" if frozen else ")")


def _pad_flat(sides: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """Per-axis (left, right), first axis first, as `F.pad` wants them: last axis first."""
    return tuple(v for pair in reversed(tuple(sides)) for v in pair)


def _conv(layer: L.Conv, x: Shape, frozen: bool) -> Leaf:
    n = _rank(x, "conv")
    spec = layer.padding
    fwd: Fwd = _module_call
    key = "$m($0)"
    pad: object = 0
    if not isinstance(spec, str) and not _per_side(spec):
        pad = _n(spec)  # type: ignore[arg-type]  # ints, not pairs
    mode = layer.padding_mode
    if spec in ("same", "valid"):
        pad = spec
    elif isinstance(spec, str) or _per_side(spec):  # tf_same, per-side pairs: pad first
        k, s, d, _ = layer.geometry(x)
        sides = _pad_flat(L.resolve_padding(spec, x[1:], k, s, d))
        fill = "" if mode == "zeros" else f", mode={py_str(mode)}"
        fwd, key = _tpl(f"$m(nn.functional.pad($0, {py_value(sides)}{fill}))")
        mode = "zeros"
    init = _module(
        f"nn.Conv{n}d",
        Arg("in_channels", x[0], positional=True),
        Arg("out_channels", layer.cout(x), positional=True),
        Arg("kernel_size", _n(layer.kernel_size)),
        Arg("stride", _n(layer.stride), 1),
        Arg("padding", pad, 0),
        Arg("dilation", _n(layer.dilation), 1),
        Arg("groups", layer.groups, 1),
        Arg("bias", layer.bias, True),
        Arg("padding_mode", mode, "zeros"),
        frozen=frozen,
    )
    return Leaf(init, fwd, key)


def _per_side(spec: object) -> bool:
    return isinstance(spec, tuple) and bool(spec) and isinstance(spec[0], tuple)


def _convT(layer: L.ConvTranspose, x: Shape, frozen: bool) -> Leaf:
    n = _rank(x, "convT")
    init = _module(
        f"nn.ConvTranspose{n}d",
        Arg("in_channels", x[0], positional=True),
        Arg("out_channels", layer.out_channels, positional=True),
        Arg("kernel_size", _n(layer.kernel_size)),
        Arg("stride", _n(layer.stride), 1),
        Arg("padding", _n(layer.padding), 0),
        Arg("output_padding", _n(layer.output_padding), 0),
        Arg("groups", layer.groups, 1),
        Arg("bias", layer.bias, True),
        Arg("dilation", _n(layer.dilation), 1),
        frozen=frozen,
    )
    return Leaf(init, _module_call, "$m($0)")


def _pool(layer: L.MaxPool | L.AvgPool, x: Shape) -> Leaf:
    n = _rank(x, layer.kind)
    stride = None if layer.stride is None else _n(layer.stride)
    args = [
        Arg("kernel_size", _n(layer.kernel_size), positional=True),
        Arg("stride", stride, None),
        Arg("padding", _n(layer.padding), 0),
    ]
    if isinstance(layer, L.MaxPool):
        args += [Arg("dilation", _n(layer.dilation), 1), Arg("ceil_mode", layer.ceil_mode, False)]
        return Leaf(_module(f"nn.MaxPool{n}d", *args), _module_call, "$m($0)")
    args += [
        Arg("ceil_mode", layer.ceil_mode, False),
        Arg("count_include_pad", layer.count_include_pad, True),
        Arg("divisor_override", layer.divisor_override, None),
    ]
    return Leaf(_module(f"nn.AvgPool{n}d", *args), _module_call, "$m($0)")


def _adaptive(layer: L.AdaptivePool, x: Shape) -> Leaf:
    n = _rank(x, layer.kind)
    cls = "AdaptiveMaxPool" if isinstance(layer, L.AdaptiveMaxPool) else "AdaptiveAvgPool"
    arg = Arg("output_size", _n(layer.output_size), positional=True)
    return Leaf(_module(f"nn.{cls}{n}d", arg), _module_call, "$m($0)")


def _running_norm(layer: L.BatchNorm | L.InstanceNorm, x: Shape, frozen: bool) -> Leaf:
    """`nn.BatchNorm{n}d` or `nn.InstanceNorm{n}d`: the same arguments, torch's defaults
    differing in `affine` and `track_running_stats` (on for batch norm, off for instance)."""
    batch = isinstance(layer, L.BatchNorm)
    n = 1 if len(x) == 1 else _rank(x, "bn" if batch else "inorm")
    init = _module(
        f"nn.{'BatchNorm' if batch else 'InstanceNorm'}{n}d",
        Arg("num_features", x[0], positional=True),
        Arg("eps", layer.eps, 1e-5),
        Arg("momentum", layer.momentum, 0.1),
        Arg("affine", layer.affine, batch),
        Arg("track_running_stats", layer.track_running_stats, batch),
        frozen=frozen,
    )
    return Leaf(init, _module_call, "$m($0)")


def _gn(layer: L.GroupNorm, x: Shape, frozen: bool) -> Leaf:
    init = _module(
        "nn.GroupNorm",
        Arg("num_groups", layer.num_groups, positional=True),
        Arg("num_channels", x[0], positional=True),
        Arg("eps", layer.eps, 1e-5),
        Arg("affine", layer.affine, True),
        frozen=frozen,
    )
    return Leaf(init, _module_call, "$m($0)")


def _ln_args(features: int, eps: float, affine: bool, bias: bool) -> tuple[Arg, ...]:
    return (
        Arg("normalized_shape", features, positional=True),
        Arg("eps", eps, 1e-5),
        Arg("elementwise_affine", affine, True),
        Arg("bias", bias, True),
    )


_ACTIVATIONS = {
    "relu": "nn.ReLU",
    "relu6": "nn.ReLU6",
    "leakyrelu": "nn.LeakyReLU",
    "gelu": "nn.GELU",
    "silu": "nn.SiLU",
    "sigmoid": "nn.Sigmoid",
    "tanh": "nn.Tanh",
    "hardswish": "nn.Hardswish",
    "hardsigmoid": "nn.Hardsigmoid",
}


def _activation(layer: L.Activation) -> Leaf:
    args = []
    if layer.function == "leakyrelu":
        args.append(Arg("negative_slope", layer.negative_slope, 0.01))
    if layer.function == "gelu":
        args.append(Arg("approximate", layer.approximate, "none"))
    args.append(Arg("inplace", layer.inplace, False))
    if layer.function in ("gelu", "sigmoid", "tanh"):
        args.pop()  # these take no inplace argument
    return Leaf(_module(_ACTIVATIONS[layer.function], *args), _module_call, "$m($0)")


def _upsample(layer: L.Upsample, row: LayerReport) -> Leaf:
    details = [
        Arg("mode", layer.mode, "nearest"),
        Arg("align_corners", layer.align_corners, None),
        Arg("recompute_scale_factor", layer.recompute_scale_factor, None),
    ]
    if layer.size_of is not None:  # another tensor's size: computed in forward
        opts = "".join(f", {a.name}={py_value(a.value)}" for a in details if a.value != a.default)
        fwd, key = _tpl(f"nn.functional.interpolate($0, size=$1.shape[2:]{opts})")
        return Leaf(None, fwd, key, extra=(layer.size_of,))
    if layer.size is not None:
        size = Arg("size", _n(layer.size))
        return Leaf(_module("nn.Upsample", size, *details), _module_call, "$m($0)")
    scale = layer.scale_factor or (1.0,)
    factor: object = float(scale[0]) if len(set(scale)) == 1 else tuple(float(s) for s in scale)
    init = _module("nn.Upsample", Arg("scale_factor", factor), *details)
    return Leaf(init, _module_call, "$m($0)")


def _pad(layer: L.Pad_, x: Shape) -> Leaf:
    sides = py_value(_pad_flat(layer.sides(x)))
    extra = ""
    if layer.mode != "constant":
        extra = f", mode={py_str(layer.mode)}"
    elif layer.value:
        extra = f", value={py_value(float(layer.value))}"
    fwd, key = _tpl(f"nn.functional.pad($0, {sides}{extra})")
    return Leaf(None, fwd, key)


def _part(layer: L.Part, x: Shape) -> Leaf:
    if isinstance(layer, L.Split):
        sizes = layer.split_size_or_sections
        arg = py_value(sizes[0] if len(sizes) == 1 else list(sizes))
        text = f"torch.split($0, {arg}, dim={layer.dim})[{layer.index}]"
    elif isinstance(layer, L.Chunk):
        text = f"$0.chunk({layer.chunks}, dim={layer.dim})[{layer.index}]"
    else:
        assert isinstance(layer, L.Slice)
        start = "" if layer.start is None else str(layer.start)
        end = "" if layer.end is None else str(layer.end)
        cut = f"{start}:{end}" + ("" if layer.step == 1 else f":{layer.step}")
        d = layer.dim
        index = [":"] * d + [cut] if d >= 0 else ["...", cut] + [":"] * (-d - 1)
        text = f"$0[{', '.join(index)}]"
    fwd, key = _tpl(text)
    return Leaf(None, fwd, key)


def _merge(layer: L.Merge, row: LayerReport) -> Leaf:
    n = len(row.inputs)
    if isinstance(layer, L.Concat):
        fwd, key = _tpl(f"torch.cat([{', '.join(f'${i}' for i in range(n))}], dim={layer.dim})")
        return Leaf(None, fwd, key)
    if isinstance(layer, L.Matmul):
        return Leaf(None, *_tpl("$0 @ $1"))
    ins = [f"${i}" for i in range(n)]
    if isinstance(layer, L.Mul):
        rank = max(len(s) for s in row.in_shapes)
        for i, s in enumerate(row.in_shapes):
            if len(s) < rank:  # missing axes go in front of its own, after the batch
                dims = ", ".join([f"${i}.shape[0]", *("1",) * (rank - len(s)), *map(str, s)])
                ins[i] = f"${i}.reshape({dims})"
        return Leaf(None, *_tpl(" * ".join(ins)))
    return Leaf(None, *_tpl(" + ".join(ins)))


def _param_leaf(head: str, args: tuple[Arg, ...], template: str, frozen: bool) -> Leaf:
    tail = "), requires_grad=False)" if frozen else "))"
    return Leaf(Init(head, args, tail, param=True), *_tpl(template))


def leaf(row: LayerReport) -> Leaf:
    """The code of one layer: its attribute's constructor (if it has one) and its forward."""
    layer, x, frozen = row.node.layer, row.in_shape, row.node.frozen
    if isinstance(layer, L.Merge):
        return _merge(layer, row)
    if isinstance(layer, L.DwConv):
        return _conv(layer.as_conv(x), x, frozen)
    if type(layer) is L.Conv:
        return _conv(layer, x, frozen)
    if isinstance(layer, L.ConvTranspose):
        return _convT(layer, x, frozen)
    if isinstance(layer, (L.MaxPool, L.AvgPool)):
        return _pool(layer, x)
    if isinstance(layer, L.AdaptivePool):
        return _adaptive(layer, x)
    if isinstance(layer, (L.BatchNorm, L.InstanceNorm)):
        return _running_norm(layer, x, frozen)
    if isinstance(layer, L.GroupNorm):
        return _gn(layer, x, frozen)
    if isinstance(layer, L.LayerNorm):
        init = _module("ChannelLayerNorm", *_ln_args(x[0], layer.eps, layer.affine, layer.bias),
                       frozen=frozen)  # fmt: skip
        return Leaf(init, _module_call, "$m($0)", (CHANNEL_LAYER_NORM,))
    if isinstance(layer, L.LayerNormLast):
        init = _module("nn.LayerNorm", *_ln_args(x[-1], layer.eps, layer.affine, layer.bias),
                       frozen=frozen)  # fmt: skip
        return Leaf(init, _module_call, "$m($0)")
    if isinstance(layer, L.Activation):
        return _activation(layer)
    if isinstance(layer, L.PReLU):
        init = _module("nn.PReLU", Arg("num_parameters", layer.num_parameters, 1),
                       Arg("init", layer.init, 0.25), frozen=frozen)  # fmt: skip
        return Leaf(init, _module_call, "$m($0)")
    if isinstance(layer, L.Dropout):
        init = _module("nn.Dropout", Arg("p", layer.p, 0.5), Arg("inplace", layer.inplace, False))
        return Leaf(init, _module_call, "$m($0)")
    if isinstance(layer, L.Identity):
        return Leaf(_module("nn.Identity"), _module_call, "$m($0)")
    if isinstance(layer, L.Flatten):
        init = _module("nn.Flatten", Arg("start_dim", int(layer.start_dim), 1),
                       Arg("end_dim", int(layer.end_dim), -1))  # fmt: skip
        return Leaf(init, _module_call, "$m($0)")
    if isinstance(layer, L.Linear):
        init = _module("nn.Linear", Arg("in_features", x[-1], positional=True),
                       Arg("out_features", layer.out_features, positional=True),
                       Arg("bias", layer.bias, True), frozen=frozen)  # fmt: skip
        return Leaf(init, _module_call, "$m($0)")
    if isinstance(layer, L.Upsample):
        return _upsample(layer, row)
    if isinstance(layer, L.Pad_):
        return _pad(layer, x)
    if isinstance(layer, L.Part):
        return _part(layer, x)
    if isinstance(layer, L.ChannelShuffle):
        init = _module("nn.ChannelShuffle", Arg("groups", layer.groups, positional=True))
        return Leaf(init, _module_call, "$m($0)")
    if isinstance(layer, L.DropPath):
        p = Arg("p", layer.p, positional=True)
        init = _module("DropPath", p, Arg("mode", layer.mode, "row"))
        return Leaf(init, _module_call, "$m($0)", (DROP_PATH,))
    return _token_leaf(row)


def _token_leaf(row: LayerReport) -> Leaf:
    layer, x, frozen = row.node.layer, row.in_shape, row.node.frozen
    if isinstance(layer, L.Permute):
        return Leaf(None, *_tpl(f"$0.permute({', '.join(map(str, layer.dims))})"))
    if isinstance(layer, L.Transpose):
        return Leaf(None, *_tpl(f"$0.transpose({layer.dim0}, {layer.dim1})"))
    if isinstance(layer, L.Reshape):
        dims = ", ".join(["$0.shape[0]", *map(str, layer.shape)])
        return Leaf(None, *_tpl(f"$0.reshape({dims})"))
    if isinstance(layer, L.Unflatten):
        init = _module("nn.Unflatten", Arg("dim", layer.dim, positional=True),
                       Arg("unflattened_size", tuple(layer.sizes), positional=True))  # fmt: skip
        return Leaf(init, _module_call, "$m($0)")
    if isinstance(layer, L.Select):
        return Leaf(None, *_tpl(f"$0.select({layer.dim}, {layer.index})"))
    if isinstance(layer, L.LayerScale):
        axis = _axis(layer.dim, x)
        shape = tuple(x[axis] if i == axis else 1 for i in range(len(x)))
        args = (Arg("size", shape, positional=True), Arg("fill_value", layer.init, positional=True))
        return _param_leaf("nn.Parameter(torch.full(", args, "$m * $0", frozen)
    if isinstance(layer, L.ClassToken):
        axis = _axis(layer.dim, x)
        shape = tuple(layer.num_tokens if i == axis else s for i, s in enumerate(x))
        expand = ", ".join(["$0.shape[0]", *("-1",) * len(x)])
        template = f"torch.cat([$m.expand({expand}), $0], dim={axis + 1})"
        return _param_leaf(
            "nn.Parameter(torch.zeros(",
            (Arg("size", (1, *shape), positional=True),),
            template,
            frozen,
        )
    if isinstance(layer, L.PosEmbedding):
        size = (Arg("size", (1, *x), positional=True),)
        return _param_leaf("nn.Parameter(torch.zeros(", size, "$0 + $m", frozen)
    if isinstance(layer, L.PixelShuffle):
        cls, name = ("nn.PixelUnshuffle", "downscale_factor") if layer.inverse else (
            "nn.PixelShuffle", "upscale_factor")  # fmt: skip
        return Leaf(_module(cls, Arg(name, layer.factor, positional=True)), _module_call,
                    "$m($0)")  # fmt: skip
    if isinstance(layer, L.MultiheadAttention):
        init = _module(
            "nn.MultiheadAttention",
            Arg("embed_dim", x[-1], positional=True),
            Arg("num_heads", layer.num_heads, positional=True),
            Arg("dropout", layer.dropout, 0.0),
            Arg("bias", layer.bias, True),
            Arg("add_bias_kv", layer.add_bias_kv, False),
            Arg("add_zero_attn", layer.add_zero_attn, False),
            Arg("batch_first", True, False),
            frozen=frozen,
        )
        return Leaf(init, *_tpl("$m($0, $0, $0, need_weights=False)[0]"))
    if isinstance(layer, L.Matmul):  # pragma: no cover - a merge, handled above
        raise AssertionError
    if isinstance(layer, L.Roll):
        many = len(layer.dims) > 1
        shifts = py_value(tuple(layer.shifts) if many else _n(layer.shifts))
        axes = py_value(tuple(layer.dims) if many else _n(layer.dims))
        return Leaf(None, *_tpl(f"torch.roll($0, {shifts}, {axes})"))
    if isinstance(layer, L.SpaceToDepth):
        fwd, key = _tpl(f"space_to_depth($0, {layer.block_size})")
        return Leaf(None, fwd, key, (SPACE_TO_DEPTH,))
    if isinstance(layer, L.WindowAttention):
        init = _module(
            "ShiftedWindowAttention",
            Arg("dim", x[-1], positional=True),
            Arg("window_size", layer.window_size, positional=True),
            Arg("shift_size", layer.shift_size, positional=True),
            Arg("num_heads", layer.num_heads, positional=True),
            Arg("qkv_bias", layer.qkv_bias, True),
            Arg("proj_bias", layer.proj_bias, True),
            Arg("attention_dropout", layer.attention_dropout, 0.0),
            Arg("dropout", layer.dropout, 0.0),
            frozen=frozen,
        )
        return Leaf(init, _module_call, "$m($0)", (WINDOW_ATTENTION,))
    raise TypeError(f"no PyTorch code for {type(layer).__name__}")  # a kind not mapped here


def _axis(dim: int, x: Shape) -> int:
    a = batched_axis(dim, len(x))
    assert a is not None  # the engine checked it
    return a
