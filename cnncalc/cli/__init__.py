"""The command line: parse options, call the library, print. No arithmetic here.

No `from __future__ import annotations` in the command modules: Typer reads every
command's annotations at each start, and string annotations would each be compiled again.
"""

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from cnncalc.loader.single import SingleLayer

from cnncalc import __version__
from cnncalc.cli.common import (
    BatchOpt,
    Command,
    FileArg,
    HtmlOpt,
    InputOpt,
    LangOpt,
    Run,
    SvgOpt,
    examples,
    guarded,
    language,
    record,
    show,
    table_only,
    write,
)
from cnncalc.cli.train import OptimizerOpt, TrainDtypeOpt, TrainOpt
from cnncalc.cli.usage import Group
from cnncalc.cli.yolo import ChOpt, ImgszOpt, NcOpt, ScaleOpt, yolo_options

app = typer.Typer(
    cls=Group,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Exact parameter, shape, MAC/FLOP, memory and receptive-field counts for CNNs.",
)


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class LayerFmt(str, Enum):
    table = "table"
    json = "json"


class LayerOp(str, Enum):
    conv = "conv"
    dwconv = "dwconv"
    convT = "convT"
    maxpool = "maxpool"
    avgpool = "avgpool"
    linear = "linear"


def _version(value: bool) -> None:
    if value:
        write(f"cnncalc {__version__}\n")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    svg: SvgOpt = None,
    html: HtmlOpt = None,
) -> None:
    """Exact parameter, shape, MAC/FLOP, memory and receptive-field counts for CNNs."""
    record(ctx, svg, html)  # `cnncalc --svg out.svg <any command>`


@app.command(
    cls=Command,
    epilog=examples(
        "cnncalc params examples/resnet18.yaml --depth 1",
        "cnncalc params examples/resnet18.yaml --depth 2 --in-shape",
        "cnncalc params examples/resnet18.yaml --input 3x320x320 --batch 8",
        "cnncalc params examples/stack.yaml --format csv",
        "cnncalc params examples/resnet50.yaml --train --batch 32 --dtype mixed-bf16",
    ),
)
@guarded
def params(
    ctx: typer.Context,
    file: FileArg,
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="Output format.")] = Fmt.table,
    depth: Annotated[
        int | None,
        typer.Option(
            "--depth", min=0, metavar="N", help="Fold blocks below this level (0: totals only)."
        ),
    ] = None,
    in_shape: Annotated[
        bool,
        typer.Option(
            "--in-shape",
            help="Add an Input column: the shapes each layer reads (table, markdown; "
            "CSV and JSON always have in_shape).",
        ),
    ] = False,
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
    """Per-layer report of a network: shapes, kernels, params, MACs, receptive field."""
    from cnncalc.cli.train import no_optimizer_without_train, split_dtype, trained

    code = language(lang)
    table_only(fmt.value, svg, html)
    no_optimizer_without_train(optimizer, train)
    if train and fmt in (Fmt.csv, Fmt.markdown):
        from cnncalc.errors import CnnCalcError

        raise CnnCalcError("E1037", fmt=fmt.value)
    record(ctx, svg, html, title=f"cnncalc params {file}")
    yolo = yolo_options(scale, nc, imgsz, ch)
    run = Run(code)
    net_dtype, mixed = split_dtype(dtype, train)
    report = run.analyse(file, batch, net_dtype, input_shape, yolo).report
    done = trained(report, optimizer, mixed) if train else None
    if fmt is Fmt.json:
        from cnncalc.render.json import report_json

        if done is None:
            write(report_json(report))
        else:
            write(report_json(report, done.training, done.memory))
    elif fmt is Fmt.csv:
        from cnncalc.render.report import to_csv

        write(to_csv(report))
    elif fmt is Fmt.markdown:
        from cnncalc.render.report import to_markdown

        write(to_markdown(report, depth, in_shape))
    else:
        from cnncalc.render.tables import params_renderable

        show(params_renderable(report, depth, code, in_shape))
        if done is not None:
            from cnncalc.render.train import training_renderable

            show(training_renderable(report, done.training, done.memory, code))


@app.command(
    cls=Command,
    epilog=examples(
        "cnncalc layer --in 3 --out 64 -k 3 --size 32",
        "cnncalc layer --in 64 --out 128 -k 3 -s 2 -p 1 --size 56",
        "cnncalc layer --op maxpool --in 64 -k 3 -s 2 --size 112",
    ),
)
@guarded
def layer(
    in_: Annotated[
        int, typer.Option("--in", min=1, metavar="N", help="Input channels (features for linear).")
    ],
    out: Annotated[
        int | None,
        typer.Option("--out", min=1, metavar="N", help="Output channels (features for linear)."),
    ] = None,
    kernel: Annotated[
        str, typer.Option("--kernel", "-k", metavar="K", help="Kernel: 3 or 3x5 (default 3).")
    ] = "",
    size: Annotated[
        str | None,
        typer.Option("--size", metavar="SIZE", help="Input size: 32, 224x192 or 16x112x112."),
    ] = None,
    dim: Annotated[
        int | None,
        typer.Option(
            "--dim", min=1, max=3, metavar="1|2|3", help="Spatial rank when --size is one number."
        ),
    ] = None,
    stride: Annotated[
        str, typer.Option("--stride", "-s", metavar="S", help="Stride: 1 or 2x1.")
    ] = "",
    padding: Annotated[
        str,
        typer.Option("--padding", "-p", metavar="P", help="Padding: an int, 1x2, same or valid."),
    ] = "0",
    dilation: Annotated[str, typer.Option("--dilation", "-d", metavar="D", help="Dilation.")] = "1",
    groups: Annotated[int, typer.Option("--groups", "-g", min=1, metavar="G", help="Groups.")] = 1,
    no_bias: Annotated[bool, typer.Option("--no-bias", help="No bias term.")] = False,
    output_padding: Annotated[
        str, typer.Option("--output-padding", metavar="P", help="Transposed conv only.")
    ] = "0",
    op: Annotated[LayerOp, typer.Option("--op", help="Layer kind.")] = LayerOp.conv,
    fmt: Annotated[
        LayerFmt, typer.Option("--format", "-f", help="Output format.")
    ] = LayerFmt.table,
    lang: LangOpt = None,
) -> None:
    """One layer, explained: kernel shape, parameter arithmetic, output size, MACs."""
    from cnncalc.layers import PAD_MODES
    from cnncalc.loader.single import SingleLayer, check_options, parse_sizes

    spec = SingleLayer(
        op=op.value,
        in_channels=in_,
        out=out,
        kernel=parse_sizes(kernel or "3", "--kernel"),
        size=parse_sizes(size, "--size") if size else None,
        dim=dim,
        stride=parse_sizes(stride, "--stride") if stride else None,
        padding=padding if padding in PAD_MODES else parse_sizes(padding, "--padding", 0),
        dilation=parse_sizes(dilation, "--dilation"),
        groups=groups,
        bias=not no_bias,
        output_padding=parse_sizes(output_padding, "--output-padding", 0),
    )
    given = {
        "kernel": bool(kernel),
        "stride": bool(stride),
        "padding": padding != "0",
        "dilation": dilation != "1",
        "groups": groups != 1,
        "no-bias": no_bias,
        "output-padding": output_padding != "0",
    }
    check_options(spec, frozenset(k for k, v in given.items() if v))
    _show_layer(spec, fmt, language(lang))


def _show_layer(spec: "SingleLayer", fmt: LayerFmt, code: str) -> None:
    """Analyse the one-layer network and print its report (JSON) or its explanation."""
    from cnncalc.analysis.explain import explain
    from cnncalc.engine import analyze_network
    from cnncalc.loader.single import single_network, single_title

    net, rank = single_network(spec)
    report = analyze_network(net)
    if fmt is LayerFmt.json:
        from cnncalc.render.json import report_json

        write(report_json(report))
        return
    steps = explain(report.layers[0], spec.size is not None, 1, code)
    from cnncalc.render.tables import steps_table

    show(steps_table(single_title(spec, rank, report), steps, code))


def _register() -> None:
    """Commands that live in their own modules (CI gating, teaching, export) join the same app."""
    from cnncalc.cli import ci as cli_ci
    from cnncalc.cli import export as cli_export
    from cnncalc.cli import teach as cli_teach
    from cnncalc.cli import train as cli_train

    cli_ci.register(app)
    cli_teach.register(app)
    cli_train.register(app)
    cli_export.register(app)


_register()
