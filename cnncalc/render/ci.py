"""Rendering for CI: `check` and `diff` results in, text out (Rich table, JSON, Markdown, JUnit XML,
GitHub workflow commands). Pure functions; the verdicts come from `check` and `diff`."""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from cnncalc.analysis.budget import BudgetResult, CheckResult, Used
from cnncalc.analysis.diff import Delta, LayerChange, LayerSide, NetworkDiff
from cnncalc.errors import CnnCalcError
from cnncalc.messages import has, t
from cnncalc.messages.escape import (
    markdown,
    markdown_code,
    visible,
    workflow_data,
    workflow_property,
    xml_attr,
    xml_text,
)
from cnncalc.quantities import format_quantity, si_bytes
from cnncalc.render.columns import Col
from cnncalc.render.text import count, fmt_shape, percent, rf

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

    from rich.console import RenderableType

PASS, FAIL = "pass", "FAIL"
MD_PASS, MD_FAIL = "✅ pass", "❌ **FAIL**"


# --- numbers ------------------------------------------------------------------------------------


def exact(value: Used) -> str:
    """`11,689,512`; a fractional receptive field as a decimal; scientific past 10^21."""
    v = Fraction(value)
    return count(v.numerator) if v.denominator == 1 else rf(v)


#: counts below this read best as plain digits (a receptive field of 2,263, not 2.263k)
PLAIN_BELOW = 10_000


def amounts(b: BudgetResult) -> tuple[str, str]:
    """Used and limit as format.md writes them (`11.69M`, `64MiB`); as plain digits when both are
    small counts, or when the short forms would hide the difference (12,000,001 against 12M)."""
    if b.unit == "count" and max(b.used, b.limit) < PLAIN_BELOW:
        return exact(b.used), exact(b.limit)
    si = b.unit == "bytes" and si_bytes(b.limit)  # `24kB` stays in kB, `64MiB` in MiB
    used, limit = format_quantity(b.used, b.unit, si=si), format_quantity(b.limit, b.unit, si=si)
    if used == limit and b.used != b.limit:
        return exact(b.used), exact(b.limit)
    return used, limit


def verdict(b: BudgetResult) -> str:
    """One sentence on a budget, for annotations and JUnit: what was used against what limit."""
    used, limit = amounts(b)
    if used != exact(b.used):
        used += f" ({exact(b.used)})"
    if b.is_minimum:
        state = "meets its minimum" if b.passed else "below its minimum"
        text = f"{b.name} {state}: {b.what} {used}, minimum {limit}"
    else:
        state = "within budget" if b.passed else "over budget"
        text = f"{b.name} {state}: {b.what} {used}, limit {limit}"
    if not b.passed and b.headroom is not None:
        text += f", {percent(-b.headroom)} {'short' if b.is_minimum else 'over'}"
    return text + (f" (limit from {b.origin})" if b.pos is None else "")


def _summary(result: CheckResult) -> str:
    files = len(result.files)
    total = len(result.budgets)
    failed = len(result.failures)
    of = f"{total} budget{'s' * (total != 1)} in {files} file{'s' * (files != 1)}"
    if failed:
        return f"{failed} of {of} exceeded"
    if total:
        return f"all {of} within limits"
    return (
        "no file declares a budget"
        if not files
        else f"no budget in {files} file{'s' * (files != 1)}"
    )


# --- check: table -------------------------------------------------------------------------------


#: the check table's columns; on a narrow terminal `CHECK_DROP` goes first, in its order
CHECK_COLUMNS = (
    Col("budget", "Budget", fit="fold"),
    Col("used", "Used", "right"),
    Col("limit", "Limit", "right"),
    Col("headroom", "Headroom", "right"),
    Col("result", "Result"),
    Col("limit_from", "Limit from", fit="fold"),
)
CHECK_DROP = ("limit_from", "headroom")


def check_table(result: CheckResult) -> RenderableType:
    """One table per file: budget, used, limit, headroom, result, and where the limit is set."""
    from rich.console import Group
    from rich.text import Text

    from cnncalc.render.page import Fitted

    parts: list[RenderableType] = []
    for f in result.files:
        title = visible(f.path + (f" ({f.name})" if f.name else ""))
        if not f.checked:
            parts.append(Text(f"{title}: no budget declared, nothing to check", style="dim"))
            continue
        rows = []
        for b in f.budgets:
            used, limit = amounts(b)
            rows.append(
                (
                    b.name,
                    used,
                    ("≥ " if b.is_minimum else "") + limit,
                    percent(b.headroom),
                    Text(PASS, style="green") if b.passed else Text(FAIL, style="bold red"),
                    b.origin,
                )
            )
        parts.append(Fitted(CHECK_COLUMNS, tuple(rows), CHECK_DROP, title))
    style = "bold red" if not result.passed else "green"
    parts.append(Text(_summary(result), style=style))
    return Group(*parts)


# --- check: Markdown ----------------------------------------------------------------------


def check_markdown(result: CheckResult, diagrams: Sequence[tuple[str, str]] = ()) -> str:
    """A pull-request comment or job summary: a verdict line and one table for all files, then
    each of `diagrams` (a file's name and its Mermaid graph) as a `mermaid` block."""
    icon = "✅" if result.passed else "❌"
    lines = [f"### {icon} cnncalc check: {_summary(result)}", ""]
    rows = [f for f in result.files if f.checked]
    if rows:
        lines += [
            "| File | Budget | Used | Limit | Headroom | Result |",
            "|---|---|---:|---:|---:|---|",
        ]
        for f in rows:
            for b in f.budgets:
                used, limit = amounts(b)
                lines.append(
                    f"| {markdown_code(f.path)} | {b.name} | {used} | "
                    f"{'≥ ' if b.is_minimum else ''}{limit} | {percent(b.headroom)} | "
                    f"{MD_PASS if b.passed else MD_FAIL} |"
                )
        lines.append("")
    unchecked = [f for f in result.files if not f.checked]
    if unchecked:
        names = ", ".join(markdown_code(f.path, cell=False) for f in unchecked)
        lines += [f"No budget declared in {names}.", ""]
    for path, graph in diagrams:
        # the graph's labels escape backticks (`escape.mermaid_text`): no line closes the fence
        lines += [
            f"#### Graph of {markdown_code(path, cell=False)}",
            "",
            "```mermaid",
            graph.rstrip("\n"),
            "```",
            "",
        ]
    return "\n".join(lines)


# --- check: JUnit XML ---------------------------------------------------------------------------


def _xml(root: ET.Element) -> str:
    """The document, every attribute and text made safe for XML 1.0 first (the serializer
    escapes `<&"` but writes control characters as they are, which no XML reader accepts)."""
    import xml.etree.ElementTree as ET

    for el in root.iter():
        el.attrib = {k: xml_attr(v) for k, v in el.attrib.items()}
        if el.text:
            el.text = xml_text(el.text)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def check_junit(result: CheckResult, warnings: Sequence[Sequence[CnnCalcError]] = ()) -> str:
    """JUnit XML as GitLab and Jenkins read it: a suite per file, a test case per budget (a file
    without a budget is one skipped case); `warnings[i]` go to file i's `system-err`."""
    import xml.etree.ElementTree as ET

    failures = len(result.failures)
    skipped = sum(1 for f in result.files if not f.checked)
    root = ET.Element(
        "testsuites",
        name="cnncalc check",
        tests=str(len(result.budgets) + skipped),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    for i, f in enumerate(result.files):
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f.path,
            tests=str(max(1, len(f.budgets))),
            failures=str(len(f.failures)),
            errors="0",
            skipped=str(int(not f.checked)),
        )
        if i < len(warnings) and warnings[i]:
            ET.SubElement(suite, "system-err").text = "\n".join(w.render() for w in warnings[i])
        if not f.checked:
            case = ET.SubElement(suite, "testcase", classname=f.path, name="budget", file=f.path)
            ET.SubElement(case, "skipped", message="no budget declared")
            continue
        for b in f.budgets:
            line = str(b.pos.line) if b.pos is not None else "1"
            case = ET.SubElement(
                suite, "testcase", classname=f.path, name=b.name, file=f.path, line=line
            )
            if not b.passed:
                failure = ET.SubElement(case, "failure", message=verdict(b), type="budget")
                failure.text = f"{f.path}:{line}: {verdict(b)}"
            else:
                ET.SubElement(case, "system-out").text = verdict(b)
    return _xml(root)


def error_junit(path: str, err: CnnCalcError) -> str:
    """A file that does not load, as one erroring test case typed by the error's code."""
    import xml.etree.ElementTree as ET

    counts = {"tests": "1", "failures": "0", "errors": "1", "skipped": "0"}
    root = ET.Element("testsuites", {"name": "cnncalc check", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": path, **counts})
    case = ET.SubElement(suite, "testcase", classname=path, name="load", file=path)
    code = err.code
    error = ET.SubElement(case, "error", message=err.text("en"), type=code)
    error.text = err.render()
    return _xml(root)


# --- check: GitHub workflow commands ------------------------------------------------------------


def annotation_path(path: str, cwd: str, workspace: str | None) -> str:
    """The path GitHub resolves against the repository root: relative to `workspace` when the
    file is inside it, as given otherwise, with forward slashes."""
    full = posixpath.normpath(posixpath.join(cwd.replace("\\", "/"), path.replace("\\", "/")))
    if workspace:
        root = posixpath.normpath(workspace.replace("\\", "/"))
        if full == root or full.startswith(root.rstrip("/") + "/"):
            return posixpath.relpath(full, root)
    return path.replace("\\", "/")


def annotation(
    level: str, path: str, line: int, col: int, message: str, title: str | None = None
) -> str:
    """`::error file=…,line=…,col=…::message`, escaped as the Actions toolkit escapes."""
    props = f"file={workflow_property(path)},line={line},col={col}"
    if title:
        props += f",title={workflow_property(title)}"
    return f"::{level} {props}::{workflow_data(message)}\n"


def github_annotations(result: CheckResult, path_for: Callable[[str], str] = str) -> str:
    """One `::error` per exceeded budget, on the budget's line in the YAML (line 1 for limits
    given on the command line)."""
    out = []
    for f in result.files:
        for b in f.failures:
            line, col = (b.pos.line, b.pos.col) if b.pos is not None else (1, 1)
            title = f"{b.name} {'below its minimum' if b.is_minimum else 'over budget'}"
            out.append(annotation("error", path_for(f.path), line, col, verdict(b), title))
    return "".join(out)


def diagnostic_annotation(err: CnnCalcError, path_for: Callable[[str], str] = str) -> str:
    """A bad input (`::error`) or a warning (`::warning`) as an annotation, at its position when
    it has one, titled with its code."""
    level = "warning" if err.severity == "warning" else "error"
    name = f"cnncalc {err.code}"
    if err.pos is None or err.pos.line < 1:
        return f"::{level} title={workflow_property(name)}::{workflow_data(err.message)}\n"
    what = "warning" if level == "warning" else "invalid network"
    return annotation(
        level,
        path_for(err.pos.source.name),
        err.pos.line,
        err.pos.col,
        err.message + (f" (hint: {err.hint})" if err.hint else ""),
        f"{name}: {what}",
    )


# --- diff ---------------------------------------------------------------------------------------

#: the totals of `diff.TOTALS` that are bytes (each total's label is `diff.total.<name>`)
BYTE_TOTALS = frozenset({"param_bytes", "peak_activation_bytes"})


def _total_row(name: str, d: Delta, lang: str = "en") -> tuple[str, str, str, str, str]:
    label = t(f"diff.total.{name}", lang) if has(f"diff.total.{name}") else name
    unit = " B" if name in BYTE_TOTALS else ""
    delta = f"{d.delta:+,}{unit}" if d.delta else f"0{unit}"
    pct = t("diff.pct_new", lang) if d.ratio is None else percent(d.ratio, signed=True)
    return label, f"{d.old:,}{unit}", f"{d.new:,}{unit}", delta, pct


def _arrow(old: str, new: str) -> str:
    return old if old == new else f"{old} → {new}"


def _number_change(d: Delta, change: str) -> str:
    if change == "added":
        return f"{d.new:,}"
    if change == "removed":
        return f"{d.old:,}"
    return f"{d.old:,}" if not d.delta else f"{d.old:,} → {d.new:,} ({d.delta:+,})"


def _shape_text(shape: Sequence[int] | None) -> str:
    return "-" if shape is None else fmt_shape(shape)


_SHOWN = ("op", "out_shape", "params", "macs")


def _details(c: LayerChange) -> str:
    """The changed fields that have no column of their own."""
    if c.old is None or c.new is None:
        return ""
    parts = []
    for field in c.fields:
        if field in _SHOWN:
            continue
        a, b = getattr(c.old, field), getattr(c.new, field)
        if field == "inputs":
            parts.append(f"from {', '.join(a)} → {', '.join(b)}")
        elif field == "frozen":
            parts.append("frozen" if b else "trainable")
        else:
            label = {"in_shape": "in", "kernel_shape": "kernel"}.get(field, field)
            parts.append(f"{label} {_shape_text(a)} → {_shape_text(b)}")
    return "; ".join(parts)


def layer_cells(c: LayerChange, lang: str = "en") -> tuple[str, str, str, str, str, str, str]:
    """name, change, op, output shape, params, MACs, other changes: as the table shows them
    (the change in `lang`)."""
    old: LayerSide | None = c.old
    new: LayerSide | None = c.new
    op = _arrow(old.op, new.op) if old and new else c.op
    shapes = [_shape_text(s.out_shape) for s in (old, new) if s is not None]
    shape = _arrow(shapes[0], shapes[-1])
    return (
        c.name,
        t(f"diff.change.{c.change}", lang),
        op,
        shape,
        _number_change(c.params, c.change),
        _number_change(c.macs, c.change),
        _details(c),
    )


def _layer_summary(d: NetworkDiff, lang: str = "en") -> str:
    return t(
        "diff.layers",
        lang,
        added=d.count("added"),
        removed=d.count("removed"),
        changed=d.count("changed"),
        unchanged=d.unchanged,
    )


def _title(d: NetworkDiff) -> str:
    return visible(f"{d.old.path or 'old'} → {d.new.path or 'new'}")


def _run_notes(d: NetworkDiff) -> list[str]:
    notes = []
    for what, a, b in (
        ("input", fmt_shape(d.old.input), fmt_shape(d.new.input)),
        ("output", fmt_shape(d.old.output_shape), fmt_shape(d.new.output_shape)),
        ("batch", str(d.old.batch), str(d.new.batch)),
        ("dtype", d.old.dtype, d.new.dtype),
    ):
        if a != b:
            notes.append(f"{what} {a} → {b}")
    return notes


#: the diff's totals and layers tables; on a narrow terminal the `_DROP` columns go, in order
DIFF_TOTALS = (
    Col("name", "", fit="fold"),
    Col("old", "Old", "right"),
    Col("new", "New", "right"),
    Col("delta", "Δ", "right"),
    Col("pct", "Δ%", "right"),
)
DIFF_TOTALS_DROP = ("delta", "pct")
DIFF_LAYERS = (
    Col("layer", "Layer", fit="fold"),
    Col("change", "Change"),
    Col("op", "Op", fit="words"),
    Col("output", "Output", fit="words"),
    Col("params", "Params", fit="words"),
    Col("macs", "MACs", fit="words"),
    Col("also", "Also", fit="fold"),
)
DIFF_LAYERS_DROP = ("also", "op", "output", "macs")


def _translated(cols: tuple[Col, ...], lang: str) -> tuple[Col, ...]:
    """The columns with their headers in `lang` (`diff.col.<key>`, English when absent)."""
    if lang == "en":
        return cols
    return tuple(
        dataclasses.replace(c, header=t(f"diff.col.{c.key}", lang))
        if has(f"diff.col.{c.key}")
        else c
        for c in cols
    )


def diff_table(d: NetworkDiff, lang: str = "en") -> RenderableType:
    """The terminal's diff: totals with deltas, the layers that differ, the count of each."""
    from rich.console import Group
    from rich.text import Text

    from cnncalc.render.page import Fitted, SimpleTable

    parts: list[RenderableType] = [Text(_title(d), style="bold")]
    notes = _run_notes(d)
    if notes:
        parts.append(Text("; ".join(notes)))
    totals = tuple(_total_row(name, d.totals[name], lang) for name in d.shown_totals)
    parts.append(Fitted(_translated(DIFF_TOTALS, lang), totals, DIFF_TOTALS_DROP))
    if d.layers:
        layers = tuple(layer_cells(c, lang) for c in d.layers)
        cols = _translated(DIFF_LAYERS, lang)
        headers = tuple(c.header for c in cols)
        parts.append(SimpleTable(headers, layers, Fitted(cols, layers, DIFF_LAYERS_DROP)))
    summary = t("diff.layers_line", lang, counts=_layer_summary(d, lang))
    parts.append(Text(t("diff.none", lang) if d.identical else summary))
    return Group(*parts)


#: past this many changed layers the Markdown table folds into a <details> element
FOLD_AFTER = 20


def diff_markdown(d: NetworkDiff) -> str:
    """A pull-request comment: totals with deltas, then the layers that differ."""
    old = markdown_code(d.old.path or "old", cell=False)
    new = markdown_code(d.new.path or "new", cell=False)
    lines = [f"### cnncalc diff: {old} → {new}"]
    lines.append("")
    notes = _run_notes(d)
    if notes:
        lines += [markdown("; ".join(notes)), ""]
    lines += ["| | Old | New | Δ | Δ% |", "|---|---:|---:|---:|---:|"]
    for name in d.shown_totals:
        lines.append("| " + " | ".join(_total_row(name, d.totals[name])) + " |")
    lines.append("")
    if d.identical:
        lines += ["No differences.", ""]
        return "\n".join(lines)
    lines += [f"**Layers:** {_layer_summary(d)}", ""]
    if not d.layers:
        return "\n".join(lines)
    table = [
        "| Layer | Change | Op | Output | Params | MACs | Also |",
        "|---|---|---|---|---:|---:|---|",
    ]
    for c in d.layers:
        name, change, op, shape, params, macs, also = layer_cells(c)
        table.append(
            f"| {markdown_code(name)} | {change} | {markdown(op)} | {shape} | {params} | {macs} | "
            f"{markdown(also)} |"
        )
    if len(d.layers) > FOLD_AFTER:
        lines += [f"<details><summary>{len(d.layers)} layers differ</summary>", "", *table, ""]
        lines += ["</details>", ""]
    else:
        lines += [*table, ""]
    return "\n".join(lines)
