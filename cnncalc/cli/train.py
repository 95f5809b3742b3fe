"""Training on the command line: `fit` (the largest batch whose step fits in a memory) and the
options `--train`, `--optimizer` and the training spellings of `--dtype` that `params`,
`explain` and `check` share. Parse options, run the pipeline, print; no arithmetic here."""

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from cnncalc.cli.common import (
    Command,
    FileArg,
    InputOpt,
    LangOpt,
    Run,
    examples,
    guarded,
    language,
    show,
    write,
)
from cnncalc.cli.yolo import ChOpt, ImgszOpt, NcOpt, ScaleOpt, yolo_options
from cnncalc.errors import CnnCalcError

if TYPE_CHECKING:
    from cnncalc.analysis.memory import Setup, TrainMemory
    from cnncalc.analysis.train import Training
    from cnncalc.engine import Report


class Optimizer(str, Enum):
    sgd = "sgd"
    momentum = "momentum"
    adam = "adam"
    adamw = "adamw"


class FitFmt(str, Enum):
    table = "table"
    json = "json"


TrainOpt = Annotated[
    bool,
    typer.Option(
        "--train",
        help="Add the training step: backward FLOPs, saved activations and memory by component.",
    ),
]
OptimizerOpt = Annotated[
    Optimizer | None,
    typer.Option("--optimizer", help="Optimizer for the training memory [default: adamw]."),
]
TrainDtypeOpt = Annotated[
    str | None,
    typer.Option(
        "--dtype",
        metavar="DTYPE",
        help="Element type instead of the file's: float32, float16, bfloat16, int8; for "
        "training (--train, the train_ budgets) also mixed-bf16 / mixed-fp16 (float32 master "
        "weights and optimizer state).",
    ),
]
FitDtypeOpt = Annotated[
    str | None,
    typer.Option(
        "--dtype",
        metavar="DTYPE",
        help="Training precision instead of the file's dtype: float32, bfloat16, float16, or "
        "mixed-bf16 / mixed-fp16 (float32 master weights and optimizer state).",
    ),
]


def split_dtype(dtype: str | None, train: bool) -> tuple[str | None, bool]:
    """`--dtype` as the network is analysed (`mixed-bf16` computes in bfloat16) and whether it
    asks for mixed precision; a mixed spelling without `--train` is an error."""
    from cnncalc.analysis.memory import ALIASES, MIXED

    if dtype is None:
        return None, False
    if dtype in MIXED:
        if not train:
            from cnncalc.engine import DTYPE_BYTES

            raise CnnCalcError("E1035", dtype=dtype, dtypes=", ".join(DTYPE_BYTES))
        return MIXED[dtype], True
    return (ALIASES.get(dtype, dtype) if train else dtype), False


def setup_for(report: "Report", optimizer: Optimizer | None, mixed: bool) -> "Setup":
    """The optimizer (adamw unless given) and the precision the report's dtype means."""
    from cnncalc.analysis.memory import DEFAULT_OPTIMIZER, MIXED, Setup, precision

    dtype = report.network.dtype
    if mixed:
        dtype = next(k for k, v in MIXED.items() if v == dtype)
    return Setup(optimizer.value if optimizer else DEFAULT_OPTIMIZER, precision(dtype))


@dataclass(frozen=True)
class Trained:
    """A report's training numbers at its own batch, and its memory for the chosen setup."""

    training: "Training"
    memory: "TrainMemory"


def trained(report: "Report", optimizer: Optimizer | None, mixed: bool) -> Trained:
    from cnncalc.analysis.memory import memory_at

    setup = setup_for(report, optimizer, mixed)
    from cnncalc.analysis.train import training

    batch = report.network.batch
    t = training(report, batch=batch, dtype=setup.precision.compute)
    return Trained(t, memory_at(report, setup, batch))


def no_optimizer_without_train(optimizer: Optimizer | None, train: bool) -> None:
    if optimizer is not None and not train:
        raise CnnCalcError("E1036")


@guarded
def fit(
    file: FileArg,
    memory: Annotated[
        str,
        typer.Option(
            "--memory", "-m", metavar="SIZE", help="The memory to fit in: 24GiB, 16GB, 512MiB."
        ),
    ],
    optimizer: OptimizerOpt = None,
    dtype: FitDtypeOpt = None,
    fmt: Annotated[FitFmt, typer.Option("--format", "-f", help="Output format.")] = FitFmt.table,
    svg: Annotated[
        str | None,
        typer.Option("--svg", metavar="FILE", help="Also save the batch-memory plot as SVG."),
    ] = None,
    input_shape: InputOpt = None,
    scale: ScaleOpt = None,
    nc: NcOpt = None,
    imgsz: ImgszOpt = None,
    ch: ChOpt = None,
    lang: LangOpt = None,
) -> None:
    """The largest batch whose training step fits in a memory, with the memory by component
    at that batch and the batch-memory line."""
    from cnncalc.analysis.memory import fit as fit_batch
    from cnncalc.quantities import UnitError, parse_quantity

    code = language(lang)
    try:
        limit = parse_quantity(memory, "bytes")
    except UnitError as err:
        raise CnnCalcError("E1034", problem=err.msg) from None
    net_dtype, mixed = split_dtype(dtype, True)
    run = Run(code)
    yolo = yolo_options(scale, nc, imgsz, ch)
    report = run.analyse(file, None, net_dtype, input_shape, yolo).report
    setup = setup_for(report, optimizer, mixed)
    result = fit_batch(report, setup, limit)
    if result.over is None:
        from cnncalc.analysis.explain_train import size
        from cnncalc.messages.numbers import count_text

        if result.per_sample == 0:
            run.note("W1031", limit=size(limit))
        else:
            run.note("W1032", batch=count_text(result.batch), limit=size(limit))
    if svg:
        from cnncalc.cli.files import save
        from cnncalc.render.train import fit_svg

        save(svg, fit_svg(report, result, code), "--svg")
    if fmt is FitFmt.json:
        from cnncalc.render.json import to_json
        from cnncalc.render.train import fit_dict

        write(to_json(fit_dict(report, result)))
    else:
        from cnncalc.render.train import fit_renderable

        show(fit_renderable(report, result, code))


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command(
        cls=Command,
        epilog=examples(
            "cnncalc fit examples/resnet50.yaml --memory 24GiB",
            "cnncalc fit examples/resnet50.yaml --memory 16GB --optimizer sgd --dtype mixed-bf16",
            "cnncalc fit examples/vit_b_16.yaml -m 80GiB --format json",
        ),
    )(fit)
