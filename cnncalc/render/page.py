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
