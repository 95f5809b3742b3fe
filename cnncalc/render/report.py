"""A report as plain text: the params table's rows, CSV, Markdown and the totals' lines.

No rich here (machine-readable formats must not pay for it); the Rich table that draws these rows
is `render.tables`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from cnncalc.engine import LayerReport, Report, block_inputs, rf_number, tensor_shapes
from cnncalc.messages import t as tr
from cnncalc.messages.en import CONVENTION
from cnncalc.messages.escape import csv_cell, markdown
from cnncalc.render.text import (
    ascii_shape,
    count,
    fmt_shape,
    fmt_shapes,
    human,
    rf_sizes,
    share,
    token,
)


def rf_text(row: LayerReport) -> str:
    """The local field's size, `+g` when global context also reaches the layer: `45 +g`."""
    text = rf_sizes([a.size for a in row.rf])
    return text + " +g" if any(a.glob for a in row.rf) else text


def kernel_text(row: LayerReport) -> str:
    return fmt_shape(row.kernel_shape) if row.kernel_shape else ""


@dataclass(frozen=True)
class Row:
    """A line of the params table: a layer, or a block with its subtotals."""

    name: str
    level: int
    op: str
    in_shapes: tuple[tuple[int, ...], ...]
    out_shape: tuple[int, ...]
    kernel: str
    params: int
    macs: int
    rf: str
    is_block: bool


def rows(report: Report, depth: int | None = None, file_rows: bool = True) -> list[Row]:
    """Layers and the blocks around them (dotted names), folded below `depth` (None: all).

    An Ultralytics model's rows are its YAML's (`model.0`, `model.1`, … at level 1, as
    `model.info()` lists them): the `model` around all of them is the total, not a row."""
    starts: dict[int, list[Row]] = {}
    shapes = tensor_shapes(report) if report.blocks else {}
    top = 1 if file_rows and report.network.front == "ultralytics" else 0
    for b in report.blocks:
        level = b.level - top
        if level >= 1 and (depth is None or level <= depth):
            last = report.layers[b.end - 1]
            ins = block_inputs(report, b, shapes)
            op = report.network.block_ops.get(b.name, "block")
            row = Row(
                b.name, level, op, ins, b.out_shape, "", b.params, b.macs, rf_text(last), True,
            )  # fmt: skip
            starts.setdefault(b.start, []).append(row)
    out: list[Row] = []
    for i, layer in enumerate(report.layers):
        out.extend(starts.get(i, ()))
        level = max(layer.name.count(".") + 1 - top, 1)
        if depth is None or level <= depth:
            out.append(
                Row(
                    layer.name,
                    level,
                    layer.op,
                    layer.in_shapes,
                    layer.out_shape,
                    kernel_text(layer),
                    layer.params,
                    layer.macs,
                    rf_text(layer),
                    False,
                )
            )
    return out


def totals_lines(report: Report, lang: str = "en") -> list[str]:
    t = report.totals
    net = report.network
    peak = human(t.peak_activation_bytes, binary=True)
    lines = [
        tr("totals.params", lang, n=count(t.params), size=human(t.param_bytes, binary=True),
           dtype=net.dtype),
        *([tr("totals.trainable", lang, trainable=count(t.trainable_params),
              frozen=count(t.frozen_params))] if any(r.frozen for r in report.layers) else []),
        tr("totals.macs", lang, n=count(t.macs), h=human(t.macs)),
        tr("totals.flops", lang, n=count(t.flops), h=human(t.flops)),
        tr("totals.activations_batch", lang, size=peak, batch=net.batch)
        if net.batch != 1
        else tr("totals.activations", lang, size=peak),
    ]  # fmt: skip
    if len(report.output_shapes) > 1:
        shapes = ", ".join(f"{n} {fmt_shape(s)}" for n, s in zip(net.outputs, report.output_shapes))
        lines.append(tr("totals.outputs", lang, shapes=shapes))
    else:
        lines.append(tr("totals.output", lang, shape=fmt_shape(report.output_shape)))
    if net.front == "ultralytics":
        lines += ultralytics_lines(report, lang)
    return lines


def ultralytics_lines(report: Report, lang: str = "en") -> list[str]:
    """Ultralytics' own figures of a model read from its file: `model.fuse()`'s params and
    `model.info()`'s GFLOPs before and after fusing."""
    from cnncalc.analysis.ultralytics import ULTRALYTICS_VERSION, end_to_end, figures

    f = figures(report)
    e2e = tr("totals.fused_e2e", lang) if end_to_end(report) else ""
    return [
        tr("totals.fused", lang, n=count(f.fused_params), end2end=e2e),
        tr("totals.info", lang, unfused=count(f.info_flops), fused=count(f.info_flops_fused),
           unfused_g=f"{f.info_flops / 1e9:.3f}", fused_g=f"{f.info_flops_fused / 1e9:.3f}",
           version=ULTRALYTICS_VERSION),
    ]  # fmt: skip


def counting_line(lang: str = "en") -> str:
    """`Counting: …` under the table: what the numbers count."""
    convention = CONVENTION if lang == "en" else tr("convention", lang)
    return tr("totals.counting", lang, convention=convention)


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
    "rf_global",
    "in_shapes",
    "frozen",
)


def to_csv(report: Report) -> str:
    """One row per layer with the JSON's per-layer fields: `rf` as `rf_size`, `rf_jump` and
    `rf_global` (`true`/`false`), and `in_shapes` (every input's shape, in `inputs` order, `;`
    between them) for every layer, where the JSON has it for merges only. Names are made safe
    for spreadsheets (`csv_cell`), numbers exact (in scientific form past 10^308)."""
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for r in report.layers:
        w.writerow(
            [
                csv_cell(r.name),
                csv_cell(r.op),
                csv_cell(";".join(r.inputs)),
                ascii_shape(r.in_shape),
                ascii_shape(r.out_shape),
                ascii_shape(r.kernel_shape),
                r.params,
                r.macs,
                r.flops,
                r.out_bytes,
                "x".join(token(rf_number(a.size)) for a in r.rf),
                "x".join(token(rf_number(a.jump)) for a in r.rf),
                "true" if any(a.glob for a in r.rf) else "false",
                ";".join(ascii_shape(s) for s in r.in_shapes),
                "true" if r.frozen else "false",
            ]
        )
    return buf.getvalue()


def to_markdown(report: Report, depth: int | None = None, in_shape: bool = False) -> str:
    """The params table in Markdown; `in_shape` adds the Input column."""
    net = report.network
    lines = [
        f"### {markdown(net.name or 'network')} (input {fmt_shape(net.input_shape)})",
        "",
    ]
    if depth != 0:
        head = ["Layer", "Op", *(["Input"] if in_shape else []), "Output", "Kernel"]
        lines += [
            "| " + " | ".join([*head, "Params", "%", "MACs", "RF"]) + " |",
            "|---" * len(head) + "|---:" * 4 + "|",
        ]
        total = report.totals.params
        for row in rows(report, depth):
            name = "&nbsp;&nbsp;" * (row.level - 1) + markdown(row.name)
            if row.is_block:
                name = f"**{name}**"
            ins = f"{fmt_shapes(row.in_shapes)} | " if in_shape else ""
            lines.append(
                f"| {name} | {row.op} | {ins}{fmt_shape(row.out_shape)} | {row.kernel} | "
                f"{count(row.params)} | {share(row.params, total)} | {count(row.macs)} | "
                f"{row.rf} |"
            )
        lines.append("")
    lines += [
        f"- {line.split('  ', 1)[0]}: {line.split('  ', 1)[1].strip()}"
        for line in totals_lines(report)
    ]
    lines += ["", f"_Counting: {CONVENTION}._", ""]
    return "\n".join(lines)
