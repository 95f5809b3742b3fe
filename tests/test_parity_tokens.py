"""PyTorch parity for the channels-last, token and attention kinds: random small networks of
each, built directly in the canonical form and measured by torch (tests/parity.py). Attention
runs with autograd on and adds the two products the oracle misses (docs/counting.md)."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cnncalc import layers as L  # noqa: E402
from cnncalc.engine import INPUT, Network, Node, analyze_network  # noqa: E402
from tests.parity import compare  # noqa: E402
from tests.test_parity import Item, any_input, kind_matches_torch, sequential  # noqa: E402

BATCH = st.integers(1, 2)
Shape = tuple[int, ...]


def _net(draw: st.DrawFn, x: Shape, items: list[Item]) -> Network:
    return sequential(x, items, batch=draw(BATCH))


def _to_last(x: Shape) -> tuple[int, ...]:
    """The dims that put the channels last."""
    return (0, *range(2, len(x) + 1), 1)


@st.composite
def permute_nets(draw: st.DrawFn) -> Network:
    """Any permutation of the per-sample axes (negative numbers too), then one more layer."""
    x = draw(any_input(min_rank=1))
    order = draw(st.permutations(range(1, len(x) + 1)))
    dims = tuple(d - (len(x) + 1) if draw(st.booleans()) else d for d in (0, *order))
    items: list[Item] = [("permute", L.Permute(dims))]
    if order != sorted(order) and draw(st.booleans()):  # the channels moved
        items.append(("linear", L.Linear(draw(st.integers(1, 5)))))
    return _net(draw, x, items)


@st.composite
def channels_last_nets(draw: st.DrawFn) -> Network:
    """ConvNeXt's block inside: permute, layernorm, linear at every position, layer scale,
    permute back, then a conv (which needs the channels first again)."""
    x = draw(any_input(min_rank=1))
    back = tuple(int(i) for i in (0, len(x), *range(1, len(x))))
    ln = L.LayerNormLast(affine=draw(st.booleans()), eps=1e-6, bias=draw(st.booleans()))
    out = draw(st.integers(1, 6))
    items: list[Item] = [
        ("permute", L.Permute(_to_last(x))),
        ("layernorm", ln),
        ("linear", L.Linear(out, bias=draw(st.booleans()))),
        ("layer_scale", L.LayerScale(dim=draw(st.sampled_from((-1, len(x)))))),
        ("permute", L.Permute(back)),
        ("layer_scale", L.LayerScale(dim=1)),
        ("conv", L.Conv(2, (1,))),
    ]
    return _net(draw, x, items)


@st.composite
def transpose_nets(draw: st.DrawFn) -> Network:
    x = draw(any_input(min_rank=1))
    dims = st.integers(1, len(x)) | st.integers(-len(x), -1)
    return _net(draw, x, [("transpose", L.Transpose(draw(dims), draw(dims)))])


def _factor(draw: st.DrawFn, n: int) -> tuple[int, ...]:
    """Sizes whose product is n, one of them maybe -1."""
    sizes = []
    rest = n
    for _ in range(draw(st.integers(0, 2))):
        d = draw(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0]))
        sizes.append(d)
        rest //= d
    sizes.append(rest)
    if draw(st.booleans()):
        sizes[draw(st.integers(0, len(sizes) - 1))] = -1
    return tuple(draw(st.permutations(sizes)))


@st.composite
def reshape_nets(draw: st.DrawFn) -> Network:
    x = draw(any_input())
    return _net(draw, x, [("reshape", L.Reshape(_factor(draw, math.prod(x))))])


@st.composite
def unflatten_nets(draw: st.DrawFn) -> Network:
    x = draw(any_input())
    axis = draw(st.integers(1, len(x)))
    return _net(draw, x, [("unflatten", L.Unflatten(axis, _factor(draw, x[axis - 1])))])


@st.composite
def select_nets(draw: st.DrawFn) -> Network:
    x = draw(any_input(min_rank=1))
    axis = draw(st.integers(1, len(x)))
    index = draw(st.integers(-x[axis - 1], x[axis - 1] - 1))
    return _net(draw, x, [("select", L.Select(axis, index))])


@st.composite
def token_nets(draw: st.DrawFn) -> Network:
    """A grid to tokens (ViT's patch embedding), a class token, a position embedding."""
    x = draw(any_input(min_rank=1))
    items: list[Item] = [("flatten", L.Flatten(start_dim=2)), ("transpose", L.Transpose(1, 2))]
    tokens = L.ClassToken(draw(st.integers(1, 2)), dim=draw(st.sampled_from((1, -2))))
    items += [("class_token", tokens), ("pos_embedding", L.PosEmbedding())]
    if draw(st.booleans()):
        items.append(("class_token", L.ClassToken(1, dim=2)))  # along the features, too
    return _net(draw, x, items)


@st.composite
def pixel_nets(draw: st.DrawFn) -> Network:
    rank = 2  # torch's pixel (un)shuffle works on the last two axes: images only
    r = draw(st.integers(1, 3))
    inverse = draw(st.booleans())
    c = draw(st.integers(1, 3)) * (1 if inverse else r**rank)
    x = (c, *(r * draw(st.integers(1, 3)) for _ in range(rank)))
    return _net(draw, x, [("pixel", L.PixelShuffle(r, inverse))])


@st.composite
def attention_nets(draw: st.DrawFn) -> Network:
    heads = draw(st.integers(1, 3))
    e = heads * draw(st.integers(1, 4))
    x = (e, draw(st.integers(1, 9)))  # features × tokens, then the features last
    layer = L.MultiheadAttention(
        heads,
        embed_dim=draw(st.sampled_from((None, e))),
        bias=draw(st.booleans()),
        add_bias_kv=draw(st.booleans()),
        add_zero_attn=draw(st.booleans()),
    )
    items: list[Item] = [("permute", L.Permute((0, 2, 1))), ("attention", layer)]
    return _net(draw, x, [*items, ("linear", L.Linear(3))])


@st.composite
def window_nets(draw: st.DrawFn) -> Network:
    """Swin's pieces on a channels-last grid, padded windows and odd sizes included: window
    attention (shifted or not), a roll, patch merging."""
    heads = draw(st.integers(1, 2))
    c = heads * draw(st.integers(1, 3))
    x = (c, draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    window = L.WindowAttention(
        heads,
        window_size=draw(st.integers(1, 4)),
        shift_size=draw(st.integers(0, 2)),
        qkv_bias=draw(st.booleans()),
        proj_bias=draw(st.booleans()),
    )
    shift = tuple(draw(st.integers(-3, 3)) for _ in range(2))
    items: list[Item] = [
        ("permute", L.Permute((0, 2, 3, 1))),
        ("window_attention", window),
        ("roll", L.Roll(shift, (1, 2))),
        ("space_to_depth", L.SpaceToDepth(draw(st.integers(1, 3)))),
        ("linear", L.Linear(2, bias=False)),
    ]
    return _net(draw, x, items)


TOKEN_SINGLE: dict[type[L.Layer], tuple[st.SearchStrategy[Network], int]] = {
    L.Permute: (permute_nets(), 15),
    L.LayerNormLast: (channels_last_nets(), 15),
    L.LayerScale: (channels_last_nets(), 5),
    L.Transpose: (transpose_nets(), 10),
    L.Reshape: (reshape_nets(), 10),
    L.Unflatten: (unflatten_nets(), 10),
    L.Select: (select_nets(), 10),
    L.ClassToken: (token_nets(), 10),
    L.PosEmbedding: (token_nets(), 5),
    L.PixelShuffle: (pixel_nets(), 15),
    L.MultiheadAttention: (attention_nets(), 15),
    L.WindowAttention: (window_nets(), 20),
    L.Roll: (window_nets(), 3),
    L.SpaceToDepth: (window_nets(), 3),
}


@pytest.mark.parametrize("cls", TOKEN_SINGLE, ids=lambda cls: cls.__name__)
def test_token_layer_matches_torch(cls: type[L.Layer]) -> None:
    kind_matches_torch(cls, *TOKEN_SINGLE[cls])


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), lead=st.integers(1, 3),
       batch=BATCH)  # fmt: skip
def test_matmul_matches_torch(n: int, k: int, m: int, lead: int, batch: int) -> None:
    """Two reshapes of one input multiplied, the second broadcast over the leading axis."""
    x = (lead * n * k + k * m,)
    nodes = (
        Node("a", "reshape", L.Reshape((-1,)), (INPUT,)),
        Node("left", "unflatten", L.Unflatten(1, (lead, n, k)), ("a",)),
        Node("pad", "pad", L.Linear(k * m), (INPUT,)),
        Node("right", "unflatten", L.Unflatten(1, (1, k, m)), ("pad",)),
        Node("mm", "matmul", L.Matmul(), ("left", "right")),
    )
    nodes = (nodes[2], nodes[3], *(n_ for n_ in nodes if n_.name not in ("pad", "right")))
    nodes = (
        Node("pad", "linear", L.Linear(lead * n * k), (INPUT,)),
        Node("left", "unflatten", L.Unflatten(1, (lead, n, k)), ("pad",)),
        Node("lin", "linear", L.Linear(k * m), (INPUT,)),
        Node("right", "unflatten", L.Unflatten(1, (1, k, m)), ("lin",)),
        Node("mm", "matmul", L.Matmul(), ("left", "right")),
    )
    report = compare(Network(x, nodes, batch=batch))
    assert report.layer("mm").out_shape == (lead, n, m)
    assert report.layer("mm").macs == batch * lead * n * k * m


def test_the_oracles_blind_spot_and_how_parity_sees_past_it() -> None:
    """Under no_grad the fused path counts nothing; with autograd on, the CPU attention kernel
    counts the projections only; the math backend (what `compare` runs) counts QKᵀ and AV too,
    and that is cnncalc's figure: 4·L·E² + 2·L²·E (L = 5 tokens, E = 8)."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    attn = torch.nn.MultiheadAttention(8, 2, batch_first=True).eval()
    x = torch.randn(1, 5, 8)

    def flops(grad: bool, math_backend: bool) -> int:
        counter = FlopCounterMode(display=False)
        fused = [SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH]
        with (
            torch.set_grad_enabled(grad),
            sdpa_kernel([SDPBackend.MATH] if math_backend else fused),
            counter,
        ):
            attn(x, x, x, need_weights=False)
        return int(counter.get_total_flops())

    nodes = (
        Node("t", "permute", L.Permute((0, 2, 1)), (INPUT,)),
        Node("a", "attention", L.MultiheadAttention(2), ("t",)),
    )
    macs = analyze_network(Network((8, 5), nodes)).totals.macs
    assert macs == 4 * 5 * 8 * 8 + 2 * 5 * 5 * 8
    assert flops(grad=False, math_backend=False) == 0
    assert flops(grad=True, math_backend=False) == 2 * 4 * 5 * 8 * 8  # the projections only
    assert flops(grad=True, math_backend=True) == 2 * macs


@settings(max_examples=15, deadline=None)
@given(x=any_input(min_rank=1), data=st.data(), batch=BATCH)
def test_concat_along_any_axis_matches_torch(x: Shape, data: st.DataObject, batch: int) -> None:
    """An input joined with itself, or with a permuted copy, along any axis torch accepts."""
    dim = data.draw(st.integers(1, len(x)) | st.integers(-len(x), -1))
    nodes = (
        Node("a", "identity", L.Identity(), (INPUT,)),
        Node("cat", "concat", L.Concat(dim), (INPUT, "a")),
    )
    report = compare(Network(x, nodes, batch=batch))
    axis = dim - 1 if dim > 0 else len(x) + dim
    assert report.layer("cat").out_shape[axis] == 2 * x[axis]
