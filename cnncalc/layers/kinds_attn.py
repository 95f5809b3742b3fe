"""Matrix products: multi-head self-attention (`nn.MultiheadAttention`) and a plain `matmul`.

Attention over L tokens of E features, h heads of d = E/h: the projections are linears
(`in_proj_weight` `(3E, E)` and `out_proj` `(E, E)`: 4·L·E² MACs), and the two matrix products
QKᵀ and AV cost h·L²·d each, so the cost grows with L². Its scores (h·L² per sample) are
activations while it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from cnncalc.errors import LayerArgError
from cnncalc.layers.protocol import READS_LAST, Layer, Merge, check_in
from cnncalc.layers.window import RF, Shape, fmt_shape, prod
from cnncalc.records import frozen


@frozen
class MultiheadAttention(Layer):
    """`nn.MultiheadAttention(E, h, batch_first=True)` as self-attention, `attn(x, x, x)`, on a
    `L×E` token sequence; the output is the attended tokens (the weights are not returned)."""

    kind: ClassVar[str] = "attention"
    reads: ClassVar[str] = READS_LAST
    last_code: ClassVar[str] = "E0489"
    num_heads: int = 1
    embed_dim: int | None = None
    bias: bool = True
    add_bias_kv: bool = False
    add_zero_attn: bool = False
    kdim: int | None = None  # self-attention: keys and values are the input, so both are E
    vdim: int | None = None
    dropout: float = 0.0  # attention dropout: changes no count
    batch_first: bool = True  # cnncalc's shapes have no batch: changes no count

    def check(self, x: Shape) -> tuple[int, int]:
        """(tokens, features), checked."""
        if len(x) != 2:
            raise LayerArgError("E0489", op=self.kind, shape=fmt_shape(x), dims="0, 2, 1")
        for given in (self.embed_dim, self.kdim, self.vdim):
            check_in(x[-1:], given, features=True)
        if x[1] % self.num_heads:
            h, e = self.num_heads, x[1]
            raise LayerArgError("E0490", arg="num_heads", h=h, e=e, r=e % h)
        return x[0], x[1]

    def out_shape(self, x: Shape) -> Shape:
        self.check(x)
        return x

    def kernel_shape(self, x: Shape) -> Shape:
        return (3 * x[-1], x[-1])

    def params(self, x: Shape) -> int:
        e = x[-1]
        return 4 * e * e + (4 * e if self.bias else 0) + (2 * e if self.add_bias_kv else 0)

    def keys(self, x: Shape) -> int:
        """The tokens a query attends to (`add_bias_kv` and `add_zero_attn` append one each)."""
        return x[0] + self.add_bias_kv + self.add_zero_attn

    def products(self, x: Shape) -> int:
        """The MACs of QKᵀ and AV: h·L·L'·d each, = L·L'·E."""
        length, e = self.check(x)
        return 2 * length * self.keys(x) * e

    def macs(self, x: Shape) -> int:
        length, e = self.check(x)
        return 4 * length * e * e + self.products(x)

    def scratch(self, x: Shape) -> int:
        """The attention weights alive while it runs: h·L·L' per sample."""
        return self.num_heads * x[0] * self.keys(x)

    def rf(self, x: Shape, r: RF) -> RF:
        return tuple(a.whole_input() for a in r)


@frozen
class Matmul(Merge):
    """`torch.matmul(a, b)` of two inputs `…×n×k` and `…×k×m` (leading axes broadcast):
    `…×n×m`, ∏(leading)·n·k·m MACs."""

    kind: ClassVar[str] = "matmul"

    def out_shape_many(self, xs: Sequence[Shape]) -> Shape:
        shapes = ", ".join(fmt_shape(x) for x in xs)
        if len(xs) != 2 or min(len(xs[0]), len(xs[1])) < 2 or xs[0][-1] != xs[1][-2]:
            raise LayerArgError("E0491", shapes=shapes)
        a, b = xs
        rank = max(len(a), len(b))
        lead_a = (1,) * (rank - len(a)) + a[:-2]
        lead_b = (1,) * (rank - len(b)) + b[:-2]
        lead = []
        for i, j in zip(lead_a, lead_b):
            if i != j and 1 not in (i, j):
                raise LayerArgError("E0491", shapes=shapes)
            lead.append(max(i, j))
        return (*lead, a[-2], b[-1])

    def macs_many(self, xs: Sequence[Shape]) -> int:
        out = self.out_shape_many(xs)
        return prod(out) * xs[0][-1]


@frozen
class WindowAttention(Layer):
    """Swin's `ShiftedWindowAttention` on a channels-last grid `H×W×C`: the map is padded to
    whole windows of w×w, (cyclically shifted by `shift_size`,) and attention runs inside each
    window, with a learnable relative-position bias table of (2w−1)²·h. The padding, shift and
    masks cost nothing and learn nothing."""

    kind: ClassVar[str] = "window_attention"
    reads: ClassVar[str] = READS_LAST
    last_code: ClassVar[str] = "E0492"
    num_heads: int = 1
    window_size: int = 7
    shift_size: int = 0  # which windows, not how many: changes no count
    qkv_bias: bool = True
    proj_bias: bool = True
    attention_dropout: float = 0.0
    dropout: float = 0.0

    def padded(self, x: Shape) -> tuple[int, int, int]:
        """(padded height, padded width, channels), checked."""
        if len(x) != 3:
            raise LayerArgError("E0492", op=self.kind, shape=fmt_shape(x), dims="0, 2, 3, 1")
        h, w, c = x
        if c % self.num_heads:
            raise LayerArgError(
                "E0490", arg="num_heads", h=self.num_heads, e=c, r=c % self.num_heads
            )
        ws = self.window_size
        return -(-h // ws) * ws, -(-w // ws) * ws, c

    def out_shape(self, x: Shape) -> Shape:
        self.padded(x)
        return x

    def kernel_shape(self, x: Shape) -> Shape:
        return (3 * x[-1], x[-1])

    def params(self, x: Shape) -> int:
        c = x[-1]
        table = (2 * self.window_size - 1) ** 2 * self.num_heads
        return 4 * c * c + 3 * c * self.qkv_bias + c * self.proj_bias + table

    def products(self, x: Shape) -> int:
        """QKᵀ and AV in every window: 2 · (windows · w²) · w² · C."""
        hp, wp, c = self.padded(x)
        return 2 * hp * wp * self.window_size**2 * c

    def macs(self, x: Shape) -> int:
        hp, wp, c = self.padded(x)
        return 4 * hp * wp * c * c + self.products(x)

    def scratch(self, x: Shape) -> int:
        hp, wp, _ = self.padded(x)
        return self.num_heads * hp * wp * self.window_size**2

    def rf(self, x: Shape, r: RF) -> RF:
        """A token sees its window: at most w − 1 positions away on either side, a field as wide
        as a (2w−1) window centred on it; a window as large as the map sees all of it."""
        sizes = self.padded(x)[:2]
        ws = self.window_size
        if len(r) != 2:
            return r
        return tuple(
            a.whole_input() if ws >= i else a.step(2 * ws - 1, 1, ws - 1) for a, i in zip(r, sizes)
        )
