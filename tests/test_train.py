"""Training parity: backward FLOPs equal FlopCounterMode's around `loss.backward()` and saved
activation bytes equal what `saved_tensors_hooks` sees (tests/train_oracle.py), per layer and in
total, for every example, every layer kind and random stacks and graphs, with and without
frozen parts, at batch 1 and 4, in float32, bfloat16 and float16. torch is the oracle: no
expected value is written here except in the worked example."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import cnncalc  # noqa: E402
from cnncalc import layers as L  # noqa: E402
from cnncalc.analysis.train import training  # noqa: E402
from cnncalc.engine import Network, Node, analyze_network  # noqa: E402
from cnncalc.render.json import report_json  # noqa: E402
from tests.conftest import EXAMPLES, ROOT  # noqa: E402
from tests.test_parity import SINGLE, stacks  # noqa: E402
from tests.test_parity_examples import graph_item, random_graph, token_head  # noqa: E402
from tests.test_parity_tokens import TOKEN_SINGLE  # noqa: E402
from tests.train_oracle import TorchCrash, measure  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore:Using padding='same' with even kernel lengths:UserWarning"
)

DTYPES = st.sampled_from(["float32", "bfloat16", "float16"])


def assert_matches(net: Network, dtype: str = "float32") -> None:
    """cnncalc's training numbers on `net` equal torch's: saved bytes per layer and in total,
    backward FLOPs in total (FlopCounterMode's per-module attribution of the backward is not
    reliable for modules without parameters, so the single-kind networks below hold each kind's
    rule alone). Where torch's CPU has no kernel for a reduced dtype (3-D average pooling in
    bfloat16), float32 is checked instead."""
    try:
        try:
            report, got = measure(net, dtype)
        except (NotImplementedError, RuntimeError) as err:
            if dtype == "float32" or "not implemented for" not in str(err):
                raise
            dtype = "float32"
            report, got = measure(net, dtype)
    except ValueError as err:  # torch trains no BatchNorm over one value per channel
        assert "Expected more than 1 value per channel" in str(err)
        return
    except TorchCrash:  # torch 2.13's CPU GroupNorm backward would segfault (train_oracle)
        return
    train = training(report, dtype=dtype)
    for row, ours in zip(report.layers, train.layers):
        saved = got.saved.get(row.name, 0)
        what = f"{row.op} '{row.name}' (in {row.in_shapes}, {row.node.layer!r}, {dtype})"
        assert ours.saved_bytes == saved, f"{what}: saved cnncalc {ours.saved_bytes}, torch {saved}"
    assert set(got.saved) <= {r.name for r in report.layers}, got.saved
    assert train.saved_bytes == got.saved_total
    assert train.backward_flops == got.backward_flops, (
        f"backward FLOPs: cnncalc {train.backward_flops}, torch {got.backward_flops}"
    )


def frozen_prefix(net: Network, n: int) -> Network:
    """The first `n` layers frozen (`frozen: true`)."""
    nodes = tuple(
        Node(**{**{f: getattr(node, f) for f in node.__record_fields__}, "frozen": i < n})
        for i, node in enumerate(net.nodes)
    )
    return dataclasses.replace(net, nodes=nodes, inferred=None)


# --- the worked example -------------------------------------------------------------------------

SMALL = """\
input: 3x8x8
layers:
  - {conv: {out: 4, k: 3, p: 1}}
  - bn
  - relu
  - maxpool: 2
  - {conv: {out: 5, k: 3, p: 1}, frozen: true}
  - relu
  - avgpool: 2
  - flatten
  - linear: 7
  - dropout: 0.5
  - linear: 3
"""


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float16"])
@pytest.mark.parametrize("batch", [1, 4])
def test_small_stack_matches_torch(batch: int, dtype: str) -> None:
    net = dataclasses.replace(cnncalc.load(SMALL), batch=batch)
    assert_matches(net, dtype)
    assert_matches(frozen_prefix(net, 3), dtype)


def test_small_stack_by_hand() -> None:
    """The counts written out: conv1's input needs no gradient (only its weight's: 2·N·3·4·9·64),
    frozen conv2 its input's only (its forward), the linears both (twice their forward)."""
    t = training(analyze_network(cnncalc.load(SMALL)), batch=2)
    conv1, conv2 = 2 * 2 * 3 * 4 * 9 * 64, 2 * 2 * 5 * 4 * 9 * 16
    assert t.backward_flops == conv1 + conv2 + 2 * (2 * 2 * 20 * 7) + 2 * (2 * 2 * 7 * 3)
    # conv1's input, bn's input and stats, relu's output, the pool's int64 indices, conv2's
    # input, relu's output, linear1's input (the pooled map), dropout's noise, linear2's input
    n = 2 * 4
    assert t.saved_bytes == n * (3 * 64 + 4 * 64 + 4 * 64 + 5 * 16 + 20 + 7 + 7) + 2 * 4 * 4 + (
        2 * 4 * 16 * 8 + n * 4 * 16
    )
    assert [r.needs_grad for r in t.layers] == [True] * 11
    # the largest transient: relu1's output and input gradients, 2·(4·8·8)·4 bytes each
    assert t.transient_bytes == 2 * 2 * 4 * 64 * 4


def test_everything_frozen_saves_nothing() -> None:
    net = frozen_prefix(cnncalc.load(SMALL), 11)
    t = training(analyze_network(net))
    assert (t.saved_bytes, t.backward_flops, t.transient_bytes) == (0, 0, 0)
    assert not any(r.needs_grad for r in t.layers)


def test_integer_dtype_is_refused() -> None:
    with pytest.raises(cnncalc.CnnCalcError) as err:
        training(analyze_network(cnncalc.load(SMALL)), dtype="int8")
    assert err.value.code == "E1001"


def test_json_gains_the_training_fields_only_with_training() -> None:
    import json

    report = analyze_network(cnncalc.load(SMALL))
    plain = json.loads(report_json(report))
    assert "backward_flops" not in plain["totals"] and "training" not in plain
    t = training(report, batch=3, dtype="bfloat16")
    data = json.loads(report_json(report, t))
    assert data["totals"]["backward_flops"] == t.backward_flops
    assert data["totals"]["saved_activation_bytes"] == t.saved_bytes
    assert data["totals"]["backward_transient_bytes"] == t.transient_bytes
    assert data["training"] == {"batch": 3, "dtype": "bfloat16"}
    assert [e["saved_bytes"] for e in data["layers"]] == [r.saved_bytes for r in t.layers]
    assert sum(e["backward_flops"] for e in data["layers"]) == t.backward_flops
    del data["training"]
    for key in ("backward_flops", "saved_activation_bytes", "backward_transient_bytes"):
        del data["totals"][key]
    for entry in data["layers"]:
        del entry["backward_flops"], entry["saved_bytes"]
    assert data == plain


# --- every kind has a rule, and each kind's rule equals torch ---------------------------------


def test_every_kind_states_its_training_rule() -> None:
    for name, kind in L.KINDS.items():
        cls = kind.cls
        if issubclass(cls, L.Merge):
            assert cls.saves_many is not L.Merge.saves_many, name
        else:
            assert cls.saves is not L.Layer.saves, name
    weighted = {L.Conv, L.DwConv, L.ConvTranspose, L.Linear, L.MultiheadAttention,
                L.WindowAttention}  # fmt: skip
    for cls in weighted:
        assert cls.backward_macs is not L.Layer.backward_macs, cls
    assert L.Matmul.backward_macs_many is not L.Merge.backward_macs_many


KINDS = {**SINGLE, **TOKEN_SINGLE}


@pytest.mark.parametrize("cls", KINDS, ids=lambda cls: cls.__name__)
def test_each_kind_matches_torch(cls: type[L.Layer]) -> None:
    strategy, examples = KINDS[cls]

    @settings(max_examples=max(4, examples // 3), deadline=None)
    @given(net=strategy, dtype=DTYPES, frozen=st.integers(0, 2))
    def check(net: Network, dtype: str, frozen: int) -> None:
        assert_matches(frozen_prefix(net, frozen), dtype)

    check()


@pytest.mark.parametrize("batch", [1, 4])
def test_matmul_matches_torch(batch: int) -> None:
    """Both operands need a gradient (each the output of a linear), the second broadcast."""
    x = (2 * 3 * 4 + 4 * 5,)
    nodes = (
        Node("pad", "linear", L.Linear(2 * 3 * 4), ("input",)),
        Node("left", "unflatten", L.Unflatten(1, (2, 3, 4)), ("pad",)),
        Node("lin", "linear", L.Linear(4 * 5), ("input",)),
        Node("right", "unflatten", L.Unflatten(1, (1, 4, 5)), ("lin",)),
        Node("mm", "matmul", L.Matmul(), ("left", "right")),
    )
    net = Network(x, nodes, batch=batch)
    for frozen in range(3):
        assert_matches(frozen_prefix(net, frozen))


#: cases the random searches found, each a rule of torch 2.13's (docs/training.md)
LAYOUTS = {
    # a frozen slice of the input at batch 1 is contiguous: flatten and transpose are views
    # of the input, and the linear folds its (1, 64) leading axes with a view: it keeps the
    # whole input (8·8·8), not a copy of its part (5·64)
    "frozen_slice": """\
input: 8x8x8
layers:
  - {slice: {start: -5}, frozen: true}
  - {flatten: {start_dim: 2}}
  - {transpose: {dim0: 1, dim1: 2}}
  - {linear: 8}
  - {residual: {body: [layernorm, {attention: 1}]}}
""",
    # relu writes its output laid out as its transposed input, so the linear copies it
    "relu_after_transpose": """\
input: 8x8x8
layers:
  - {conv: {out: 5, k: 1}}
  - {flatten: {start_dim: 2}}
  - {transpose: {dim0: 1, dim1: 2}}
  - relu
  - {linear: 8}
""",
    # a slice with a step, reshaped: a copy (no view has that shape)
    "strided_slice": """\
input: 8x4x4
layers:
  - {slice: {start: 0, step: 2}, frozen: true}
  - {permute: [0, 2, 3, 1]}
  - {reshape: [-1, 4]}
  - {linear: 3}
""",
    # one head: k and v are views of the packed qkv projection in every window
    "window_one_head": """\
input: 1x1x2
layers:
  - {permute: [0, 2, 3, 1]}
  - {window_attention: {num_heads: 1, window_size: 1, qkv_bias: false, proj_bias: false}}
""",
    # padding: same with k = 4 (a total of 3): torch pads one more on the right first, and
    # the convolution pads 1 on both sides
    "same_even_kernel": """\
input: 1x1x1
layers:
  - {conv: {out: 1, k: 4, p: same, bias: false}}
""",
}


@pytest.mark.parametrize("batch", [1, 4])
@pytest.mark.parametrize("name", LAYOUTS)
def test_views_and_layouts_match_torch(name: str, batch: int) -> None:
    net = dataclasses.replace(cnncalc.load(LAYOUTS[name]), batch=batch)
    for frozen in (0, 1):
        assert_matches(frozen_prefix(net, frozen))


# --- random stacks and graphs ------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(net=stacks(), dtype=DTYPES, frozen=st.integers(0, 4), batch=st.sampled_from([1, 4]))
def test_random_stacks_match_torch(net: Network, dtype: str, frozen: int, batch: int) -> None:
    assert_matches(frozen_prefix(dataclasses.replace(net, batch=batch), frozen), dtype)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(graph_item(), min_size=1, max_size=4),
    st.sampled_from([8, 12]),
    st.one_of(st.just([]), token_head()),
    DTYPES,
    st.sampled_from([1, 4]),
)
def test_random_graphs_match_torch(
    items: list[str], size: int, head: list[str], dtype: str, batch: int
) -> None:
    net = random_graph(items, size, head)
    if net is not None:
        assert_matches(dataclasses.replace(net, batch=batch), dtype)


# --- every example -----------------------------------------------------------------------------


def small(path: Path, size: int = 64) -> Network:
    """An example at `size`×`size` (fast), or as written when it needs its own size."""
    text = path.read_text(encoding="utf-8")
    shrunk = re.sub(r"^input: (\d+)x\d+x\d+", rf"input: \1x{size}x{size}", text, flags=re.M)
    try:
        return cnncalc.load(shrunk)
    except cnncalc.CnnCalcError:
        return cnncalc.load(path)


#: torch refuses to train these at batch 1 (a BatchNorm over one value per channel: DeepLab's
#: image pooling), so their smallest batch is 2
MIN_BATCH = {"deeplabv3_resnet50": 2}


@pytest.mark.parametrize(("batch", "dtype"), [(1, "bfloat16"), (4, "float32")])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_matches_torch(example: Path, batch: int, dtype: str) -> None:
    batch = max(batch, MIN_BATCH.get(example.stem, 1))
    assert_matches(dataclasses.replace(small(example), batch=batch), dtype)


@pytest.mark.parametrize("batch", [1, 4])
def test_frozen_stem_matches_torch(batch: int) -> None:
    """ResNet-18 with its stem and layer1 frozen: nothing below layer2 needs a gradient."""
    net = small(ROOT / "tests" / "data" / "resnet18_frozen.yaml")
    net = dataclasses.replace(net, batch=batch)
    assert_matches(net)
    report = analyze_network(net)
    t = training(report)
    below = [r.needs_grad for r, row in zip(t.layers, report.layers) if row.frozen]
    assert below and not any(below)


# --- strides ------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    shape=st.lists(st.sampled_from([1, 2, 3]), min_size=1, max_size=4),
    data=st.data(),
)
def test_strides_follow_torch(shape: list[int], data: st.DataObject) -> None:
    """`view_strides` finds a view exactly where `Tensor.view` does, with its strides, and
    `like_strides` lays a new tensor out as an element-wise op's output, on permuted and
    sliced tensors (axes of size 1 may have any stride)."""
    from cnncalc.layers.protocol import like_strides, view_strides

    t = torch.empty(shape).permute(data.draw(st.permutations(range(len(shape)))))
    axis = data.draw(st.integers(0, len(shape) - 1))
    if t.shape[axis] > 1 and data.draw(st.booleans()):
        index = [slice(None)] * t.dim()
        index[axis] = slice(0, None, 2)
        t = t[tuple(index)]
    size, stride = tuple(t.shape), t.stride()
    new = tuple(data.draw(st.permutations([*size, 1])))
    try:
        want: tuple[int, ...] | None = t.view(new).stride()
    except RuntimeError:
        want = None
    got = view_strides(size, stride, new)
    assert (got is None) == (want is None), (size, stride, new)
    if got is not None and want is not None:
        assert [a for a, n in zip(got, new) if n > 1] == [b for b, n in zip(want, new) if n > 1]
    like = torch.relu(t).stride()
    mine = like_strides(size, stride)
    assert [a for a, n in zip(mine, size) if n > 1] == [b for b, n in zip(like, size) if n > 1]
