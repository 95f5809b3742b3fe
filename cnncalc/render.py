"""Rendering: a report in, a Rich renderable or a string (JSON, CSV, Markdown) out. No decisions."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from cnncalc.engine import CONVENTION, LayerReport, Report, rf_number
from cnncalc.explain import Step
from cnncalc.layers import fmt_shape


def human(v: float, binary: bool = False) -> str:
    """1_814_073_344 -> `1.81 G`; with `binary`, bytes in KiB/MiB/GiB."""
    base, units = (1024.0, ("B", "KiB", "MiB", "GiB", "TiB")) if binary else (
        1000.0, ("", "k", "M", "G", "T"))  # fmt: skip
    x = float(v)
    for unit in units:
        if abs(x) < base or unit == units[-1]:
            if unit in ("", "B"):
                return f"{int(x):,}{' B' if binary else ''}"
            return f"{x:.3g} {unit}"
        x /= base
    raise AssertionError  # pragma: no cover


def rf_text(row: LayerReport) -> str:
    sizes = [rf_number(a.size) for a in row.rf]
    if not sizes:
        return "-"
    return str(sizes[0]) if len(set(sizes)) == 1 else "×".join(str(v) for v in sizes)


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
    out: list[Row] = []
    open_groups: list[str] = []
    group_rows: dict[str, int] = {}
    sums: dict[str, list[int]] = {}
    last: dict[str, LayerReport] = {}
    for layer in report.layers:
        parts = layer.name.split(".")
        prefixes = [".".join(parts[:i]) for i in range(1, len(parts))]
        while open_groups and open_groups[-1] not in prefixes:
            open_groups.pop()
        for level, prefix in enumerate(prefixes, 1):
            if prefix not in open_groups:
                open_groups.append(prefix)
                key = f"{prefix}#{len(out)}"
                group_rows[prefix] = len(out)
                sums[key] = [0, 0]
                if depth is None or level <= depth:
                    out.append(Row(prefix, level, "block", (), "", 0, 0, "", True))
                else:
                    group_rows[prefix] = -1
        for prefix in prefixes:
            index = group_rows[prefix]
            if index >= 0:
                old = out[index]
                out[index] = Row(old.name, old.level, old.op, layer.out_shape, "",
                                 old.params + layer.params, old.macs + layer.macs,
                                 rf_text(layer), True)  # fmt: skip
            last[prefix] = layer
        level = len(parts)
        if depth is None or level <= depth:
            out.append(Row(layer.name, level, layer.op, layer.out_shape, kernel_text(layer),
                           layer.params, layer.macs, rf_text(layer), False))  # fmt: skip
    return out


# --- params -------------------------------------------------------------------------------------


def share(part: int, total: int) -> str:
    if not total:
        return "-"
    pct = 100 * part / total
    return f"{pct:.1f}" if pct >= 0.05 or part == 0 else "<.1"


def params_table(report: Report, depth: int | None = None) -> Table:
    title = report.network.name or "network"
    table = Table(
        title=f"{title}  ·  input {fmt_shape(report.network.input_shape)}"
        + (f"  ·  batch {report.network.batch}" if report.network.batch != 1 else ""),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_footer=True,
        title_justify="left",
        collapse_padding=True,
    )
    t = report.totals
    table.add_column("Layer", footer="Total", overflow="ellipsis", no_wrap=True)
    table.add_column("Op", no_wrap=True)
    table.add_column("Output", footer=fmt_shape(report.output_shape), no_wrap=True)
    table.add_column("Kernel", no_wrap=True)
    table.add_column("Params", justify="right", footer=f"{t.params:,}", no_wrap=True)
    table.add_column("%", justify="right", footer="100", no_wrap=True, min_width=4)
    table.add_column("MACs", justify="right", footer=human(t.macs), no_wrap=True)
    table.add_column("RF", justify="right", no_wrap=True, min_width=3)
    for row in rows(report, depth):
        name = Text("  " * (row.level - 1) + (row.name.rsplit(".", 1)[-1] if row.level > 1 else row.name))
        if row.is_block:
            name.stylize("bold")
        table.add_row(
            name,
            row.op,
            fmt_shape(row.out_shape),
            row.kernel,
            f"{row.params:,}",
            share(row.params, t.params),
            human(row.macs) if row.macs else "0",
            row.rf,
            style="bold" if row.is_block else None,
        )
    return table


def totals_lines(report: Report) -> list[str]:
    t = report.totals
    net = report.network
    lines = [
        f"Params       {t.params:,}  ({human(t.param_bytes, binary=True)} as {net.dtype})",
        f"MACs         {t.macs:,}  ({human(t.macs)})",
        f"FLOPs        {t.flops:,}  ({human(t.flops)}, 2 × MACs)",
        f"Activations  {human(t.peak_activation_bytes, binary=True)} at peak"
        + (f" (batch {net.batch})" if net.batch != 1 else ""),
    ]
    if len(report.output_shapes) > 1:
        shapes = ", ".join(
            f"{n} {fmt_shape(s)}" for n, s in zip(net.outputs, report.output_shapes)
        )
        lines.append(f"Outputs      {shapes}")
    else:
        lines.append(f"Output       {fmt_shape(report.output_shape)}")
    return lines


def params_renderable(report: Report, depth: int | None = None) -> RenderableType:
    parts: list[RenderableType] = []
    if depth != 0:
        parts.append(params_table(report, depth))
    parts.append(Text("\n".join(totals_lines(report))))
    parts.append(Text(f"Counting: {CONVENTION}.", style="dim"))
    return Group(*parts)


def to_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


CSV_FIELDS = (
    "name", "op", "inputs", "in_shape", "out_shape", "kernel_shape", "params", "macs", "flops",
    "out_bytes", "rf_size", "rf_jump",
)  # fmt: skip


def _ascii_shape(shape: Sequence[int] | None) -> str:
    return "x".join(str(v) for v in shape) if shape else ""


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for r in report.layers:
        w.writerow([
            r.name, r.op, ";".join(r.inputs), _ascii_shape(r.in_shape), _ascii_shape(r.out_shape),
            _ascii_shape(r.kernel_shape), r.params, r.macs, r.flops, r.out_bytes,
            "x".join(str(rf_number(a.size)) for a in r.rf),
            "x".join(str(rf_number(a.jump)) for a in r.rf),
        ])  # fmt: skip
    return buf.getvalue()


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(report: Report, depth: int | None = None) -> str:
    net = report.network
    lines = [
        f"### {_md_escape(net.name or 'network')} (input {fmt_shape(net.input_shape)})",
        "",
    ]
    if depth != 0:
        lines += [
            "| Layer | Op | Output | Kernel | Params | % | MACs | RF |",
            "|---|---|---|---|---:|---:|---:|---:|",
        ]
        total = report.totals.params
        for row in rows(report, depth):
            name = "&nbsp;&nbsp;" * (row.level - 1) + _md_escape(row.name)
            if row.is_block:
                name = f"**{name}**"
            lines.append(
                f"| {name} | {row.op} | {fmt_shape(row.out_shape)} | {row.kernel} | "
                f"{row.params:,} | {share(row.params, total)} | {row.macs:,} | {row.rf} |"
            )
        lines.append("")
    lines += [f"- {line.split('  ', 1)[0]}: {line.split('  ', 1)[1].strip()}"
              for line in totals_lines(report)]  # fmt: skip
    lines += ["", f"_Counting: {CONVENTION}._", ""]
    return "\n".join(lines)


# --- one layer ----------------------------------------------------------------------------------


def steps_table(title: str, steps: Sequence[Step]) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column("Quantity", no_wrap=True, style="bold")
    table.add_column("Value", justify="right", no_wrap=True)
    table.add_column("Working")
    for s in steps:
        table.add_row(s.label, s.value, s.working)
    return table
