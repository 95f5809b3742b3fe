"""Teaching commands: `explain` (the working of every layer), `lint` (design advice) and `flow`
(the shape-flow picture). Parse options, call the library, print; no arithmetic here."""

import sys
from enum import Enum
from typing import Annotated

import typer

from cnncalc.cli.common import HtmlOpt, LangOpt, SvgOpt, console, guarded, language, record, write
from cnncalc.errors import CnnCalcError, ExitStatus


class By(str, Enum):
    macs = "macs"
    params = "params"


class LintFmt(str, Enum):
    text = "text"
    json = "json"


@guarded
def explain(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="Network YAML file ('-' reads stdin).")],
    layer: Annotated[
        str | None, typer.Option("--layer", "-l", help="Explain only this layer (its name).")
    ] = None,
    lang: LangOpt = None,
    svg: SvgOpt = None,
    html: HtmlOpt = None,
) -> None:
    """Every layer's working with the network's own numbers: channels, kernels, parameters,
    output size, MACs, receptive field."""
    from rich.console import Group, RenderableType
    from rich.text import Text

    from cnncalc.analysis.explain import explain_report, overview
    from cnncalc.engine import analyze_network
    from cnncalc.layers import fmt_shape
    from cnncalc.loader import load
    from cnncalc.messages import t
    from cnncalc.render.report import steps_table

    code = language(lang)
    record(ctx, svg, html, title=f"cnncalc explain {file}")
    report = analyze_network(load(file))
    sections = explain_report(report, layer, code)
    parts: list[RenderableType] = []
    if layer is None:
        name = report.network.name or "network"
        parts.append(
            steps_table(t("explain.network", code, name=name), overview(report, code), code)
        )
    for section in sections:
        row = section.row
        ins = " + ".join(fmt_shape(s) for s in row.in_shapes)
        title = f"{row.name}  ·  {row.op}  ·  {ins} → {fmt_shape(row.out_shape)}"
        if row.node.pos is not None:
            title += f"  ·  {row.node.pos}"
        # the title on its own line: a table title would wrap at the table's width
        parts += [Text(title, style="italic"), steps_table("", section.steps, code)]
    console().print(Group(*parts))


@guarded
def lint(
    files: Annotated[list[str], typer.Argument(help="Network YAML files ('-' reads stdin).")],
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", "-i", metavar="CODE", help="Skip a rule (CNN105 or bias-before-bn)."
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when there is any warning (for CI).")
    ] = False,
    fmt: Annotated[LintFmt, typer.Option("--format", "-f", help="Output format.")] = LintFmt.text,
    lang: LangOpt = None,
) -> None:
    """Design advice: located warnings, each with why and a link to docs/lint.md. Exit 0, or 1
    with --strict when there are warnings, or 2 when a file does not load."""
    from collections import Counter

    from cnncalc.analysis.lint import finding_dict, format_finding, ignore_from_network, parse_codes
    from cnncalc.analysis.lint import lint as run_lint
    from cnncalc.engine import analyze_network
    from cnncalc.loader import load_source, read_source
    from cnncalc.messages import render_error, t
    from cnncalc.render.report import to_json

    code = language(lang)
    skip = parse_codes(ignore or [])
    found = []
    broken = False
    for path in files:
        # every file is linted even when one does not load; its error is reported like any
        # other (the same rendering as the catch site), and the exit status becomes 2
        try:
            src = read_source(path)
            net = load_source(src)
            report = analyze_network(net)
            own = ignore_from_network(net)
        except CnnCalcError as err:
            sys.stderr.write(render_error(err, code) + "\n")
            broken = True
            continue
        found += [(path, f) for f in run_lint(report, skip | own)]
    if fmt is LintFmt.json:
        data = {
            "schema": 1,
            "files": len(files),
            "findings": [finding_dict(f, code, path) for path, f in found],
        }
        write(to_json(data))
    else:
        write("".join(format_finding(f, code, path) + "\n" for path, f in found))
        counts = Counter(f.code for _, f in found)
        codes = ", ".join(f"{c} ×{n}" for c, n in sorted(counts.items()))
        summary = (
            t("lint.summary", code, count=len(found), files=len(files), codes=codes)
            if found
            else t("lint.clean", code, files=len(files))
        )
        sys.stderr.write(summary + "\n")
    if broken:
        raise typer.Exit(ExitStatus.BAD_INPUT)
    if strict and found:
        raise typer.Exit(ExitStatus.FINDINGS)


@guarded
def flow(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="Network YAML file ('-' reads stdin).")],
    by: Annotated[By, typer.Option("--by", help="Bar length: MACs or params.")] = By.macs,
    lang: LangOpt = None,
    svg: SvgOpt = None,
    html: HtmlOpt = None,
) -> None:
    """The tensor path as a tree through branches and merges, a bar per layer for its cost."""
    from cnncalc.analysis.flow import FlowPicture
    from cnncalc.engine import analyze_network
    from cnncalc.loader import load

    code = language(lang)
    record(ctx, svg, html, title=f"cnncalc flow {file}")
    report = analyze_network(load(file))
    console().print(FlowPicture(report, by.value, code))


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command()(explain)
    app.command()(lint)
    app.command()(flow)
