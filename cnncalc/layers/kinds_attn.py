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
from cnncalc.layers.protocol import (
    BATCHED,
    FLOAT32,
    FULL,
    IN,
    OWN,
    READS_LAST,
    REDUCED,
    SINGLE,
    Layer,
    Merge,
    Saved,
    check_in,
)
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

    def backward_macs(self, x: Shape, grad_in: bool, grad_weight: bool) -> int:
        """The projections as linears (the input projection's input gradient only when the
        input needs one, the weights' when the layer learns; the output projection's input
        gradient always), and both operands of QKᵀ and AV: twice the products."""
        length, e = self.check(x)
        proj = length * e * e
        return 3 * proj * (grad_in + grad_weight) + proj * (1 + grad_weight) + 2 * self.products(x)

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """`F.multi_head_attention_forward` under the math kernel (torch 2.13): the input
        (for the input projection's weight: a copy when batched), the scaled queries and keys,
        the values (a view of the packed q/k/v projection, all 3·L·E of it, unless a bias or
        zero key/value is appended, which makes new keys and values), the softmax
        probabilities (with dropout also its noise and the dropped probabilities), and the
        attended values entering the output projection (for its weight). For bfloat16 and
        float16 the kernel computes in float32: queries, keys, values and probabilities are
        float32 copies."""
        length, e = self.check(x)
        keys = self.keys(x)
        probs = Saved(OWN, elements=self.num_heads * length * keys, itemsize=FLOAT32)
        appended = self.add_bias_kv or self.add_zero_attn
        kept = [
            Saved(OWN, elements=length * e, itemsize=FLOAT32),  # queries · scale
            Saved(OWN, elements=keys * e, itemsize=FLOAT32),  # keys · scale
            probs,
        ]
        if appended:  # values: new, or a view of the projection (a float32 copy of it)
            kept.append(Saved(OWN, elements=keys * e, itemsize=FLOAT32))
        else:
            kept.append(Saved(OWN, elements=3 * length * e, when=FULL))
            kept.append(Saved(OWN, elements=keys * e, itemsize=FLOAT32, when=REDUCED))
        if self.dropout > 0:
            kept += [probs, probs]
        if grad_weight:  # the input sequence-first: contiguous (itself) at batch 1 only
            kept += [Saved(IN, when=SINGLE), Saved(OWN, elements=length * e, when=BATCHED)]
            kept.append(Saved(OWN, elements=length * e))
        return tuple(kept)

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

    def backward_macs_many(self, xs: Sequence[Shape], grads: Sequence[bool]) -> int:
        """Each operand's gradient is a product as large as the forward's."""
        return self.macs_many(xs) * (grads[0] + grads[1])

    def saves_many(self, xs: Sequence[Shape], grads: Sequence[bool]) -> tuple[Saved, ...]:
        """Each operand for the other's gradient: itself, or — broadcast over a leading axis,
        at a batch above 1 — the expanded copy the batched product reads."""
        lead = self.out_shape_many(xs)[:-2]

        def operand(i: int) -> tuple[Saved, ...]:
            x = xs[i]
            if (1,) * (len(lead) + 2 - len(x)) + x[:-2] == lead:
                return (Saved(IN, index=i),)
            copy = Saved(OWN, elements=prod(lead) * x[-2] * x[-1], when=BATCHED)
            return (Saved(IN, index=i, when=SINGLE), copy)

        return tuple(s for i in (0, 1) if grads[i] for s in operand(1 - i))


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

    def backward_macs(self, x: Shape, grad_in: bool, grad_weight: bool) -> int:
        """As attention's: the qkv projection's input gradient when the input needs one, the
        weights' when the layer learns, the output projection's input gradient always, both
        operands of QKᵀ and AV."""
        hp, wp, c = self.padded(x)
        proj = hp * wp * c * c
        return 3 * proj * (grad_in + grad_weight) + proj * (1 + grad_weight) + 2 * self.products(x)

    def saves(self, x: Shape, grad_in: bool, grad_weight: bool) -> tuple[Saved, ...]:
        """torchvision's `shifted_window_attention` (torch 2.13), every tensor over the padded
        map: the scaled queries; the keys and values as views of the packed qkv projection
        (3·C per position) or as copies; the softmax probabilities (with attention dropout
        also its noise and the dropped ones); the output dropout's noise; and for the weights
        the windows entering each projection. `matmul` folds the (windows·batch, heads) axes of
        k and v into one with a reshape, which is a view only when one of them is 1 (k and v
        are strided slices of qkv): one head, or one window at batch 1."""
        hp, wp, c = self.padded(x)
        one = Saved(OWN, elements=hp * wp * c)
        windows = (hp // self.window_size) * (wp // self.window_size)
        qkv = Saved(OWN, elements=3 * hp * wp * c, tag="qkv")
        if self.num_heads == 1:
            kv: tuple[Saved, ...] = (qkv,)
        elif windows == 1:
            kv = (
                Saved(OWN, elements=3 * hp * wp * c, when=SINGLE, tag="qkv"),
                Saved(OWN, elements=hp * wp * c, when=BATCHED),
                Saved(OWN, elements=hp * wp * c, when=BATCHED),
            )
        else:
            kv = (one, one)
        probs = Saved(OWN, elements=self.scratch(x))
        kept = [one, *kv, probs]
        if self.attention_dropout > 0:
            kept += [probs, probs]
        if self.dropout > 0:
            kept.append(one)
        if grad_weight:
            kept += [one, one]
        return tuple(kept)

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
