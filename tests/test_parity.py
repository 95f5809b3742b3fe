"""PyTorch parity tier: cnncalc's params, shapes, kernel shapes and FLOPs equal what torch measures.

Three sources of networks, all built directly in the canonical form (`Network` of `Node`s):
(a) random single layers of every layer class in the registry, each followed where it fits by one
more layer so shapes chain; (b) random sequential stacks; (c) small hand-built DAGs with add,
concat and mul merges. For conv, transposed-conv and pool geometry, random (also invalid)
configurations check that cnncalc rejects exactly what torch rejects. torch is the oracle: no
expected value is written here.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import pytest

with warnings.catch_warnings():
    # torch warns at import when NumPy is absent; nothing here uses NumPy
    warnings.filterwarnings("ignore", message="Failed to initialize NumPy", category=UserWarning)
    torch = pytest.importorskip("torch")

# the parity helpers import torch, so every import follows the importorskip above
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import Tensor, nn

from cnncalc import layers as L
from cnncalc.engine import INPUT, Network, Node, analyze_network
from cnncalc.errors import CnnCalcError
from tests.parity import ParityError, compare
from tests.torch_build import ACTIVATIONS as TORCH_ACTIVATIONS
from tests.torch_build import BUILDERS, MERGES, build_layer

pytestmark = pytest.mark.filterwarnings(
    # torch's padding='same' warns (once per process) that an even kernel may need a padded
    # copy of the input: a performance note about the very configurations tested here
    "ignore:Using padding='same' with even kernel lengths:UserWarning"
)

Shape = tuple[int, ...]
Ints = tuple[int, ...]
Item = tuple[str, L.Layer]  # (op as a user writes it, layer)

#: largest spatial size per number of spatial axes (keeps every example fast)
MAX_SIZE = {1: 24, 2: 16, 3: 8}
RANKS = st.integers(1, 3)
BATCH = st.integers(1, 2)


# --- helpers ----------------------------------------------------------------------------------


def sequential(x: Shape, items: Sequence[Item], batch: int = 1, prefix: str = "") -> Network:
    """A chain: each item takes the previous one's output. Names are dotted, like a loader's."""
    nodes: list[Node] = []
    prev = INPUT
    for i, (op, layer) in enumerate(items):
        name = f"{prefix}{i}.{op}" if prefix else f"{i}.{op}"
        nodes.append(Node(name, op, layer, (prev,)))
        prev = name
    return Network(x, tuple(nodes), batch=batch)


def out_shape(x: Shape, items: Sequence[Item]) -> Shape:
    for _, layer in items:
        x = layer.out_shape(x)
    return x


def full(values: Ints, rank: int) -> Ints:
    return values * rank if len(values) == 1 else values


def axes(draw: st.DrawFn, rank: int, lo: int, hi: int) -> Ints:
    """One value for every axis (`(3,)`), or one per axis when there are several."""
    if rank > 1 and draw(st.booleans()):
        return tuple(draw(st.integers(lo, hi)) for _ in range(rank))
    return (draw(st.integers(lo, hi)),)


def sizes(draw: st.DrawFn, needs: Sequence[int], rank: int) -> Ints:
    """Spatial sizes, each at least what its axis needs and at most `MAX_SIZE[rank]`."""
    return tuple(draw(st.integers(max(1, n), MAX_SIZE[rank])) for n in needs)


def follow(draw: st.DrawFn, y: Shape) -> list[Item]:
    """Maybe one more layer that fits the output `y`: a conv on a spatial tensor, else a linear."""
    if not draw(st.booleans()):
        return []
    if len(y) == 1:
        return [("linear", L.Linear(draw(st.integers(1, 5))))]
    k = min(draw(st.integers(1, 3)), *y[1:])
    return [("conv", L.Conv(draw(st.integers(1, 4)), (k,)))]


def single(draw: st.DrawFn, x: Shape, items: Sequence[Item]) -> Network:
    """The layer(s) under test, maybe one more layer, a random batch."""
    chain = [*items, *follow(draw, out_shape(x, items))]
    return sequential(x, chain, batch=draw(BATCH))


#: PyTorch's padding_mode of a conv, zeros most often
PADDING_MODES = st.sampled_from(("zeros", "zeros", "reflect", "replicate", "circular"))


def conv_padding(draw: st.DrawFn, rank: int) -> L.PadSpec:
    mode = draw(st.sampled_from(("int", "axes", "same", "valid", "tf_same", "pairs")))
    if mode == "int":
        return (draw(st.integers(0, 3)),)
    if mode == "axes":
        return tuple(draw(st.integers(0, 3)) for _ in range(rank))
    if mode == "pairs":
        return tuple((draw(st.integers(0, 3)), draw(st.integers(0, 3))) for _ in range(rank))
    return mode


def padded_extra(spec: L.PadSpec, rank: int) -> Ints:
    """Padding added per axis, for the smallest input a window fits (0 for same / tf_same:
    they fit any input)."""
    if isinstance(spec, str):
        return (0,) * rank
    if spec and isinstance(spec[0], tuple):
        return tuple(a + b for a, b in spec)
    return tuple(2 * p for p in full(spec, rank))  # type: ignore[arg-type]


def window_needs(k: Ints, d: Ints, extra: Ints, spec: L.PadSpec, rank: int) -> list[int]:
    if spec in ("same", "tf_same"):
        return [1] * rank
    return [dd * (kk - 1) + 1 - e for kk, dd, e in zip(full(k, rank), full(d, rank), extra)]


def conv_geometry(draw: st.DrawFn, rank: int) -> tuple[dict[str, object], list[int]]:
    """Kernel, stride, padding and dilation of a valid conv, and the input size each axis needs."""
    kmax, dmax = (5, 3) if rank < 3 else (3, 2)
    k = axes(draw, rank, 1, kmax)
    d = axes(draw, rank, 1, dmax)
    spec = conv_padding(draw, rank)
    s = (1,) if spec == "same" else axes(draw, rank, 1, 3)
    needs = window_needs(k, d, padded_extra(spec, rank), spec, rank)
    return {"kernel_size": k, "stride": s, "padding": spec, "dilation": d}, needs


# --- (a) single layers: one strategy per layer class -------------------------------------------


@st.composite
def conv_nets(draw: st.DrawFn) -> Network:
    rank = draw(RANKS)
    g = draw(st.integers(1, 3))
    cin, cout = g * draw(st.integers(1, 3)), g * draw(st.integers(1, 3))
    geo, needs = conv_geometry(draw, rank)
    x = (cin, *sizes(draw, needs, rank))
    extra: dict[str, object] = {}
    if draw(st.booleans()):  # the rank-asserting alias, with `in` given
        extra = {"rank": rank + 1, "alias": f"conv{rank}d", "in_channels": cin}
    extra["padding_mode"] = draw(PADDING_MODES)
    layer = L.Conv(cout, groups=g, bias=draw(st.booleans()), **geo, **extra)  # type: ignore[arg-type]
    try:  # reflect and circular fills need the padding to fit the input (the verdict test's job)
        layer.out_shape(x)
    except CnnCalcError:
        assume(False)
    return single(draw, x, [(str(extra.get("alias", "conv")), layer)])


@st.composite
def dwconv_nets(draw: st.DrawFn) -> Network:
    rank = draw(RANKS)
    geo, needs = conv_geometry(draw, rank)
    x = (draw(st.integers(1, 4)), *sizes(draw, needs, rank))
    mult = draw(st.integers(1, 3))
    layer = L.DwConv(multiplier=mult, bias=draw(st.booleans()), **geo)  # type: ignore[arg-type]
    return single(draw, x, [("dwconv", layer)])


@st.composite
def convT_nets(draw: st.DrawFn) -> Network:
    rank = draw(RANKS)
    g = draw(st.integers(1, 3))
    cin, cout = g * draw(st.integers(1, 3)), g * draw(st.integers(1, 3))
    k = axes(draw, rank, 1, 4)
    s = axes(draw, rank, 1, 3)
    d = axes(draw, rank, 1, 2)
    p = axes(draw, rank, 0, 2)
    # output_padding must stay below max(stride, dilation) on every axis
    limit = min(max(ss, dd) for ss, dd in zip(full(s, rank), full(d, rank)))
    op = axes(draw, rank, 0, limit - 1)
    # the smallest input giving an output of at least 1: (i−1)·s >= 2p − d(k−1) − op
    needs = [
        1 + max(0, -(-(2 * pp - dd * (kk - 1) - oo) // ss))
        for kk, ss, pp, dd, oo in zip(*(full(v, rank) for v in (k, s, p, d, op)))
    ]
    top = MAX_SIZE[rank] // 2  # transposed convs grow: keep their inputs small
    x = (cin, *(draw(st.integers(n, max(n, top))) for n in needs))
    layer = L.ConvTranspose(cout, k, s, p, op, d, g, bias=draw(st.booleans()))
    return single(draw, x, [("convT", layer)])


def pool_layer(draw: st.DrawFn, cls: type[L.Pool], rank: int) -> tuple[L.Pool, list[int]]:
    """A valid max/avg pool and the input size each axis needs."""
    k = axes(draw, rank, 1, 4 if rank < 3 else 3)
    s = axes(draw, rank, 1, 3) if draw(st.booleans()) else None  # None: the kernel
    p = tuple(draw(st.integers(0, kk // 2)) for kk in full(k, rank))
    kw: dict[str, object] = {"ceil_mode": draw(st.booleans())}
    d: Ints = (1,)
    if cls is L.MaxPool:
        d = kw["dilation"] = axes(draw, rank, 1, 2)
    else:
        kw["count_include_pad"] = draw(st.booleans())
        if rank > 1:  # AvgPool1d has no divisor_override
            kw["divisor_override"] = draw(st.sampled_from((None, 1, 3)))
    needs = window_needs(k, d, tuple(2 * v for v in p), p, rank)
    if cls is L.AvgPool and rank == 3:  # avg_pool3d wants the unpadded input >= the kernel
        needs = [max(n, kk) for n, kk in zip(needs, full(k, rank))]
    return cls(k, s, p, **kw), needs  # type: ignore[arg-type]


def pool_nets(cls: type[L.Pool]) -> st.SearchStrategy[Network]:
    @st.composite
    def nets(draw: st.DrawFn) -> Network:
        rank = draw(RANKS)
        layer, needs = pool_layer(draw, cls, rank)
        x = (draw(st.integers(1, 4)), *sizes(draw, needs, rank))
        return single(draw, x, [(layer.kind, layer)])

    return nets()


def adaptive_nets(cls: type[L.AdaptivePool]) -> st.SearchStrategy[Network]:
    @st.composite
    def nets(draw: st.DrawFn) -> Network:
        rank = draw(RANKS)
        x = (draw(st.integers(1, 4)), *sizes(draw, [1] * rank, rank))
        layer = cls(axes(draw, rank, 1, 5))
        return single(draw, x, [(layer.kind, layer)])

    return nets()


@st.composite
def any_input(draw: st.DrawFn, min_rank: int = 0, channels: int | None = None) -> Shape:
    """A flat vector or a 1-D, 2-D or 3-D tensor, small."""
    rank = draw(st.integers(min_rank, 3))
    c = channels if channels is not None else draw(st.integers(1, 6))
    return (c, *sizes(draw, [1] * rank, rank))


NORM_EXTRA = {"affine": st.booleans(), "eps": st.sampled_from((1e-5, 1e-3, 0.1))}


@st.composite
def bn_nets(draw: st.DrawFn) -> Network:
    x = draw(any_input())
    kw: dict[str, object] = {k: draw(v) for k, v in NORM_EXTRA.items()}
    kw["momentum"] = draw(st.sampled_from((0.1, 0.01)))
    # without running statistics torch normalises by the batch's, even in eval mode: that
    # needs more than one value per channel (as in training)
    kw["track_running_stats"] = math.prod(x[1:]) == 1 or draw(st.booleans())
    if draw(st.booleans()):  # bn1d also takes a flat input, as BatchNorm1d does
        kw |= {"rank": max(len(x), 2), "alias": f"bn{max(len(x) - 1, 1)}d", "in_channels": x[0]}
    return single(draw, x, [("bn", L.BatchNorm(**kw))])  # type: ignore[arg-type]


@st.composite
def gn_nets(draw: st.DrawFn) -> Network:
    groups = draw(st.integers(1, 4))
    x = draw(any_input(channels=groups * draw(st.integers(1, 3))))
    # torch's group norm needs more than one value per group and sample (see KNOWN_GAPS)
    assume(x[0] // groups * math.prod(x[1:]) > 1)
    kw = {k: draw(v) for k, v in NORM_EXTRA.items()}
    return single(draw, x, [("gn", L.GroupNorm(num_groups=groups, **kw))])  # type: ignore[arg-type]


@st.composite
def ln_nets(draw: st.DrawFn) -> Network:
    x = draw(any_input())
    kw = {k: draw(v) for k, v in NORM_EXTRA.items()}
    kw["bias"] = draw(st.booleans())  # LayerNorm(bias=False): the scale alone
    return single(draw, x, [("ln", L.LayerNorm(**kw))])  # type: ignore[arg-type]


@st.composite
def inorm_nets(draw: st.DrawFn) -> Network:
    # torch's instance norm needs more than one position per channel (see KNOWN_GAPS)
    x = draw(any_input(min_rank=1).filter(lambda s: math.prod(s[1:]) > 1))
    kw = {k: draw(v) for k, v in NORM_EXTRA.items()}
    kw["track_running_stats"] = draw(st.booleans())
    return single(draw, x, [("inorm", L.InstanceNorm(**kw))])  # type: ignore[arg-type]


@st.composite
def activation_nets(draw: st.DrawFn) -> Network:
    function = draw(st.sampled_from(L.ACTIVATIONS))
    slope = draw(st.floats(-1.0, 1.0, allow_nan=False))
    approximate = draw(st.sampled_from(("none", "tanh"))) if function == "gelu" else "none"
    layer = L.Activation(function=function, negative_slope=slope, approximate=approximate)
    return single(draw, draw(any_input()), [(function, layer)])


@st.composite
def prelu_nets(draw: st.DrawFn) -> Network:
    x = draw(any_input())
    layer = L.PReLU(draw(st.sampled_from((1, x[0]))), init=draw(st.sampled_from((0.25, 0.1))))
    return single(draw, x, [("prelu", layer)])


@st.composite
def dropout_nets(draw: st.DrawFn) -> Network:
    p = draw(st.floats(0.0, 1.0, allow_nan=False))
    return single(draw, draw(any_input()), [("dropout", L.Dropout(p))])


@st.composite
def identity_nets(draw: st.DrawFn) -> Network:
    return single(draw, draw(any_input()), [("identity", L.Identity())])


@st.composite
def flatten_nets(draw: st.DrawFn) -> Network:
    return single(draw, draw(any_input()), [("flatten", L.Flatten())])


@st.composite
def linear_nets(draw: st.DrawFn) -> Network:
    x = draw(any_input())
    head: list[Item] = [] if len(x) == 1 else [("flatten", L.Flatten())]
    n_in = math.prod(x)
    layer = L.Linear(
        draw(st.integers(1, 8)),
        bias=draw(st.booleans()),
        in_features=draw(st.sampled_from((None, n_in))),
    )
    return single(draw, x, [*head, ("linear", layer)])


#: interpolation modes torch offers per number of spatial axes
UPSAMPLE_MODES = {1: ("nearest", "linear"), 2: ("nearest", "bilinear", "bicubic"),
                  3: ("nearest", "trilinear")}  # fmt: skip


@st.composite
def upsample_nets(draw: st.DrawFn) -> Network:
    rank = draw(RANKS)
    x = (draw(st.integers(1, 3)), *sizes(draw, [2] * rank, rank))
    mode = draw(st.sampled_from(UPSAMPLE_MODES[rank]))
    # torch's details, which change no count: corners only for the interpolating modes
    corners = None if mode == "nearest" else draw(st.sampled_from((None, True, False)))
    if draw(st.booleans()):
        size = axes(draw, rank, 1, 2 * MAX_SIZE[rank])
        layer = L.Upsample(size=size, mode=mode, align_corners=corners)
    else:  # any factor from 0.5 (every input here has at least 2 positions, so >= 1 out)
        n = rank if rank > 1 and draw(st.booleans()) else 1
        scale = tuple(draw(st.floats(0.5, 3.0, allow_nan=False)) for _ in range(n))
        recompute = draw(st.sampled_from((None, True, False)))
        layer = L.Upsample(
            scale_factor=scale, mode=mode, align_corners=corners, recompute_scale_factor=recompute
        )
    return single(draw, x, [("upsample", layer)])


@st.composite
def pad_nets(draw: st.DrawFn) -> Network:
    rank = draw(RANKS)
    mode = draw(st.sampled_from(("constant", "reflect", "replicate", "circular")))
    padding: L.PadSpec
    shape = draw(st.sampled_from(("int", "axes", "pairs")))
    if shape == "pairs":
        padding = tuple((draw(st.integers(0, 3)), draw(st.integers(0, 3))) for _ in range(rank))
    else:
        padding = axes(draw, rank, 0, 3) if shape == "axes" else (draw(st.integers(0, 3)),)
    # reflect needs padding < size, circular <= size: an input of >= 4 suits all modes
    x = (draw(st.integers(1, 3)), *sizes(draw, [4] * rank, rank))
    layer = L.Pad_(padding, mode, draw(st.floats(-2.0, 2.0, allow_nan=False)))
    return single(draw, x, [("pad", layer)])


#: layer class -> (strategy of networks that contain it, examples); about 300 in all
# --- parts of a tensor and the zero-count named ops -----------------------------------------


def part_dim(draw: st.DrawFn, x: Shape) -> int:
    """PyTorch's `dim` of an axis of `x` (batch in front), written either way round."""
    axis = draw(st.integers(1, len(x)))
    return axis if draw(st.booleans()) else axis - (len(x) + 1)


@st.composite
def part_nets(draw: st.DrawFn, cls: type[L.Part]) -> Network:
    """Every part of a split or chunk (or one slice), each taken as its own node."""
    x = draw(any_input())
    dim = part_dim(draw, x)
    n = x[dim % (len(x) + 1) - 1]
    layer: L.Part
    if cls is L.Split:
        if draw(st.booleans()):
            sections: tuple[int, ...] = (draw(st.integers(1, n + 1)),)
        else:
            cut = (
                sorted(draw(st.lists(st.integers(1, n - 1), max_size=3, unique=True)))
                if n > 1
                else []
            )
            sections = tuple(b - a for a, b in zip([0, *cut], [*cut, n]))
        layer = L.Split(dim=dim, split_size_or_sections=sections)
    elif cls is L.Chunk:
        layer = L.Chunk(dim=dim, chunks=draw(st.integers(1, n + 2)))
    else:
        start = draw(st.one_of(st.none(), st.integers(-n, n - 1)))
        layer = L.Slice(dim=dim, start=start, end=draw(st.none() | st.integers(-2 * n, 2 * n)),
                        step=draw(st.integers(1, 3)))  # fmt: skip
        try:
            layer.out_shape(x)
        except CnnCalcError:  # an empty part: its own test
            layer = L.Slice(dim=dim)
    count = len(layer.sizes(x))
    nodes = tuple(
        Node(f"part.{i}", cls.kind, type(layer)(**{**vars(layer), "index": i}), (INPUT,))
        for i in range(count)
    )
    return Network(x, nodes, outputs=tuple(n.name for n in nodes))


@st.composite
def shuffle_nets(draw: st.DrawFn) -> Network:
    groups = draw(st.integers(1, 4))
    x = draw(any_input(min_rank=1, channels=groups * draw(st.integers(1, 3))))
    return single(draw, x, [("channel_shuffle", L.ChannelShuffle(groups))])


@st.composite
def drop_path_nets(draw: st.DrawFn) -> Network:
    layer = L.DropPath(draw(st.floats(0, 1)), draw(st.sampled_from(("row", "batch"))))
    return single(draw, draw(any_input()), [("drop_path", layer)])


SINGLE: dict[type[L.Layer], tuple[st.SearchStrategy[Network], int]] = {
    L.Conv: (conv_nets(), 50),
    L.DwConv: (dwconv_nets(), 20),
    L.ConvTranspose: (convT_nets(), 30),
    L.MaxPool: (pool_nets(L.MaxPool), 25),
    L.AvgPool: (pool_nets(L.AvgPool), 25),
    L.AdaptiveAvgPool: (adaptive_nets(L.AdaptiveAvgPool), 10),
    L.AdaptiveMaxPool: (adaptive_nets(L.AdaptiveMaxPool), 10),
    L.BatchNorm: (bn_nets(), 15),
    L.GroupNorm: (gn_nets(), 12),
    L.LayerNorm: (ln_nets(), 10),
    L.InstanceNorm: (inorm_nets(), 12),
    L.Activation: (activation_nets(), 20),
    L.PReLU: (prelu_nets(), 8),
    L.Dropout: (dropout_nets(), 5),
    L.Identity: (identity_nets(), 5),
    L.Flatten: (flatten_nets(), 8),
    L.Linear: (linear_nets(), 10),
    L.Upsample: (upsample_nets(), 25),
    L.Pad_: (pad_nets(), 20),
    L.Split: (part_nets(L.Split), 20),
    L.Chunk: (part_nets(L.Chunk), 15),
    L.Slice: (part_nets(L.Slice), 20),
    L.ChannelShuffle: (shuffle_nets(), 8),
    L.DropPath: (drop_path_nets(), 5),
}


def kind_matches_torch(
    cls: type[L.Layer], strategy: st.SearchStrategy[Network], examples: int
) -> None:
    """`examples` networks drawn from `strategy`, each holding a `cls` layer, equal torch's."""

    @settings(max_examples=examples, deadline=None)
    @given(net=strategy)
    def check(net: Network) -> None:
        assert any(type(node.layer) is cls for node in net.nodes)
        compare(net)

    check()


@pytest.mark.parametrize("cls", SINGLE, ids=lambda cls: cls.__name__)
def test_single_layer_matches_torch(cls: type[L.Layer]) -> None:
    kind_matches_torch(cls, *SINGLE[cls])


def test_every_layer_kind_is_parity_tested() -> None:
    from tests.test_parity_tokens import TOKEN_SINGLE  # it builds on this module's helpers

    registered = {kind.cls for kind in L.KINDS.values()}
    layers = {cls for cls in registered if issubclass(cls, L.Layer)}
    assert layers == set(SINGLE) | set(TOKEN_SINGLE) == set(BUILDERS)
    assert registered - layers == set(MERGES) == DAG_MERGES | {L.Matmul}  # matmul: its own test
    assert set(TORCH_ACTIVATIONS) == set(L.ACTIVATIONS)


# --- cnncalc rejects a geometry exactly when torch does -----------------------------------------


def cnncalc_outcome(layer: L.Layer, x: Shape) -> Shape | None:
    """The output shape the engine reports for `layer` alone, or None when cnncalc rejects it."""
    try:
        report = analyze_network(Network(x, (Node("layer", layer.kind, layer, (INPUT,)),)))
    except CnnCalcError:
        return None
    return report.layers[0].out_shape


def torch_outcome(layer: L.Layer, x: Shape) -> Shape | None:
    """torch's output shape, or None when torch rejects the layer or the input — or produces an
    empty tensor, which no network can use (cnncalc rejects a size-0 output)."""
    try:
        module = build_layer(layer, x)
        with torch.no_grad():
            y = module(torch.zeros((1, *x)))
    except (RuntimeError, ValueError):
        return None
    return None if y.numel() == 0 else tuple(y.shape[1:])


def assert_same_verdict(layer: L.Layer, x: Shape) -> None:
    ours, theirs = cnncalc_outcome(layer, x), torch_outcome(layer, x)
    assert ours == theirs, f"{layer!r} on {x}: cnncalc {ours}, torch {theirs}"


@st.composite
def any_conv(draw: st.DrawFn) -> tuple[L.Layer, Shape]:
    rank = draw(RANKS)
    x = (draw(st.integers(1, 4)), *(draw(st.integers(1, 7)) for _ in range(rank)))
    layer = L.Conv(
        draw(st.integers(1, 4)),
        kernel_size=axes(draw, rank, 1, 5),
        stride=axes(draw, rank, 1, 3),
        padding=conv_padding(draw, rank),
        dilation=axes(draw, rank, 1, 3),
        groups=draw(st.integers(1, 3)),
        padding_mode=draw(PADDING_MODES),
    )
    return layer, x


@st.composite
def any_pool(draw: st.DrawFn) -> tuple[L.Layer, Shape]:
    rank = draw(RANKS)
    x = (draw(st.integers(1, 3)), *(draw(st.integers(1, 7)) for _ in range(rank)))
    k = axes(draw, rank, 1, 5)
    s = axes(draw, rank, 1, 3) if draw(st.booleans()) else None
    p = axes(draw, rank, 0, 3)
    ceil = draw(st.booleans())
    if draw(st.booleans()):
        return L.MaxPool(k, s, p, axes(draw, rank, 1, 3), ceil), x
    return L.AvgPool(k, s, p, ceil_mode=ceil), x


@st.composite
def any_convT(draw: st.DrawFn) -> tuple[L.Layer, Shape]:
    rank = draw(RANKS)
    x = (draw(st.integers(1, 4)), *(draw(st.integers(1, 6)) for _ in range(rank)))
    layer = L.ConvTranspose(
        draw(st.integers(1, 4)),
        kernel_size=axes(draw, rank, 1, 4),
        stride=axes(draw, rank, 1, 3),
        padding=axes(draw, rank, 0, 3),
        output_padding=axes(draw, rank, 0, 3),
        dilation=axes(draw, rank, 1, 3),
        groups=draw(st.integers(1, 3)),
    )
    return layer, x


@settings(max_examples=150, deadline=None)
@given(case=any_conv())
def test_conv_rejected_iff_torch_rejects(case: tuple[L.Layer, Shape]) -> None:
    assert_same_verdict(*case)


@settings(max_examples=150, deadline=None)
@given(case=any_pool())
def test_pool_rejected_iff_torch_rejects(case: tuple[L.Layer, Shape]) -> None:
    assert_same_verdict(*case)


@settings(max_examples=100, deadline=None)
@given(case=any_convT())
def test_convT_rejected_iff_torch_rejects(case: tuple[L.Layer, Shape]) -> None:
    assert_same_verdict(*case)


# --- (b) random sequential stacks ---------------------------------------------------------------


def stack_item(draw: st.DrawFn, x: Shape) -> Item:
    """One layer that fits the current shape `x` (spatial, channels first)."""
    small = min(x[1:])
    kind = draw(st.sampled_from(("conv", "dwconv", "maxpool", "avgpool", "norm", "act", "prelu")))
    if kind in ("conv", "dwconv"):
        k = draw(st.integers(1, min(small, 5)))
        d = draw(st.integers(1, max(1, (small - 1) // max(k - 1, 1)))) if k > 1 else 1
        d = min(d, 3)
        geo: dict[str, object] = {
            "kernel_size": (k,),
            "stride": (draw(st.integers(1, 2)),),
            "padding": (draw(st.integers(0, k // 2)),),
            "dilation": (d,),
            "bias": draw(st.booleans()),
        }
        if kind == "dwconv":
            return "dwconv", L.DwConv(multiplier=draw(st.integers(1, 2)), **geo)  # type: ignore[arg-type]
        g = draw(st.sampled_from([g for g in (1, 2, 4) if x[0] % g == 0]))
        return "conv", L.Conv(g * draw(st.integers(1, 4)), groups=g, **geo)  # type: ignore[arg-type]
    if kind in ("maxpool", "avgpool"):
        k = draw(st.integers(1, min(small, 3)))
        s = draw(st.sampled_from((None, (1,), (2,))))
        p = (draw(st.integers(0, k // 2)),)
        ceil = draw(st.booleans())
        if kind == "maxpool":
            return kind, L.MaxPool((k,), s, p, ceil_mode=ceil)
        return kind, L.AvgPool((k,), s, p, ceil_mode=ceil)
    if kind == "norm":
        norms: list[Item] = [("bn", L.BatchNorm()), ("ln", L.LayerNorm())]
        positions = math.prod(x[1:])
        norms += [
            ("gn", L.GroupNorm(num_groups=g))
            for g in (1, 2, 4)
            if x[0] % g == 0 and x[0] // g * positions > 1  # see KNOWN_GAPS
        ]
        if positions > 1:
            norms.append(("inorm", L.InstanceNorm(affine=draw(st.booleans()))))
        return draw(st.sampled_from(norms))
    if kind == "prelu":
        return "prelu", L.PReLU(draw(st.sampled_from((1, x[0]))))
    function = draw(st.sampled_from(L.ACTIVATIONS))
    return function, L.Activation(function=function)


@st.composite
def stacks(draw: st.DrawFn) -> Network:
    rank = draw(RANKS)
    x = (draw(st.integers(1, 4)), *sizes(draw, [4] * rank, rank))
    items: list[Item] = []
    y = x
    for _ in range(draw(st.integers(3, 8))):
        item = stack_item(draw, y)
        items.append(item)
        y = item[1].out_shape(y)
    if draw(st.booleans()):
        items += [("gap", L.AdaptiveAvgPool((1,))), ("flatten", L.Flatten()),
                  ("linear", L.Linear(draw(st.integers(1, 10))))]  # fmt: skip
    return sequential(x, items, batch=draw(BATCH), prefix="features.")


@settings(max_examples=40, deadline=None)
@given(net=stacks())
def test_random_stack_matches_torch(net: Network) -> None:
    compare(net)


# --- (c) hand-built DAGs ------------------------------------------------------------------------


def node(name: str, op: str, layer: L.Layer | L.Merge, *inputs: str) -> Node:
    return Node(name, op, layer, inputs)


def conv(out: int, k: int = 3, s: int = 1, p: int = 1, bias: bool = False) -> L.Conv:
    return L.Conv(out, (k,), (s,), (p,), bias=bias)


def residual(c: int) -> tuple[Shape, tuple[Node, ...]]:
    """torchvision's BasicBlock, identity shortcut."""
    return (c, 12, 12), (
        node("block.conv1", "conv", conv(c), INPUT),
        node("block.bn1", "bn", L.BatchNorm(), "block.conv1"),
        node("block.relu", "relu", L.Activation(), "block.bn1"),
        node("block.conv2", "conv", conv(c), "block.relu"),
        node("block.bn2", "bn", L.BatchNorm(), "block.conv2"),
        node("block.add", "add", L.Add(), "block.bn2", INPUT),
        node("block.out", "relu", L.Activation(), "block.add"),
    )


def downsample(c: int) -> tuple[Shape, tuple[Node, ...]]:
    """A stride-2 residual block with a 1×1 conv + bn shortcut."""
    return (c, 11, 11), (
        node("body.conv", "conv", conv(2 * c, s=2), INPUT),
        node("body.bn", "bn", L.BatchNorm(), "body.conv"),
        node("shortcut.conv", "conv", conv(2 * c, k=1, s=2, p=0), INPUT),
        node("shortcut.bn", "bn", L.BatchNorm(), "shortcut.conv"),
        node("add", "add", L.Add(), "body.bn", "shortcut.bn"),
    )


def inception(c: int) -> tuple[Shape, tuple[Node, ...]]:
    """Four branches, concatenated on channels."""
    return (c, 10, 10), (
        node("b1", "conv", conv(4, k=1, p=0), INPUT),
        node("b2.reduce", "conv", conv(3, k=1, p=0), INPUT),
        node("b2.conv", "conv", conv(5), "b2.reduce"),
        node("b3.reduce", "conv", conv(2, k=1, p=0), INPUT),
        node("b3.conv", "conv", L.Conv(3, (5,), padding="same"), "b3.reduce"),
        node("b4.pool", "maxpool", L.MaxPool((3,), (1,), (1,)), INPUT),
        node("b4.conv", "conv", conv(2, k=1, p=0), "b4.pool"),
        node("cat", "concat", L.Concat(), "b1", "b2.conv", "b3.conv", "b4.conv"),
    )


def squeeze_excite(c: int) -> tuple[Shape, tuple[Node, ...]]:
    """A channel gate (C×1×1) and a spatial gate (1×H×W), both applied by mul."""
    return (c, 9, 9), (
        node("conv", "conv", conv(2 * c), INPUT),
        node("se.pool", "gap", L.AdaptiveAvgPool((1,)), "conv"),
        node("se.fc1", "conv", conv(c, k=1, p=0, bias=True), "se.pool"),
        node("se.act", "relu", L.Activation(), "se.fc1"),
        node("se.fc2", "conv", conv(2 * c, k=1, p=0, bias=True), "se.act"),
        node("se.gate", "sigmoid", L.Activation(function="sigmoid"), "se.fc2"),
        node("se.mul", "mul", L.Mul(), "conv", "se.gate"),
        node("sa.conv", "conv", conv(1, k=7, p=3), "se.mul"),
        node("sa.gate", "hardsigmoid", L.Activation(function="hardsigmoid"), "sa.conv"),
        node("sa.mul", "mul", L.Mul(), "sa.gate", "se.mul"),
    )


def unet(c: int) -> tuple[Shape, tuple[Node, ...]]:
    """Encoder, pool, bottleneck, transposed-conv up, skip concat, decoder conv."""
    return (c, 16, 16), (
        node("enc", "conv", conv(4), INPUT),
        node("down", "maxpool", L.MaxPool((2,)), "enc"),
        node("mid", "conv", conv(8), "down"),
        node("up", "convT", L.ConvTranspose(4, (2,), (2,)), "mid"),
        node("skip", "concat", L.Concat(), "enc", "up"),
        node("dec", "conv", conv(4), "skip"),
        node("head", "conv", conv(1, k=1, p=0, bias=True), "dec"),
    )


def dense(c: int) -> tuple[Shape, tuple[Node, ...]]:
    """DenseNet growth: every layer sees the concatenation of all earlier ones."""
    nodes: list[Node] = []
    prev = INPUT
    for i in range(3):
        nodes += [
            node(f"d{i}.bn", "bn", L.BatchNorm(), prev),
            node(f"d{i}.relu", "relu", L.Activation(), f"d{i}.bn"),
            node(f"d{i}.conv", "conv", conv(4), f"d{i}.relu"),
            node(f"d{i}.cat", "concat", L.Concat(), prev, f"d{i}.conv"),
        ]
        prev = f"d{i}.cat"
    nodes.append(node("transition", "avgpool", L.AvgPool((2,)), prev))
    return (c, 8, 8), tuple(nodes)


def one_d(c: int) -> tuple[Shape, tuple[Node, ...]]:
    """A three-way add on a 1-D signal."""
    return (c, 20), (
        node("a", "conv", conv(4, k=3, p=1), INPUT),
        node("b", "conv", L.Conv(4, (5,), padding="same"), INPUT),
        node(
            "c", "dwconv", L.DwConv(kernel_size=(3,), padding="tf_same", multiplier=4 // c), INPUT
        ),
        node("sum", "add", L.Add(), "a", "b", "c"),
        node("head.pool", "gmp", L.AdaptiveMaxPool((1,)), "sum"),
        node("head.flat", "flatten", L.Flatten(), "head.pool"),
        node("head.fc", "linear", L.Linear(3), "head.flat"),
    )


def volume(c: int) -> tuple[Shape, tuple[Node, ...]]:
    """A 3-D mul of two branches, then a classifier head."""
    return (c, 6, 6, 6), (
        node("x", "conv", conv(4), INPUT),
        node("gate.conv", "conv", conv(4, k=1, p=0), INPUT),
        node("gate", "sigmoid", L.Activation(function="sigmoid"), "gate.conv"),
        node("mul", "mul", L.Mul(), "x", "gate"),
        node("head.gap", "gap", L.AdaptiveAvgPool((1,)), "mul"),
        node("head.flatten", "flatten", L.Flatten(), "head.gap"),
        node("head.drop", "dropout", L.Dropout(0.2), "head.flatten"),
        node("head.fc", "linear", L.Linear(5), "head.drop"),
    )


DAGS: dict[str, Callable[[int], tuple[Shape, tuple[Node, ...]]]] = {
    "residual": residual,
    "downsample": downsample,
    "inception": inception,
    "squeeze_excite": squeeze_excite,
    "unet": unet,
    "dense": dense,
    "one_d_add": one_d,
    "volume_mul": volume,
}
DAG_MERGES = {L.Add, L.Concat, L.Mul}


@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("channels", [2, 4])
@pytest.mark.parametrize("name", DAGS)
def test_dag_matches_torch(name: str, channels: int, batch: int) -> None:
    shape, nodes = DAGS[name](channels)
    compare(Network(shape, nodes, batch=batch))


def test_dags_cover_every_merge() -> None:
    used = {type(n.layer) for build in DAGS.values() for n in build(4)[1]}
    assert used >= DAG_MERGES


def test_several_outputs_are_all_compared() -> None:
    shape, nodes = unet(2)
    compare(Network(shape, nodes, outputs=("head", "mid")))


# --- the oracle can fail ------------------------------------------------------------------------


class Twice(nn.Module):
    """Runs its module twice: the same parameters and shape, twice the FLOPs."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: Tensor) -> Tensor:
        self.inner(x)
        return self.inner(x)  # type: ignore[no-any-return]


#: a torch conv that differs from cnncalc's in exactly one measured number
SKEWED: dict[str, Callable[[nn.Module], nn.Module]] = {
    "params": lambda m: nn.Sequential(m, nn.PReLU()),
    "shape": lambda m: nn.Sequential(m, nn.ZeroPad2d(1)),
    # 3×3 and 1×9 windows: same params, output shape and FLOPs, another weight layout
    "kernel": lambda m: nn.Conv2d(3, 4, (1, 9), padding=(0, 4), bias=False),
    "flops": Twice,
}


@pytest.mark.parametrize("what", SKEWED)
def test_compare_catches_a_disagreement(what: str, monkeypatch: pytest.MonkeyPatch) -> None:
    net = sequential((3, 8, 8), [("conv", conv(4)), ("relu", L.Activation())])
    compare(net)
    original = BUILDERS[L.Conv]
    monkeypatch.setitem(BUILDERS, L.Conv, lambda layer, x: SKEWED[what](original(layer, x)))
    with pytest.raises(ParityError, match="(?i)" + what.replace("shape", "output")):
        compare(net)


# --- configurations torch rejects that cnncalc accepts (reported gaps) -------------------------

#: layer and per-sample input (batch 1) torch rejects; the strategies above avoid them
KNOWN_GAPS: dict[str, tuple[L.Layer, Shape]] = {
    "inorm_one_position": (L.InstanceNorm(), (3, 1, 1)),
    "inorm_flat_input": (L.InstanceNorm(affine=True), (3,)),
    # torch accepts this one from batch 2 on (its check counts values over the batch); cnncalc
    # keeps per-sample layers batch-independent, so it remains the one known gap
    "gn_one_value_per_group": (L.GroupNorm(num_groups=4), (4, 1, 1)),
    "upsample_to_size_0": (L.Upsample(scale_factor=(0.4,)), (2, 2)),
    "upsample_mode_wrong_rank": (L.Upsample(mode="bilinear"), (2, 5)),
    "reflect_pad_not_below_size": (L.Pad_((3,), "reflect"), (2, 3)),
    "circular_pad_above_size": (L.Pad_(((4, 0),), "circular"), (2, 3)),
}


@pytest.mark.parametrize("name", KNOWN_GAPS)
def test_known_gap(name: str) -> None:
    """torch rejects each of these; until cnncalc does too, the test is an expected failure (and
    once cnncalc rejects it, a regression test)."""
    layer, x = KNOWN_GAPS[name]
    assert torch_outcome(layer, x) is None, f"torch now accepts {layer!r} on {x}"
    if cnncalc_outcome(layer, x) is not None:
        pytest.xfail(f"cnncalc accepts {layer!r} on {x}, which torch rejects")
