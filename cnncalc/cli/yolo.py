"""The options of Ultralytics model files (`--scale`, `--nc`, `--imgsz`, `--ch`), shared by
every command that reads a network, and Ultralytics' reading of a scaled file name."""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Annotated

import typer

from cnncalc.errors import CnnCalcError

if TYPE_CHECKING:
    from cnncalc.cli.common import Run
    from cnncalc.loader.ultralytics import YoloOptions

ScaleOpt = Annotated[
    str | None,
    typer.Option(
        "--scale",
        metavar="S",
        help="Ultralytics files: the scale (n, s, m, l, x; default: from the file name).",
    ),
]
NcOpt = Annotated[
    int | None,
    typer.Option("--nc", min=1, metavar="N", help="Ultralytics files: the number of classes."),
]
ImgszOpt = Annotated[
    str | None,
    typer.Option(
        "--imgsz", metavar="SIZE", help="Ultralytics files: image size, 640 or 384x640 (H x W)."
    ),
]
ChOpt = Annotated[
    int | None,
    typer.Option(
        "--ch",
        min=1,
        metavar="N",
        help="Ultralytics files: input channels (default: the file's, else 3).",
    ),
]


def yolo_options(
    scale: str | None, nc: int | None, imgsz: str | None, ch: int | None
) -> YoloOptions | None:
    """`--scale`, `--nc`, `--imgsz` and `--ch`, for an Ultralytics model file (None when none
    of them is given)."""
    if scale is None and nc is None and imgsz is None and ch is None:
        return None
    from cnncalc.loader.sizes import split_sizes
    from cnncalc.loader.ultralytics import YoloOptions

    size = None
    if imgsz is not None:
        parts = split_sizes(imgsz) or ()
        if len(parts) not in (1, 2) or min(parts) < 1 or max(parts) > 1 << 20:
            raise CnnCalcError("E0014", text=imgsz)
        size = (parts[0], parts[-1])
    return YoloOptions(scale=scale, nc=nc, imgsz=size, ch=ch)


def given(yolo: YoloOptions | None) -> str:
    """The Ultralytics options given, as the command line spells them ('' for none)."""
    if yolo is None:
        return ""
    names = (("--scale", yolo.scale), ("--nc", yolo.nc), ("--ch", yolo.ch), ("--imgsz", yolo.imgsz))
    return ", ".join(name for name, value in names if value is not None)


def with_input(yolo: YoloOptions | None, shape: tuple[int, ...]) -> YoloOptions | None:
    """`--input 3x384x640` on an Ultralytics file: its channels and image size."""
    from cnncalc.loader.ultralytics import YoloOptions

    if len(shape) != 3:
        return yolo
    return dataclasses.replace(yolo or YoloOptions(), ch=shape[0], imgsz=(shape[1], shape[2]))


def scaled(run: Run, path: str, yolo: YoloOptions | None) -> tuple[str, YoloOptions | None]:
    """`yolov8n.yaml` that does not exist, next to a `yolov8.yaml` that does: the latter at
    the scale of the name asked for, as Ultralytics reads it (with a note)."""
    if path == "-" or os.path.lexists(path):  # (the loader is imported only for a missing file)
        return path, yolo
    from cnncalc.loader.ultralytics import YoloOptions, scale_from_name, unscaled_name

    real = unscaled_name(path)
    if real is None or not os.path.isfile(real):
        return path, yolo
    opts = yolo or YoloOptions()
    scale = opts.scale or scale_from_name(path)
    run.note("W0012", path=path, real=real, scale=scale)
    return real, dataclasses.replace(opts, scale=scale)
