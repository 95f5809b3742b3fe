"""Rendering: a report in, a Rich renderable or a string (JSON, CSV, Markdown) out. No decisions."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from cnncalc.analysis.budget import human
from cnncalc.engine import LayerReport, Report, rf_number
from cnncalc.layers import fmt_shape
from cnncalc.messages.en import CONVENTION

if TYPE_CHECKING:
    from cnncalc.analysis.explain import Step


def rf_text(row: LayerReport) -> str:
    """The local field's size, `+g` when global context also reaches the layer: `45 +g`."""
    sizes = [rf_number(a.size) for a in row.rf]
    if not sizes:
        return "-"
    text = str(sizes[0]) if len(set(sizes)) == 1 else "×".join(str(v) for v in sizes)
    return text + " +g" if any(a.glob for a in row.rf) else text


def kernel_text(row: LayerReport) -> str:
    return fmt_shape(row.kernel_shape) if row.kernel_shape else ""


# --- the hierarchy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A line of the params table: a layer, or a block with its subtotals."""

    name: str
    level: int
    op: str
    out_shape: tuple[int, ...]
    kernel: str
    params: int
    macs: int
    rf: str
    is_block: bool


def rows(report: Report, depth: int | None = None) -> list[Row]:
    """Layers and the blocks around them (dotted names), folded below `depth` (None: all)."""
    starts: dict[int, list[Row]] = {}
    for b in report.blocks:
        if depth is None or b.level <= depth:
            last = report.layers[b.end - 1]
            row = Row(
                b.name, b.level, "block", b.out_shape, "", b.params, b.macs, rf_text(last), True
            )
            starts.setdefault(b.start, []).append(row)
    out: list[Row] = []
    for i, layer in enumerate(report.layers):
        out.extend(starts.get(i, ()))
        level = layer.name.count(".") + 1
        if depth is None or level <= depth:
            out.append(
                Row(
                    layer.name,
                    level,
                    layer.op,
                    layer.out_shape,
                    kernel_text(layer),
                    layer.params,
                    layer.macs,
                    rf_text(layer),
                    False,
                )
            )
    return out


# --- params -------------------------------------------------------------------------------------


def share(part: int, total: int) -> str:
    if not total:
        return "-"
    pct = 100 * part / total
    return f"{pct:.1f}" if pct >= 0.05 or part == 0 else "<.1"


@dataclass(frozen=True)
class Column:
    header: str
    footer: str = ""
    right: bool = False
    #: how far the column may shrink (ellipsis) when the terminal is narrow; 0: never
    min_width: int = 0


class FastTable:
    """A plain column layout rendered straight to segments.

    Rich's `Table` measures every cell through its layout engine; a 200-layer network then
    spends most of the command's time laying out text. This table measures with `cell_len`
    once, shrinks the columns that may shrink (with an ellipsis) to fit the console, and emits
    one line per row.
    """

    def __init__(self, title: str, columns: Sequence[Column]) -> None:
        self.title = title
        self.columns = list(columns)
        self.rows: list[tuple[list[str], str | None]] = []

    def add_row(self, cells: Sequence[str], style: str | None = None) -> None:
        self.rows.append((list(cells), style))

    def widths(self, max_width: int) -> list[int]:
        from rich.cells import cell_len

        widths = [max(cell_len(c.header), cell_len(c.footer)) for c in self.columns]
        for cells, _ in self.rows:
            for i, cell in enumerate(cells):
                n = cell_len(cell)
                if n > widths[i]:
                    widths[i] = n
        excess = sum(widths) + 2 * (len(widths) - 1) + 2 - max_width
        for i, col in enumerate(self.columns):
            if excess <= 0:
                break
            if col.min_width and widths[i] > col.min_width:
                cut = min(excess, widths[i] - col.min_width)
                widths[i] -= cut
                excess -= cut
        return widths

    def line(self, cells: Sequence[str], widths: Sequence[int]) -> str:
        from rich.cells import cell_len, set_cell_size

        out = []
        for cell, width, col in zip(cells, widths, self.columns):
            n = cell_len(cell)
            if n > width:
                cell = set_cell_size(cell, width - 1) + "…"
                n = width
            pad = " " * (width - n)
            out.append(pad + cell if col.right else cell + pad)
        return " " + "  ".join(out).rstrip()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment
        from rich.style import Style

        widths = self.widths(options.max_width)
        bold = Style(bold=True)
        yield Segment(self.title, Style(italic=True))
        yield Segment.line()
        yield Segment.line()
        yield Segment(self.line([c.header for c in self.columns], widths), bold)
        yield Segment.line()
        yield Segment(" " + "─" * (sum(widths) + 2 * (len(widths) - 1)))
        yield Segment.line()
        for cells, style in self.rows:
            yield Segment(self.line(cells, widths), bold if style == "bold" else None)
            yield Segment.line()
        yield Segment(" " + "─" * (sum(widths) + 2 * (len(widths) - 1)))
        yield Segment.line()
        yield Segment(self.line([c.footer for c in self.columns], widths), bold)
        yield Segment.line()


def params_table(report: Report, depth: int | None = None, lang: str = "en") -> FastTable:
    from cnncalc.messages import t as tr

    net = report.network
    t = report.totals
    title = tr("title.input", lang, name=net.name or "network", shape=fmt_shape(net.input_shape))
    if net.batch != 1:
        title += tr("title.batch", lang, batch=net.batch)
    table = FastTable(
        title,
        [
            Column(tr("col.layer", lang), tr("col.total", lang), min_width=8),
            Column(tr("col.op", lang), min_width=4),
            Column(tr("col.output", lang), fmt_shape(report.output_shape)),
            Column(tr("col.kernel", lang), min_width=6),
            Column(tr("col.params", lang), f"{t.params:,}", right=True),
            Column("%", "100", right=True),
            Column(tr("col.macs", lang), human(t.macs), right=True),
            Column(tr("col.rf", lang), right=True),
        ],
    )
    for row in rows(report, depth):
        label = row.name.rsplit(".", 1)[-1] if row.level > 1 else row.name
        table.add_row(
            [
                "  " * (row.level - 1) + label,
                row.op,
                fmt_shape(row.out_shape),
                row.kernel,
                f"{row.params:,}",
                share(row.params, t.params),
                human(row.macs) if row.macs else "0",
                row.rf,
            ],
            "bold" if row.is_block else None,
        )
    return table


def totals_lines(report: Report, lang: str = "en") -> list[str]:
    from cnncalc.messages import t as tr

    t = report.totals
    net = report.network
    peak = human(t.peak_activation_bytes, binary=True)
    lines = [
        tr("totals.params", lang, n=f"{t.params:,}", size=human(t.param_bytes, binary=True),
           dtype=net.dtype),
        tr("totals.macs", lang, n=f"{t.macs:,}", h=human(t.macs)),
        tr("totals.flops", lang, n=f"{t.flops:,}", h=human(t.flops)),
        tr("totals.activations_batch", lang, size=peak, batch=net.batch)
        if net.batch != 1
        else tr("totals.activations", lang, size=peak),
    ]  # fmt: skip
    if len(report.output_shapes) > 1:
        shapes = ", ".join(f"{n} {fmt_shape(s)}" for n, s in zip(net.outputs, report.output_shapes))
        lines.append(tr("totals.outputs", lang, shapes=shapes))
    else:
        lines.append(tr("totals.output", lang, shape=fmt_shape(report.output_shape)))
    return lines


def params_renderable(report: Report, depth: int | None = None, lang: str = "en") -> RenderableType:
    from cnncalc.messages import t as tr

    parts: list[RenderableType] = []
    if depth != 0:
        parts.append(params_table(report, depth, lang))
    parts.append(Text("\n".join(totals_lines(report, lang))))
    convention = CONVENTION if lang == "en" else tr("convention", lang)
    parts.append(Text(tr("totals.counting", lang, convention=convention), style="dim"))
    return Group(*parts)


def to_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


CSV_FIELDS = (
    "name",
    "op",
    "inputs",
    "in_shape",
    "out_shape",
    "kernel_shape",
    "params",
    "macs",
    "flops",
    "out_bytes",
    "rf_size",
    "rf_jump",
)


def _ascii_shape(shape: Sequence[int] | None) -> str:
    return "x".join(str(v) for v in shape) if shape else ""


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    import csv

    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for r in report.layers:
        w.writerow(
            [
                r.name,
                r.op,
                ";".join(r.inputs),
                _ascii_shape(r.in_shape),
                _ascii_shape(r.out_shape),
                _ascii_shape(r.kernel_shape),
                r.params,
                r.macs,
                r.flops,
                r.out_bytes,
                "x".join(str(rf_number(a.size)) for a in r.rf),
                "x".join(str(rf_number(a.jump)) for a in r.rf),
            ]
        )
    return buf.getvalue()


def md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(report: Report, depth: int | None = None) -> str:
    net = report.network
    lines = [
        f"### {md_escape(net.name or 'network')} (input {fmt_shape(net.input_shape)})",
        "",
    ]
    if depth != 0:
        lines += [
            "| Layer | Op | Output | Kernel | Params | % | MACs | RF |",
            "|---|---|---|---|---:|---:|---:|---:|",
        ]
        total = report.totals.params
        for row in rows(report, depth):
            name = "&nbsp;&nbsp;" * (row.level - 1) + md_escape(row.name)
            if row.is_block:
                name = f"**{name}**"
            lines.append(
                f"| {name} | {row.op} | {fmt_shape(row.out_shape)} | {row.kernel} | "
                f"{row.params:,} | {share(row.params, total)} | {row.macs:,} | {row.rf} |"
            )
        lines.append("")
    lines += [
        f"- {line.split('  ', 1)[0]}: {line.split('  ', 1)[1].strip()}"
        for line in totals_lines(report)
    ]
    lines += ["", f"_Counting: {CONVENTION}._", ""]
    return "\n".join(lines)


# --- one layer ----------------------------------------------------------------------------------


def steps_table(title: str, steps: Sequence[Step], lang: str = "en") -> Table:
    from cnncalc.messages import t as tr

    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column(tr("col.quantity", lang), no_wrap=True, style="bold")
    table.add_column(tr("col.value", lang), justify="right", no_wrap=True)
    table.add_column(tr("col.working", lang), overflow="fold")  # CJK has no spaces to wrap at
    for s in steps:
        table.add_row(s.label, s.value, s.working)
    return table
