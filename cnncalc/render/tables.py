"""The tables a terminal shows, drawn straight to Rich segments: the params table and the
quantity/value/working tables of `layer` and `explain`.

Rich's `Table` measures every cell through its layout engine; `explain` on a 120-layer network
lays out over 400 tables and spent nine tenths of its time there. These tables measure with
`cell_len` once and emit one segment per cell. `StepsTable` draws exactly what Rich's table with
the same columns draws (a test compares them over every example at several widths) and hands
over to Rich where its rules get intricate (a console too narrow for the working column, markup
characters, ASCII-only terminals).

On a terminal the params table fits the width by dropping whole columns (`DROP_ORDER`), so that
no number loses its unit; output that is not a terminal is never cut (`render.page`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from cnncalc.engine import Report
from cnncalc.messages import t as tr
from cnncalc.render.report import counting_line, rows, totals_lines
from cnncalc.render.text import fmt_shape, fmt_shapes, human, share

if TYPE_CHECKING:  # explain is imported where its sections are drawn, not for every table
    from cnncalc.analysis.explain import BlockSection, Section, Step

BOLD = Style(bold=True)
ITALIC = Style(italic=True)


#: the params table's columns, left to right (`input` only when asked for)
PARAMS_COLUMNS = ("layer", "op", "input", "output", "kernel", "params", "share", "macs", "rf")
#: the order in which a terminal too narrow for the whole params table drops its columns, first
#: dropped first; `layer` and `params` always stay. A column that stays is never cut, so every
#: number keeps its unit. (The README states this order; a test holds the two together.)
DROP_ORDER = ("share", "kernel", "op", "input", "rf", "output", "macs")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    footer: str = ""
    right: bool = False


#: the widest a column is padded to. A longer cell (a name of 100,000 characters) is cut on a
#: terminal and, piped, kept whole and pushes the rest of its row right: padding every row to it
#: made 500 MB of output from a 100 KB file. With it, a table's size is linear in its text.
WIDEST = 200


def fit(text: str, width: int, right: bool = False, cut: bool = True) -> str:
    """`text` in exactly `width` cells: padded, or cut with an ellipsis (`cut`, else whole)."""
    n = cell_len(text)
    if n > width:
        return set_cell_size(text, width - 1) + "…" if cut else text
    pad = " " * (width - n)
    return pad + text if right else text + pad


class FastTable:
    """A plain column layout, one line per row. On a terminal too narrow for it, whole columns
    go in the order `drop` gives, then the first column (the names) gives way with an
    ellipsis; elsewhere (piped, redirected) nothing is cut: the table is as wide as its cells."""

    def __init__(self, title: str, columns: Sequence[Column], drop: Sequence[str] = ()) -> None:
        self.title = title
        self.columns = list(columns)
        self.drop = tuple(drop)
        self.rows: list[tuple[list[str], str | None]] = []

    def add_row(self, cells: Sequence[str], style: str | None = None) -> None:
        self.rows.append((list(cells), style))

    def layout(self, max_width: int, fit_width: bool = True) -> list[tuple[int, int]]:
        """(column index, width) of each column drawn, left to right."""
        widths = [max(cell_len(c.header), cell_len(c.footer)) for c in self.columns]
        for cells, _ in self.rows:
            for i, cell in enumerate(cells):
                n = cell_len(cell)
                if n > widths[i]:
                    widths[i] = n
        widths = [min(w, WIDEST) for w in widths]
        kept = list(range(len(self.columns)))

        def excess() -> int:
            return 1 + sum(widths[i] for i in kept) + 2 * (len(kept) - 1) - max_width

        if fit_width:
            for key in self.drop:
                if excess() <= 0:
                    break
                kept = [i for i in kept if self.columns[i].key != key]
            if excess() > 0:  # last resort: the names give way
                widths[0] = max(cell_len(self.columns[0].header), 4, widths[0] - excess())
        return [(i, widths[i]) for i in kept]

    def keys(self, max_width: int, fit_width: bool = True) -> tuple[str, ...]:
        """The keys of the columns drawn at `max_width`."""
        return tuple(self.columns[i].key for i, _ in self.layout(max_width, fit_width))

    def line(
        self, cells: Sequence[str], layout: Sequence[tuple[int, int]], cut: bool = True
    ) -> str:
        out = [fit(cells[i], w, self.columns[i].right, cut) for i, w in layout]
        return " " + "  ".join(out).rstrip()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        cut = options.is_terminal
        layout = self.layout(options.max_width, cut)
        rule = " " + "─" * (sum(w for _, w in layout) + 2 * (len(layout) - 1))
        yield Text(self.title, style=ITALIC)
        yield Segment.line()
        yield Segment(self.line([c.header for c in self.columns], layout, cut), BOLD)
        yield Segment.line()
        yield Segment(rule)
        yield Segment.line()
        for cells, style in self.rows:
            yield Segment(self.line(cells, layout, cut), BOLD if style == "bold" else None)
            yield Segment.line()
        yield Segment(rule)
        yield Segment.line()
        yield Segment(self.line([c.footer for c in self.columns], layout, cut), BOLD)
        yield Segment.line()


def params_table(
    report: Report, depth: int | None = None, lang: str = "en", in_shape: bool = False
) -> FastTable:
    """The per-layer table; `in_shape` adds the Input column (each layer's input shapes)."""
    net = report.network
    t = report.totals
    title = tr("title.input", lang, name=net.name or "network", shape=fmt_shape(net.input_shape))
    if net.batch != 1:
        title += tr("title.batch", lang, batch=net.batch)
    columns = {
        "layer": Column("layer", tr("col.layer", lang), tr("col.total", lang)),
        "op": Column("op", tr("col.op", lang)),
        "input": Column("input", tr("col.input", lang)),
        "output": Column("output", tr("col.output", lang), fmt_shape(report.output_shape)),
        "kernel": Column("kernel", tr("col.kernel", lang)),
        "params": Column("params", tr("col.params", lang), f"{t.params:,}", right=True),
        "share": Column("share", "%", "100", right=True),
        "macs": Column("macs", tr("col.macs", lang), human(t.macs), right=True),
        "rf": Column("rf", tr("col.rf", lang), right=True),
    }
    keys = [k for k in PARAMS_COLUMNS if in_shape or k != "input"]
    table = FastTable(title, [columns[k] for k in keys], DROP_ORDER)
    for row in rows(report, depth):
        label = row.name.rsplit(".", 1)[-1] if row.level > 1 else row.name
        cells = {
            "layer": "  " * (row.level - 1) + label,
            "op": row.op,
            "input": fmt_shapes(row.in_shapes),
            "output": fmt_shape(row.out_shape),
            "kernel": row.kernel,
            "params": f"{row.params:,}",
            "share": share(row.params, t.params),
            "macs": human(row.macs) if row.macs else "0",
            "rf": row.rf,
        }
        table.add_row([cells[k] for k in keys], "bold" if row.is_block else None)
    return table


#: the space between a number and its unit (`44.6 MiB`, `1.81 G`): no line break falls there
_UNIT_SPACE = re.compile(r"(?<=\d) (?=(?:[kMGT]|[KMGT]iB|B)\b)")
#: what holds that space while the text is wrapped: one cell wide, never whitespace
_GLUE = "\ue000"


@dataclass(frozen=True)
class Prose:
    """Lines of text wrapped at the width at spaces, but never between a number and its unit."""

    lines: Sequence[str]
    style: str = ""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        style = console.get_style(self.style) if self.style else None
        for line in self.lines:
            text = Text(_UNIT_SPACE.sub(_GLUE, line))
            for part in text.wrap(console, options.max_width):
                yield Segment(part.plain.replace(_GLUE, " ").rstrip(), style)
                yield Segment.line()


def params_renderable(
    report: Report, depth: int | None = None, lang: str = "en", in_shape: bool = False
) -> RenderableType:
    parts: list[RenderableType] = []
    if depth != 0:
        parts.append(params_table(report, depth, lang, in_shape))
    parts.append(Prose(totals_lines(report, lang)))
    parts.append(Prose([counting_line(lang)], style="dim"))
    return Group(*parts)


# --- quantity, value, working ------------------------------------------------------------------

#: what Rich would read as markup or an emoji code: such text is left to Rich's own table
_RICH_SYNTAX = re.compile(r"\[|:\S*?:")
#: the edges and the two column gaps of a three-column table
_EXTRA = 4
#: the narrowest working column of output that is not a terminal (it widens rather than cut)
_MIN_WORKING = 30


@dataclass(frozen=True)
class StepsTable:
    """The steps as Rich's table with box SIMPLE_HEAD, no edge padding, a bold no-wrap quantity,
    a right-aligned value and a working that folds (CJK has no spaces to wrap at)."""

    title: str
    steps: Sequence[Step]
    lang: str = "en"

    def headers(self) -> tuple[str, str, str]:
        return (tr("col.quantity", self.lang), tr("col.value", self.lang),
                tr("col.working", self.lang))  # fmt: skip

    def rich_table(self) -> Table:
        """The same table laid out by Rich."""
        head = self.headers()
        table = Table(title=self.title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
        table.add_column(head[0], no_wrap=True, style="bold")
        table.add_column(head[1], justify="right", no_wrap=True)
        table.add_column(head[2], overflow="fold")
        for s in self.steps:
            table.add_row(s.label, s.value, s.working)
        return table

    def widths(self, max_width: int, fit_width: bool = True) -> tuple[int, int, int] | None:
        """Column widths with their padding as Rich computes them, or None where Rich would
        shrink more than the working column (or the text needs Rich's parser). Not fitting a
        terminal (`fit_width` false), the table widens rather than cut: the quantity and value
        whole, the working at least `_MIN_WORKING` wide."""
        head = self.headers()
        cells = [head, *((s.label, s.value, s.working) for s in self.steps)]
        if any(_RICH_SYNTAX.search(c) or "\n" in c or "\t" in c for row in cells for c in row):
            return None
        if _RICH_SYNTAX.search(self.title) or "\n" in self.title:
            return None
        w0 = max(cell_len(r[0]) for r in cells) + 1  # no left padding at the edge
        w1 = max(cell_len(r[1]) for r in cells) + 2
        w2 = max(cell_len(r[2]) for r in cells) + 1  # no right padding at the edge
        room = max_width - _EXTRA
        if not fit_width:
            room = max(room, w0 + w1 + min(w2, _MIN_WORKING))
        if w0 + w1 + w2 > room:
            w2 = room - w0 - w1  # only the working column wraps
            if w2 < 3:
                return None
        return w0, w1, w2

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        fit_width = options.is_terminal
        widths = None if options.ascii_only else self.widths(options.max_width, fit_width)
        if widths is None:
            from cnncalc.render.page import Whole

            yield Whole(self.rich_table(), least=True)
            return
        yield from self.segments(widths)

    def segments(self, widths: tuple[int, int, int]) -> Iterator[Segment]:
        w0, w1, w2 = widths
        width = w0 + w1 + w2 + _EXTRA
        line = Segment.line()
        if self.title:
            for text in wrap(self.title, width):
                yield Segment(text, ITALIC)
                yield line
        yield Segment(" " * width)
        yield line
        head = self.headers()
        yield from self.row(head, widths, BOLD, BOLD, header=True)
        yield Segment(" " + "─" * (width - 2) + " ")
        yield line
        for s in self.steps:
            yield from self.row((s.label, s.value, s.working), widths, BOLD, None)
        yield Segment(" " * width)
        yield line

    @staticmethod
    def row(
        cells: Sequence[str],
        widths: tuple[int, int, int],
        first: Style,
        rest: Style | None,
        header: bool = False,
    ) -> Iterator[Segment]:
        """One row; a working that wraps makes it taller (the header's cells sit at the
        bottom of it, as Rich aligns a header, the others at the top)."""
        w0, w1, w2 = widths
        working = wrap(cells[2], w2 - 1)
        at = len(working) - 1 if header else 0
        labels, values = [" " * w0] * len(working), [" " * w1] * len(working)
        labels[at] = fit(cells[0], w0 - 1) + " "
        values[at] = " " + fit(cells[1], w1 - 2, right=True) + " "
        for label, value, text in zip(labels, values, working):
            yield Segment(" ")
            yield Segment(label, first)
            yield Segment(f" {value}  {text} ", rest)
            yield Segment.line()


def wrap(text: str, width: int) -> list[str]:
    """`text` word-wrapped to `width` cells as Rich wraps it (words longer than a line fold),
    each line padded to the width."""
    if cell_len(text) <= width:
        return [fit(text.rstrip(), width)]
    from rich._wrap import divide_line

    offsets = divide_line(text, width, fold=True)
    bounds = [0, *offsets, len(text)]
    out = []
    for start, end in itertools.pairwise(bounds):
        piece = text[start:end].rstrip()
        out.append(fit(piece, width))
    return out


def steps_table(title: str, steps: Sequence[Step], lang: str = "en") -> StepsTable:
    return StepsTable(title, tuple(steps), lang)


@dataclass(frozen=True)
class Explanation:
    """`cnncalc explain`: the network's overview, then each layer's title line and steps."""

    report: Report
    sections: Sequence[Section | BlockSection]
    overview: bool = True
    lang: str = "en"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from cnncalc.analysis.explain import BlockSection, overview

        lang = self.lang
        if self.overview:
            name = self.report.network.name or "network"
            title = tr("explain.network", lang, name=name)
            yield steps_table(title, overview(self.report, lang), lang)
        for section in self.sections:
            if isinstance(section, BlockSection):
                block = section.block
                ins = fmt_shapes(section.in_shapes)
                op = tr("explain.block", lang)
                title = f"{block.name}  ·  {op}  ·  {ins} → {fmt_shape(block.out_shape)}"
            else:
                row = section.row
                ins = fmt_shapes(row.in_shapes)
                title = f"{row.name}  ·  {row.op}  ·  {ins} → {fmt_shape(row.out_shape)}"
                if row.node.pos is not None:
                    title += f"  ·  {row.node.pos}"
            # the title on its own line: a table title would wrap at the table's width
            if cell_len(title) <= options.max_width:
                yield Segment(title, ITALIC)
                yield Segment.line()
            else:
                yield Text(title, style="italic")
            yield steps_table("", section.steps, lang)


def explanation(
    report: Report,
    sections: Sequence[Section | BlockSection],
    overview: bool = True,
    lang: str = "en",
) -> Explanation:
    return Explanation(report, tuple(sections), overview, lang)
