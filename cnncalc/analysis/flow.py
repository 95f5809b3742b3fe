"""The shape-flow picture: the tensor path as a tree that follows branches and merges, with a
bar per line proportional to its MACs or params, so that where the cost lives shows at a glance.

`build` turns the report's DAG into nested items (a fork's branches run to the layer that
post-dominates it, the merge); `lines` flattens them with tree guides; `spine` is the one-line
path of shapes (`3×224×224 → 64×112×112 → …`); `FlowPicture` renders all of it (Rich is imported
only when it draws). Element-wise layers that keep the shape (bn, activations, dropout) fold into
the line before them, so a line is a conv with its norm and activation.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from cnncalc.analysis.budget import human
from cnncalc.engine import INPUT, LayerReport, Report
from cnncalc.layers import ELEMENTWISE, Shape, fmt_shape
from cnncalc.messages import t

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

By = Literal["macs", "params"]
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
        return sum(r.macs if by == "macs" else r.params for r in self.rows)


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
    groups: dict[str, int] = {}
    for row in report.layers:
        key = row.name.split(".", 1)[0]
        groups[key] = groups.get(key, 0) + (row.macs if by == "macs" else row.params)
    return sorted(((k, v) for k, v in groups.items() if v), key=lambda kv: -kv[1])


# --- drawing --------------------------------------------------------------------------------

EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: int, peak: int, width: int) -> str:
    """`value/peak` of `width` cells in eighth blocks; any non-zero value shows at least ▏."""
    if not value or not peak:
        return ""
    eighths = max(1, round(8 * width * value / peak))
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def _pct(part: int, total: int) -> str:
    if not total or not part:
        return ""
    pct = 100 * part / total
    return f"{pct:.1f}%" if pct >= 0.05 else "<.1%"


@dataclass(frozen=True)
class FlowPicture:
    """The picture as a Rich renderable: title, spine, the tree with bars, where the cost lives."""

    report: Report
    by: By = "macs"
    lang: str = "en"
    top: int = 5

    def rows(self) -> list[tuple[str, str, str, str, int]]:
        """(tree + name, op, shape, share, cost) per drawn line; the bar comes from the cost."""
        total = self.total
        out = []
        for d in lines(build(self.report)):
            line = d.line
            if line.kind == "skip":
                label = t("flow.skip", self.lang) if line.shape else ""
                out.append((d.guide + label, "", fmt_shape(line.shape), "", 0))
            elif line.kind == "ref":
                out.append((d.guide + "↪ " + line.ref, "", fmt_shape(line.shape), "", 0))
            elif line.kind == "input":
                out.append((t("flow.input", self.lang), "", fmt_shape(line.shape), "", 0))
            else:
                cost = line.cost(self.by)
                out.append((d.guide + line.name, line.op, fmt_shape(line.out_shape),
                            _pct(cost, total), cost))  # fmt: skip
        return out

    @property
    def total(self) -> int:
        t_ = self.report.totals
        return t_.macs if self.by == "macs" else t_.params

    def footer(self) -> list[str]:
        total = self.total
        if not total:
            return [t("flow.no_cost", self.lang, by=self.by_label)]
        blocks = by_block(self.report, self.by)[: self.top]
        parts = " · ".join(f"{name} {_pct(v, total)}" for name, v in blocks)
        heaviest = max(self.report.layers, key=lambda r: r.macs if self.by == "macs" else r.params)
        cost = heaviest.macs if self.by == "macs" else heaviest.params
        return [
            t("flow.where", self.lang, by=self.by_label, parts=parts),
            t(
                "flow.heaviest",
                self.lang,
                name=heaviest.name,
                op=heaviest.op,
                value=human(cost),
                share=_pct(cost, total),
            ),
        ]

    @property
    def by_label(self) -> str:
        return t(f"flow.by_{self.by}", self.lang)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.cells import cell_len, set_cell_size
        from rich.style import Style
        from rich.text import Text

        net = self.report.network
        title = f"{net.name or 'network'}  ·  " + t("flow.title", self.lang, by=self.by_label)
        yield Text(title, style="italic")
        yield Text(spine_text(self.report), style="bold")
        yield Text("")
        rows = self.rows()
        peak = max((r[4] for r in rows), default=0)
        head = (t("col.layer", self.lang), t("col.op", self.lang), t("col.output", self.lang))
        w_name = max(cell_len(head[0]), *(cell_len(r[0]) for r in rows))
        w_op = max(cell_len(head[1]), *(cell_len(r[1]) for r in rows))
        w_shape = max(cell_len(head[2]), *(cell_len(r[2]) for r in rows))
        values = [human(r[4]) if r[4] else "" for r in rows]
        w_val = max(cell_len(self.by_label), *(cell_len(v) for v in values))
        w_pct = max(6, *(cell_len(r[3]) for r in rows))
        fixed = w_op + w_shape + w_val + w_pct + 2 * 5 + 1
        room = options.max_width - fixed
        w_bar = max(8, min(30, room - w_name))
        if w_name + w_bar > room:  # narrow console: the names give way first
            w_name = max(12, room - w_bar)

        def cell(text: str, width: int, right: bool = False) -> str:
            n = cell_len(text)
            if n > width:
                return set_cell_size(text, width - 1) + "…"
            pad = " " * (width - n)
            return pad + text if right else text + pad

        header = "  ".join(
            [
                cell(head[0], w_name),
                cell(head[1], w_op),
                cell(head[2], w_shape),
                " " * w_bar,
                cell(self.by_label, w_val, True),
                cell("%", w_pct, True),
            ]
        )
        yield Text(" " + header.rstrip(), style="bold", no_wrap=True, overflow="crop")
        total = self.total
        for (name, op, shape, share, cost), value in zip(rows, values):
            text = Text(" ", no_wrap=True, overflow="crop")
            text.append("  ".join([cell(name, w_name), cell(op, w_op), cell(shape, w_shape)]))
            text.append("  ")
            b = bar(cost, peak, w_bar)
            heavy = total and cost / total >= 0.2
            mid = total and cost / total >= 0.05
            colour = "red" if heavy else "yellow" if mid else "green"
            text.append(cell(b, w_bar), style=Style(color=colour))
            text.append("  " + cell(value, w_val, True) + "  " + cell(share, w_pct, True))
            text.rstrip()
            yield text
        yield Text("")
        for line in self.footer():
            yield Text(line)


def shares(report: Report, by: By) -> Mapping[str, float]:
    """Each line's share of the total, by the name of its first layer (for tests and docs)."""
    total = report.totals.macs if by == "macs" else report.totals.params
    out: dict[str, float] = {}
    for d in lines(build(report)):
        if d.line.kind == "layer" and total:
            out[d.line.name] = d.line.cost(by) / total
    return out
