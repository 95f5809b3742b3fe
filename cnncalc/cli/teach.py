"""Teaching commands: `explain` (the working of every layer), `lint` (design advice) and `flow`
(the shape-flow picture). Parse options, run the pipeline of `cli.common`, print; no arithmetic
here."""

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from cnncalc.cli.common import (
    BatchOpt,
    Command,
    DtypeOpt,
    FileArg,
    HtmlOpt,
    InputOpt,
    LangOpt,
    Run,
    SvgOpt,
    examples,
    expand_paths,
    guarded,
    language,
    record,
    show,
    write,
)
from cnncalc.cli.train import OptimizerOpt, TrainDtypeOpt, TrainOpt
from cnncalc.cli.yolo import ChOpt, ImgszOpt, NcOpt, ScaleOpt, yolo_options
from cnncalc.errors import CnnCalcError, ExitStatus

if TYPE_CHECKING:
    from cnncalc.analysis.lint import Finding


class By(str, Enum):
    macs = "macs"
    params = "params"


class LintFmt(str, Enum):
    text = "text"
    json = "json"


@guarded
def explain(
    ctx: typer.Context,
    file: FileArg,
    layer: Annotated[
        str | None,
        typer.Option(
            "--layer", "-l", metavar="NAME", help="Explain only this layer or block (its name)."
        ),
    ] = None,
    input_shape: InputOpt = None,
    batch: BatchOpt = None,
    dtype: TrainDtypeOpt = None,
    train: TrainOpt = False,
    optimizer: OptimizerOpt = None,
    scale: ScaleOpt = None,
    nc: NcOpt = None,
    imgsz: ImgszOpt = None,
    ch: ChOpt = None,
    lang: LangOpt = None,
    svg: SvgOpt = None,
    html: HtmlOpt = None,
) -> None:
    """Every layer's working with the network's own numbers: channels, kernels, parameters,
    output size, MACs, receptive field (with --train: the backward pass and its memory)."""
    from cnncalc.analysis.explain import explain_report
    from cnncalc.cli.train import no_optimizer_without_train, split_dtype, trained
    from cnncalc.render.tables import explanation

    code = language(lang)
    no_optimizer_without_train(optimizer, train)
    record(ctx, svg, html, title=f"cnncalc explain {file}")
    net_dtype, mixed = split_dtype(dtype, train)
    report = (
        Run(code)
        .analyse(file, batch, net_dtype, input_shape, yolo_options(scale, nc, imgsz, ch))
        .report
    )
    sections = explain_report(report, layer, code)
    if not train:
        show(explanation(report, sections, overview=layer is None, lang=code))
        return
    import dataclasses

    from cnncalc.analysis.explain import Section
    from cnncalc.analysis.explain_train import all_layer_steps
    from cnncalc.render.train import training_renderable

    done = trained(report, optimizer, mixed)
    extra = all_layer_steps(report, done.training, code)
    sections = [
        dataclasses.replace(s, steps=(*s.steps, *extra[s.row.name]))
        if isinstance(s, Section)
        else s
        for s in sections
    ]
    show(explanation(report, sections, overview=layer is None, lang=code))
    if layer is None:
        show(training_renderable(report, done.training, done.memory, code, teach=True))


@guarded
def lint(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILE...",
            help="Network files, globs or directories ('-' reads stdin).",
            show_default=False,
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", "-i", metavar="CODE", help="Skip a rule (CNN105 or bias-before-bn)."
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Exit 1 when a rule fires (for CI); notes on loading do not count."
        ),
    ] = False,
    fmt: Annotated[LintFmt, typer.Option("--format", "-f", help="Output format.")] = LintFmt.text,
    explain_rule: Annotated[
        str | None,
        typer.Option(
            "--explain",
            metavar="RULE",
            help="Print what a rule checks, why, and how to fix it (CNN102 or heavy-layer).",
        ),
    ] = None,
    input_shape: InputOpt = None,
    batch: BatchOpt = None,
    dtype: DtypeOpt = None,
    scale: ScaleOpt = None,
    nc: NcOpt = None,
    imgsz: ImgszOpt = None,
    ch: ChOpt = None,
    lang: LangOpt = None,
) -> None:
    """Design advice: located warnings, each with why and the command that explains the rule.
    Exit 0, or 1 with --strict when there are warnings, or 2 when a file does not load."""
    from cnncalc.analysis.lint import ignore_from_network, parse_codes, rule_code, rule_text
    from cnncalc.analysis.lint import lint as run_lint

    code = language(lang)
    if explain_rule is not None:
        write(rule_text(rule_code(explain_rule), code))
        return
    if not files:
        raise CnnCalcError("E0704")
    run = Run(code)
    yolo = yolo_options(scale, nc, imgsz, ch)
    skip = parse_codes(ignore or [])
    paths = expand_paths(files, lambda path: run.note("W0605", path=path))
    found: list[tuple[str, Finding]] = []
    warnings: list[CnnCalcError] = []
    errors: list[CnnCalcError] = []
    for path in paths:
        # every file is linted even when one does not load; its error is reported like any
        # other (the same rendering as the catch site), and the exit status becomes 2
        try:
            done = run.analyse(path, batch, dtype, input_shape, yolo)
            own = ignore_from_network(done.report.network)
        except CnnCalcError as err:
            run.error(err)
            errors.append(err)
            continue
        warnings += done.report.warnings
        found += [(path, f) for f in run_lint(done.report, skip | own)]
    _print_findings(found, fmt, len(paths), code, warnings, errors)
    if errors:
        raise typer.Exit(ExitStatus.BAD_INPUT)
    if strict and found:
        raise typer.Exit(ExitStatus.FINDINGS)


def _print_findings(
    found: "list[tuple[str, Finding]]",
    fmt: LintFmt,
    files: int,
    code: str,
    warnings: list[CnnCalcError],
    errors: list[CnnCalcError],
) -> None:
    """The findings as JSON, or as located text with the summary on stderr."""
    from collections import Counter

    from cnncalc.analysis.lint import format_finding
    from cnncalc.messages import t

    if fmt is LintFmt.json:
        from cnncalc.render.json import lint_json

        write(lint_json(found, files, code, warnings, errors))
        return
    write("".join(format_finding(f, code, path) + "\n" for path, f in found))
    counts = Counter(f.code for _, f in found)
    codes = ", ".join(f"{c} ×{n}" for c, n in sorted(counts.items()))
    checked = files - len(errors)  # a file that does not load was not checked
    summary = (
        t("lint.summary", code, count=len(found), files=checked, codes=codes)
        if found
        else t("lint.clean", code, files=checked)
    )
    sys.stderr.write(summary + "\n")


@guarded
def flow(
    ctx: typer.Context,
    file: FileArg,
    by: Annotated[By, typer.Option("--by", help="Bar length: MACs or params.")] = By.macs,
    input_shape: InputOpt = None,
    batch: BatchOpt = None,
    dtype: DtypeOpt = None,
    scale: ScaleOpt = None,
    nc: NcOpt = None,
    imgsz: ImgszOpt = None,
    ch: ChOpt = None,
    lang: LangOpt = None,
    svg: SvgOpt = None,
    html: HtmlOpt = None,
) -> None:
    """The tensor path as a tree through branches and merges, a bar per layer for its cost."""
    from cnncalc.render.flow import FlowPicture

    code = language(lang)
    record(ctx, svg, html, title=f"cnncalc flow {file}")
    report = (
        Run(code)
        .analyse(file, batch, dtype, input_shape, yolo_options(scale, nc, imgsz, ch))
        .report
    )
    show(FlowPicture(report, by.value, code))


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command(
        cls=Command,
        epilog=examples(
            "cnncalc explain examples/stack.yaml",
            "cnncalc explain examples/resnet18.yaml -l layer1",
            "cnncalc explain examples/resnet18.yaml -l conv1 --lang zh",
            "cnncalc explain examples/stack.yaml --train --optimizer adam",
        ),
    )(explain)
    app.command(
        cls=Command,
        epilog=examples(
            "cnncalc lint examples/vgg16.yaml",
            "cnncalc lint --explain CNN102",
            "cnncalc lint examples --ignore CNN105",
            "cnncalc lint 'examples/*.yaml' --format json",
        ),
    )(lint)
    app.command(
        cls=Command,
        epilog=examples(
            "cnncalc flow examples/googlenet.yaml",
            "cnncalc flow examples/unet.yaml --by params",
        ),
    )(flow)
