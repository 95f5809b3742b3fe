"""Training output: the memory table of `params --train` and `explain --train`, and `fit`'s
answer as a table, a text sparkline, an SVG plot and JSON. Pure: results in, text out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnncalc.analysis.explain_train import size
from cnncalc.messages import t as tr
from cnncalc.messages.escape import visible, xml_text
from cnncalc.messages.numbers import count_text

if TYPE_CHECKING:
    from rich.console import RenderableType

    from cnncalc.analysis.explain import Step
    from cnncalc.analysis.memory import Fit, TrainMemory
    from cnncalc.analysis.train import Training
    from cnncalc.engine import Report

#: the sparkline's levels, lowest first
LEVELS = "▁▂▃▄▅▆▇█"
#: the sparkline's columns; it runs from batch 1 to twice the batch that fits
SPARK_WIDTH = 24


def spark_batches(best: int, width: int = SPARK_WIDTH) -> list[int]:
    """The batches the sparkline shows: evenly from 1 to 2 × `best`, `width` of them at most."""
    end = 2 * best
    if end <= width:
        return list(range(1, end + 1))
    return [1 + (end - 1) * i // (width - 1) for i in range(width)]


def sparkline(f: Fit, width: int = SPARK_WIDTH) -> str:
    """The batch-memory line in block characters, from batch 1 to twice the fitting batch."""
    batches = spark_batches(f.batch, width)
    values = [f.at(b) for b in batches]
    low, high = values[0], values[-1]
    span = high - low or 1
    return "".join(LEVELS[(v - low) * (len(LEVELS) - 1) // span] for v in values)


def train_section(title: str, steps: list[Step], lang: str) -> RenderableType:
    """A training table (quantity, value, working) and the note on what is not counted."""
    from rich.console import Group

    from cnncalc.render.tables import Prose, steps_table

    return Group(steps_table(title, steps, lang), Prose([tr("mem.not_modelled", lang)], "dim"))


def fit_renderable(report: Report, f: Fit, lang: str = "en") -> RenderableType:
    """`cnncalc fit`: the components at the batch that fits, the next batch, the line and its
    sparkline, and what is not counted."""
    from rich.console import Group

    from cnncalc.analysis.explain_train import memory_steps
    from cnncalc.render.tables import Prose, steps_table

    best = f.best
    setup = best.setup
    limit = size(f.limit, 4)
    title = tr(
        "fit.title",
        lang,
        name=visible(report.network.name or "network"),
        optimizer=setup.optimizer,
        dtype=setup.precision.name,
        limit=limit,
        batch=count_text(f.batch),
    )
    lines: list[str] = []
    if f.over is not None:
        lines.append(
            tr(
                "fit.next",
                lang,
                batch=count_text(f.over.batch),
                need=count_text(f.over.total),
                need_h=size(f.over.total, 4),
                over=size(f.over.total - f.limit),
                limit=limit,
            )
        )
        lines.append(
            tr(
                "fit.line",
                lang,
                fixed=count_text(f.fixed),
                per=count_text(f.per_sample),
                fixed_h=size(f.fixed),
                per_h=size(f.per_sample),
            )
        )
        end = count_text(2 * f.batch)
        lines.append(tr("fit.spark", lang, end=end, spark=sparkline(f), batch=count_text(f.batch)))
    parts: list[RenderableType] = [steps_table(title, memory_steps(best, lang), lang)]
    parts.append(Prose(lines))
    parts.append(Prose([tr("mem.not_modelled", lang)], "dim"))
    return Group(*parts)


def fit_dict(report: Report, f: Fit) -> dict[str, object]:
    """`cnncalc fit --format json`."""
    best = f.best
    return {
        "schema": 1,
        "name": report.network.name,
        "memory": f.limit,
        "optimizer": best.setup.optimizer,
        "dtype": best.setup.precision.name,
        "batch": f.batch,
        "train_memory": best.to_dict(),
        "next": None if f.over is None else {"batch": f.over.batch, "total": f.over.total},
        "line": {"fixed": f.fixed, "per_sample": f.per_sample},
    }


# --- the SVG plot ---------------------------------------------------------------------------

_W, _H = 560, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 20, 40, 45


def fit_svg(report: Report, f: Fit, lang: str = "en") -> str:
    """The batch-memory line from batch 0 to twice the fitting batch, the limit as a dashed
    line and the fitting batch marked; every text escaped for XML."""
    import xml.etree.ElementTree as ET

    setup = f.best.setup
    end = max(2 * f.batch, 2)
    top = max(f.at(end), f.limit) * 1.05

    def x(b: float) -> str:
        return f"{_LEFT + (_W - _LEFT - _RIGHT) * b / end:.1f}"

    def y(v: float) -> str:
        return f"{_TOP + (_H - _TOP - _BOTTOM) * (1 - v / top):.1f}"

    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(_W),
            "height": str(_H),
            "viewBox": f"0 0 {_W} {_H}",
            "style": "font-family: sans-serif; font-size: 12px",
        },
    )

    def add(tag: str, text: str | None = None, **attrs: str) -> None:
        el = ET.SubElement(svg, tag, {k.replace("_", "-"): v for k, v in attrs.items()})
        if text is not None:
            el.text = xml_text(text)

    title = tr(
        "fit.svg.title",
        lang,
        name=report.network.name or "network",
        optimizer=setup.optimizer,
        dtype=setup.precision.name,
    )
    add("title", title)
    add("desc", tr("mem.not_modelled", lang))
    add("text", title, x=str(_LEFT), y="20", style="font-weight: bold")
    bottom, right = y(0), str(_W - _RIGHT)
    add("polyline", points=f"{_LEFT},{_TOP} {_LEFT},{bottom} {right},{bottom}", stroke="#444",
        fill="none")  # fmt: skip
    for i in range(5):  # memory ticks, in GiB
        v = top * i / 4
        add("text", f"{v / 2**30:.3g}", x=str(_LEFT - 6), y=y(v), style="text-anchor: end")
    for i in range(5):  # batch ticks
        b = round(end * i / 4)
        add("text", count_text(b), x=x(b), y=str(_H - _BOTTOM + 16), style="text-anchor: middle")
    mid = f"{(_TOP + _H - _BOTTOM) / 2:.1f}"
    add("text", tr("fit.svg.batch", lang), x=f"{(_LEFT + _W - _RIGHT) / 2:.1f}", y=str(_H - 8),
        style="text-anchor: middle")  # fmt: skip
    add("text", tr("fit.svg.memory", lang), x="14", y=mid, transform=f"rotate(-90 14 {mid})",
        style="text-anchor: middle")  # fmt: skip
    add("line", x1=str(_LEFT), y1=y(f.limit), x2=right, y2=y(f.limit), stroke="#c00",
        stroke_dasharray="5,4")  # fmt: skip
    add("text", tr("fit.svg.limit", lang, limit=size(f.limit, 4)), x=right,
        y=f"{float(y(f.limit)) - 5:.1f}", fill="#c00", style="text-anchor: end")  # fmt: skip
    add("line", x1=x(0), y1=y(f.at(0)), x2=x(end), y2=y(f.at(end)), stroke="#06c",
        stroke_width="2")  # fmt: skip
    add("circle", cx=x(f.batch), cy=y(f.at(f.batch)), r="4", fill="#06c")
    add("text", f"{count_text(f.batch)}: {size(f.best.total, 4)}", x=f"{float(x(f.batch)) + 6:.1f}",
        y=f"{float(y(f.at(f.batch))) + 16:.1f}")  # fmt: skip
    return ET.tostring(svg, encoding="unicode") + "\n"


def training_renderable(
    report: Report, train: Training, mem: TrainMemory, lang: str = "en", teach: bool = False
) -> RenderableType:
    """`params --train` and `explain --train`: the training step's numbers and memory."""
    from cnncalc.analysis.explain_train import training_steps

    setup = mem.setup
    title = tr(
        "train.title",
        lang,
        optimizer=setup.optimizer,
        dtype=setup.precision.name,
        batch=count_text(mem.batch),
    )
    return train_section(title, training_steps(report, train, mem, lang, teach), lang)
