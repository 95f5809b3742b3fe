"""`export`: a network written out in another form (a Mermaid or Graphviz picture, PyTorch
code). Parse
options, run the pipeline of `cli.common`, render, write (stdout or `-o FILE`, whole or not at
all); no arithmetic here.

Each `--to` format is one line of `EXPORTERS`: its renderer, which takes the report and the
command's options and returns the text.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from cnncalc.cli.common import (
    BatchOpt,
    Command,
    DtypeOpt,
    FileArg,
    InputOpt,
    LangOpt,
    Run,
    examples,
    guarded,
    language,
    write,
)
from cnncalc.cli.yolo import ChOpt, ImgszOpt, NcOpt, ScaleOpt, yolo_options
from cnncalc.errors import CnnCalcError

if TYPE_CHECKING:
    from cnncalc.engine import Report


class To(str, Enum):
    """`--to`: one member per line of `EXPORTERS`."""

    mermaid = "mermaid"
    dot = "dot"
    pytorch = "pytorch"


@dataclass(frozen=True)
class Options:
    """What the command line gives every exporter (each reads what it needs)."""

    depth: int | None
    lang: str
    class_name: str | None = None


def _graph(fmt: str) -> "Callable[[Report, Options], str]":
    def render(report: "Report", opts: Options) -> str:
        from cnncalc.render.graph import RENDERERS

        return RENDERERS[fmt](report, opts.depth, opts.lang)

    return render


def _pytorch(report: "Report", opts: Options) -> str:
    from cnncalc.render.pytorch import render_pytorch

    return render_pytorch(report, opts.class_name, opts.lang)


#: `--to` -> the exporter: the report and the options in, the text out
EXPORTERS: "dict[To, Callable[[Report, Options], str]]" = {
    To.mermaid: _graph("mermaid"),
    To.dot: _graph("dot"),
    To.pytorch: _pytorch,
}
#: the options that only some `--to` formats read
ONLY_FOR = {"--depth": (To.mermaid, To.dot), "--class-name": (To.pytorch,)}


@guarded
def export(
    file: FileArg,
    to: Annotated[To, typer.Option("--to", "-t", help="What to write.")],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
    ] = None,
    depth: Annotated[
        int | None,
        typer.Option(
            "--depth",
            min=0,
            metavar="N",
            help="Fold blocks below this level (default: every layer).",
        ),
    ] = None,
    class_name: Annotated[
        str | None,
        typer.Option(
            "--class-name",
            metavar="NAME",
            help="The PyTorch model's class (default: the network's name in CamelCase).",
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
    """The network in another form: a Mermaid or Graphviz DOT graph of its layers (blocks
    folded below --depth), with every residual and concat path; or PyTorch code, a module
    with one nn.Module class per block whose state_dict keys are the layer names."""
    code = language(lang)
    for option, value in (("--depth", depth), ("--class-name", class_name)):
        if value is not None and to not in ONLY_FOR[option]:
            formats = ", ".join(f.value for f in ONLY_FOR[option])
            raise CnnCalcError("E0903", option=option, to=to.value, formats=formats)
    if depth == 0:
        raise CnnCalcError("E0921", option="--depth")
    if class_name is not None:
        from cnncalc.render.pytorch import check_class_name

        check_class_name(class_name)
    run = Run(code)
    report = run.analyse(file, batch, dtype, input_shape, yolo_options(scale, nc, imgsz, ch)).report
    text = EXPORTERS[to](report, Options(depth, code, class_name))
    if to is To.mermaid:
        fits_mermaid(run, text, file, "--depth")
    if output is None:
        write(text)
    else:
        from cnncalc.cli.files import save

        save(output, text, "--output")


def fits_mermaid(run: Run, text: str, path: str, option: str) -> None:
    """A note when a Mermaid graph is past what Mermaid draws by default (as on GitHub)."""
    from cnncalc.render.graph import MERMAID_MAX_CHARS, MERMAID_MAX_EDGES, mermaid_size

    size = mermaid_size(text)
    if size is not None:
        run.note(
            "W0921",
            path=path,
            edges=f"{size[0]:,}",
            chars=f"{size[1]:,}",
            max_edges=f"{MERMAID_MAX_EDGES:,}",
            max_chars=f"{MERMAID_MAX_CHARS:,}",
            option=option,
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command(
        cls=Command,
        epilog=examples(
            "cnncalc export examples/unet.yaml --to mermaid --depth 1",
            "cnncalc export examples/resnet18.yaml --to dot --depth 2",
            "cnncalc export examples/stack.yaml --to mermaid --input 3x64x64",
            "cnncalc export examples/resnet18.yaml --to pytorch",
            "cnncalc export examples/efficientnet_b0.yaml --to pytorch --class-name Net",
        ),
    )(export)
