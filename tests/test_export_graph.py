"""`cnncalc export --to mermaid|dot` and `check --diagram`: the graph of a network at a depth.

The exact text for a small network (a residual block and a concat) in both formats; over every
example and every depth, as many nodes as the params table folds to and one edge per tensor a
node reads from another, counted here from the report's blocks (not through the renderer's
walk); the DOT parsed by a small parser written here (and by Graphviz when it is installed);
hostile names read back from both sinks as written; the error paths with their codes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app
from cnncalc.engine import INPUT, Report
from cnncalc.messages.escape import dot_text, mermaid_text, visible
from cnncalc.render.graph import (
    MERMAID_MAX_EDGES,
    RENDERERS,
    build_graph,
    mermaid_size,
    to_dot,
    to_mermaid,
)
from tests.conftest import EXAMPLES, ROOT

runner = CliRunner()
ENV = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "CNNCALC_LANG": "", "COLUMNS": "200"}


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={**ENV, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


TINY = """\
name: tiny
input: 3x8x8
blocks:
  res:
    layers:
      - residual:
          body:
            - conv: {out: 8, k: 3, p: 1}
            - relu
layers:
  - conv: {out: 8, k: 3, p: 1}
    name: stem
  - res:
    name: r
  - parallel:
      branches:
        - [conv: {out: 4, k: 1}]
        - [maxpool: {k: 3, s: 1, p: 1}]
      merge: concat
    name: cat
"""

# stem: 8·3·3·3 + 8 = 224; r.conv1: 8·8·3·3 + 8 = 584; branch1.conv1: 4·8 + 4 = 36;
# the add reads the shortcut (stem) and the body (r.relu1); the concat 4 + 8 = 12 channels
TINY_MERMAID = """\
flowchart TD
    n0[/"input<br/>3×8×8"/]
    n1["stem<br/>conv · 8×8×8<br/>224 params"]
    subgraph s0["r"]
        n2["r.conv1<br/>conv · 8×8×8<br/>584 params"]
        n3["r.relu1<br/>relu · 8×8×8"]
        n4(["r.add1<br/>add · 8×8×8<br/>in: 8×8×8 + 8×8×8"])
    end
    subgraph s1["branch1"]
        n5["branch1.conv1<br/>conv · 4×8×8<br/>36 params"]
    end
    subgraph s2["branch2"]
        n6["branch2.maxpool1<br/>maxpool · 8×8×8"]
    end
    n7(["cat<br/>concat · 12×8×8<br/>in: 4×8×8 + 8×8×8"])
    n0 --> n1
    n1 --> n2
    n2 --> n3
    n1 --> n4
    n3 --> n4
    n4 --> n5
    n4 --> n6
    n5 --> n7
    n6 --> n7
"""

TINY_MERMAID_1 = """\
flowchart TD
    n0[/"input<br/>3×8×8"/]
    n1["stem<br/>conv · 8×8×8<br/>224 params"]
    n2[["r<br/>block · 8×8×8<br/>584 params"]]
    n3[["branch1<br/>block · 4×8×8<br/>36 params"]]
    n4[["branch2<br/>block · 8×8×8"]]
    n5(["cat<br/>concat · 12×8×8<br/>in: 4×8×8 + 8×8×8"])
    n0 --> n1
    n1 --> n2
    n2 --> n3
    n2 --> n4
    n3 --> n5
    n4 --> n5
"""

TINY_DOT = """\
digraph "tiny" {
    label="tiny";
    labelloc=t;
    node [fontname="Helvetica"];
    "n0" [shape=parallelogram, label="input\\n3×8×8"];
    "n1" [shape=box, label="stem\\nconv · 8×8×8\\n224 params"];
    subgraph "cluster_s0" {
        label="r";
        "n2" [shape=box, label="r.conv1\\nconv · 8×8×8\\n584 params"];
        "n3" [shape=box, label="r.relu1\\nrelu · 8×8×8"];
        "n4" [shape=box, style=rounded, label="r.add1\\nadd · 8×8×8\\nin: 8×8×8 + 8×8×8"];
    }
    subgraph "cluster_s1" {
        label="branch1";
        "n5" [shape=box, label="branch1.conv1\\nconv · 4×8×8\\n36 params"];
    }
    subgraph "cluster_s2" {
        label="branch2";
        "n6" [shape=box, label="branch2.maxpool1\\nmaxpool · 8×8×8"];
    }
    "n7" [shape=box, style=rounded, label="cat\\nconcat · 12×8×8\\nin: 4×8×8 + 8×8×8"];
    "n0" -> "n1";
    "n1" -> "n2";
    "n2" -> "n3";
    "n1" -> "n4";
    "n3" -> "n4";
    "n4" -> "n5";
    "n4" -> "n6";
    "n5" -> "n7";
    "n6" -> "n7";
}
"""

TINY_DOT_1 = """\
digraph "tiny" {
    label="tiny";
    labelloc=t;
    node [fontname="Helvetica"];
    "n0" [shape=parallelogram, label="input\\n3×8×8"];
    "n1" [shape=box, label="stem\\nconv · 8×8×8\\n224 params"];
    "n2" [shape=box3d, label="r\\nblock · 8×8×8\\n584 params"];
    "n3" [shape=box3d, label="branch1\\nblock · 4×8×8\\n36 params"];
    "n4" [shape=box3d, label="branch2\\nblock · 8×8×8"];
    "n5" [shape=box, style=rounded, label="cat\\nconcat · 12×8×8\\nin: 4×8×8 + 8×8×8"];
    "n0" -> "n1";
    "n1" -> "n2";
    "n2" -> "n3";
    "n2" -> "n4";
    "n3" -> "n5";
    "n4" -> "n5";
}
"""


@pytest.fixture(scope="module")
def tiny() -> Report:
    return cnncalc.analyze(TINY)


@pytest.mark.parametrize(
    ("render", "depth", "expected"),
    [
        (to_mermaid, None, TINY_MERMAID),
        (to_mermaid, 2, TINY_MERMAID),  # no block is two levels deep: the same as every layer
        (to_mermaid, 1, TINY_MERMAID_1),
        (to_dot, None, TINY_DOT),
        (to_dot, 1, TINY_DOT_1),
    ],
)
def test_the_small_network_exactly(
    tiny: Report, render: Callable[[Report, int | None], str], depth: int | None, expected: str
) -> None:
    assert render(tiny, depth) == expected


def test_the_command_writes_what_the_renderer_does(tmp_path: Path, tiny: Report) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    assert invoke("export", str(path), "--to", "mermaid") == (0, TINY_MERMAID, "")
    assert invoke("export", str(path), "--to", "dot", "--depth", "1") == (0, TINY_DOT_1, "")
    out = tmp_path / "tiny.dot"
    assert invoke("export", str(path), "-t", "dot", "-o", str(out)) == (0, "", "")
    assert out.read_text(encoding="utf-8") == TINY_DOT
    # the pipeline's overrides apply: a 16×16 input doubles every spatial size
    code, text, _ = invoke("export", str(path), "--to", "mermaid", "--input", "3x16x16")
    assert code == 0 and "stem<br/>conv · 8×16×16<br/>224 params" in text


def test_chinese_labels(tiny: Report) -> None:
    text = to_mermaid(tiny, 1, "zh")
    assert "stem<br/>conv · 8×8×8<br/>参数 224" in text
    assert "输入：4×8×8 + 8×8×8" in text


def test_the_table_of_renderers_is_the_commands_choices() -> None:
    from cnncalc.cli.export import EXPORTERS, To

    assert {"mermaid", "dot"} <= {t.value for t in To}
    assert set(RENDERERS) <= {t.value for t in EXPORTERS}


# --- counts over every example --------------------------------------------------------------------


def expected_counts(report: Report, depth: int | None) -> tuple[int, int, dict[str, int]]:
    """Nodes, edges and each node's params, from the report's blocks: every layer at most
    `depth` deep, every block exactly `depth` deep (folded), and the input; an edge per input
    of a layer shown, and per distinct tensor a folded block reads from outside itself."""
    params: dict[str, int] = {INPUT: 0}
    edges = 0
    folded = [b for b in report.blocks if depth is not None and b.level == depth]
    for b in folded:
        rows = report.layers[b.start : b.end]
        inside = {r.name for r in rows}
        edges += len({i for r in rows for i in r.inputs if i not in inside})
        params[f"{b.name}@{b.start}"] = b.params
    for i, layer in enumerate(report.layers):
        if depth is None or layer.name.count(".") + 1 <= depth:
            edges += len(layer.inputs)
            params[f"{layer.name}@{i}"] = layer.params
    return len(params), edges, params


def depths(report: Report) -> list[int | None]:
    deepest = max((b.level for b in report.blocks), default=0)
    return [None, *range(1, deepest + 2)]


#: every example, and the Ultralytics one (its whole model is the block `model`)
REPORTS = {
    path.stem: cnncalc.analyze(path)
    for path in [*EXAMPLES, ROOT / "examples" / "ultralytics" / "pcb_defects.yaml"]
}
NODE_LINE = re.compile(r'^ *(n\d+)(\[/"|\["|\(\["|\[\[")([^"]*)("/\]|"\]|"\]\)|"\]\])$')
SUBGRAPH_LINE = re.compile(r'^ *subgraph (s\d+)\["([^"]*)"\]$')
EDGE_LINE = re.compile(r"^    (n\d+) --> (n\d+)$")


def parse_mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]:
    """Nodes (id -> label), edges and subgraphs (id -> title) of the flowcharts cnncalc
    writes; every line must be one of its statements, and the subgraphs must nest."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    subgraphs: dict[str, str] = {}
    depth = 0
    for line in lines[1:]:
        if m := NODE_LINE.match(line):
            shape = m.group(2) + m.group(4)
            assert shape in ('[/""/]', '[""]', '([""])', '[[""]]'), line
            assert m.group(1) not in nodes
            nodes[m.group(1)] = m.group(3)
        elif m := SUBGRAPH_LINE.match(line):
            subgraphs[m.group(1)] = m.group(2)
            depth += 1
        elif line.strip() == "end":
            depth -= 1
            assert depth >= 0
        elif m := EDGE_LINE.match(line):
            edges.append((m.group(1), m.group(2)))
        else:
            raise AssertionError(f"not a statement cnncalc writes: {line!r}")
    assert depth == 0
    assert all(a in nodes and b in nodes for a, b in edges)
    return nodes, edges, subgraphs


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_nodes_and_edges_are_the_reports_at_every_depth(name: str) -> None:
    report = REPORTS[name]
    for depth in depths(report):
        n_nodes, n_edges, params = expected_counts(report, depth)
        graph = build_graph(report, depth)
        assert (len(graph.nodes), len(graph.edges)) == (n_nodes, n_edges), depth
        assert sorted(n.params for n in graph.nodes) == sorted(params.values())
        assert sum(n.params for n in graph.nodes) == report.totals.params
        nodes, edges, _ = parse_mermaid(to_mermaid(report, depth))
        assert (len(nodes), len(edges)) == (n_nodes, n_edges)
        dot = parse_dot(to_dot(report, depth))
        assert (len(dot.nodes), len(dot.edges)) == (n_nodes, n_edges)
        assert mermaid_size(to_mermaid(report, depth)) is None  # every example fits GitHub's
    everything = build_graph(report, None)
    assert len(everything.nodes) == len(report.layers) + 1
    assert len(everything.edges) == sum(len(r.inputs) for r in report.layers)


def test_the_unet_skips_reach_their_concats() -> None:
    """At depth 1 each decoder concat reads its encoder stage and the up-convolution."""
    report = REPORTS["unet"]
    graph = build_graph(report, 1)
    by_id = {n.id: n for n in graph.nodes}
    into = {by_id[b].name: sorted(by_id[a].name for a, bb in graph.edges if bb == b)
            for _, b in graph.edges if by_id[b].kind == "merge"}  # fmt: skip
    assert into == {
        "concat1": ["convT1", "enc4"],
        "concat2": ["convT2", "enc3"],
        "concat3": ["convT3", "enc2"],
        "concat4": ["convT4", "enc1"],
    }


def test_a_residual_block_shows_its_shortcut() -> None:
    """resnet18 at depth 3: layer2.0's add reads its body (bn2) and its projection shortcut
    (folded, with its 128·64 + 2·128 = 8,448 params)."""
    graph = build_graph(REPORTS["resnet18"], 3)
    by_name = {n.name: n for n in graph.nodes}
    add = by_name["layer2.0.add1"]
    sources = {a for a, b in graph.edges if b == add.id}
    assert sources == {by_name["layer2.0.bn2"].id, by_name["layer2.0.shortcut1"].id}
    assert by_name["layer2.0.shortcut1"].kind == "block"
    assert by_name["layer2.0.shortcut1"].params == 128 * 64 + 2 * 128


# --- DOT: a small parser for what cnncalc writes, and Graphviz when it is there -------------------

_DOT_TOKEN = re.compile(
    r'\s*(?:("(?:[^"\\]|\\.)*")|(->|[{}\[\];,=])|([A-Za-z_][A-Za-z0-9_]*))', re.S
)


class Dot:
    def __init__(self) -> None:
        self.name = ""
        self.attrs: dict[str, str] = {}
        self.nodes: dict[str, dict[str, str]] = {}
        self.edges: list[tuple[str, str]] = []
        self.clusters: list[tuple[str, str, list[str]]] = []  # id, label, node ids


def dot_tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _DOT_TOKEN.match(text, pos)
        assert m and m.end() > pos, f"not DOT at {text[pos : pos + 40]!r}"
        out.append(m.group(1) or m.group(2) or m.group(3))
        pos = m.end()
    return out


def unquote(token: str) -> str:
    """A DOT string's value as Graphviz's scanner reads it: `\\"` is a quote, every other
    backslash stays (an escString's own `\\n`, `\\\\` are read when drawn: `label_text`)."""
    assert token.startswith('"') and token.endswith('"'), token
    body, out, i = token[1:-1], [], 0
    assert "\n" not in body
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append('"' if body[i + 1] == '"' else body[i : i + 2])
            i += 2
        else:
            assert body[i] != '"', token  # a bare quote would have ended the string
            out.append(body[i])
            i += 1
    return "".join(out)


def label_text(value: str) -> list[str]:
    """A label's lines as Graphviz draws them: `\\n` a line break, `\\\\` a backslash."""
    lines, cur, i = [], "", 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            if nxt == "n":
                lines.append(cur)
                cur = ""
            else:
                assert nxt in '\\"', value  # no other escape sequence: none is cnncalc's
                cur += nxt
            i += 2
        else:
            cur += value[i]
            i += 1
    return [*lines, cur]


def parse_dot(text: str) -> Dot:
    toks = dot_tokens(text)
    dot = Dot()
    assert toks[0] == "digraph" and toks[2] == "{" and toks[-1] == "}"
    dot.name = unquote(toks[1])
    i = 3

    def attrs(i: int) -> tuple[dict[str, str], int]:
        assert toks[i] == "["
        out: dict[str, str] = {}
        i += 1
        while toks[i] != "]":
            key, eq, value = toks[i : i + 3]
            assert eq == "="
            out[key] = unquote(value) if value.startswith('"') else value
            i += 3
            if toks[i] == ",":
                i += 1
        return out, i + 1

    def body(i: int, cluster: list[str] | None) -> int:
        while toks[i] != "}":
            tok = toks[i]
            if tok == "subgraph":
                ident = unquote(toks[i + 1])
                assert ident.startswith("cluster_") and toks[i + 2] == "{"
                inner: list[str] = []
                assert toks[i + 3 : i + 5] == ["label", "="]
                dot.clusters.append((ident, unquote(toks[i + 5]), inner))
                assert toks[i + 6] == ";"
                i = body(i + 7, inner) + 1
                if cluster is not None:
                    cluster.extend(inner)
            elif tok == "node":
                _, i = attrs(i + 1)
                assert toks[i] == ";"
                i += 1
            elif toks[i + 1] == "=":
                dot.attrs[tok] = unquote(toks[i + 2]) if toks[i + 2][0] == '"' else toks[i + 2]
                assert toks[i + 3] == ";"
                i += 4
            elif toks[i + 1] == "->":
                dot.edges.append((unquote(tok), unquote(toks[i + 2])))
                assert toks[i + 3] == ";"
                i += 4
            else:
                ident = unquote(tok)
                assert ident not in dot.nodes
                dot.nodes[ident], i = attrs(i + 1)
                assert toks[i] == ";"
                i += 1
                if cluster is not None:
                    cluster.append(ident)
        return i

    end = body(i, None)
    assert end == len(toks) - 1
    assert all(a in dot.nodes and b in dot.nodes for a, b in dot.edges)
    return dot


def test_the_dot_parser_reads_the_small_network() -> None:
    dot = parse_dot(TINY_DOT)
    assert dot.name == "tiny" and dot.attrs == {"label": "tiny", "labelloc": "t"}
    assert label_text(dot.nodes["n4"]["label"]) == ["r.add1", "add · 8×8×8", "in: 8×8×8 + 8×8×8"]
    assert dot.clusters == [("cluster_s0", "r", ["n2", "n3", "n4"]),
                            ("cluster_s1", "branch1", ["n5"]),
                            ("cluster_s2", "branch2", ["n6"])]  # fmt: skip
    assert dot.edges[3] == ("n1", "n4")  # the shortcut


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("name", ["resnet18", "googlenet", "unet", "densenet121"])
def test_graphviz_reads_the_dot(name: str) -> None:
    report = REPORTS[name]
    for depth in (None, 1, 2):
        text = to_dot(report, depth)
        done = subprocess.run(
            ["dot", "-Tjson"], input=text.encode(), capture_output=True, check=False
        )
        assert done.returncode == 0, done.stderr
        data = json.loads(done.stdout)
        ours = parse_dot(text)
        drawn = {o["name"]: o for o in data["objects"] if not o["name"].startswith("cluster_")}
        assert list(drawn) == list(ours.nodes)
        assert all(drawn[k]["label"] == v["label"] for k, v in ours.nodes.items())
        clusters = [o["label"] for o in data["objects"] if o["name"].startswith("cluster_")]
        assert clusters == [label for _, label, _ in ours.clusters]
        assert len(data.get("edges", [])) == len(ours.edges)


# --- escaping -------------------------------------------------------------------------------------

HOSTILE = [
    'a"b',
    "<script>alert(1)</script>",
    "x]y[z",
    "p|q;r",
    "a --> b",
    "`code` ``x``",
    "#quot; &amp; &lt; #35;",
    "%%{init: {'theme': 'dark'}}%%",
    "end",
    "subgraph s0",
    "ü 中文 😀",
    'back\\slash \\n \\"',
    "{a} (b) ((c)) [[d]] [/e/]",
    "<br/> <img src=x onerror=alert(1)>",
    "*e* _u_ ~~s~~ $m$",
]


def yaml_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def hostile_network(name: str, layer: str) -> str:
    return (
        f"name: {yaml_quote(name)}\ninput: 3x8x8\nlayers:\n"
        f"  - conv: {{out: 4, k: 3, p: 1}}\n    name: {yaml_quote(layer)}\n"
        "  - parallel:\n      branches:\n        - [maxpool: {k: 2, s: 2}]\n"
        "        - [conv: {out: 4, k: 1, s: 2}]\n      merge: add\n"
        f"    name: {yaml_quote(layer + ' merge')}\n"
    )


_ENTITY = re.compile(r"#(quot|amp|lt|gt|\d+);")


def mermaid_decode(label: str) -> list[str]:
    """A Mermaid label's lines as drawn: `<br/>` a line break, `#…;` entity codes decoded."""
    assert "<" not in label.replace("<br/>", "") and ">" not in label.replace("<br/>", "")
    assert "`" not in label and '"' not in label
    names = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}

    def decode(m: re.Match[str]) -> str:
        key = m.group(1)
        return names[key] if key in names else chr(int(key))

    return [_ENTITY.sub(decode, part) for part in label.split("<br/>")]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_names_read_back_from_both_sinks(text: str) -> None:
    report = cnncalc.analyze(hostile_network(text, text))
    nodes, edges, _ = parse_mermaid(to_mermaid(report))
    assert len(nodes) == 5 and len(edges) == 5  # input, conv, two branches, the add
    assert mermaid_decode(nodes["n1"])[0] == text
    assert mermaid_decode(nodes["n4"])[0] == text + " merge"
    dot = parse_dot(to_dot(report))
    assert label_text(dot.name) == [text] and label_text(dot.attrs["label"]) == [text]
    assert label_text(dot.nodes["n1"]["label"])[0] == text
    assert label_text(dot.nodes["n4"]["label"])[0] == text + " merge"
    assert (len(dot.nodes), len(dot.edges)) == (5, 5)


def test_no_user_text_becomes_an_id() -> None:
    report = cnncalc.analyze(hostile_network("n0", "n1 --> n0"))
    nodes, edges, _ = parse_mermaid(to_mermaid(report))
    assert list(nodes) == ["n0", "n1", "n2", "n3", "n4"]
    assert edges == [("n0", "n1"), ("n1", "n2"), ("n1", "n3"), ("n2", "n4"), ("n3", "n4")]


def test_the_escapers() -> None:
    assert mermaid_text('a"b') == "a#quot;b"
    assert mermaid_text("<b>&`#%") == "#lt;b#gt;#amp;#96;#35;#37;"
    assert mermaid_text("a]|;-->") == "a]|;--#gt;"
    assert mermaid_text("a\nb\x1b") == "a\\nb\\x1b"  # no raw line break ends the statement
    assert mermaid_text("ü 中") == "ü 中"
    assert dot_text('a"b\\c') == 'a\\"b\\\\c'
    assert dot_text("a\nb") == "a\\\\nb"  # visible first: `\n` as two characters, then escaped
    assert "\n" not in dot_text("x\ny") and label_text(dot_text("x\ny")) == [visible("x\ny")]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_draws_hostile_labels_as_written() -> None:
    text = 'q"<script>&amp;\\n\\'
    dot = to_dot(cnncalc.analyze(hostile_network(text, text)))
    done = subprocess.run(["dot", "-Tjson"], input=dot.encode(), capture_output=True, check=True)
    data = json.loads(done.stdout)
    labels = {o["name"]: o["label"] for o in data["objects"]}
    assert label_text(labels["n1"])[0] == text


# --- the command line: options, errors ------------------------------------------------------------


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_an_unknown_format_is_a_usage_error(tiny_file: Path) -> None:
    code, out, err = invoke("export", str(tiny_file), "--to", "png")
    assert code == 2 and out == "" and "error[E0023]" in err and "mermaid" in err
    code, out, err = invoke("export", str(tiny_file))  # --to is required
    assert code == 2 and "error[E0023]" in err


@pytest.mark.parametrize(("depth", "code"), [("0", "E0921"), ("-1", "E0023"), ("two", "E0023")])
def test_a_bad_depth(tiny_file: Path, depth: str, code: str) -> None:
    status, out, err = invoke("export", str(tiny_file), "--to", "dot", "--depth", depth)
    assert status == 2 and out == "" and f"error[{code}]" in err


def test_an_unwritable_output_leaves_nothing(tmp_path: Path, tiny_file: Path) -> None:
    target = tmp_path / "missing" / "g.mmd"
    code, out, err = invoke("export", str(tiny_file), "--to", "mermaid", "-o", str(target))
    assert code == 2 and out == "" and "error[E0005]" in err and "--output" in err
    assert not target.parent.exists()
    folder = tmp_path / "dir"
    folder.mkdir()
    code, _, err = invoke("export", str(tiny_file), "--to", "mermaid", "-o", str(folder))
    assert code == 2 and "error[E0005]" in err and list(folder.iterdir()) == []


def test_a_file_that_does_not_load_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 9}\n", encoding="utf-8")
    target = tmp_path / "g.dot"
    code, out, err = invoke("export", str(bad), "--to", "dot", "-o", str(target))
    assert code == 2 and out == "" and "bad.yaml:3:" in err and not target.exists()


def test_stdin_and_an_existing_output_replaced(tmp_path: Path) -> None:
    target = tmp_path / "g.mmd"
    target.write_text("old", encoding="utf-8")
    result = runner.invoke(
        app, ["export", "-", "--to", "mermaid", "-o", str(target)], input=TINY, env=ENV
    )
    assert result.exit_code == 0 and target.read_text(encoding="utf-8") == TINY_MERMAID


def test_a_graph_too_large_for_github_is_noted(tmp_path: Path) -> None:
    layers = "".join("  - relu\n" for _ in range(MERMAID_MAX_EDGES + 1))
    path = tmp_path / "long.yaml"
    path.write_text(f"input: 3x8x8\nlayers:\n{layers}", encoding="utf-8")
    code, out, err = invoke("export", str(path), "--to", "mermaid")
    assert code == 0 and out.count(" --> ") == MERMAID_MAX_EDGES + 1
    assert "note: " in err and f"{MERMAID_MAX_EDGES + 1} edges" in err and "--depth N" in err
    code, _, err = invoke("export", str(path), "--to", "dot")
    assert code == 0 and err == ""  # Graphviz has no such limit
    assert mermaid_size(out) == (MERMAID_MAX_EDGES + 1, len(out))


def test_help_has_examples() -> None:
    code, out, _ = invoke("export", "-h")
    assert code == 0 and "\n  Examples:\n" in out and "--to <mermaid|dot|pytorch>" in out


# --- check --diagram ------------------------------------------------------------------------------

RESNET = str(ROOT / "examples" / "resnet18.yaml")


def mermaid_fences(markdown: str) -> list[str]:
    return [
        t.content for t in MarkdownIt().parse(markdown) if t.type == "fence" and t.info == "mermaid"
    ]


def test_check_markdown_gains_a_diagram_only_when_asked() -> None:
    code, plain, _ = invoke("check", RESNET, "--format", "markdown")
    assert code == 0 and "```mermaid" not in plain
    code, out, _ = invoke("check", RESNET, "--format", "markdown", "--diagram")
    assert code == 0 and out.startswith(plain.rstrip("\n"))
    assert mermaid_fences(out) == [to_mermaid(REPORTS["resnet18"], 1)]
    code, out, _ = invoke("check", RESNET, "--format", "markdown", "--diagram-depth", "2")
    assert code == 0 and mermaid_fences(out) == [to_mermaid(REPORTS["resnet18"], 2)]


def test_the_step_summary_gains_the_diagram(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    code, _, _ = invoke("check", RESNET, "--diagram", env=env)
    assert code == 0
    assert mermaid_fences(summary.read_text(encoding="utf-8")) == [
        to_mermaid(REPORTS["resnet18"], 1)
    ]


def test_a_hostile_network_keeps_its_fence(tmp_path: Path) -> None:
    """Backticks in a name cannot close the ```mermaid fence."""
    text = hostile_network("``` # Heading ```", "``` ~~~ x") + "budget: {params: 1M}\n"
    path = tmp_path / "h.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, _ = invoke("check", str(path), "--format", "markdown", "--diagram")
    assert code == 0
    fences = mermaid_fences(out)
    assert len(fences) == 1 and parse_mermaid(fences[0])[0]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--diagram"], "E0922"),  # the table has no place for a graph
        (["--diagram", "--format", "json"], "E0922"),
        (["--diagram-depth", "2", "--format", "junit"], "E0922"),
        (["--diagram-depth", "0", "--format", "markdown"], "E0921"),
        (["--diagram-depth", "-1", "--format", "markdown"], "E0023"),
    ],
)
def test_check_diagram_errors(args: list[str], code: str) -> None:
    status, out, err = invoke("check", RESNET, *args)
    assert status == 2 and out == "" and f"error[{code}]" in err


# --- the documentation -------------------------------------------------------------------------


def test_the_docs_examples_are_what_the_command_writes() -> None:
    """docs/graphs.md: its network is the small one here, its Mermaid blocks are that network
    at depth 1 and its DOT block is the stack example's, and its figures are true."""
    doc = (ROOT / "docs" / "graphs.md").read_text(encoding="utf-8")
    yaml_blocks = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    assert yaml_blocks == [TINY]
    flowcharts = re.findall(r"```(?:mermaid|text)\n(flowchart TD\n.*?)```", doc, re.S)
    assert flowcharts == [TINY_MERMAID_1, TINY_MERMAID_1]
    digraphs = re.findall(r"```text\n(digraph .*?)```", doc, re.S)
    assert digraphs == [to_dot(REPORTS["stack"])]
    resnet = REPORTS["resnet18"]
    one, full = build_graph(resnet, 1), build_graph(resnet, None)
    adds = sum(1 for r in resnet.layers if r.op == "add")
    assert (len(one.nodes), len(one.edges)) == (12, 11)
    assert (
        (len(full.nodes), len(full.edges), adds)
        == (70, 77, 8)
        == (len(resnet.layers) + 1, len(resnet.layers) + adds, adds)
    )
    assert "12 boxes, 11 arrows" in doc and "all 69 layers and the input (77 arrows" in doc
    widest = max(REPORTS, key=lambda n: len(build_graph(REPORTS[n]).edges))
    dense = build_graph(REPORTS["densenet121"])
    assert widest == "densenet121" and len(dense.edges) == 485 and len(dense.nodes) == 428
    assert "DenseNet-121 with all 427 layers, has\n485 arrows" in doc


def test_an_ultralytics_model_at_depth_2_is_a_box_per_row_of_its_file() -> None:
    """The file's 24 rows (`model.0` … `model.23`) in the frame `model`; Detect reads the
    rows it lists ([16, 19, 22])."""
    graph = build_graph(REPORTS["pcb_defects"], 2)
    assert [g.name for g in graph.groups] == ["model"]
    assert [n.name for n in graph.nodes] == ["input", *(f"model.{i}" for i in range(24))]
    detect = graph.nodes[-1]
    sources = [a for a, b in graph.edges if b == detect.id]
    assert sources == [graph.nodes[1 + i].id for i in (16, 19, 22)]


def test_a_line_break_in_a_name_never_reaches_a_graph(tmp_path: Path) -> None:
    """A network file cannot hold one in a name (E0157, located); the escapers would show it
    as `\\n` all the same (test_the_escapers)."""
    path = tmp_path / "nl.yaml"
    path.write_text('input: 3x8x8\nlayers:\n  - relu:\n    name: "a\\nb"\n', encoding="utf-8")
    for to in ("mermaid", "dot"):
        code, out, err = invoke("export", str(path), "--to", to)
        assert code == 2 and out == "" and "nl.yaml:4:" in err and "error[E0157]" in err
