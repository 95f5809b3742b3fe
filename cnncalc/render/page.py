"""How a renderable meets the output: no line ends in a space, and output that is not a terminal
(piped, redirected) is never cut at the width — a table there is as wide as its cells need.

On a terminal each table fits the width in its own stated way (the params table drops whole
columns, `render.tables.DROP_ORDER`; the check and diff tables are `Fitted`: whole columns go in
a stated order and no number is cut); prose wraps at the width in both cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

from cnncalc.render.columns import FOLD_MIN, Col, Fit

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


#: the cells a simple-head table spends besides its columns: an edge each side, 3 between columns
_EDGES, _GAP = 2, 3
#: the narrowest a "fold" column gets when nothing else is left to give way
LAST_RESORT = 4


def _plain(cell: RenderableType) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def _width(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def _least(text: str, fit: Fit) -> int:
    if fit == "whole":
        return _width(text)
    longest = max((cell_len(word) for word in text.split()), default=0)
    return longest if fit == "words" else min(_width(text), FOLD_MIN)


@dataclass(frozen=True)
class Fitted:
    """A table that fits a terminal without cutting a number: whole columns go in the order
    `drop` gives, then the "words" and "fold" columns narrow, widest first (their cells wrap),
    and last the "fold" ones (the names) below `FOLD_MIN`.
    Output that is not a terminal gets every column at its full width."""

    columns: tuple[Col, ...]
    rows: tuple[tuple[RenderableType, ...], ...]
    drop: tuple[str, ...] = ()
    title: str | None = None

    def widths(self, max_width: int | None) -> dict[int, int]:
        """Column index -> width of each column drawn; every column at full width for `None`."""
        cells = [[c.header] + [_plain(r[i]) for r in self.rows] for i, c in enumerate(self.columns)]
        full = [max(_width(x) for x in col) for col in cells]
        least = [max(_least(x, c.fit) for x in col) for c, col in zip(self.columns, cells)]
        kept = list(range(len(self.columns)))
        if max_width is None:
            return {i: full[i] for i in kept}

        def need(widths: Sequence[int]) -> int:
            return _EDGES + sum(widths[i] for i in kept) + _GAP * (len(kept) - 1)

        for key in self.drop:
            if need(least) <= max_width:
                break
            kept = [i for i in kept if self.columns[i].key != key]
        out = list(full)
        # last resort, past every drop: a name column folds down to LAST_RESORT cells
        floors = (
            least,
            [LAST_RESORT if c.fit == "fold" else n for c, n in zip(self.columns, least)],
        )
        for floor in floors:
            while need(out) > max_width:
                narrowable = [i for i in kept if out[i] > floor[i]]
                if not narrowable:
                    break
                out[max(narrowable, key=lambda i: out[i])] -= 1
        return {i: out[i] for i in kept}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich import box
        from rich.table import Table

        terminal = options.is_terminal
        widths = self.widths(options.max_width if terminal else None)
        table = Table(title=self.title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        for i, w in widths.items():
            c = self.columns[i]
            table.add_column(
                c.header,
                justify=c.justify,
                width=w if terminal else None,
                no_wrap=c.fit == "whole",
                overflow="ellipsis" if c.fit == "whole" else "fold",
            )
        for row in self.rows:
            table.add_row(*(row[i] for i in widths))
        yield from console.render(table if terminal else Whole(table), options)


@dataclass(frozen=True)
class SimpleTable:
    """Rich's `Table(box=SIMPLE_HEAD, pad_edge=False)` of left-aligned plain cells, drawn line by
    line: the same text in time linear in its cells (Rich's own layout of a diff of two
    5,000-layer files took over 5 s). Where it does not fit — a terminal narrower than the
    table, a cell holding a line break — Rich lays it out (wrapping cells), as `Whole` would."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: what is drawn instead where the lines do not fit (Rich's table when not given)
    fallback: RenderableType | None = None

    def rich_table(self) -> RenderableType:
        if self.fallback is not None:
            return self.fallback
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
