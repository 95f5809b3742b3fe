"""CI commands: `check` (architecture budgets), `diff` (what changed), `schema` (editor support).

Thin: networks through the pipeline of `cli.common`, then `analysis.budget`, `analysis.diff` and
`loader.schema`, printed through `render.ci` and `render.json`. Everything heavy (rich, xml,
subprocess, the loader) is imported inside the command bodies so that `cnncalc --help` stays
fast.
"""

import os
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cnncalc.cli.common import (
    Analysed,
    BatchOpt,
    Command,
    DtypeOpt,
    InputOpt,
    LangOpt,
    Run,
    examples,
    expand_paths,
    github_path,
    guarded,
    language,
    on_github,
    show,
    write,
)
from cnncalc.cli.files import append_whole, save
from cnncalc.cli.train import OptimizerOpt, TrainDtypeOpt, setup_for, split_dtype
from cnncalc.cli.yolo import ChOpt, ImgszOpt, NcOpt, ScaleOpt, scaled, yolo_options
from cnncalc.errors import CnnCalcError, ExitStatus, Source

if TYPE_CHECKING:
    from cnncalc.analysis.budget import CheckResult
    from cnncalc.engine import Report


class CheckFmt(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    junit = "junit"
    github = "github"


class DiffFmt(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


_QTY = "N"


FilesArg = Annotated[
    list[str],
    typer.Argument(
        metavar="FILE...", help="Network files, globs ('models/**/*.yaml') or directories."
    ),
]
MaxParams = Annotated[
    str | None, typer.Option("--max-params", metavar=_QTY, help="Parameters, e.g. 12M.")
]
MaxMacs = Annotated[str | None, typer.Option("--max-macs", metavar=_QTY, help="MACs, e.g. 2G.")]
MaxFlops = Annotated[
    str | None, typer.Option("--max-flops", metavar=_QTY, help="FLOPs (2 × MACs), e.g. 4G.")
]
MaxParamBytes = Annotated[
    str | None,
    typer.Option("--max-param-bytes", metavar=_QTY, help="Parameter memory, e.g. 48MiB."),
]
MaxActivations = Annotated[
    str | None,
    typer.Option("--max-activations", metavar=_QTY, help="Peak activation memory, e.g. 64MiB."),
]
MaxLayerParams = Annotated[
    str | None,
    typer.Option("--max-layer-params", metavar=_QTY, help="Parameters of the largest layer."),
]
MinRf = Annotated[
    str | None,
    typer.Option("--min-rf", metavar=_QTY, help="Smallest receptive field of the output."),
]
MaxTrainableParams = Annotated[
    str | None,
    typer.Option("--max-trainable-params", metavar=_QTY, help="Trainable parameters, e.g. 5M."),
]
MaxTrainFlops = Annotated[
    str | None,
    typer.Option(
        "--max-train-flops", metavar=_QTY, help="Training step FLOPs (forward + backward)."
    ),
]
MaxTrainMemory = Annotated[
    str | None,
    typer.Option(
        "--max-train-memory",
        metavar=_QTY,
        help="Training step memory (for --optimizer and --dtype), e.g. 24GiB.",
    ),
]
CheckFmtOpt = Annotated[
    CheckFmt | None,
    typer.Option(
        "--format",
        "-f",
        help="Report format [default: github when GITHUB_ACTIONS=true, else table].",
        show_default=False,
    ),
]
OnlyBudgeted = Annotated[
    bool,
    typer.Option(
        "--only-budgeted",
        help="Check only files with a top-level 'budget:' and skip every other file "
        "(any YAML file may be passed, as a pre-commit hook does).",
    ),
]
DiagramOpt = Annotated[
    bool,
    typer.Option(
        "--diagram",
        help="Add a Mermaid graph of each network to the Markdown report "
        "(--format markdown, and the job summary under --format github).",
    ),
]
DiagramDepthOpt = Annotated[
    int | None,
    typer.Option(
        "--diagram-depth",
        min=0,
        metavar="N",
        help="Fold the graph's blocks below this level (default 1; implies --diagram).",
    ),
]
JunitOpt = Annotated[
    Path | None,
    typer.Option("--junit-xml", metavar="FILE", help="Also write the report as JUnit XML."),
]


@guarded
def check(
    files: FilesArg,
    max_params: MaxParams = None,
    max_macs: MaxMacs = None,
    max_flops: MaxFlops = None,
    max_param_bytes: MaxParamBytes = None,
    max_activations: MaxActivations = None,
    max_layer_params: MaxLayerParams = None,
    min_rf: MinRf = None,
    max_trainable_params: MaxTrainableParams = None,
    max_train_flops: MaxTrainFlops = None,
    max_train_memory: MaxTrainMemory = None,
    input_shape: InputOpt = None,
    batch: BatchOpt = None,
    dtype: TrainDtypeOpt = None,
    optimizer: OptimizerOpt = None,
    scale: ScaleOpt = None,
    nc: NcOpt = None,
    imgsz: ImgszOpt = None,
    ch: ChOpt = None,
    fmt: CheckFmtOpt = None,
    only_budgeted: OnlyBudgeted = False,
    junit_xml: JunitOpt = None,
    diagram: DiagramOpt = False,
    diagram_depth: DiagramDepthOpt = None,
) -> None:
    """Check networks against their budgets: exit 0 when all pass, 1 when any is exceeded.

    Limits come from each file's 'budget:' section; a --max-…/--min-… option replaces the
    file's limit of the same name. Counts take k, M, G, T; bytes KiB, MiB, GiB (or kB, MB, GB).
    """
    from cnncalc.analysis import budget as B

    given = {
        "params": max_params,
        "macs": max_macs,
        "flops": max_flops,
        "param_bytes": max_param_bytes,
        "activations": max_activations,
        "layer_params": max_layer_params,
        "rf": min_rf,
        "trainable_params": max_trainable_params,
        "train_flops": max_train_flops,
        "train_memory": max_train_memory,
    }
    fmt = fmt or (CheckFmt.github if on_github() else CheckFmt.table)
    depth = _diagram_depth(diagram, diagram_depth, fmt)
    run = Run(language(None), github=fmt is CheckFmt.github, path_for=github_path())
    done: list[Analysed] = []
    results: list[B.FileResult] = []
    with run.annotating():
        yolo = yolo_options(scale, nc, imgsz, ch)
        cli_limits = B.parse_cli_limits(given)
        net_dtype, mixed = split_dtype(dtype, True)  # mixed-bf16 computes in bf16
        paths = expand_paths(files, lambda path: run.note("W0605", path=path))
        for path in paths:
            try:
                real, file_yolo = scaled(run, path, yolo)  # yolov8n.yaml: yolov8.yaml at n
                src = _read_budgeted(real, only_budgeted)
                if src is None:
                    continue
                done.append(run.analyse_source(src, batch, net_dtype, input_shape, file_yolo))
                report = done[-1].report
                wanted = _wants_train(report, cli_limits)
                setup = setup_for(report, optimizer, mixed) if wanted else None
                results.append(B.check_report(report, src.name, cli_limits, setup))
            except CnnCalcError as err:
                _junit_error(path, err, fmt, junit_xml)
                raise
        result = B.CheckResult(tuple(results))
        _unchecked_notes(result, len(paths), run, fmt)
    warnings = [d.report.warnings for d in done]
    _report(result, fmt, run, warnings, _diagrams(done, depth, run))
    if junit_xml is not None:
        from cnncalc.render.ci import check_junit

        save(junit_xml, check_junit(result, warnings), "--junit-xml")
    if not result.passed:
        raise typer.Exit(ExitStatus.FINDINGS)


def _diagram_depth(diagram: bool, depth: int | None, fmt: CheckFmt) -> int | None:
    """The depth of the Markdown report's graphs (None: no graph): `--diagram-depth` (which
    implies `--diagram`), else 1; only the Markdown formats have a place for them."""
    if not diagram and depth is None:
        return None
    option = "--diagram" if depth is None else "--diagram-depth"
    if fmt not in (CheckFmt.markdown, CheckFmt.github):
        raise CnnCalcError("E0922", option=option, fmt=fmt.value)
    if depth == 0:
        raise CnnCalcError("E0921", option=option)
    return 1 if depth is None else depth


def _diagrams(done: Sequence[Analysed], depth: int | None, run: Run) -> list[tuple[str, str]]:
    """Each network's Mermaid graph at `depth`, with its file's name (none when None)."""
    if depth is None:
        return []
    from cnncalc.cli.export import fits_mermaid
    from cnncalc.render.graph import to_mermaid

    out = []
    for d in done:
        text = to_mermaid(d.report, depth, run.lang)
        fits_mermaid(run, text, d.source.name, "--diagram-depth")
        out.append((d.source.name, text))
    return out


def _wants_train(report: "Report", cli_limits: object) -> bool:
    """Whether a training budget (counted for an optimizer and precision) applies."""
    from cnncalc.analysis.budget import TRAIN_MEASURES

    assert isinstance(cli_limits, dict)
    return any(n in TRAIN_MEASURES for n in (*report.network.budget, *cli_limits))


def _read_budgeted(path: str, only_budgeted: bool) -> Source | None:
    """The file's text; None when `--only-budgeted` skips it."""
    from cnncalc.analysis.budget import declares_budget
    from cnncalc.cli.common import read

    src = read(path)
    return None if only_budgeted and not declares_budget(src.text) else src


def _junit_error(path: str, err: CnnCalcError, fmt: CheckFmt, junit_xml: Path | None) -> None:
    """A file that does not load still leaves a JUnit report saying so."""
    if fmt is not CheckFmt.junit and junit_xml is None:
        return
    from cnncalc.render.ci import error_junit

    text = error_junit(path, err)
    if fmt is CheckFmt.junit:
        write(text)
    if junit_xml is not None:
        save(junit_xml, text, "--junit-xml")


def _unchecked_notes(result: "CheckResult", count: int, run: Run, fmt: CheckFmt) -> None:
    """Files without a budget: an error when no file has one, else a note each (the table says
    so in its own line, so the note goes only with the other formats)."""
    unchecked = [f.path for f in result.files if not f.checked]
    if result.files and len(unchecked) == len(result.files):
        if len(unchecked) == 1:
            raise CnnCalcError("E0609", path=unchecked[0])
        raise CnnCalcError("E0610")
    if fmt is not CheckFmt.table:
        for path in unchecked:
            run.note("W0601", path=path)
    if not result.files:
        if count == 1:
            run.note("W0602")
        else:
            run.note("W0603", count=count)


def _report(
    result: "CheckResult",
    fmt: CheckFmt,
    run: Run,
    warnings: Sequence[Sequence[CnnCalcError]],
    diagrams: Sequence[tuple[str, str]] = (),
) -> None:
    from cnncalc.render import ci as ci_render

    if fmt is CheckFmt.json:
        from cnncalc.render.json import check_json

        write(check_json(result, warnings))
    elif fmt is CheckFmt.markdown:
        write(ci_render.check_markdown(result, diagrams))
    elif fmt is CheckFmt.junit:
        write(ci_render.check_junit(result, warnings))
    else:
        if fmt is CheckFmt.github:
            write(ci_render.github_annotations(result, run.path_for))
            summary = os.environ.get("GITHUB_STEP_SUMMARY")
            if summary:
                try:
                    append_whole(summary, ci_render.check_markdown(result, diagrams) + "\n")
                except OSError as err:
                    run.note("W0604", path=summary, reason=err.strerror)
        show(ci_render.check_table(result))


def read_version(spec: str) -> Source:
    """A network file, or `REV:path` read from git (path relative to the current directory,
    like the other side of the diff)."""
    from cnncalc.cli.common import read

    if spec == "-" or Path(spec).exists() or ":" not in spec:
        return read(spec)
    rev, path = spec.split(":", 1)
    if rev.startswith("-") or not path:
        raise CnnCalcError("E0007", spec=spec)
    import subprocess

    if os.path.isabs(path):
        path = os.path.relpath(path)
    if not path.startswith(("./", "../")):
        path = "./" + path  # git reads `REV:./p` relative to the current directory
    try:
        proc = subprocess.run(  # noqa: S603 - an argument list, no shell; rev cannot be an option
            ["git", "show", f"{rev}:{path}"],  # noqa: S607 - git is whatever git the user runs
            capture_output=True,
            check=False,
        )
    except OSError as err:
        raise CnnCalcError("E0008", spec=spec, reason=err.strerror) from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1].removeprefix("fatal: ") if lines else f"git exited {proc.returncode}"
        raise CnnCalcError("E0009", spec=spec, reason=reason)
    from cnncalc.loader import decode_source

    return decode_source(spec, proc.stdout)


@guarded
def diff(
    old: Annotated[
        str, typer.Argument(metavar="OLD", help="The old network: a file or REV:path from git.")
    ],
    new: Annotated[str, typer.Argument(metavar="NEW", help="The new network: a file or REV:path.")],
    fmt: Annotated[DiffFmt, typer.Option("--format", "-f", help="Output format.")] = DiffFmt.table,
    input_shape: InputOpt = None,
    batch: BatchOpt = None,
    dtype: DtypeOpt = None,
    nc: NcOpt = None,
    imgsz: ImgszOpt = None,
    ch: ChOpt = None,
    lang: LangOpt = None,
) -> None:
    """What changed between two versions of a network: totals, and layers matched by name."""
    from cnncalc.analysis.diff import diff_reports
    from cnncalc.render import ci as ci_render

    code = language(lang)
    run = Run(code)
    yolo = yolo_options(None, nc, imgsz, ch)  # each side's scale from its name
    old_path, old_yolo = scaled(run, old, yolo)
    new_path, new_yolo = scaled(run, new, yolo)
    before = run.analyse_source(read_version(old_path), batch, dtype, input_shape, old_yolo).report
    after = run.analyse_source(read_version(new_path), batch, dtype, input_shape, new_yolo).report
    result = diff_reports(before, after, old, new)
    if fmt is DiffFmt.json:
        from cnncalc.render.json import diff_json

        write(diff_json(result, (*before.warnings, *after.warnings)))
    elif fmt is DiffFmt.markdown:
        write(ci_render.diff_markdown(result))
    else:
        show(ci_render.diff_table(result, code))


@guarded
def schema() -> None:
    """Print the JSON Schema of the network format, for editors (see the README)."""
    from cnncalc.loader.schema import schema_json

    write(schema_json())


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command(
        cls=Command,
        epilog=examples(
            "cnncalc check examples/resnet18.yaml",
            "cnncalc check examples --max-params 150M",
            "cnncalc check examples/resnet18.yaml --batch 8 --max-macs 16G --max-activations 64MiB",
            "cnncalc check examples/resnet50.yaml --batch 32 --dtype mixed-bf16 "
            "--max-train-memory 8GiB",
            "cnncalc check examples/resnet18.yaml --format markdown --diagram",
        ),
    )(check)
    app.command(
        cls=Command,
        epilog=examples(
            "cnncalc diff examples/vgg16.yaml examples/vgg16_bn.yaml",
            "cnncalc diff examples/resnet18.yaml examples/resnet18.yaml --input 3x320x320",
            "cnncalc diff HEAD~1:examples/resnet18.yaml examples/resnet18.yaml",
        ),
    )(diff)
    app.command(cls=Command, epilog=examples("cnncalc schema"))(schema)
