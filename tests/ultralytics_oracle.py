"""The Ultralytics oracle: a model file built by the installed Ultralytics (`DetectionModel`),
measured as its users measure it, beside the same file read by cnncalc — and, when they
differ, a message naming the row, its module and the rule that changed.

The figures: parameters in total and per row of the YAML, the parameters after `model.fuse()`,
FLOPs in eval mode by torch's FlopCounterMode (in total and per row), and the two GFLOPs
`model.info()` prints (`get_flops`, thop's count), before and after `fuse()`.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from cnncalc.analysis.ultralytics import ULTRALYTICS_VERSION, figures
from cnncalc.engine import Report, analyze_network
from cnncalc.errors import Source
from cnncalc.loader import load_source
from cnncalc.loader.ultralytics import YoloOptions


def ultralytics_models() -> tuple[Path, Any]:
    """The installed Ultralytics' model files, and the package (skipped without it or thop,
    except in CI, where `CNNCALC_REQUIRE_TORCH` makes a missing oracle a failure)."""
    pytest.importorskip("torch")
    sys.modules.setdefault("torchvision._meta_registrations", type(sys)("stub"))
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_CONFIG_DIR", str(Path(tempfile.gettempdir()) / "cnncalc-yolo"))
    if os.environ.get("CNNCALC_REQUIRE_TORCH"):
        import thop  # noqa: F401
        import ultralytics
    else:
        pytest.importorskip("thop")
        ultralytics = pytest.importorskip("ultralytics")
    return Path(ultralytics.__file__).parent / "cfg" / "models", ultralytics


@dataclass(frozen=True)
class Figures:
    params: int
    row_params: tuple[int, ...]
    fused_params: int
    flops: int
    row_flops: tuple[int, ...]
    info_flops: int
    info_flops_fused: int


def build(d: dict[str, Any], nc: int, ch: int, device: str) -> Any:
    """`DetectionModel(d, ch, nc)` in eval mode (`ClassificationModel` for a file whose last
    row is Classify, as Ultralytics picks the model by its task). On the meta device (shapes
    without data: every count, none of the arithmetic) the one data-dependent step of the
    build is redone on the CPU as Ultralytics does it: the strides, from the maps a 256×256
    image gives the head (a classifier's is 1); the head's bias initialisation, which only
    sets values, is left out."""
    from unittest import mock

    import torch
    from ultralytics.nn.modules.head import Detect
    from ultralytics.nn.tasks import ClassificationModel, DetectionModel

    if d["head"][-1][2] == "Classify":
        with (
            torch.device(device),
            mock.patch.object(ClassificationModel, "info", lambda *_a, **_k: None),  # prints
            contextlib.redirect_stdout(io.StringIO()),
        ):
            model = ClassificationModel(d, ch=ch, nc=nc, verbose=False)
        model.stride = torch.tensor([1.0], device="cpu")
        return model.eval()
    if device != "meta":
        with contextlib.redirect_stdout(io.StringIO()):
            return DetectionModel(d, ch=ch, nc=nc, verbose=False).eval()
    with (
        torch.device("meta"),
        mock.patch.object(Detect, "bias_init", lambda self: None),
        contextlib.redirect_stdout(io.StringIO()),
    ):
        model = DetectionModel(d, ch=ch, nc=nc, verbose=False)
        head = model.model[-1]
        model.model.eval()
        head.training = True  # as DetectionModel measures them
        out = model.forward(torch.zeros(1, ch, 256, 256))
        feats = out.get("one2many", out)["feats"]
    head.stride = torch.tensor([256 / x.shape[-2] for x in feats], device="cpu")
    model.stride = head.stride
    return model.eval()


def torch_figures(
    d: dict[str, Any], nc: int, imgsz: tuple[int, int], ch: int = 3, device: str = "meta"
) -> Figures:
    """The model Ultralytics builds from the YAML dict `d` (with `d["scale"]`), measured."""
    with _shapes_only() if device == "meta" else contextlib.nullcontext():
        return _measure(d, nc, imgsz, ch, device)


@contextlib.contextmanager
def _shapes_only() -> Iterator[None]:
    """On the meta device, BatchNorm and SiLU pass their input through: torch's meta kernels
    would decompose them in Python (most of a build's time), neither FlopCounterMode nor thop
    counts their arithmetic, and thop counts a BatchNorm by the size of its input, which is
    unchanged. test_ultralytics checks that the figures equal a real model's on the CPU."""
    from unittest import mock

    from torch import nn

    def same(_self: Any, x: Any) -> Any:
        return x

    with (
        mock.patch.object(nn.BatchNorm2d, "forward", same),
        mock.patch.object(nn.SiLU, "forward", same),
    ):
        yield


def _measure(d: dict[str, Any], nc: int, imgsz: tuple[int, int], ch: int, device: str) -> Figures:
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    from ultralytics.utils.torch_utils import get_flops

    model = build(d, nc, ch, device)
    params = sum(p.numel() for p in model.parameters())
    rows = tuple(sum(p.numel() for p in m.parameters()) for m in model.model)
    with torch.device(device):
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(torch.zeros(1, ch, *imgsz))
        per_module = counter.get_flop_counts()
        row_flops = tuple(
            sum(per_module.get(f"{type(model).__name__}.model.{i}", {}).values())
            for i in range(len(rows))
        )
        info = round(get_flops(model, list(imgsz)) * 1e9)
        with contextlib.redirect_stdout(io.StringIO()):
            model.fuse(verbose=False)
        fused = sum(p.numel() for p in model.parameters())
        info_fused = round(get_flops(model, list(imgsz)) * 1e9)
    assert info and info_fused, "get_flops returned 0: thop failed on the model"
    return Figures(params, rows, fused, counter.get_total_flops(), row_flops, info, info_fused)


def cnncalc_report(text: str, name: str, scale: str, nc: int, imgsz: tuple[int, int]) -> Report:
    opts = YoloOptions(scale=scale or None, nc=nc, imgsz=imgsz)
    return analyze_network(load_source(Source(name, text), opts))


def cnncalc_figures(report: Report, n_rows: int) -> Figures:
    def rows(field: str) -> tuple[int, ...]:
        sums = [0] * n_rows
        for r in report.layers:
            sums[int(r.name.split(".")[1])] += getattr(r, field)
        return tuple(sums)

    f = figures(report)
    return Figures(report.totals.params, rows("params"), f.fused_params, report.totals.flops,
                   rows("flops"), f.info_flops, f.info_flops_fused)  # fmt: skip


def module_rows(text: str) -> list[list[Any]]:
    """The file's `[from, repeats, module, args]` rows, as Ultralytics reads them."""
    d = yaml.safe_load(text)
    return [list(r) for r in d["backbone"] + d["head"]]


def mismatch(where: str, rows: list[list[Any]], ours: Figures, theirs: Figures) -> str:
    """'' when cnncalc equals Ultralytics; else what differs first, naming the row and the
    rule (with the release the rules were read from, to compare with the installed one)."""
    pinned = f"(cnncalc follows Ultralytics {ULTRALYTICS_VERSION})"
    if len(ours.row_params) != len(theirs.row_params):
        rows_ = (len(theirs.row_params), len(ours.row_params))
        return (f"{where}: Ultralytics builds {rows_[0]} rows, cnncalc {rows_[1]}: "
                f"parse_model's reading of rows changed {pinned}")  # fmt: skip
    for kind, mine, real in (("params", ours.row_params, theirs.row_params),
                             ("eval FLOPs", ours.row_flops, theirs.row_flops)):  # fmt: skip
        for i, (a, b) in enumerate(zip(mine, real)):
            if a != b:
                f, n, module, args = rows[i]
                return (f"{where}: model.{i} {module} (from {f}, repeats {n}, args {args}): "
                        f"cnncalc {a:,} {kind}, Ultralytics {b:,}: the rule for {module} "
                        f"(its lowering in cnncalc/loader/yolo_blocks.py, or parse_model's "
                        f"scaling of its arguments) changed {pinned}")  # fmt: skip
    checks = (
        ("params", ours.params, theirs.params, "a parameter outside the rows"),
        ("eval FLOPs", ours.flops, theirs.flops, "FLOPs outside the rows"),
        ("fused params", ours.fused_params, theirs.fused_params,
         "model.fuse()'s folding (BatchNorm into conv, end-to-end heads)"),
        ("model.info() GFLOPs before fuse()", ours.info_flops, theirs.info_flops,
         "thop's counting (8 FLOPs per element entering a BatchNorm)"),
        ("model.info() GFLOPs after fuse()", ours.info_flops_fused, theirs.info_flops_fused,
         "thop's counting of a fused model"),
    )  # fmt: skip
    for what, a, b, rule in checks:
        if a != b:
            return f"{where}: {what}: cnncalc {a:,}, Ultralytics {b:,}: {rule} changed {pinned}"
    return ""


def check(
    text: str, name: str, scale: str, nc: int, imgsz: tuple[int, int], device: str = "meta"
) -> Figures:
    """Assert that cnncalc equals Ultralytics on this file, scale, nc and image size."""
    d = yaml.safe_load(text)
    d["scale"] = scale
    theirs = torch_figures(d, nc, imgsz, device=device)
    rows = module_rows(text)
    ours = cnncalc_figures(cnncalc_report(text, name, scale, nc, imgsz), len(rows))
    where = f"{name} scale {scale or '-'} nc {nc} imgsz {imgsz[0]}x{imgsz[1]}"
    problem = mismatch(where, rows, ours, theirs)
    assert not problem, problem
    return ours
