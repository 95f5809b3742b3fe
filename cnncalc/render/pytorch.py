"""A network as PyTorch source: a report in, the text of a self-contained Python module out.

The module holds one `nn.Module` class per block definition (per Ultralytics module for a YOLO
file) and a top class for the network. Every layer is an attribute named as cnncalc names it, so
`state_dict()` keys are the names `params` shows: a name that is no Python attribute (`layer1.0`)
lives in an `nn.Sequential`, `nn.ModuleList` or `nn.ModuleDict`, or is added with `add_module`.
Constructor arguments are PyTorch's, those equal to PyTorch's defaults left out. A group of
layers that is not a block call is an `nn.Sequential` when its layers form a chain, else a
container whose layers the enclosing forward calls one by one. The calls of one block definition
share a class when they build the same structure (their differing numbers become the class's
arguments, named after the block's parameters where the values tell which); a call that builds
another structure (a residual without its shortcut) gets a class of its own, numbered.

Nothing here imports torch: the text does, when it is run.
"""

from __future__ import annotations

import keyword
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cnncalc import layers as L
from cnncalc.engine import INPUT, LayerReport, Report
from cnncalc.errors import CnnCalcError
from cnncalc.layers.kinds_linear import batched_axis
from cnncalc.messages import t
from cnncalc.messages.escape import visible
from cnncalc.render.pycode import INDENT, Br, Code, call, flat, lines, py_str, py_value

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


def check_class_name(name: str) -> None:
    """`--class-name`: a Python identifier that the module does not use for anything else."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise CnnCalcError("E0901", name=visible(name))
    if name in _RESERVED | _HELPER_NAMES:
        raise CnnCalcError("E0902", name=name, names=", ".join(sorted(_RESERVED | _HELPER_NAMES)))


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


def _bn(layer: L.BatchNorm, x: Shape, frozen: bool) -> Leaf:
    n = 1 if len(x) == 1 else _rank(x, "bn")
    init = _module(
        f"nn.BatchNorm{n}d",
        Arg("num_features", x[0], positional=True),
        Arg("eps", layer.eps, 1e-5),
        Arg("momentum", layer.momentum, 0.1),
        Arg("affine", layer.affine, True),
        Arg("track_running_stats", layer.track_running_stats, True),
        frozen=frozen,
    )
    return Leaf(init, _module_call, "$m($0)")


def _inorm(layer: L.InstanceNorm, x: Shape, frozen: bool) -> Leaf:
    n = 1 if len(x) == 1 else _rank(x, "inorm")
    init = _module(
        f"nn.InstanceNorm{n}d",
        Arg("num_features", x[0], positional=True),
        Arg("eps", layer.eps, 1e-5),
        Arg("momentum", layer.momentum, 0.1),
        Arg("affine", layer.affine, False),
        Arg("track_running_stats", layer.track_running_stats, False),
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


CHANNEL_LAYER_NORM = '''
class ChannelLayerNorm(nn.LayerNorm):
    """LayerNorm over the channels at every position (ConvNeXt's LayerNorm2d)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            return super().forward(x)
        return super().forward(x.movedim(1, -1)).movedim(-1, 1)
'''

DROP_PATH = '''
class DropPath(nn.Module):
    """Stochastic depth: in training, zero whole samples ("row") or the whole batch
    ("batch") with probability p and scale the rest by 1 / (1 - p); the identity in eval
    mode."""

    def __init__(self, p: float, mode: str = "row") -> None:
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        if self.mode == "row":
            shape = [x.shape[0]] + [1] * (x.dim() - 1)
        else:
            shape = [1] * x.dim()
        noise = torch.empty(shape, dtype=x.dtype, device=x.device).bernoulli_(keep)
        if keep > 0.0:
            noise.div_(keep)
        return x * noise
'''

SPACE_TO_DEPTH = '''
def space_to_depth(x: torch.Tensor, r: int) -> torch.Tensor:
    """Swin's patch merging on a channels-last map: pad to whole r×r blocks, then the
    r×r offsets of every block side by side on the channels, the row offset fastest."""
    h, w = x.shape[-3], x.shape[-2]
    x = nn.functional.pad(x, (0, 0, 0, (-w) % r, 0, (-h) % r))
    parts = [x[..., i::r, j::r, :] for j in range(r) for i in range(r)]
    return torch.cat(parts, -1)
'''

WINDOW_ATTENTION = '''
class ShiftedWindowAttention(nn.Module):
    """Swin's window attention on a channels-last map (N, H, W, C): self-attention
    inside each window_size×window_size window, with a learned relative position bias,
    the windows shifted by shift_size (and the attention masked across the wrap)."""

    def __init__(
        self,
        dim: int,
        window_size: int,
        shift_size: int,
        num_heads: int,
        qkv_bias: bool = True,
        proj_bias: bool = True,
        attention_dropout: float = 0.0,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.window_size = window_size
        self.shift_size = shift_size
        self.num_heads = num_heads
        self.attention_dropout = attention_dropout
        self.dropout = dropout
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim, bias=proj_bias)
        w = window_size
        self.relative_position_bias_table = nn.Parameter(
            torch.zeros((2 * w - 1) * (2 * w - 1), num_heads)
        )
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)
        coords = torch.stack(
            torch.meshgrid(torch.arange(w), torch.arange(w), indexing="ij")
        ).flatten(1)
        relative = coords[:, :, None] - coords[:, None, :]
        relative = relative.permute(1, 2, 0).contiguous()
        relative[:, :, 0] += w - 1
        relative[:, :, 1] += w - 1
        relative[:, :, 0] *= 2 * w - 1
        self.register_buffer("relative_position_index", relative.sum(-1).flatten())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, h, w, c = x.shape
        ws, heads = self.window_size, self.num_heads
        x = nn.functional.pad(x, (0, 0, 0, (ws - w % ws) % ws, 0, (ws - h % ws) % ws))
        _, ph, pw, _ = x.shape
        sh = 0 if ws >= ph else self.shift_size
        sw = 0 if ws >= pw else self.shift_size
        if sh + sw > 0:
            x = torch.roll(x, shifts=(-sh, -sw), dims=(1, 2))
        windows = (ph // ws) * (pw // ws)
        x = x.view(b, ph // ws, ws, pw // ws, ws, c)
        x = x.permute(0, 1, 3, 2, 4, 5).reshape(b * windows, ws * ws, c)
        qkv = self.qkv(x).reshape(x.size(0), x.size(1), 3, heads, c // heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        attn = (q * (c // heads) ** -0.5).matmul(k.transpose(-2, -1))
        bias = self.relative_position_bias_table[self.relative_position_index]
        attn = attn + bias.view(ws * ws, ws * ws, -1).permute(2, 0, 1).unsqueeze(0)
        if sh + sw > 0:
            mask = x.new_zeros((ph, pw))
            rows = ((0, -ws), (-ws, -sh), (-sh, None))
            cols = ((0, -ws), (-ws, -sw), (-sw, None))
            count = 0
            for r in rows:
                for s in cols:
                    mask[r[0] : r[1], s[0] : s[1]] = count
                    count += 1
            mask = mask.view(ph // ws, ws, pw // ws, ws).permute(0, 2, 1, 3)
            mask = mask.reshape(windows, ws * ws)
            mask = mask.unsqueeze(1) - mask.unsqueeze(2)
            mask = mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0)
            attn = attn.view(x.size(0) // windows, windows, heads, x.size(1), x.size(1))
            attn = attn + mask.unsqueeze(1).unsqueeze(0)
            attn = attn.view(-1, heads, x.size(1), x.size(1))
        attn = nn.functional.softmax(attn, dim=-1)
        p = self.attention_dropout
        attn = nn.functional.dropout(attn, p=p, training=self.training)
        x = attn.matmul(v).transpose(1, 2).reshape(x.size(0), x.size(1), c)
        x = nn.functional.dropout(self.proj(x), p=self.dropout, training=self.training)
        x = x.view(b, ph // ws, pw // ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5)
        x = x.reshape(b, ph, pw, c)
        if sh + sw > 0:
            x = torch.roll(x, shifts=(sh, sw), dims=(1, 2))
        return x[:, :h, :w, :].contiguous()
'''

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
    if isinstance(layer, L.BatchNorm):
        return _bn(layer, x, frozen)
    if isinstance(layer, L.InstanceNorm):
        return _inorm(layer, x, frozen)
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


# --- the tree of groups ----------------------------------------------------------------------


@dataclass
class Node:
    """A layer or a group of layers (a block call, a repeat copy, a structure) under one
    dotted prefix, with what it reads from outside and what outside reads of it."""

    name: str  # full dotted name ("" for the network)
    local: str
    row: LayerReport | None = None
    leaf: Leaf | None = None
    children: list[Node] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    block: str | None = None  # the block definition a call came from
    call_args: Mapping[str, object] = field(default_factory=dict)
    render: str = ""  # "leaf", "class", "seq", "list", "dict", "flat"
    cls: str = ""  # the class of a "class" group
    class_args: tuple[Arg, ...] = ()
    #: a group whose layers are interrupted by others' (Detect's `cv2` and `cv3` levels, one
    #: after the other): its later runs, each a node of its own that shares its attribute
    parts: list[Node] = field(default_factory=list)
    origin: Node | None = None

    @property
    def members(self) -> list[Node]:
        """The children of every run of this group."""
        return [c for n in (self, *self.parts) for c in n.children]

    @property
    def layers(self) -> list[LayerReport]:
        if self.row is not None:
            return [self.row]
        return [r for c in self.children for r in c.layers]


def _tree(report: Report) -> Node:
    root = Node("", "")
    calls = {c.name: c for c in report.network.calls}
    groups: dict[str, Node] = {"": root}
    for row in report.layers:
        parts = row.name.split(".")
        parent = root
        for i in range(1, len(parts)):
            prefix = ".".join(parts[:i])
            group = groups.get(prefix)
            if group is None or parent.children[-1:] != [group]:
                first = group.origin or group if group is not None else None
                group = Node(prefix, parts[i - 1])
                if first is not None:  # a group that restarts after another's layers
                    group.origin = first
                    first.parts.append(group)
                c = calls.get(prefix)
                if c is not None and first is None:
                    group.block, group.call_args = c.block, dict(c.args)
                groups[prefix] = group
                parent.children.append(group)
            parent = group
        parent.children.append(Node(row.name, parts[-1], row=row, leaf=leaf(row), render="leaf"))
    for group in groups.values():
        for child in group.children:
            if child.local in _MODULE_ATTRS and (
                child.row is None or (child.leaf and child.leaf.init)
            ):
                raise CnnCalcError("E0905", name=child.name, local=child.local)
    for group in groups.values():  # one attribute per name: a layer cannot also be a group
        leaves = {c.local: c for c in group.children if c.row is not None}
        for child in group.children:
            if child.row is None and child.local in leaves:
                inner = child.layers[0].name
                raise CnnCalcError("E0904", name=leaves[child.local].name, inner=inner)
    _interfaces(root, report)
    return root


def _leaf_inputs(n: Node) -> tuple[str, ...]:
    assert n.row is not None and n.leaf is not None
    return (*n.row.inputs, *n.leaf.extra)


def _interfaces(root: Node, report: Report) -> None:
    """Every group's inputs (tensors from outside, in reading order) and outputs (its tensors
    read outside it, or the network's outputs)."""
    readers: dict[str, list[str]] = {}
    for row in report.layers:
        n = Node(row.name, "", row=row, leaf=leaf(row))
        for i in _leaf_inputs(n):
            readers.setdefault(i, []).append(row.name)
    final = set(report.output_names)

    def walk(node: Node) -> set[str]:
        if node.row is not None:
            return {node.row.name}
        inside: set[str] = set()
        for c in node.children:
            inside |= walk(c)
        names = [r.name for r in node.layers]
        ins: dict[str, None] = {}
        for r in node.layers:
            assert r.node is not None
            for i in (*r.inputs, *_extra(r)):
                if i not in inside:
                    ins[i] = None
        node.inputs = list(ins)
        node.outputs = [
            n for n in names if n in final or any(r not in inside for r in readers.get(n, ()))
        ]
        return inside

    walk(root)
    root.inputs = [INPUT]
    root.outputs = list(report.output_names)


def _extra(row: LayerReport) -> tuple[str, ...]:
    layer = row.node.layer
    if isinstance(layer, L.Upsample) and layer.size_of is not None:
        return (layer.size_of,)
    return ()


def _is_chain(node: Node) -> bool:
    """The children call one another in turn, each on the one before's output alone."""
    if len(node.inputs) != 1 or len(node.outputs) != 1 or not node.children:
        return False
    prev = node.inputs[0]
    for c in node.children:
        if c.row is not None:
            if not (c.leaf and c.leaf.plain) or _leaf_inputs(c) != (prev,):
                return False
            out = c.row.name
        else:
            if c.render not in ("class", "seq") or c.inputs != [prev] or len(c.outputs) != 1:
                return False
            out = c.outputs[0]
        prev = out
    last = node.children[-1]
    end = last.row.name if last.row is not None else last.outputs[0]
    return node.outputs == [end]


def _decide(node: Node, front: str) -> None:
    """How each group is written, innermost first."""
    for c in node.children:
        if c.row is None:
            _decide(c, front)
    if node.row is not None or node.name == "":
        node.render = "class" if node.name == "" else node.render
        return
    members = (node.origin or node).members
    numeric = [c.local for c in members] == [str(i) for i in range(len(members))]
    params = any(c.leaf is not None and c.leaf.init is not None and c.leaf.init.param
                 for c in members)  # fmt: skip
    if node.parts or node.origin is not None:  # one container, its layers called in turn
        assert not params, node.name  # a parameter layer sits in a block's own class
        full = all(_has_attr(c) for c in members)
        node.render = "list" if numeric and full else "dict"
    elif node.block is not None:
        node.render = "class"
    elif _is_chain(node):
        node.render = "seq"
    elif params:
        node.render = "class"
    elif numeric and all(_has_attr(c) for c in members):
        node.render = "list"
    else:
        node.render = "dict"


# --- writing ---------------------------------------------------------------------------------


def camel(name: str) -> str:
    """`mobilenet_v2` -> `MobilenetV2`: a class name from a network or block name."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", name) if w]
    text = "".join(w[:1].upper() + w[1:] for w in words)
    if not text or text[0].isdigit():
        text = "Net" + text
    return text + "_" if keyword.iskeyword(text) else text


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and name not in _MODULE_ATTRS


def _var_name(local: str) -> str:
    text = re.sub(r"\W", "_", local)
    if not text or text[0].isdigit():
        text = "x" + text
    return text + "_" if keyword.iskeyword(text) or text in _RESERVED | {"self"} else text


@dataclass
class Holes:
    """The argument values of one class body, in writing order: two calls with the same text
    around the holes share a class, and a hole whose values differ becomes an argument."""

    values: list[Arg] = field(default_factory=list)

    def add(self, arg: Arg) -> str:
        self.values.append(arg)
        return f"\x00{len(self.values) - 1}\x00"


def _init_code(node: Node, holes: Holes) -> Code:
    """The expression that makes a child: a module, a parameter, a class, a container."""
    if node.row is not None:
        assert node.leaf is not None and node.leaf.init is not None
        init = node.leaf.init
        held = tuple(holes.add(a) for a in init.args)
        if init.param:  # nn.Parameter(torch.full(size, v)): the inner call holds the args
            outer, inner = init.head.split("(")[:2]
            extra = ("requires_grad=False",) if "requires_grad" in init.tail else ()
            return call(outer, Br(inner, held), *extra)
        return Br(init.head[:-1], held, tail=init.tail[1:])
    if node.render == "class":
        return Br(node.cls, tuple(holes.add(a) for a in node.class_args))
    if node.render == "seq":
        if all(c.local == str(i) for i, c in enumerate(node.children)):
            return Br("nn.Sequential", tuple(_init_code(c, holes) for c in node.children))
        pairs = tuple(Br("", (py_str(c.local), _init_code(c, holes))) for c in node.children)
        return call("nn.Sequential", call("OrderedDict", Br("", pairs, "[", "]")))
    members = [c for c in node.members if _has_attr(c)]
    if node.render == "list":
        return call("nn.ModuleList", Br("", tuple(_init_code(c, holes) for c in members), "[", "]"))
    items: list[Code] = []
    for c in members:
        value = _init_code(c, holes)
        label = py_str(c.local) + ": "
        if isinstance(value, str):
            items.append(label + value)
        else:
            items.append(Br(label + value.head, value.items, value.open, value.close, value.tail))
    return call("nn.ModuleDict", Br("", tuple(items), "{", "}"))


def _has_attr(node: Node) -> bool:
    if node.origin is not None:
        return False  # the first run of the group holds the attribute
    if node.row is not None:
        return node.leaf is not None and node.leaf.init is not None
    if node.render in ("class", "seq"):
        return True
    return any(_has_attr(c) for c in node.members)


def _access(base: str, container: str, local: str, index: int) -> str:
    if container == "class":
        return f"{base}.{local}" if _identifier(local) else f"getattr({base}, {py_str(local)})"
    if container == "list":
        return f"{base}[{index}]"
    return f"{base}[{py_str(local)}]"


@dataclass
class Step:
    """One forward statement: the tensors it makes, the tensors it reads, its expression."""

    outs: list[str]
    ins: list[str]
    expr: Callable[[Sequence[str]], Any]  # Code, or a Cond
    local: str


def _bound(fwd: Fwd, m: str) -> Callable[[Sequence[str]], Code]:
    def expr(xs: Sequence[str]) -> Code:
        return fwd(m, xs)

    return expr


def _steps(node: Node, base: str) -> list[Step]:
    """The forward statements of a class body: a child group written as a container has its
    layers called here one by one."""
    steps: list[Step] = []
    container = node.render
    members = [c for c in (node.origin or node).members if _has_attr(c)]
    for c in node.children:
        at = c.origin or c
        m = _access(base, container, c.local, members.index(at)) if at in members else ""
        if c.row is not None:
            assert c.leaf is not None
            fwd = c.leaf.fwd
            steps.append(Step([c.row.name], list(_leaf_inputs(c)), _bound(fwd, m), c.local))
        elif c.render in ("class", "seq"):
            steps.append(Step(list(c.outputs), list(c.inputs), _bound(_module_call, m), c.local))
        else:
            steps += _steps(c, m)
    return steps


def _forward(
    inputs: Sequence[str], outputs: Sequence[str], steps: list[Step]
) -> tuple[list[str], list[str]]:
    """The forward's parameters and body lines; each tensor in a variable, a variable reused
    once its tensor is read for the last time (`x = self.bn1(x)`)."""
    last: dict[str, int] = {}
    for i, s in enumerate(steps):
        for name in s.ins:
            last[name] = i
    for name in outputs:
        last[name] = len(steps)
    var: dict[str, str] = {}
    live: dict[str, str] = {}  # variable -> the tensor it holds
    params = []
    for i, name in enumerate(inputs):
        v = "x" if i == 0 else f"x{i}"
        var[name], live[v] = v, name
        params.append(v)
    body: list[str] = []
    indent = INDENT * 2
    for i, s in enumerate(steps):
        if len(s.outs) == 1 and s.outs[0] not in last:
            continue  # a tensor nothing reads (a part of a split that no layer takes)
        args = [var[n] for n in s.ins]
        free = []
        for n in dict.fromkeys(s.ins):
            if last.get(n, -1) <= i and live.get(var[n]) == n:
                free.append(var[n])
                del live[var[n]]
        targets = []
        for out in s.outs:
            if free:
                v = free.pop(0)
            elif "out" not in live and "out" not in targets and len(s.outs) == 1:
                v = "out"
            else:
                v = base = _var_name(s.local if len(s.outs) == 1 else out.rsplit(".", 1)[-1])
                k = 1
                while v in live or v in targets:
                    k += 1
                    v = f"{base}_{k}"
            var[out], live[v] = v, out
            targets.append(v)
        code = s.expr(args)
        target = ", ".join(targets) + " = "
        if isinstance(code, Cond):  # a child this call of the block leaves out: its input
            body += [f"{indent}if {code.cond}:", *lines(code.code, indent + INDENT, target)]
            if targets != [code.fallback]:
                body += [f"{indent}else:", f"{indent}{INDENT}{target}{code.fallback}"]
        else:
            body += lines(code, indent, target)
    outs = [var[n] for n in outputs]
    body.append(f"{indent}return {', '.join(outs)}")
    return params, body


def _fill(code: Code, fill: Callable[[int], str | None]) -> Code | None:
    """The code with each hole filled (`fill` None: the argument is left out)."""
    if isinstance(code, str):
        found = re.fullmatch("\x00(\\d+)\x00", code)
        return fill(int(found.group(1))) if found else code
    items = tuple(i for i in (_fill(c, fill) for c in code.items) if i is not None)
    return Br(code.head, items, code.open, code.close, code.tail)


def _same(a: Sequence[object], b: Sequence[object]) -> bool:
    return len(a) == len(b) and all(type(x) is type(y) and x == y for x, y in zip(a, b))


def _is_default(arg: Arg) -> bool:
    if arg.default is _REQUIRED:
        return False
    return type(arg.value) is type(arg.default) and arg.value == arg.default


def _annotation(values: list[object]) -> str:
    types = {type(v) for v in values}
    if types == {bool}:
        return ": bool"
    if types == {int}:
        return ": int"
    if types and types <= {int, float}:
        return ": float"
    if types == {str}:
        return ": str"
    return ""


#: the constructor arguments that are the size of the input
_INPUT_SIZES = frozenset({"in_channels", "in_features", "num_features", "num_channels",
                          "normalized_shape", "embed_dim", "dim"})  # fmt: skip
_HELPER_NAMES = frozenset({"ChannelLayerNorm", "DropPath", "ShiftedWindowAttention",
                           "space_to_depth"})  # fmt: skip


_ABSENT = object()  # a value of a layer that one call of a block does not have


@dataclass(frozen=True)
class Cond:
    """A forward step of a child some calls leave out: `code` when `cond`, else `fallback`
    (its last input)."""

    code: Code
    cond: str
    fallback: str


@dataclass
class Unit:
    """One child of a class body: its attribute's code (holes for its argument values), and
    its forward step, its tensors named relative to the call (`conv1`, `<in0>`)."""

    local: str
    key: str  # the child's code around its holes: two calls' children compare by it
    code: Code | None  # None: no attribute (computed inline)
    holes: list[Arg]
    step: Step
    param: bool = False
    access: str = ""  # how forward reaches its attribute (`self.conv1`, `self[0]`)


@dataclass
class Body:
    """One call of a block (or the network): its children, inputs and outputs."""

    node: Node
    units: list[Unit]
    inputs: list[str]
    outputs: list[str]
    flat: bool  # every child is a layer or a class or sequential call (no container inlined)

    def signature(self) -> str:
        parts = [f"{u.local}|{u.key}|{u.step.ins}|{u.step.outs}" for u in self.units]
        return "\n".join([*parts, f"{self.inputs}", f"{self.outputs}"])


@dataclass
class Slot:
    """A child of the class: the union over the calls it stands for."""

    unit: Unit  # from the first call that has it
    present: list[int]  # the indices of the calls that have it
    ins: list[str]
    optional: bool = False
    #: the child in each call that has it, by the call's index
    units: dict[int, Unit] = field(default_factory=dict)


def _rel(node: Node) -> Callable[[str], str]:
    """A tensor's name relative to a call: `<in0>` for its first input, `conv1` for its
    layer `layer1.0.conv1`."""
    prefix = node.name + "." if node.name else ""
    index = {name: i for i, name in enumerate(node.inputs)}

    def rel(name: str) -> str:
        if name in index:
            return f"<in{index[name]}>"
        return name[len(prefix) :] if prefix and name.startswith(prefix) else name

    return rel


def _body(node: Node) -> Body:
    rel = _rel(node)
    units: list[Unit] = []
    flat_ = True
    container = node.render
    members = [c for c in (node.origin or node).members if _has_attr(c)]
    for c in node.children:
        m = _access("self", container, c.local, members.index(c)) if c in members else ""
        holes = Holes()
        code = _init_code(c, holes) if c in members else None
        text = "" if code is None else flat(code)
        if c.row is None and c.render not in ("class", "seq"):  # a container, called inline
            flat_ = False
            inner = [Step([rel(o) for o in s.outs], [rel(i) for i in s.ins], s.expr, s.local)
                     for s in _steps(c, m)]  # fmt: skip
            for k, step in enumerate(inner):
                last = k == len(inner) - 1
                key = f"{flat(step.expr(step.ins))}|{text if last else ''}|{len(holes.values)}"
                units.append(Unit(c.local, key, code if last else None,
                                  holes.values if last else [], step))  # fmt: skip
            continue
        if c.row is not None:
            assert c.leaf is not None
            fwd, key = c.leaf.fwd, c.leaf.fwd_key
            step = Step([rel(c.row.name)], [rel(i) for i in _leaf_inputs(c)], _bound(fwd, m),
                        c.local)  # fmt: skip
            param = c.leaf.init is not None and c.leaf.init.param
        else:
            key = "call"
            step = Step([rel(o) for o in c.outputs], [rel(i) for i in c.inputs],
                        _bound(_module_call, m), c.local)  # fmt: skip
            param = False
        units.append(Unit(c.local, f"{key}|{text}|{len(holes.values)}", code, holes.values,
                          step, param, m))  # fmt: skip
    ins = [rel(i) for i in node.inputs]
    return Body(node, units, ins, [rel(o) for o in node.outputs], flat_)


def _height(node: Node) -> int:
    """How deep the block calls inside a node go (0: none)."""
    inner = [_height(c) + (c.render == "class") for c in node.children if c.row is None]
    return max(inner, default=0)


def _union(bodies: list[Body]) -> tuple[list[Slot], list[str]] | None:
    """The children of one class for calls whose structures differ by children that some
    calls leave out (a shortcut, the add of a residual): each left-out child passes its last
    input on. None when the calls differ otherwise."""
    if any(not b.flat for b in bodies):
        return None
    order: list[str] = []
    for b in sorted(bodies, key=lambda b: -len(b.units)):
        locals_ = [u.local for u in b.units]
        if len(set(locals_)) != len(locals_):
            return None
        at = 0
        for name in locals_:
            if name in order:
                at = order.index(name) + 1
            else:
                order.insert(at, name)
                at += 1
    slots: list[Slot] = []
    for name in order:
        present = [i for i, b in enumerate(bodies) if any(u.local == name for u in b.units)]
        units = [next(u for u in bodies[i].units if u.local == name) for i in present]
        if len({u.key for u in units}) > 1 or len({tuple(u.step.outs) for u in units}) > 1:
            return None
        if len(present) < len(bodies) and (len(units[0].step.outs) != 1 or units[0].param):
            return None
        slots.append(Slot(units[0], present, [], len(present) < len(bodies),
                          dict(zip(present, units))))  # fmt: skip
    producer = {o: s for s in slots for o in s.unit.step.outs}

    def resolve(ref: str, i: int) -> str:
        for _ in slots:  # a left-out child is its last input, which may be left out too
            slot = producer.get(ref)
            if slot is None or i in slot.present or not slot.ins:
                break
            ref = slot.ins[-1]
        return ref

    for slot in slots:  # the inputs of the call that, resolved, fit every call
        mine = {i: next(u for u in bodies[i].units if u.local == slot.unit.local)
                for i in slot.present}  # fmt: skip
        for cand in dict.fromkeys(tuple(u.step.ins) for u in mine.values()):
            slot.ins = list(cand)
            if all([resolve(r, i) for r in cand] == u.step.ins for i, u in mine.items()):
                break
        else:
            return None
    for cand_out in dict.fromkeys(tuple(b.outputs) for b in bodies):
        if all([resolve(r, i) for r in cand_out] == b.outputs for i, b in enumerate(bodies)):
            outputs = list(cand_out)
            break
    else:
        return None
    seen = set(bodies[0].inputs)
    for slot in slots:  # still in an order that computes each tensor before its use
        if any(r not in seen for r in slot.ins):
            return None
        seen.update(slot.unit.step.outs)
    return slots, outputs


class Writer:
    """Writes the classes, innermost block first, and collects the helpers they need."""

    def __init__(self, top: str) -> None:
        self.top = top
        self.taken = {top}
        self.helpers: dict[str, None] = {}
        self.ordered = False
        self.out: list[str] = []

    def name_class(self, wanted: str) -> str:
        name, k = wanted, 1
        while name in self.taken or name in _RESERVED or name in _HELPER_NAMES:
            k += 1
            name = f"{wanted}{k}"
        self.taken.add(name)
        return name

    def write(self, root: Node) -> list[str]:
        calls: dict[str, list[Node]] = {}
        height: dict[str, int] = {}

        def walk(node: Node) -> None:
            for c in node.children:
                if c.row is not None:
                    assert c.leaf is not None
                    self.helpers.update(dict.fromkeys(c.leaf.helpers))
                else:
                    walk(c)
            if node.render == "seq" and any(c.local != str(i) for i, c in enumerate(node.children)):
                self.ordered = True
            if node.render == "class" and node is not root:
                block = node.block or node.local
                calls.setdefault(block, []).append(node)
                height[block] = max(height.get(block, 0), _height(node))

        walk(root)
        for block in sorted(calls, key=lambda b: height[b]):  # inner blocks first (stable)
            self.block(block, calls[block])
        root.cls = self.top
        body = _body(root)
        slots = [Slot(u, [0], u.step.ins, False, {0: u}) for u in body.units]
        self.out += ["", "", *self.write_class(self.top, [body], slots, body.outputs)]
        return self.out

    def block(self, block: str, nodes: list[Node]) -> None:
        bodies = [_body(n) for n in nodes]
        variants: dict[str, list[Body]] = {}
        for b in bodies:
            variants.setdefault(b.signature(), []).append(b)
        groups = list(variants.values())
        union = _union(bodies) if len(groups) > 1 else None
        if union is not None:
            groups = [bodies]
        for group in groups:
            cls = self.name_class(camel(block))
            if union is not None:
                slots, outputs = union
            else:
                first = group[0]
                slots = [
                    Slot(u, list(range(len(group))), u.step.ins, False,
                         {bi: b.units[ui] for bi, b in enumerate(group)})
                    for ui, u in enumerate(first.units)
                ]  # fmt: skip
                outputs = first.outputs
            self.out += ["", "", *self.write_class(cls, group, slots, outputs)]

    def write_class(
        self, cls: str, bodies: list[Body], slots: list[Slot], outputs: list[str]
    ) -> list[str]:
        """The class for `bodies` (its calls), and each call's arguments set on its node."""
        # one column per hole: its value in each call (absent where the call lacks the child)
        columns: list[list[object]] = []
        where: list[tuple[int, int]] = []  # (slot, hole)
        for si, slot in enumerate(slots):
            for hi in range(len(slot.unit.holes)):
                col: list[object] = [_ABSENT] * len(bodies)
                for bi in slot.present:
                    col[bi] = slot.units[bi].holes[hi].value
                columns.append(col)
                where.append((si, hi))
        names = self.arg_names(bodies, slots, columns, where) if cls != self.top else []
        names = names or [""] * len(columns)
        params: dict[str, list[object]] = {}
        for n, col in zip(names, columns):
            if n:
                merged = params.setdefault(n, [_ABSENT] * len(bodies))
                for i, v in enumerate(col):
                    if v is not _ABSENT:
                        merged[i] = v
        flags = [s for s in slots if s.optional]
        flag_name = {id(s): self.flag(s, params) for s in flags}
        for bi, b in enumerate(bodies):
            args = [Arg(n, col[bi]) for n, col in params.items() if col[bi] is not _ABSENT]
            args += [Arg(flag_name[id(s)], True) for s in flags if bi in s.present]
            b.node.cls = cls
            b.node.class_args = tuple(args)
        required = [n for n, col in params.items() if _ABSENT not in col]
        sig = ["self", *(n + _annotation(params[n]) for n in required)]
        for n, col in params.items():
            if n not in required:
                ann = _annotation([v for v in col if v is not _ABSENT])
                sig.append(f"{n}{ann} | None = None" if ann else f"{n}=None")
        sig += [f"{flag_name[id(s)]}: bool = False" for s in flags]
        hole_name = dict(zip(where, names))
        first_value = dict(zip(where, columns))
        out = [f"class {cls}(nn.Module):"]
        out += lines(Br("def __init__", tuple(sig), tail=" -> None:"), INDENT)
        out.append(f"{INDENT * 2}super().__init__()")
        steps: list[Step] = []
        for si, slot in enumerate(slots):
            unit = slot.unit

            def fill(i: int, si: int = si, unit: Unit = unit) -> str | None:
                arg = unit.holes[i]
                name = hole_name.get((si, i), "")
                if name:
                    value = name
                else:
                    col = first_value[(si, i)]
                    arg = Arg(arg.name, next(v for v in col if v is not _ABSENT), arg.default,
                              arg.positional)  # fmt: skip
                    if _is_default(arg):
                        return None
                    value = py_value(arg.value)
                return value if arg.positional else f"{arg.name}={value}"

            flag = flag_name.get(id(slot))
            if unit.code is not None:
                code = _fill(unit.code, fill)
                assert code is not None
                out += self.attribute(unit, code, flag)
            elif flag is not None:
                out.append(f"{INDENT * 2}self.{flag} = {flag}")
            step = Step(unit.step.outs, slot.ins, unit.step.expr, unit.local)
            if flag is not None:
                step = self.optional(step, unit, flag)
            steps.append(step)
        out.append("")
        fparams, body = _forward(bodies[0].inputs, outputs, steps)
        ret = "torch.Tensor" if len(outputs) == 1 else "tuple[torch.Tensor, ...]"
        fsig = ("self", *(f"{p}: torch.Tensor" for p in fparams))
        out += lines(Br("def forward", fsig, tail=f" -> {ret}:"), INDENT)
        out += body
        return out

    def attribute(self, unit: Unit, code: Code, flag: str | None) -> list[str]:
        """`self.name = …`; for a child some calls leave out, None unless its flag is set."""
        indent = INDENT * 2
        if _identifier(unit.local):
            if flag is None:
                return lines(code, indent, f"self.{unit.local} = ")
            return [f"{indent}self.{unit.local} = None", f"{indent}if {flag}:",
                    *lines(code, indent + INDENT, f"self.{unit.local} = ")]  # fmt: skip
        method = "register_parameter" if unit.param else "add_module"
        made = lines(call(f"self.{method}", py_str(unit.local), code), indent)
        if flag is None:
            return made
        empty = f"{indent}self.{method}({py_str(unit.local)}, None)"
        return [empty, f"{indent}if {flag}:", *(INDENT + line for line in made)]

    def optional(self, step: Step, unit: Unit, flag: str) -> Step:
        """A child some calls leave out: there it passes its last input on."""
        expr = step.expr
        inline = unit.code is None

        def run(xs: Sequence[str]) -> Cond:
            code = expr(xs)
            if inline:
                return Cond(code, f"self.{flag}", xs[-1])
            return Cond(code, f"{unit.access} is not None", xs[-1])

        return Step(step.outs, step.ins, run, step.local)

    def flag(self, slot: Slot, params: Mapping[str, object]) -> str:
        name = _var_name(slot.unit.local)
        base, k = name, 1
        while name in params or name in ("self",):
            k += 1
            name = f"{base}{k}"
        return name

    def arg_names(
        self,
        bodies: list[Body],
        slots: list[Slot],
        columns: list[list[object]],
        where: list[tuple[int, int]],
    ) -> list[str]:
        """A name per hole whose value differs between the calls ("" for a constant): the
        block parameter whose value it is in every call, else torch's argument name; two
        holes with the same values share a name."""
        names: list[str] = []
        named: dict[str, list[object]] = {}
        for col, (si, hi) in zip(columns, where):
            arg = slots[si].unit.holes[hi]
            known = [v for v in col if v is not _ABSENT]
            if _same(known, [known[0]] * len(known)):
                names.append("")
                continue
            same = [n for n, c in named.items() if _fits(c, col)]
            if same:
                names.append(same[0])
                _merge_into(named[same[0]], col)
                continue
            keys = [k for k in bodies[0].node.call_args if k != "cin"]
            # an input size is `cin` where it is (else the parameter it also equals)
            keys.insert(0 if arg.name in _INPUT_SIZES else len(keys), "cin")
            name = ""
            for key in keys:
                values = [b.node.call_args.get(key, _ABSENT) for b in bodies]
                if _fits(values, col) and all(v is not _ABSENT for v in values):
                    name = key
                    break
            name = _var_name(name or arg.name)
            base, k = name, 1
            while name in named:
                k += 1
                name = f"{base}{k}"
            named[name] = list(col)
            names.append(name)
        return names


def _fits(a: Sequence[object], b: Sequence[object]) -> bool:
    """Equal wherever both have a value."""
    return len(a) == len(b) and all(
        x is _ABSENT or y is _ABSENT or (type(x) is type(y) and x == y) for x, y in zip(a, b)
    )


def _merge_into(into: list[object], col: Sequence[object]) -> None:
    for i, v in enumerate(col):
        if v is not _ABSENT:
            into[i] = v


def render_pytorch(report: Report, class_name: str | None = None, lang: str = "en") -> str:
    """The network as the text of a Python module defining `class_name` (by default the
    network's name in CamelCase)."""
    top = class_name or camel(report.network.name or "net")
    root = _tree(report)
    _decide(root, report.network.front)
    writer = Writer(top)
    classes = writer.write(root)
    doc = t("export.pytorch.doc", lang, name=report.network.name or top, cls=top)
    wrapped = textwrap.fill(_docstring(doc), 82, break_long_words=False, break_on_hyphens=False)
    head = [f'"""{wrapped}"""', ""]
    if writer.ordered:
        head += ["from collections import OrderedDict", ""]
    head += ["import torch", "from torch import nn"]
    helpers = [h.strip("\n").split("\n") for h in writer.helpers]
    out = head
    for h in helpers:
        out += ["", "", *h]
    out += classes
    return "\n".join(out) + "\n"


def _docstring(text: str) -> str:
    """User text (a network's name) safe inside a triple-quoted docstring."""
    safe = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return safe.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').rstrip('"')
