"""The shape-flow picture: the tensor path as a tree that follows branches and merges, with a
bar per line proportional to its MACs or params, so that where the cost lives shows at a glance.

`build` turns the report's DAG into nested items (a fork's branches run to the layer that
post-dominates it, the merge); `lines` flattens them with tree guides; `spine` is the one-line
path of shapes (`3×224×224 → 64×112×112 → …`). Element-wise layers that keep the shape (bn,
activations, dropout) fold into the line before them, so a line is a conv with its norm and
activation. `render.flow` draws the picture.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from types import MappingProxyType
from typing import Literal, Protocol

from cnncalc.engine import INPUT, LayerReport, Report
from cnncalc.layers import ELEMENTWISE, Shape, fmt_shape

By = Literal["macs", "params"]


class Costed(Protocol):
    """A layer row or the totals: both carry every measure a bar can show."""

    @property
    def macs(self) -> int: ...
    @property
    def params(self) -> int: ...


#: what each `--by` measures, of a layer row and of the totals alike
MEASURES: Mapping[str, Callable[[Costed], int]] = MappingProxyType(
    {"macs": attrgetter("macs"), "params": attrgetter("params")}
)
SINK = "\x00sink"


@dataclass(frozen=True)
class Line:
    """One line of the picture: a layer and the element-wise layers folded into it."""

    rows: tuple[LayerReport, ...]
    kind: Literal["layer", "input", "skip", "ref"] = "layer"
    shape: Shape = ()
    ref: str = ""

    @property
    def name(self) -> str:
        return self.rows[0].name if self.rows else self.ref

    @property
    def op(self) -> str:
        return "+".join(r.op for r in self.rows)

    @property
    def out_shape(self) -> Shape:
        return self.rows[-1].out_shape if self.rows else self.shape

    def cost(self, by: By) -> int:
        measure = MEASURES[by]
        return sum(measure(r) for r in self.rows)


@dataclass(frozen=True)
class Fork:
    """Paths that leave one tensor and meet again at a merge; an empty branch is a skip."""

    branches: tuple[tuple[Item, ...], ...]


Item = Line | Fork


@dataclass
class _Graph:
    rows: dict[str, LayerReport]
    input_shape: Shape
    succ: dict[str, list[str]]
    index: dict[str, int]
    ipdom: dict[str, str] = field(default_factory=dict)

    def lca(self, a: str, b: str) -> str:
        while a != b:
            while self.index[a] < self.index[b]:
                a = self.ipdom[a]
            while self.index[b] < self.index[a]:
                b = self.ipdom[b]
        return a


def _graph(report: Report) -> _Graph:
    order = [INPUT, *(r.name for r in report.layers)]
    succ: dict[str, list[str]] = {name: [] for name in order}
    for row in report.layers:
        for name in dict.fromkeys(row.inputs):
            succ[name].append(row.name)
    outputs = report.output_names
    for name in order:
        if name in outputs or not succ[name]:
            succ[name].append(SINK)
    index = {name: i for i, name in enumerate(order)}
    index[SINK] = len(order)
    g = _Graph(
        {r.name: r for r in report.layers}, report.network.input_shape, succ, index, {SINK: SINK}
    )
    for name in reversed(order):  # immediate post-dominators, sink first
        nxt = succ[name]
        d = nxt[0]
        for s in nxt[1:]:
            d = g.lca(d, s)
        g.ipdom[name] = d
    return g


def build(report: Report) -> list[Item]:
    """The report as nested lines and forks, in topological order."""
    g = _graph(report)
    seen: set[str] = set()
    input_line = Line((), "input", report.network.input_shape, INPUT)
    return [input_line, *_walk(g, INPUT, SINK, seen, skip_first=True)]


def _foldable(g: _Graph, name: str, stop: str, seen: set[str]) -> str | None:
    nxt = g.succ[name]
    if len(nxt) != 1 or nxt[0] in (SINK, stop) or nxt[0] in seen:
        return None
    row = g.rows[nxt[0]]
    ok = isinstance(row.node.layer, ELEMENTWISE) and len(row.inputs) == 1
    return nxt[0] if ok else None


def _walk(g: _Graph, start: str, stop: str, seen: set[str], skip_first: bool = False) -> list[Item]:
    items: list[Item] = []
    cur = start
    while cur not in (stop, SINK):
        if cur in seen and not skip_first:
            items.append(Line((), "ref", g.rows[cur].out_shape, cur))
            return items
        last = cur
        if not skip_first:
            names = [cur]
            while (nxt := _foldable(g, last, stop, seen)) is not None:
                names.append(nxt)
                last = nxt
            seen.update(names)
            items.append(Line(tuple(g.rows[n] for n in names)))
        skip_first = False
        nxt_all = g.succ[last]
        if len(nxt_all) == 1:
            cur = nxt_all[0]
            continue
        join = g.ipdom[last]
        shape = g.rows[last].out_shape if last in g.rows else g.input_shape
        branches: list[tuple[Item, ...]] = []
        for b in nxt_all:
            if b == SINK:
                continue
            if b == join:
                branches.append((Line((), "skip", shape),))
            else:
                branches.append(tuple(_walk(g, b, join, seen)))
        branches.sort(key=lambda br: br[0].kind == "skip" if isinstance(br[0], Line) else False)
        items.append(Fork(tuple(branches)))
        cur = join
    return items


# --- flattening -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Drawn:
    """A line with its tree guide (`│  ├─ `)."""

    guide: str
    line: Line


def lines(items: Sequence[Item], first: str = "", rest: str = "") -> list[Drawn]:
    """Items flattened with tree guides: a branch is `├─`, its continuation `│ `."""
    out: list[Drawn] = []
    for item in items:
        if isinstance(item, Line):
            out.append(Drawn(first if not out else rest, item))
            continue
        if not out:  # a fork as the first item of a branch hangs from the branch's guide
            out.append(Drawn(first, Line((), "skip", ())))
        for i, branch in enumerate(item.branches):
            end = i == len(item.branches) - 1
            out += lines(branch, rest + ("└─ " if end else "├─ "), rest + ("   " if end else "│  "))
    return out


def _iter_lines(items: Sequence[Item]) -> Iterator[Line]:
    for item in items:
        if isinstance(item, Line):
            yield item
        else:
            for branch in item.branches:
                yield from _iter_lines(branch)


def _area(shape: Shape) -> int:
    return math.prod(shape[1:])


def _hourglass(before: Shape, branch: Sequence[Item]) -> bool:
    """Whether a branch shrinks and grows the spatial size again inside itself (U-Net's path
    between a skip's two ends); a squeeze-excite gate only shrinks, a residual body neither."""
    areas = [_area(before)] + [
        _area(line.out_shape)
        for line in _iter_lines(branch)
        if line.kind == "layer" and len(line.out_shape) > 1
    ]
    pairs = list(itertools.pairwise(areas))
    return any(b < a for a, b in pairs) and any(b > a for a, b in pairs)


def _spine_items(items: Sequence[Item], out: list[Shape]) -> None:
    before: Shape = ()
    for item in items:
        if isinstance(item, Line):
            if item.kind in ("layer", "input"):
                out.append(item.out_shape)
                before = item.out_shape
            continue
        # a fork's inside joins the path only when it is an hourglass; a residual body or a
        # gate is a detour
        for branch in item.branches:
            if len(before) > 1 and _hourglass(before, branch):
                _spine_items(branch, out)
                break


#: past this many shapes, the spine keeps the first, widest and last shape of each size
SPINE_MAX = 16


def _compress(shapes: list[Shape]) -> list[Shape]:
    runs: list[list[Shape]] = []
    for s in shapes:
        if runs and runs[-1][0][1:] == s[1:]:
            runs[-1].append(s)
        else:
            runs.append([s])
    out: list[Shape] = []
    for run in runs:
        widest = max(run, key=lambda s: s[0] if s else 0)
        for s in (run[0], widest, run[-1]):
            if not out or out[-1] != s:
                out.append(s)
    return out


def spine(report: Report) -> list[Shape]:
    """Shapes along the main path, consecutive repeats removed (and long paths shortened to the
    first, widest and last shape at each spatial size)."""
    shapes: list[Shape] = []
    _spine_items(build(report), shapes)
    out: list[Shape] = []
    for s in shapes:
        if not out or out[-1] != s:
            out.append(s)
    return _compress(out) if len(out) > SPINE_MAX else out


def spine_text(report: Report) -> str:
    return " → ".join(fmt_shape(s) for s in spine(report))


def by_block(report: Report, by: By) -> list[tuple[str, int]]:
    """Cost per top-level name (`layer3` for `layer3.4.conv2`), heaviest first."""
    measure = MEASURES[by]
    groups: dict[str, int] = {}
    for row in report.layers:
        key = row.name.split(".", 1)[0]
        groups[key] = groups.get(key, 0) + measure(row)
    return sorted(((k, v) for k, v in groups.items() if v), key=lambda kv: -kv[1])


def shares(report: Report, by: By) -> Mapping[str, float]:
    """Each line's share of the total, by the name of its first layer (for tests and docs)."""
    total = MEASURES[by](report.totals)
    out: dict[str, float] = {}
    for d in lines(build(report)):
        if d.line.kind == "layer" and total:
            out[d.line.name] = d.line.cost(by) / total
    return out
