"""Parity over the shipped examples and over random YAML graphs, through the loader.

Each network is loaded by cnncalc, built in PyTorch from the parsed form, and compared: params,
every layer's output shape and FlopCounterMode FLOPs (tests/parity.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import cnncalc  # noqa: E402
from tests.conftest import EXAMPLES, ROOT  # noqa: E402
from tests.parity import compare  # noqa: E402


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_matches_torch(example: Path) -> None:
    report = compare(cnncalc.load(example))
    assert report.totals.flops == 2 * report.totals.macs


def test_frozen_stem_matches_torch() -> None:
    """ResNet-18 with its stem and layer1 frozen: torch counts the same trainable params."""
    report = compare(cnncalc.load(ROOT / "tests" / "data" / "resnet18_frozen.yaml"))
    stem = 64 * 3 * 7 * 7 + 2 * 64  # conv1 + bn1: 9,536
    layer1 = 2 * (2 * 64 * 64 * 3 * 3 + 2 * 2 * 64)  # two BasicBlocks: 147,968
    assert report.totals.frozen_params == stem + layer1 == 157_504
    assert report.totals.trainable_params == 11_689_512 - 157_504


@st.composite
def conv_item(draw: st.DrawFn, stride: bool = True) -> str:
    out = draw(st.sampled_from([4, 6, 8, 12]))
    k = draw(st.sampled_from([1, 3]))
    s = draw(st.sampled_from([1, 2])) if stride else 1
    p = k // 2
    bias = draw(st.booleans())
    return f"{{conv: {{out: {out}, k: {k}, s: {s}, p: {p}, bias: {str(bias).lower()}}}}}"


@st.composite
def body(draw: st.DrawFn, stride: bool = True) -> list[str]:
    items = [draw(conv_item(stride=stride))]
    for _ in range(draw(st.integers(0, 2))):
        items.append(draw(st.sampled_from(["bn", "relu", "{conv: {out: 8, k: 3, p: 1}}", "silu"])))
    return items


@st.composite
def graph_item(draw: st.DrawFn) -> str:
    """An item, frozen (`frozen: true` beside its op) one time in three."""
    item = draw(unfrozen_item())
    if item.startswith("{") and draw(st.integers(0, 2)) == 0:
        return item[:-1] + ", frozen: true}"
    return item


@st.composite
def unfrozen_item(draw: st.DrawFn) -> str:
    kinds = [
        "residual",
        "residual_concat",
        "parallel",
        "plain",
        "se",
        "parts",
        "slice",
        "channels_last",
    ]
    kind = draw(st.sampled_from(kinds))
    if kind == "plain":
        return draw(conv_item())
    if kind == "parts":  # ShuffleNetV2's unit: keep one part, transform the last, concat
        part = draw(st.sampled_from(["chunk: 2", "chunk: 3", "split: 2", "split: 3"]))
        return "PARTS:" + part + "|" + draw(conv_item(stride=False))
    if kind == "slice":
        start = draw(st.sampled_from(["-5", "-3", "0"]))  # never empty, whatever the channels
        return f"{{slice: {{start: {start}, step: {draw(st.sampled_from([1, 2]))}}}}}"
    if kind == "channels_last":  # a ConvNeXt block: permute, LayerNorm, Linears, γ, permute back
        hidden = draw(st.sampled_from([8, 16, 32]))
        items = (
            "{dwconv: {k: 3, p: 1}}, {permute: [0, 2, 3, 1]}, layernorm, "
            f"{{linear: {hidden}}}, gelu, {{linear: 8}}, {{permute: [0, 3, 1, 2]}}, layer_scale"
        )
        return f"{{residual: {{body: [{items}], shortcut: auto}}}}"  # a projection if C ≠ 8
    if kind == "residual":
        items = ", ".join(draw(body()))
        shortcut = draw(st.sampled_from(["auto", "optional"]))
        return f"{{residual: {{body: [{items}], shortcut: {shortcut}}}}}"
    if kind == "residual_concat":
        items = ", ".join(draw(body(stride=False)))
        return f"{{residual: {{body: [{items}], merge: concat}}}}"
    if kind == "se":  # a squeeze-excite gate: global pool, 1×1 convs, broadcast multiply
        return "SE"
    n = draw(st.integers(2, 3))
    merge = draw(st.sampled_from(["concat", "add"]))
    branches = []
    for _ in range(n):
        if merge == "add":  # same shape on every branch
            branches.append("[{conv: {out: 8, k: 3, p: 1}}, bn]")
        else:
            branches.append("[" + ", ".join(draw(body(stride=False))) + "]")
    return f"{{parallel: {{branches: [{', '.join(branches)}], merge: {merge}}}}}"


@st.composite
def token_head(draw: st.DrawFn) -> list[str]:
    """A ViT-style head on the grid: tokens, a class token and a position embedding (or not),
    pre-norm attention and MLP blocks, then the class token's (or the first token's) logits."""
    heads = draw(st.sampled_from([1, 2, 4, 8]))  # each divides the 8 features
    lines = ["  - {flatten: {start_dim: 2}}", "  - {transpose: {dim0: 1, dim1: 2}}"]
    lines.append("  - {linear: 8}")  # to 8 features, whatever the channels before
    if draw(st.booleans()):
        lines.append("  - class_token")
    if draw(st.booleans()):
        lines.append("  - pos_embedding")
    for _ in range(draw(st.integers(1, 2))):
        lines += [
            f"  - {{residual: {{body: [layernorm, {{attention: {heads}}}]}}}}",
            "  - {residual: {body: [layernorm, {linear: 16}, gelu, {linear: 8}]}}",
        ]
    return [*lines, "  - layernorm", "  - {select: {dim: 1, index: 0}}", "  - {linear: 10}"]


def graph_text(items: list[str], size: int, head: list[str]) -> str:
    """The YAML of a random graph: a stem conv, the items, then the head."""
    lines = [f"input: 8x{size}x{size}", "layers:", "  - {conv: {out: 8, k: 3, p: 1}}"]
    for i, item in enumerate(items):
        if item.startswith("PARTS:"):
            part, conv = item[len("PARTS:") :].split("|")
            lines += [
                f"  - {{{part}, name: parts{i}}}",
                f"  - {conv}",  # even channels: the shuffle's 2 groups divide them
                "  - channel_shuffle: 2",
                "  - drop_path: 0.1",
                f"  - concat: [parts{i}.0, prev]",
            ]
            continue
        if item == "SE":  # relative references: -4 is the conv the gate multiplies
            lines += [
                "  - {conv: {out: 8, k: 1}}",
                "  - gap",
                "  - {conv: {out: 8, k: 1}}",
                "  - sigmoid",
                "  - mul: [-4, prev]",
            ]
            continue
        lines.append(f"  - {item}")
    lines += head
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(graph_item(), min_size=1, max_size=4),
    st.sampled_from([8, 12, 16]),
    st.one_of(st.just([]), token_head()),
)
def test_random_graphs_match_torch(items: list[str], size: int, head: list[str]) -> None:
    net = random_graph(items, size, head)
    if net is not None:
        compare(net)


def random_graph(items: list[str], size: int, head: list[str]) -> cnncalc.Network | None:
    """The network of `graph_text`, or None when the map shrank below a window (the loader's
    error, checked)."""
    try:
        return cnncalc.load(graph_text(items, size, head))
    except cnncalc.CnnCalcError as err:  # e.g. the map shrank below a 3×3 window
        assert "would be" in err.message or "whole stride" in err.message, err.render()
        return None
