"""The shape-flow picture of `cnncalc flow`: the title, the spine, the tree with a bar per line
for its cost, and where the cost lives. The tree itself is `analysis.flow`'s."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, OverflowMethod, RenderResult
from rich.style import Style
from rich.text import Text

from cnncalc.analysis.flow import MEASURES, By, build, by_block, lines, spine_text
from cnncalc.engine import Report
from cnncalc.messages import t
from cnncalc.render.tables import WIDEST, fit
from cnncalc.render.text import fmt_shape, human, percent

EIGHTHS = " ▏▎▍▌▋▊▉"
#: a line's bar is red from this share of the total, yellow from `MID`, green below
HEAVY, MID = 0.2, 0.05


def bar(value: int, peak: int, width: int) -> str:
    """`value/peak` of `width` cells in eighth blocks; any non-zero value shows at least ▏."""
    if not value or not peak:
        return ""
    eighths = max(1, round(8 * width * value / peak))
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def _share(part: int, total: int) -> str:
    return percent(part / total) if total and part else ""


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
                            _share(cost, total), cost))  # fmt: skip
        return out

    @property
    def total(self) -> int:
        return MEASURES[self.by](self.report.totals)

    def footer(self) -> list[str]:
        total = self.total
        if not total:
            return [t("flow.no_cost", self.lang, by=self.by_label)]
        blocks = by_block(self.report, self.by)[: self.top]
        parts = " · ".join(f"{name} {_share(v, total)}" for name, v in blocks)
        measure = MEASURES[self.by]
        heaviest = max(self.report.layers, key=measure)
        cost = measure(heaviest)
        return [
            t("flow.where", self.lang, by=self.by_label, parts=parts),
            t(
                "flow.heaviest",
                self.lang,
                name=heaviest.name,
                op=heaviest.op,
                value=human(cost),
                share=_share(cost, total),
            ),
        ]

    @property
    def by_label(self) -> str:
        return t(f"flow.by_{self.by}", self.lang)

    def headers(self) -> tuple[str, str, str]:
        return t("col.layer", self.lang), t("col.op", self.lang), t("col.output", self.lang)

    def widths(
        self,
        rows: list[tuple[str, str, str, str, int]],
        values: list[str],
        max_width: int,
        fit_width: bool = True,
    ) -> tuple[int, int, int, int, int, int]:
        """name, op, shape, bar, value and share columns; the bars shrink first, then (on a
        terminal, `fit_width`) the names give way."""
        head = self.headers()
        w_name = max(cell_len(head[0]), *(cell_len(r[0]) for r in rows))
        w_op = max(cell_len(head[1]), *(cell_len(r[1]) for r in rows))
        w_shape = max(cell_len(head[2]), *(cell_len(r[2]) for r in rows))
        w_val = max(cell_len(self.by_label), *(cell_len(v) for v in values))
        w_pct = max(6, *(cell_len(r[3]) for r in rows))
        w_name, w_op, w_shape = min(w_name, WIDEST), min(w_op, WIDEST), min(w_shape, WIDEST)
        room = max_width - (w_op + w_shape + w_val + w_pct + 2 * 5 + 1)
        w_bar = max(8, min(30, room - w_name))
        if fit_width and w_name + w_bar > room:  # narrow terminal
            w_name = max(12, room - w_bar)
        return w_name, w_op, w_shape, w_bar, w_val, w_pct

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        net = self.report.network
        title = f"{net.name or 'network'}  ·  " + t("flow.title", self.lang, by=self.by_label)
        yield Text(title, style="italic")
        yield Text(spine_text(self.report), style="bold")
        yield Text("")
        rows = self.rows()
        peak = max((r[4] for r in rows), default=0)
        values = [human(r[4]) if r[4] else "" for r in rows]
        fit_width = options.is_terminal  # piped, nothing is cut: the lines are as long as needed
        overflow: OverflowMethod = "crop" if fit_width else "ignore"
        w_name, w_op, w_shape, w_bar, w_val, w_pct = self.widths(
            rows, values, options.max_width, fit_width
        )
        head = self.headers()
        cells = [fit(head[0], w_name), fit(head[1], w_op), fit(head[2], w_shape), " " * w_bar]
        header = "  ".join([*cells, fit(self.by_label, w_val, True), fit("%", w_pct, True)])
        yield Text(" " + header.rstrip(), style="bold", no_wrap=True, overflow=overflow)
        total = self.total
        for (name, op, shape, share, cost), value in zip(rows, values):
            text = Text(" ", no_wrap=True, overflow=overflow)
            left = (fit(name, w_name, cut=fit_width), fit(op, w_op, cut=fit_width))
            text.append("  ".join([*left, fit(shape, w_shape, cut=fit_width)]))
            text.append("  ")
            ratio = cost / total if total else 0
            colour = "red" if ratio >= HEAVY else "yellow" if ratio >= MID else "green"
            text.append(fit(bar(cost, peak, w_bar), w_bar), style=Style(color=colour))
            text.append("  " + fit(value, w_val, True) + "  " + fit(share, w_pct, True))
            text.rstrip()
            yield text
        yield Text("")
        for line in self.footer():
            yield Text(line)
