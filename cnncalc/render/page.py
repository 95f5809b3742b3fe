"""How a renderable meets the output: no line ends in a space, and output that is not a terminal
(piped, redirected) is never cut at the width — a table there is as wide as its cells need.

On a terminal each table fits the width in its own stated way (the params table drops whole
columns, `render.tables.DROP_ORDER`); prose wraps at the width in both cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment

#: wide enough for any table's natural width
_UNBOUNDED = 1 << 20


@dataclass(frozen=True)
class Trimmed:
    """`renderable` with the spaces at the end of each line removed."""

    renderable: RenderableType

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line = Segment.line()
        for segments in Segment.split_lines(console.render(self.renderable, options)):
            while segments and not segments[-1].control and not segments[-1].text.rstrip(" "):
                segments.pop()
            if segments and not segments[-1].control:
                last = segments[-1]
                segments[-1] = Segment(last.text.rstrip(" "), last.style)
            yield from segments
            yield line


@dataclass(frozen=True)
class Whole:
    """A Rich table that, when the output is not a terminal, takes the width its cells need
    instead of shrinking them (with an ellipsis) to the console's width; with `least`, only the
    width its columns that do not wrap need (the others wrap)."""

    renderable: RenderableType
    least: bool = False

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not options.is_terminal:
            wide = options.update_width(_UNBOUNDED)
            measured = Measurement.get(console, wide, self.renderable)
            need = measured.minimum if self.least else measured.maximum
            options = options.update_width(max(options.max_width, need))
        yield from console.render(self.renderable, options)


@dataclass(frozen=True)
class SimpleTable:
    """Rich's `Table(box=SIMPLE_HEAD, pad_edge=False)` of left-aligned plain cells, drawn line by
    line: the same text in time linear in its cells (Rich's own layout of a diff of two
    5,000-layer files took over 5 s). Where it does not fit — a terminal narrower than the
    table, a cell holding a line break — Rich lays it out (wrapping cells), as `Whole` would."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def rich_table(self) -> Whole:
        from rich import box
        from rich.table import Table

        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for header in self.headers:
            table.add_column(header)
        for row in self.rows:
            table.add_row(*row)
        return Whole(table)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.cells import cell_len
        from rich.style import Style

        from cnncalc.render.tables import WIDEST

        widths = [cell_len(h) for h in self.headers]
        for row in self.rows:
            for i, cell in enumerate(row):
                widths[i] = max(widths[i], cell_len(cell))
        widths = [min(w, WIDEST) for w in widths]  # a longer cell is whole, its row pushed right
        inner = sum(widths) + 3 * (len(widths) - 1)
        multiline = any("\n" in cell for row in self.rows for cell in row)
        if multiline or (options.is_terminal and inner + 2 > options.max_width):
            yield self.rich_table()
            return

        def line(cells: tuple[str, ...]) -> str:
            return " " + "   ".join(
                c + " " * max(0, w - cell_len(c)) for c, w in zip(cells, widths)
            )

        blank, newline = Segment(" " * (inner + 2)), Segment.line()
        yield from (blank, newline, Segment(line(self.headers), Style(bold=True)), newline)
        yield from (Segment(" " + "─" * inner), newline)
        for row in self.rows:
            yield from (Segment(line(row)), newline)
        yield from (blank, newline)
