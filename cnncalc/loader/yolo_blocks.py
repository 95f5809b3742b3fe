"""The Ultralytics modules lowered into cnncalc's kinds, one function per module, from the
behaviour the pinned release documents (docs/ultralytics.md): each takes the constructor's
arguments as `parse_model` passes them (`c1, c2, …`) and adds the nodes, named by their PyTorch
module paths (`model.2.m.0.cv1.conv`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from cnncalc.engine import BlockCall, Graph, Node
from cnncalc.layers import (
    Activation,
    AdaptiveAvgPool,
    Add,
    BatchNorm,
    Concat,
    Conv,
    ConvTranspose,
    Dropout,
    Flatten,
    Layer,
    Linear,
    Matmul,
    MaxPool,
    Merge,
    Pad_,
    Reshape,
    Split,
    Transpose,
    Upsample,
)
from cnncalc.loader.nodes import SNode
from cnncalc.loader.values import Ctx

#: the sizes of a layer and the least value each may take
_LEAST = (
    ("out_channels", 1),
    ("out_features", 1),
    ("kernel_size", 1),
    ("stride", 1),
    ("dilation", 1),
    ("groups", 1),
    ("padding", 0),
)


class Lowering:
    """Builds the nodes of one model: `model.<i>` rows, each lowered module by module."""

    def __init__(self, ctx: Ctx, graph: Graph, act: str) -> None:
        self.ctx = ctx
        self.graph = graph
        self.act = act
        self.at: SNode | None = None
        #: the concatenations of anchors of every level (not a spatial merge: the receptive
        #: fields of its inputs differ by design)
        self.anchor_joins: set[str] = set()
        #: the nodes being made are Ultralytics' fixed design (Detect's inside), not the user's
        self.generated = False
        #: outputs besides the last row's (Segment's mask prototypes)
        self.extra_outputs: list[str] = []
        #: whether the model's BatchNorms take Ultralytics' eps 1e-3 and momentum 0.03 (a
        #: detection model's do; a classification model keeps PyTorch's defaults)
        self.yolo_norms = True
        #: the Ultralytics module each dotted name stands for (`model.2` C2f, `model.2.cv1`
        #: Conv), for the exporters
        self.calls: list[BlockCall] = []

    # --- primitive nodes -------------------------------------------------------------------
    def add(
        self, name: str, layer: Layer | Merge, inputs: Sequence[str], frozen: bool = False
    ) -> str:
        if self.at is not None:
            self._sizes_valid(name, layer, self.at)
        pos = self.ctx.pos(self.at) if self.at is not None else None
        op = layer.kind if isinstance(layer, Merge) else getattr(layer, "alias", "") or layer.kind
        if isinstance(layer, Activation):
            op = layer.function
        self.ctx.tick(self.at) if self.at is not None else None
        self.graph.add(
            Node(name, op, layer, tuple(inputs), pos, frozen=frozen, generated=self.generated)
        )
        return name

    def _sizes_valid(self, name: str, layer: Layer | Merge, at: SNode) -> None:
        """A row's arguments become a layer's sizes unchecked (`[-64, 3, 2]`, `[64, 0, 2]`):
        refuse a size below 1 (a padding below 0) on the row, before any count is made."""
        for field, least in _LEAST:
            value = getattr(layer, field, None)
            values = value if isinstance(value, tuple) else (value,)
            for v in values:
                if isinstance(v, int) and not isinstance(v, bool) and v < least:
                    raise self.ctx.err(at, "E0207", what=f"{name}: {field}", min=least, v=v)

    def ch(self, name: str) -> int:
        return self.graph.channels(name)

    def conv2d(
        self, name: str, x: str, c2: int, k: int = 1, s: int = 1, g: int = 1, bias: bool = True,
        p: int | None = None, d: int = 1, frozen: bool = False,
    ) -> str:  # fmt: skip
        pad = (d * (k - 1) + 1) // 2 if p is None else p
        layer = Conv(out_channels=c2, kernel_size=(k, k), stride=(s, s), padding=(pad, pad),
                     dilation=(d, d), groups=g, bias=bias)  # fmt: skip
        return self.add(name, layer, [x], frozen)

    def conv(
        self, name: str, x: str, c2: int, k: int = 1, s: int = 1, g: int = 1, act: bool = True,
        p: int | None = None, d: int = 1,
    ) -> str:  # fmt: skip
        """Ultralytics' `Conv`: conv (no bias, padding k//2) + BatchNorm + the default act.
        A detection model's BatchNorms take eps 1e-3 and momentum 0.03 when it is built (they
        count nothing; an exported model computes what Ultralytics' does)."""
        self.calls.append(BlockCall(name, "Conv"))
        y = self.conv2d(f"{name}.conv", x, c2, k, s, g, False, p, d)
        norm = BatchNorm(eps=1e-3, momentum=0.03) if self.yolo_norms else BatchNorm()
        y = self.add(f"{name}.bn", norm, [y])
        if act:
            y = self.add(f"{name}.act", Activation(function=self.act), [y])
        return y

    def dwconv(self, name: str, x: str, c2: int, k: int = 1, s: int = 1, act: bool = True) -> str:
        return self.conv(name, x, c2, k, s, g=math.gcd(self.ch(x), c2), act=act)

    def cat(self, name: str, xs: Sequence[str], dim: int = 1) -> str:
        return self.add(name, Concat(dim=dim), xs)

    def split(self, name: str, x: str, sizes: Sequence[int], dim: int = 1) -> list[str]:
        return [
            self.add(
                f"{name}{i}", Split(split_size_or_sections=tuple(sizes), dim=dim, index=i), [x]
            )
            for i in range(len(sizes))
        ]

    def maxpool(self, name: str, x: str, k: int, s: int | None = None, p: int | None = None) -> str:
        pad = k // 2 if p is None else p
        layer = MaxPool(kernel_size=(k, k), stride=(s or k, s or k), padding=(pad, pad))
        return self.add(name, layer, [x])

    # --- blocks ----------------------------------------------------------------------------
    def bottleneck(
        self, name: str, x: str, c2: int, shortcut: bool = True, g: int = 1,
        k: tuple[int, int] = (3, 3), e: float = 0.5,
    ) -> str:  # fmt: skip
        self.calls.append(BlockCall(name, "Bottleneck"))
        c_ = int(c2 * e)
        y = self.conv(f"{name}.cv1", x, c_, k[0])
        y = self.conv(f"{name}.cv2", y, c2, k[1], g=g)
        return self.add(f"{name}.add", Add(), [x, y]) if shortcut and self.ch(x) == c2 else y

    def c2f(self, name: str, x: str, c2: int, n: int, inner: Callable[[str, str, int], str],
            e: float = 0.5) -> str:  # fmt: skip
        c = int(c2 * e)
        y = self.conv(f"{name}.cv1", x, 2 * c, 1)
        parts = self.split(f"{name}.chunk", y, (c, c))
        for i in range(n):
            parts.append(inner(f"{name}.m.{i}", parts[-1], c))
        return self.conv(f"{name}.cv2", self.cat(f"{name}.cat", parts), c2, 1)

    def c3(self, name: str, x: str, c2: int, n: int, shortcut: bool = True, g: int = 1,
           e: float = 0.5, k: tuple[int, int] = (1, 3)) -> str:  # fmt: skip
        c_ = int(c2 * e)
        y = self.conv(f"{name}.cv1", x, c_, 1)
        for i in range(n):
            y = self.bottleneck(f"{name}.m.{i}", y, c_, shortcut, g, k, 1.0)
        z = self.conv(f"{name}.cv2", x, c_, 1)
        return self.conv(f"{name}.cv3", self.cat(f"{name}.cat", [y, z]), c2, 1)

    def ghost_conv(
        self, name: str, x: str, c2: int, k: int = 1, s: int = 1, g: int = 1, act: bool = True
    ) -> str:
        """`GhostConv`: a conv to half the channels, a depthwise 5×5 of it, both joined."""
        c_ = c2 // 2
        y = self.conv(f"{name}.cv1", x, c_, k, s, g, act)
        z = self.conv(f"{name}.cv2", y, c_, 5, 1, c_, act)
        return self.cat(f"{name}.cat", [y, z])

    def ghost_bottleneck(self, name: str, x: str, c2: int, k: int = 3, s: int = 1) -> str:
        """`GhostBottleneck`: GhostConv 1×1 (a depthwise k×k at stride 2), GhostConv 1×1
        without activation, plus the input (through a depthwise and a 1×1 conv at stride 2)."""
        c_ = c2 // 2
        y = self.ghost_conv(f"{name}.conv.0", x, c_, 1, 1)
        if s == 2:
            y = self.dwconv(f"{name}.conv.1", y, c_, k, s, act=False)
        y = self.ghost_conv(f"{name}.conv.2", y, c2, 1, 1, act=False)
        short = x
        if s == 2:
            short = self.dwconv(f"{name}.shortcut.0", x, self.ch(x), k, s, act=False)
            short = self.conv(f"{name}.shortcut.1", short, c2, 1, act=False)
        return self.add(f"{name}.add", Add(), [y, short])

    def c3_with(self, name: str, x: str, c2: int, n: int, inner: Callable[[str, str, int], str],
                e: float = 0.5) -> str:  # fmt: skip
        """C3 with its own inner blocks (`C3Ghost`)."""
        c_ = int(c2 * e)
        y = self.conv(f"{name}.cv1", x, c_, 1)
        for i in range(n):
            y = inner(f"{name}.m.{i}", y, c_)
        z = self.conv(f"{name}.cv2", x, c_, 1)
        return self.conv(f"{name}.cv3", self.cat(f"{name}.cat", [y, z]), c2, 1)

    def attention(self, name: str, x: str, heads: int, ratio: float = 0.5) -> str:
        """Ultralytics' `Attention` on a C×H×W map of N = H·W positions: qkv 1×1, per head
        q·kᵀ (N·N·key_dim) and v·attnᵀ (head_dim·N·N), plus a depthwise 3×3 on v, and proj."""
        self.calls.append(BlockCall(name, "Attention"))
        c, h, w = self.graph.shapes[x]
        hd = c // heads
        kd = int(hd * ratio)
        n = h * w
        qkv = self.conv(f"{name}.qkv", x, c + 2 * kd * heads, 1, act=False)
        # PyTorch views qkv as heads × (q, k, v) × N and splits each head: the same sizes as
        # cutting the channels into all q, all k, all v, which keeps every part a map
        q, k, vmap = self.split(f"{name}.split", qkv, (kd * heads, kd * heads, hd * heads))
        q = self.add(f"{name}.q", Reshape(shape=(heads, kd, n)), [q])
        k = self.add(f"{name}.k", Reshape(shape=(heads, kd, n)), [k])
        v = self.add(f"{name}.v", Reshape(shape=(heads, hd, n)), [vmap])
        qt = self.add(f"{name}.qT", Transpose(dim0=-2, dim1=-1), [q])
        attn = self.add(f"{name}.qk", Matmul(), [qt, k])
        attn_t = self.add(f"{name}.attnT", Transpose(dim0=-2, dim1=-1), [attn])
        av = self.add(f"{name}.av", Matmul(), [v, attn_t])
        av = self.add(f"{name}.av_map", Reshape(shape=(c, h, w)), [av])
        pe = self.conv(f"{name}.pe", vmap, c, 3, g=c, act=False)
        y = self.add(f"{name}.add", Add(), [av, pe])
        return self.conv(f"{name}.proj", y, c, 1, act=False)

    def psa_block(
        self, name: str, x: str, heads: int, shortcut: bool = True, call: bool = True
    ) -> str:
        if call:  # PSA lowers as a PSABlock's inside under its own name
            self.calls.append(BlockCall(name, "PSABlock"))
        c = self.ch(x)
        a = self.attention(f"{name}.attn", x, heads)
        x = self.add(f"{name}.add1", Add(), [x, a]) if shortcut else a
        f = self.conv(f"{name}.ffn.0", x, 2 * c, 1)
        f = self.conv(f"{name}.ffn.1", f, c, 1, act=False)
        return self.add(f"{name}.add2", Add(), [x, f]) if shortcut else f

    def rep_vgg_dw(self, name: str, x: str) -> str:
        """`RepVGGDW(ed)`: a depthwise 7×7 and a depthwise 3×3 (both Conv without act), added,
        then SiLU (its own, whatever the file's activation)."""
        self.calls.append(BlockCall(name, "RepVGGDW"))
        ed = self.ch(x)
        y = self.conv(f"{name}.conv", x, ed, 7, 1, ed, False, 3)
        z = self.conv(f"{name}.conv1", x, ed, 3, 1, ed, False, 1)
        y = self.add(f"{name}.add", Add(), [y, z])
        return self.add(f"{name}.act", Activation(function="silu"), [y])

    def cib(self, name: str, x: str, c2: int, shortcut: bool, e: float, lk: bool) -> str:
        """`CIB`: depthwise 3×3, 1×1 to 2·c_, depthwise 3×3 (RepVGGDW when `lk`), 1×1 to c2,
        depthwise 3×3; plus the input when `shortcut` and the channels agree."""
        self.calls.append(BlockCall(name, "CIB"))
        c1, c_ = self.ch(x), int(c2 * e)
        y = self.conv(f"{name}.cv1.0", x, c1, 3, g=c1)
        y = self.conv(f"{name}.cv1.1", y, 2 * c_, 1)
        if lk:
            y = self.rep_vgg_dw(f"{name}.cv1.2", y)
        else:
            y = self.conv(f"{name}.cv1.2", y, 2 * c_, 3, g=2 * c_)
        y = self.conv(f"{name}.cv1.3", y, c2, 1)
        y = self.conv(f"{name}.cv1.4", y, c2, 3, g=c2)
        return self.add(f"{name}.add", Add(), [x, y]) if shortcut and c1 == c2 else y


def _heads(c: int) -> int:
    return max(c // 64, 1)


# --- the modules: Ultralytics' constructor arguments after `parse_model` ---------------------
Args = Sequence[object]


def _arg(args: Args, i: int, default: object) -> object:
    return args[i] if len(args) > i else default


def _int(args: Args, i: int, default: int) -> int:
    v = _arg(args, i, default)
    return default if v is None else int(v)  # type: ignore[call-overload]


def _pair(v: object) -> tuple[int, int]:
    if isinstance(v, (list, tuple)):
        return int(v[0]), int(v[1])
    return int(v), int(v)  # type: ignore[call-overload]


def m_conv(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    p = _arg(a, 4, None)
    act = _arg(a, 7, True)
    return low.conv(name, xs[0], _int(a, 1, 0), _int(a, 2, 1), _int(a, 3, 1), _int(a, 5, 1),
                    act is not False, None if p is None else int(p), _int(a, 6, 1))  # type: ignore[call-overload]  # fmt: skip


def m_dwconv(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    c2 = _int(a, 1, 0)
    g = math.gcd(low.ch(xs[0]), c2)
    act = _arg(a, 5, True)
    return low.conv(name, xs[0], c2, _int(a, 2, 1), _int(a, 3, 1), g, act is not False, None,
                    _int(a, 4, 1))  # fmt: skip


def m_bottleneck(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    return low.bottleneck(name, xs[0], _int(a, 1, 0), bool(_arg(a, 2, True)), _int(a, 3, 1),
                          _pair(_arg(a, 4, (3, 3))), float(_arg(a, 5, 0.5)))  # type: ignore[arg-type]  # fmt: skip


def m_c2f(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    shortcut, g = bool(_arg(a, 3, False)), _int(a, 4, 1)

    def inner(n: str, x: str, c: int) -> str:
        return low.bottleneck(n, x, c, shortcut, g, (3, 3), 1.0)

    return low.c2f(name, xs[0], _int(a, 1, 0), _int(a, 2, 1), inner, float(_arg(a, 5, 0.5)))  # type: ignore[arg-type]


def m_c3k2(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    c3k, attn = bool(_arg(a, 3, False)), bool(_arg(a, 5, False))
    g, shortcut = _int(a, 6, 1), bool(_arg(a, 7, True))

    def inner(n: str, x: str, c: int) -> str:
        if attn:
            y = low.bottleneck(f"{n}.0", x, c, shortcut, g)
            return low.psa_block(f"{n}.1", y, _heads(c))
        if c3k:
            return low.c3(n, x, c, 2, shortcut, g, 0.5, (3, 3))
        return low.bottleneck(n, x, c, shortcut, g)

    return low.c2f(name, xs[0], _int(a, 1, 0), _int(a, 2, 1), inner, float(_arg(a, 4, 0.5)))  # type: ignore[arg-type]


def m_c3(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    return low.c3(name, xs[0], _int(a, 1, 0), _int(a, 2, 1), bool(_arg(a, 3, True)),
                  _int(a, 4, 1), float(_arg(a, 5, 0.5)), (1, 3))  # type: ignore[arg-type]  # fmt: skip


def m_c3k(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    k = _int(a, 6, 3)
    return low.c3(name, xs[0], _int(a, 1, 0), _int(a, 2, 1), bool(_arg(a, 3, True)),
                  _int(a, 4, 1), float(_arg(a, 5, 0.5)), (k, k))  # type: ignore[arg-type]  # fmt: skip


def m_sppf(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    x, c2, k, n = xs[0], _int(a, 1, 0), _int(a, 2, 5), _int(a, 3, 3)
    c_ = low.ch(x) // 2
    ys = [low.conv(f"{name}.cv1", x, c_, 1, act=len(a) <= 3)]  # older rows keep cv1's act
    for i in range(n):
        ys.append(low.maxpool(f"{name}.m.{i}", ys[-1], k, 1))
    y = low.conv(f"{name}.cv2", low.cat(f"{name}.cat", ys), c2, 1)
    return (
        low.add(f"{name}.add", Add(), [x, y]) if bool(_arg(a, 4, False)) and low.ch(x) == c2 else y
    )


def m_spp(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    x, c2 = xs[0], _int(a, 1, 0)
    ks = _arg(a, 2, (5, 9, 13))
    if not isinstance(ks, (list, tuple)):
        raise TypeError(ks)
    y = low.conv(f"{name}.cv1", x, low.ch(x) // 2, 1)
    pools = [low.maxpool(f"{name}.m.{i}", y, int(k), 1) for i, k in enumerate(ks)]
    return low.conv(f"{name}.cv2", low.cat(f"{name}.cat", [y, *pools]), c2, 1)


def m_c2psa(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    x = xs[0]
    c1 = low.ch(x)
    c = int(c1 * float(_arg(a, 3, 0.5)))  # type: ignore[arg-type]
    y = low.conv(f"{name}.cv1", x, 2 * c, 1)
    p, b = low.split(f"{name}.split", y, (c, c))
    for i in range(_int(a, 2, 1)):
        b = low.psa_block(f"{name}.m.{i}", b, _heads(c))
    return low.conv(f"{name}.cv2", low.cat(f"{name}.cat", [p, b]), c1, 1)


def m_ghostconv(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    act = _arg(a, 5, True)
    return low.ghost_conv(name, xs[0], _int(a, 1, 0), _int(a, 2, 1), _int(a, 3, 1), _int(a, 4, 1),
                          act is not False)  # fmt: skip


def m_ghostbottleneck(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    return low.ghost_bottleneck(name, xs[0], _int(a, 1, 0), _int(a, 2, 3), _int(a, 3, 1))


def m_c3ghost(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    def inner(n: str, x: str, c: int) -> str:
        return low.ghost_bottleneck(n, x, c)

    return low.c3_with(name, xs[0], _int(a, 1, 0), _int(a, 2, 1), inner, float(_arg(a, 5, 0.5)))  # type: ignore[arg-type]


def m_concat(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    return low.cat(name, xs, _int(a, 0, 1))


def m_upsample(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    size, scale = _arg(a, 0, None), _arg(a, 1, None)
    mode = str(_arg(a, 2, "nearest"))
    if size is not None:
        layer = Upsample(size=_pair(size), scale_factor=None, mode=mode)
    else:
        f = float(scale)  # type: ignore[arg-type]
        layer = Upsample(scale_factor=(f, f), mode=mode)
    return low.add(name, layer, xs)


def m_maxpool(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    k = _int(a, 0, 1)
    s = _arg(a, 1, None)
    return low.maxpool(name, xs[0], k, k if s is None else int(s), _int(a, 2, 0))  # type: ignore[call-overload]


def m_c2(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    c2, n, shortcut, g = _int(a, 1, 0), _int(a, 2, 1), bool(_arg(a, 3, True)), _int(a, 4, 1)
    c = int(c2 * float(_arg(a, 5, 0.5)))  # type: ignore[arg-type]
    p, b = low.split(f"{name}.chunk", low.conv(f"{name}.cv1", xs[0], 2 * c, 1), (c, c))
    for i in range(n):
        p = low.bottleneck(f"{name}.m.{i}", p, c, shortcut, g, (3, 3), 1.0)
    return low.conv(f"{name}.cv2", low.cat(f"{name}.cat", [p, b]), c2, 1)


def m_convt(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    """`nn.ConvTranspose2d(c1, c2, k, s, p, output_padding, groups, bias, dilation)`."""
    k, s, p = _pair(_arg(a, 2, 1)), _pair(_arg(a, 3, 1)), _pair(_arg(a, 4, 0))
    layer = ConvTranspose(out_channels=_int(a, 1, 0), kernel_size=k, stride=s, padding=p,
                          output_padding=_pair(_arg(a, 5, 0)), groups=_int(a, 6, 1),
                          bias=bool(_arg(a, 7, True)), dilation=_pair(_arg(a, 8, 1)),
                          rank=3, alias="ConvTranspose2d")  # fmt: skip
    return low.add(name, layer, xs)


def m_zeropad(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    """`nn.ZeroPad2d(p)`: an int, or PyTorch's flat `[left, right, top, bottom]`."""
    p = _arg(a, 0, 0)
    pad = tuple(int(v) for v in p) if isinstance(p, (list, tuple)) else (int(p),) * 4  # type: ignore[call-overload]
    return low.add(name, Pad_(padding=pad, rank=3, alias="ZeroPad2d"), xs)


def detect_head(low: Lowering, name: str, xs: list[str], nc: int, reg_max: int,
                legacy: bool, prefix: str = "") -> list[str]:  # fmt: skip
    """One set of box (`cv2`) and class (`cv3`) branches; per level, `[4·reg_max + nc, H·W]`."""
    c0 = low.ch(xs[0])
    c2, c3 = max(16, c0 // 4, reg_max * 4), max(c0, min(nc, 100))
    boxes, scores = [], []
    for i, x in enumerate(xs):
        n = f"{name}.{prefix}cv2.{i}"
        b = low.conv(f"{n}.0", x, c2, 3)
        b = low.conv2d(f"{n}.2", low.conv(f"{n}.1", b, c2, 3), 4 * reg_max, 1)
        h, w = low.graph.shapes[b][1:]
        boxes.append(low.add(f"{n}.view", Reshape(shape=(4 * reg_max, h * w)), [b]))
    for i, x in enumerate(xs):
        n = f"{name}.{prefix}cv3.{i}"
        if legacy:
            y = low.conv(f"{n}.1", low.conv(f"{n}.0", x, c3, 3), c3, 3)
        else:
            y = low.conv(f"{n}.0.1", low.dwconv(f"{n}.0.0", x, low.ch(x), 3), c3, 1)
            y = low.conv(f"{n}.1.1", low.dwconv(f"{n}.1.0", y, c3, 3), c3, 1)
        y = low.conv2d(f"{n}.2", y, nc, 1)
        h, w = low.graph.shapes[y][1:]
        scores.append(low.add(f"{n}.view", Reshape(shape=(nc, h * w)), [y]))
    joined = [
        low.cat(f"{name}.{prefix}boxes", boxes, -1),
        low.cat(f"{name}.{prefix}scores", scores, -1),
    ]
    low.anchor_joins.update(joined)
    return joined


def extra_head(low: Lowering, name: str, xs: list[str], n: int, prefix: str = "") -> str:
    """The `cv4` branches of Segment, Pose and OBB: per level Conv 3×3, Conv 3×3 and a 1×1
    conv to `n` values per position (`c4 = max(C0 / 4, n)` channels), joined over the levels."""
    c4 = max(low.ch(xs[0]) // 4, n)
    outs = []
    for i, x in enumerate(xs):
        b = f"{name}.{prefix}cv4.{i}"
        y = low.conv2d(f"{b}.2", low.conv(f"{b}.1", low.conv(f"{b}.0", x, c4, 3), c4, 3), n, 1)
        h, w = low.graph.shapes[y][1:]
        outs.append(low.add(f"{b}.view", Reshape(shape=(n, h * w)), [y]))
    joined = low.cat(f"{name}.{prefix}extra", outs, -1)
    low.anchor_joins.add(joined)
    return joined


def detect_with(
    low: Lowering, name: str, xs: list[str], nc: int, reg_max: int, end2end: bool, legacy: bool,
    extra: int = 0,
) -> tuple[str, str, str | None]:  # fmt: skip
    """The one-to-many heads (and the one-to-one copies of an end-to-end head), then DFL (a
    frozen 1×1 conv of `reg_max` weights over the softmax of each side's bins): the boxes
    `[4, anchors]`, the class scores and the `extra` values of the last set of heads."""
    box, score = detect_head(low, name, xs, nc, reg_max, legacy)
    more = extra_head(low, name, xs, extra) if extra else None
    if end2end:
        box, score = detect_head(low, name, xs, nc, reg_max, legacy, "one2one_")
        more = extra_head(low, name, xs, extra, "one2one_") if extra else None
    anchors = low.graph.shapes[box][1]
    if reg_max > 1:
        bins = low.add(f"{name}.dfl.view", Reshape(shape=(4, reg_max, anchors)), [box])
        bins = low.add(f"{name}.dfl.transpose", Transpose(dim0=1, dim1=2), [bins])
        dist = low.conv2d(f"{name}.dfl.conv", bins, 1, 1, bias=False, frozen=True)
        box = low.add(f"{name}.dfl.out", Reshape(shape=(4, anchors)), [dist])
    score = low.add(f"{name}.sigmoid", Activation(function="sigmoid"), [score])
    return box, score, more


def _head_args(a: Args, n: int) -> tuple[int, bool, bool]:
    """`reg_max, end2end, legacy`, which the loader appends after a head's `n` own args."""
    return _int(a, n, 16), bool(_arg(a, n + 1, False)), bool(_arg(a, n + 2, False))


def m_pose(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    """`Pose(nc, kpt_shape)`: Detect and `kpt_shape[0] · kpt_shape[1]` keypoint values per
    anchor (decoded element-wise), `[4 + nc + nk, anchors]`."""
    kpt = _arg(a, 1, (17, 3))
    if not isinstance(kpt, (list, tuple)) or len(kpt) != 2:
        raise TypeError(kpt)
    reg_max, end2end, legacy = _head_args(a, 2)
    low.generated = True
    box, score, kpts = detect_with(low, name, xs, _int(a, 0, 80), reg_max, end2end, legacy,
                                   int(kpt[0]) * int(kpt[1]))  # fmt: skip
    out = low.cat(f"{name}.cat", [box, score, kpts or score])
    low.generated = False
    return out


def m_obb(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    """`OBB(nc, ne)`: Detect and `ne` angle values per anchor, `[4 + nc + ne, anchors]`."""
    reg_max, end2end, legacy = _head_args(a, 2)
    low.generated = True
    box, score, angle = detect_with(low, name, xs, _int(a, 0, 80), reg_max, end2end, legacy,
                                    _int(a, 1, 1))  # fmt: skip
    out = low.cat(f"{name}.cat", [box, score, angle or score])
    low.generated = False
    return out


def m_segment(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    """`Segment(nc, nm, npr)`: Detect, `nm` mask coefficients per anchor, and `Proto` on the
    first level (Conv 3×3 to `npr`, a 2×2 stride-2 transposed conv, Conv 3×3, Conv 1×1 to
    `nm`): the detections `[4 + nc + nm, anchors]`; the prototypes are the second output."""
    nm, npr = _int(a, 1, 32), _int(a, 2, 256)
    reg_max, end2end, legacy = _head_args(a, 3)
    low.generated = True
    box, score, coef = detect_with(low, name, xs, _int(a, 0, 80), reg_max, end2end, legacy, nm)
    out = low.cat(f"{name}.cat", [box, score, coef or score])
    p = low.conv(f"{name}.proto.cv1", xs[0], npr, 3)
    up = ConvTranspose(out_channels=npr, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0),
                       bias=True, rank=3, alias="ConvTranspose2d")  # fmt: skip
    p = low.add(f"{name}.proto.upsample", up, [p])
    p = low.conv(f"{name}.proto.cv3", low.conv(f"{name}.proto.cv2", p, npr, 3), nm, 1)
    low.extra_outputs.append(p)
    low.generated = False
    return out


def m_detect(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    """`Detect(nc, reg_max, end2end, ch)`: the heads, DFL, and the decoded boxes with the
    class scores, `[4 + nc, anchors]`."""
    reg_max, end2end, legacy = _head_args(a, 1)
    low.generated = True  # the head's layout is Ultralytics', whatever the file says
    box, score, _ = detect_with(low, name, xs, _int(a, 0, 80), reg_max, end2end, legacy)
    out = low.cat(f"{name}.cat", [box, score])
    low.generated = False
    return out


def m_classify(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    """`Classify(c2, k, s, p, g)` on one input: Conv to 1280 channels (k, s, p, g), global
    average pooling, flattened, dropout (p 0, counts nothing) and a Linear to `c2` classes.
    Its output is the logits (eval mode adds their softmax, which counts nothing)."""
    if len(xs) != 1:
        raise TypeError(xs)
    p = _arg(a, 3, None)
    low.generated = True
    y = low.conv(f"{name}.conv", xs[0], 1280, _int(a, 1, 1), _int(a, 2, 1), _int(a, 4, 1),
                 True, None if p is None else int(p))  # type: ignore[call-overload]  # fmt: skip
    y = low.add(f"{name}.pool", AdaptiveAvgPool(output_size=(1, 1), alias="gap"), [y])
    y = low.add(f"{name}.flatten", Flatten(start_dim=1), [y])
    y = low.add(f"{name}.drop", Dropout(p=0.0, inplace=True), [y])
    y = low.add(f"{name}.linear", Linear(out_features=_int(a, 0, 0)), [y])
    low.generated = False
    return y


def m_scdown(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    """`SCDown(c1, c2, k, s)`: Conv 1×1 to c2, then a depthwise k×k at stride s (no act)."""
    c2, k, s = int(a[1]), int(a[2]), int(a[3])  # type: ignore[call-overload]
    y = low.conv(f"{name}.cv1", xs[0], c2, 1, 1)
    return low.conv(f"{name}.cv2", y, c2, k, s, c2, False)


def m_c2fcib(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    """`C2fCIB(c1, c2, n, shortcut, lk, g, e)`: C2f whose inner blocks are CIBs (e 1.0)."""
    shortcut, lk = bool(_arg(a, 3, False)), bool(_arg(a, 4, False))

    def inner(n: str, x: str, c: int) -> str:
        return low.cib(n, x, c, shortcut, 1.0, lk)

    return low.c2f(name, xs[0], _int(a, 1, 0), _int(a, 2, 1), inner, float(_arg(a, 6, 0.5)))  # type: ignore[arg-type]


def m_psa(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    """`PSA(c1, c2, e)` (c2 = c1): Conv 1×1 to 2·c, split; one half through attention and a
    feed-forward pair, each added (a PSABlock's inside); joined and Conv 1×1 back to c1."""
    x = xs[0]
    c1 = low.ch(x)
    if _int(a, 1, c1) != c1:
        raise ValueError(a)  # Ultralytics asserts c1 == c2
    c = int(c1 * float(_arg(a, 2, 0.5)))  # type: ignore[arg-type]
    p, b = low.split(f"{name}.split", low.conv(f"{name}.cv1", x, 2 * c, 1), (c, c))
    b = low.psa_block(name, b, _heads(c), call=False)
    return low.conv(f"{name}.cv2", low.cat(f"{name}.cat", [p, b]), c1, 1)


def m_v10detect(low: Lowering, name: str, xs: list[str], a: Args) -> str:
    """`v10Detect(nc, ch)`: Detect with its end-to-end copies, reg_max 16 and the depthwise
    class branch, whatever the file says of `reg_max`, `end2end` or the earlier modules."""
    low.generated = True
    box, score, _ = detect_with(low, name, xs, _int(a, 0, 80), 16, True, False)
    out = low.cat(f"{name}.cat", [box, score])
    low.generated = False
    return out


#: module name -> (lowering, whether `parse_model` scales its first argument as channels,
#: whether it takes the repeats as its third argument)
MODULES: dict[str, tuple[Callable[[Lowering, str, list[str], Args], str], bool, bool]] = {
    "Conv": (m_conv, True, False),
    "DWConv": (m_dwconv, True, False),
    "Bottleneck": (m_bottleneck, True, False),
    "C2f": (m_c2f, True, True),
    "C2": (m_c2, True, True),
    "C3": (m_c3, True, True),
    "C3k2": (m_c3k2, True, True),
    "SPP": (m_spp, True, False),
    "SPPF": (m_sppf, True, False),
    "C2PSA": (m_c2psa, True, True),
    "GhostConv": (m_ghostconv, True, False),
    "GhostBottleneck": (m_ghostbottleneck, True, False),
    "C3Ghost": (m_c3ghost, True, True),
    "Concat": (m_concat, False, False),
    "nn.Upsample": (m_upsample, False, False),
    "nn.MaxPool2d": (m_maxpool, False, False),
    "nn.ZeroPad2d": (m_zeropad, False, False),
    "nn.ConvTranspose2d": (m_convt, True, False),
    "Detect": (m_detect, False, False),
    "Segment": (m_segment, False, False),
    "Pose": (m_pose, False, False),
    "OBB": (m_obb, False, False),
    "Classify": (m_classify, False, False),
    "SCDown": (m_scdown, True, False),
    "C2fCIB": (m_c2fcib, True, True),
    "PSA": (m_psa, True, False),
    "v10Detect": (m_v10detect, False, False),
}
