"""A network as a picture description: Mermaid (`flowchart TD`, what GitHub draws in Markdown)
and Graphviz DOT. Pure: a report in, text out.

The graph is the params table's rows at a depth (`render.report.rows`, the one folding code):
a node per layer shown and per block folded at that depth, a subgraph (Mermaid) or cluster
(DOT) per block whose contents are shown, and an edge for every tensor a node reads from
another (the network input is a node too), so a residual block shows its shortcut and a concat
every branch. Node ids are generated (`n0`, `n1`, …, `s0` for subgraphs); user text (layer and
network names) only ever appears inside a label, escaped for the sink
(`messages.escape.mermaid_text`, `messages.escape.dot_text`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cnncalc.engine import INPUT, Report
from cnncalc.layers.protocol import Merge
from cnncalc.messages import t
from cnncalc.messages.escape import dot_text, mermaid_text
from cnncalc.render.report import rows
from cnncalc.render.text import count, fmt_shape, fmt_shapes

#: the most Mermaid draws with its default settings (`maxEdges`, `maxTextSize`), which GitHub
#: keeps: past either, the block shows an error instead of the picture
MERMAID_MAX_EDGES = 500
MERMAID_MAX_CHARS = 50_000


@dataclass(frozen=True)
class GraphNode:
    """A box: the network input, a layer, or a block folded at the depth."""

    id: str
    name: str
    kind: str  # "input", "layer", "merge" or "block"
    op: str
    in_shapes: tuple[tuple[int, ...], ...]
    out_shape: tuple[int, ...]
    params: int
    group: int | None  # the innermost subgraph it sits in (an index into `Graph.groups`)


@dataclass(frozen=True)
class Group:
    """A block whose contents are shown: a subgraph around its nodes."""

    id: str
    name: str
    parent: int | None
    first: int  # the index of its first node in `Graph.nodes`


@dataclass(frozen=True)
class Graph:
    title: str
    nodes: tuple[GraphNode, ...]
    #: (from, to) node ids, one per tensor a node reads from another, in reading order
    edges: tuple[tuple[str, str], ...]
    groups: tuple[Group, ...]


def build_graph(report: Report, depth: int | None = None) -> Graph:
    """The graph of `report` with blocks below `depth` folded (None: every layer)."""
    shown = rows(report, depth, file_rows=False)
    nodes = [
        GraphNode("n0", INPUT, "input", "", (), report.network.input_shape, 0, None),
    ]
    groups: list[Group] = []
    open_groups: list[tuple[str, int]] = []  # (block name, group index), outermost first
    node_of = {INPUT: "n0"}  # tensor name -> the node that makes it
    edges: list[tuple[str, str]] = []
    folded: tuple[str, str] | None = None  # (block name, node id) of the block being folded
    folded_reads: dict[str, None] = {}
    row_at = iter(shown)
    pending = next(row_at, None)
    previous = ""
    for layer in report.layers:
        level = layer.name.count(".") + 1
        # the rows of the blocks that start here come before the layer's own row
        while (
            pending is not None and pending.is_block and _starts(pending.name, layer.name, previous)
        ):
            row = pending
            pending = next(row_at, None)
            while open_groups and not row.name.startswith(open_groups[-1][0] + "."):
                open_groups.pop()
            parent = open_groups[-1][1] if open_groups else None
            if depth is not None and row.level >= depth:
                ident = f"n{len(nodes)}"
                nodes.append(
                    GraphNode(ident, row.name, "block", row.op, row.in_shapes, row.out_shape,
                              row.params, parent)
                )  # fmt: skip
                folded = (row.name, ident)
                folded_reads = {}
            else:
                groups.append(Group(f"s{len(groups)}", row.name, parent, len(nodes)))
                open_groups.append((row.name, len(groups) - 1))
        if depth is not None and level > depth:  # inside the folded block
            assert folded is not None and layer.name.startswith(folded[0] + ".")
            for name in layer.inputs:
                src = node_of[name]
                if src != folded[1] and name not in folded_reads:
                    folded_reads[name] = None
                    edges.append((src, folded[1]))
            node_of[layer.name] = folded[1]
            previous = layer.name
            continue
        assert pending is not None and pending.name == layer.name
        pending = next(row_at, None)
        while open_groups and not layer.name.startswith(open_groups[-1][0] + "."):
            open_groups.pop()
        ident = f"n{len(nodes)}"
        kind = "merge" if isinstance(layer.node.layer, Merge) else "layer"
        nodes.append(
            GraphNode(ident, layer.name, kind, layer.op, layer.in_shapes, layer.out_shape,
                      layer.params, open_groups[-1][1] if open_groups else None)
        )  # fmt: skip
        edges.extend((node_of[name], ident) for name in layer.inputs)
        node_of[layer.name] = ident
        previous = layer.name
    return Graph(report.network.name or "network", tuple(nodes), tuple(edges), tuple(groups))


def _starts(block: str, name: str, previous: str) -> bool:
    """Whether the block `block` starts at the layer `name` (which follows `previous`)."""
    return name.startswith(block + ".") and not previous.startswith(block + ".")


def _lines(node: GraphNode, lang: str) -> list[str]:
    """A node's label, line by line, before escaping: the name, then op and output shape, then
    the inputs of a merge and the params of what has any."""
    shape = fmt_shape(node.out_shape)
    if node.kind == "input":
        return [node.name, shape]
    out = [node.name, f"{node.op} · {shape}"]
    if node.kind == "merge":
        out.append(t("graph.inputs", lang, shapes=fmt_shapes(node.in_shapes)))
    if node.params:
        out.append(t("graph.params", lang, n=count(node.params)))
    return out


def _nested(
    graph: Graph,
    node_line: Callable[[GraphNode], str],
    open_lines: Callable[[Group], list[str]],
    close_line: str,
    indent: str = "    ",
) -> list[str]:
    """The nodes, each subgraph around its own, in the order of the network."""
    items: dict[int | None, list[tuple[int, bool, int]]] = {}  # (first node, is a group, index)
    for i, n in enumerate(graph.nodes):
        items.setdefault(n.group, []).append((i, False, i))
    for i, g in enumerate(graph.groups):
        items.setdefault(g.parent, []).append((g.first, True, i))
    out: list[str] = []

    def emit(group: int | None, level: int) -> None:
        pad = indent * level
        for _, is_group, index in sorted(items.get(group, [])):  # siblings never share a first
            if is_group:
                out.extend(pad + line for line in open_lines(graph.groups[index]))
                emit(index, level + 1)
                out.append(pad + close_line)
            else:
                out.append(pad + node_line(graph.nodes[index]))

    emit(None, 1)
    return out


_MERMAID_SHAPES = {
    "input": ('[/"', '"/]'),
    "layer": ('["', '"]'),
    "merge": ('(["', '"])'),
    "block": ('[["', '"]]'),
}


def to_mermaid(report: Report, depth: int | None = None, lang: str = "en") -> str:
    """A Mermaid `flowchart TD` of the network."""
    graph = build_graph(report, depth)

    def node(n: GraphNode) -> str:
        left, right = _MERMAID_SHAPES[n.kind]
        label = "<br/>".join(mermaid_text(line) for line in _lines(n, lang))
        return f"{n.id}{left}{label}{right}"

    def group(g: Group) -> list[str]:
        return [f'subgraph {g.id}["{mermaid_text(g.name)}"]']

    lines = [
        "flowchart TD",
        *_nested(graph, node, group, "end"),
        *(f"    {a} --> {b}" for a, b in graph.edges),
    ]
    return "\n".join(lines) + "\n"


def mermaid_size(text: str) -> tuple[int, int] | None:
    """A Mermaid graph's edges and characters, when either is past what Mermaid draws by
    default (None when it fits)."""
    edges = text.count(" --> ")
    if edges > MERMAID_MAX_EDGES or len(text) > MERMAID_MAX_CHARS:
        return edges, len(text)
    return None


_DOT_SHAPES = {
    "input": "shape=parallelogram",
    "layer": "shape=box",
    "merge": "shape=box, style=rounded",
    "block": "shape=box3d",
}


def to_dot(report: Report, depth: int | None = None, lang: str = "en") -> str:
    """A Graphviz `digraph` of the network."""
    graph = build_graph(report, depth)

    def node(n: GraphNode) -> str:
        label = "\\n".join(dot_text(line) for line in _lines(n, lang))
        return f'"{n.id}" [{_DOT_SHAPES[n.kind]}, label="{label}"];'

    def group(g: Group) -> list[str]:
        return [f'subgraph "cluster_{g.id}" {{', f'    label="{dot_text(g.name)}";']

    title = dot_text(graph.title)
    lines = [
        f'digraph "{title}" {{',
        f'    label="{title}";',
        "    labelloc=t;",
        '    node [fontname="Helvetica"];',
        *_nested(graph, node, group, "}"),
        *(f'    "{a}" -> "{b}";' for a, b in graph.edges),
        "}",
    ]
    return "\n".join(lines) + "\n"


#: `export --to FORMAT`: the renderers of the pictures
RENDERERS: dict[str, Callable[[Report, int | None, str], str]] = {
    "mermaid": to_mermaid,
    "dot": to_dot,
}
