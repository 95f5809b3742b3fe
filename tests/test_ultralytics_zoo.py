"""Every detect model of v3, v5u, v6, v8 (with its P2, P6 and Ghost variants), 11 and 26 in
the installed Ultralytics, the six models of v10 (n, s, m, b, l, x), the segment, pose and
OBB models of v8 and 11, and the classify models of v8, 11 and 26, at every scale its file
defines, equals Ultralytics and torch:
params (in total, per row and after `fuse()`), eval FlopCounterMode FLOPs (in total and per
row) and both `model.info()` GFLOPs.

The classes and the image sizes turn with the scale: several `nc` (1 to 120, past Detect's cap
of 100 class channels) and non-square sizes, each a multiple of the model's largest stride,
kept small so that the forward passes are cheap — every count is a sum over positions, so a
small image checks the same rules as a large one (tests/test_ultralytics.py checks 640 too).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.ultralytics_oracle import check, ultralytics_models

FAMILIES = ("v3", "v5", "v6", "v8", "v10", "11", "26")
#: the files of the pinned release (a newer one may add files: they are checked too)
PINNED = {
    "v3/yolov3.yaml", "v3/yolov3-spp.yaml", "v3/yolov3-tiny.yaml",
    "v5/yolov5.yaml", "v5/yolov5-p6.yaml", "v6/yolov6.yaml",
    "v8/yolov8.yaml", "v8/yolov8-p2.yaml", "v8/yolov8-p6.yaml",
    "v8/yolov8-ghost.yaml", "v8/yolov8-ghost-p2.yaml", "v8/yolov8-ghost-p6.yaml",
    "11/yolo11.yaml", "26/yolo26.yaml", "26/yolo26-p2.yaml", "26/yolo26-p6.yaml",
    "v8/yolov8-seg.yaml", "v8/yolov8-seg-p6.yaml", "v8/yolov8-pose.yaml",
    "v8/yolov8-pose-p6.yaml", "v8/yolov8-obb.yaml",
    "11/yolo11-seg.yaml", "11/yolo11-pose.yaml", "11/yolo11-obb.yaml",
    "v8/yolov8-cls.yaml", "11/yolo11-cls.yaml", "26/yolo26-cls.yaml",
    *(f"v10/yolov10{s}.yaml" for s in "nsmblx"),
}  # fmt: skip
#: the heads read (YOLO26's Segment26, Pose26 and OBB26 are other modules, not read yet)
HEADS = ("Detect", "Segment", "Pose", "OBB", "Classify", "v10Detect")
#: modules of these families' files that cnncalc does not read (the ResNet-backbone
#: classifiers): such a file fails with E0390, tests/test_ultralytics.py checks
NOT_READ = frozenset({"ResNetLayer", "TorchVision"})
NCS = (80, 1, 3, 120, 20)
#: (height, width) in strides
SIZES = ((2, 3), (3, 2), (2, 5), (4, 3), (1, 2))


def detect_files(base: Path) -> list[str]:
    """The model files of the families whose last row is one of the `HEADS`."""
    found = []
    for family in FAMILIES:
        for path in sorted((base / family).glob("*.yaml")):
            d = yaml.safe_load(path.read_text(encoding="utf-8"))
            rows = (d.get("backbone") or []) + (d.get("head") or [])
            if rows and d["head"][-1][2] in HEADS and not {r[2] for r in rows} & NOT_READ:
                found.append(f"{family}/{path.name}")
    return found


def cases() -> list[tuple[str, str, int, tuple[int, int]]]:
    try:
        base, _ = ultralytics_models()
    except pytest.skip.Exception:
        return []
    out = []
    for rel in detect_files(base):
        d = yaml.safe_load((base / rel).read_text(encoding="utf-8"))
        stride = 64 if "-p6" in rel else 32
        for j, scale in enumerate(d.get("scales") or [""]):
            if rel.startswith("v10/"):  # a file per scale: the classes and sizes turn by file
                j = "nsmblx".index(scale)
            h, w = SIZES[j % len(SIZES)]
            out.append((rel, scale, NCS[j % len(NCS)], (h * stride, w * stride)))
    return out


CASES = cases()


def test_every_detect_model_of_the_pinned_release_is_checked() -> None:
    base, _ = ultralytics_models()
    files = set(detect_files(base))
    assert files >= PINNED
    assert {(rel, s) for rel, s, *_ in CASES} >= {
        (rel, s)
        for rel in PINNED
        for s in (
            ("",) if rel.startswith("v3/") else rel[11] if rel.startswith("v10/") else "nsmlx"
        )
    }


@pytest.mark.parametrize(("path", "scale", "nc", "imgsz"), CASES)
def test_equals_ultralytics(path: str, scale: str, nc: int, imgsz: tuple[int, int]) -> None:
    base, _ = ultralytics_models()
    check((base / path).read_text(encoding="utf-8"), Path(path).name, scale, nc, imgsz)
