"""CI commands: `check` (architecture budgets), `diff` (what changed), `schema` (editor support).

Thin: read files, call `analysis.check`, `analysis.diff` and `render.schema`, print through
`render.ci`. Everything heavy (rich, xml, subprocess, the loader) is imported inside the
command bodies so that `cnncalc --help` stays fast.
"""

import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cnncalc.cli.common import console, guarded, write
from cnncalc.engine import DTYPE_BYTES
from cnncalc.errors import CnnCalcError, ExitStatus, Source

if TYPE_CHECKING:
    from cnncalc.analysis.check import CheckResult


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


YAML_SUFFIXES = (".yaml", ".yml")
_GLOB_CHARS = frozenset("*?[")


def expand_paths(patterns: list[str]) -> list[str]:
    """Files as given, globs (`models/**/*.yaml`, for shells that do not expand them) and
    directories (their YAML files, hidden directories skipped), each file once, in order."""
    import glob

    out: list[str] = []
    for pattern in patterns:
        path = Path(pattern)
        if pattern == "-" or path.is_file() or not (path.is_dir() or _GLOB_CHARS & set(pattern)):
            out.append(pattern)  # a missing file is reported when it is read
        elif path.is_dir():
            found = sorted(
                str(p)
                for p in path.rglob("*")
                if p.suffix in YAML_SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise CnnCalcError(f"{pattern}: no .yaml or .yml file in this directory")
            out.extend(found)
        else:
            matches = sorted(glob.glob(pattern, recursive=True))
            if not matches:
                raise CnnCalcError(
                    f"no file matches '{pattern}'", hint="'**' matches any number of directories"
                )
            out.extend(matches)
    return list(dict.fromkeys(out))


def _path_for() -> Callable[[str], str]:
    from cnncalc.render.ci import annotation_path

    cwd, workspace = os.getcwd(), os.environ.get("GITHUB_WORKSPACE")
    return lambda path: annotation_path(path, cwd, workspace)


def _on_github() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _note(text: str) -> None:
    sys.stderr.write(f"note: {text}\n")


_QTY = "N"


@guarded
def check(
    files: Annotated[
        list[str],
        typer.Argument(help="Network files, globs ('models/**/*.yaml') or directories."),
    ],
    max_params: Annotated[
        str | None, typer.Option("--max-params", metavar=_QTY, help="Parameters, e.g. 12M.")
    ] = None,
    max_macs: Annotated[
        str | None, typer.Option("--max-macs", metavar=_QTY, help="MACs, e.g. 2G.")
    ] = None,
    max_flops: Annotated[
        str | None, typer.Option("--max-flops", metavar=_QTY, help="FLOPs (2 × MACs), e.g. 4G.")
    ] = None,
    max_param_bytes: Annotated[
        str | None,
        typer.Option("--max-param-bytes", metavar=_QTY, help="Parameter memory, e.g. 48MiB."),
    ] = None,
    max_activations: Annotated[
        str | None,
        typer.Option("--max-activations", metavar=_QTY, help="Peak activation memory, e.g. 64MiB."),
    ] = None,
    max_layer_params: Annotated[
        str | None,
        typer.Option("--max-layer-params", metavar=_QTY, help="Parameters of the largest layer."),
    ] = None,
    min_rf: Annotated[
        str | None,
        typer.Option("--min-rf", metavar=_QTY, help="Smallest receptive field of the output."),
    ] = None,
    batch: Annotated[
        int | None,
        typer.Option("--batch", min=1, metavar="N", help="Batch size instead of the file's."),
    ] = None,
    dtype: Annotated[
        str | None,
        typer.Option(
            "--dtype",
            metavar="DTYPE",
            help=f"Element type instead of the file's: {', '.join(DTYPE_BYTES)}.",
        ),
    ] = None,
    fmt: Annotated[
        CheckFmt | None,
        typer.Option(
            "--format",
            "-f",
            help="Report format [default: github when GITHUB_ACTIONS=true, else table].",
            show_default=False,
        ),
    ] = None,
    only_budgeted: Annotated[
        bool,
        typer.Option(
            "--only-budgeted",
            help="Check only files with a top-level 'budget:' and skip every other file "
            "(any YAML file may be passed, as a pre-commit hook does).",
        ),
    ] = False,
    junit_xml: Annotated[
        Path | None,
        typer.Option("--junit-xml", metavar="FILE", help="Also write the report as JUnit XML."),
    ] = None,
) -> None:
    """Check networks against their budgets: exit 0 when all pass, 1 when any is exceeded.

    Limits come from each file's 'budget:' section; a --max-…/--min-… option replaces the
    file's limit of the same name. Counts take k, M, G, T; bytes KiB, MiB, GiB (or kB, MB, GB).
    """
    from cnncalc.analysis.check import CheckResult, check_network, declares_budget, parse_cli_limits
    from cnncalc.loader import load_source, read_source
    from cnncalc.render import ci as ci_render

    given = {
        "params": max_params,
        "macs": max_macs,
        "flops": max_flops,
        "param_bytes": max_param_bytes,
        "activations": max_activations,
        "layer_params": max_layer_params,
        "rf": min_rf,
    }
    cli_limits = parse_cli_limits(given)
    fmt = fmt or (CheckFmt.github if _on_github() else CheckFmt.table)
    path_for = _path_for()
    paths = expand_paths(files)
    results = []
    for path in paths:
        try:
            src: Source = read_source(path)
            if only_budgeted and not declares_budget(src.text):
                continue
            results.append(check_network(load_source(src), src.name, cli_limits, batch, dtype))
        except CnnCalcError as err:
            if fmt is CheckFmt.github:
                write(ci_render.error_annotation(err, path_for))
            raise
    result = CheckResult(tuple(results))
    unchecked = [f.path for f in result.files if not f.checked]
    if result.files and len(unchecked) == len(result.files):
        what = f"{unchecked[0]} declares no" if len(unchecked) == 1 else "none of the files has a"
        raise CnnCalcError(
            f"nothing to check: {what} budget, and no limit option was given",
            hint="add a section such as 'budget: {params: 12M, macs: 2G}' to the file, or pass "
            "--max-params 12M; --only-budgeted skips files without a budget",
        )
    for path in unchecked:
        _note(f"{path} declares no budget; not checked")
    if not result.files:
        _note(
            ("the file declares no" if len(paths) == 1 else f"none of the {len(paths)} files has a")
            + " budget; nothing to check"
        )
    _report(result, fmt, path_for)
    if junit_xml is not None:
        try:
            junit_xml.write_text(ci_render.check_junit(result), encoding="utf-8")
        except OSError as err:
            raise CnnCalcError(f"--junit-xml: cannot write {junit_xml}: {err.strerror}") from None
    if not result.passed:
        raise typer.Exit(ExitStatus.FINDINGS)


def _report(result: "CheckResult", fmt: CheckFmt, path_for: Callable[[str], str]) -> None:
    from cnncalc.render import ci as ci_render

    if fmt is CheckFmt.json:
        write(ci_render.check_json(result))
    elif fmt is CheckFmt.markdown:
        write(ci_render.check_markdown(result))
    elif fmt is CheckFmt.junit:
        write(ci_render.check_junit(result))
    else:
        if fmt is CheckFmt.github:
            write(ci_render.github_annotations(result, path_for))
            summary = os.environ.get("GITHUB_STEP_SUMMARY")
            if summary:
                try:
                    with open(summary, "a", encoding="utf-8") as fh:
                        fh.write(ci_render.check_markdown(result) + "\n")
                except OSError as err:
                    _note(f"cannot append to GITHUB_STEP_SUMMARY ({summary}): {err.strerror}")
        console().print(ci_render.check_table(result))


def read_version(spec: str) -> Source:
    """A network file, or `REV:path` read from git (path relative to the current directory,
    like the other side of the diff)."""
    from cnncalc.loader import read_source

    if spec == "-" or Path(spec).exists() or ":" not in spec:
        return read_source(spec)
    rev, path = spec.split(":", 1)
    if rev.startswith("-") or not path:
        raise CnnCalcError(
            f"'{spec}' is neither a file nor REV:path", hint="as in HEAD~1:models/net.yaml"
        )
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
        raise CnnCalcError(f"cannot read '{spec}': git cannot run ({err.strerror})") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1].removeprefix("fatal: ") if lines else f"git exited {proc.returncode}"
        raise CnnCalcError(
            f"cannot read '{spec}' from git: {reason}",
            hint="write REV:path with a revision git knows (HEAD~1, main, a tag) and the file's "
            "path relative to the current directory",
        )
    from cnncalc.loader import decode_source

    return decode_source(spec, proc.stdout)


@guarded
def diff(
    old: Annotated[str, typer.Argument(help="The old network: a file or REV:path from git.")],
    new: Annotated[str, typer.Argument(help="The new network: a file or REV:path.")],
    fmt: Annotated[DiffFmt, typer.Option("--format", "-f", help="Output format.")] = DiffFmt.table,
) -> None:
    """What changed between two versions of a network: totals, and layers matched by name."""
    from cnncalc.analysis.diff import diff_reports
    from cnncalc.engine import analyze_network
    from cnncalc.loader import load_source
    from cnncalc.render import ci as ci_render

    before = analyze_network(load_source(read_version(old)))
    after = analyze_network(load_source(read_version(new)))
    result = diff_reports(before, after, old, new)
    if fmt is DiffFmt.json:
        write(ci_render.diff_json(result))
    elif fmt is DiffFmt.markdown:
        write(ci_render.diff_markdown(result))
    else:
        console().print(ci_render.diff_table(result))


@guarded
def schema() -> None:
    """Print the JSON Schema of the network format, for editors (see the README)."""
    from cnncalc.render.schema import schema_json

    write(schema_json())


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command()(check)
    app.command()(diff)
    app.command()(schema)
