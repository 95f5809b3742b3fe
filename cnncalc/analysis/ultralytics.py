"""Ultralytics' own figures of a model read from its YAML file, from the report alone (pure):
the parameters after `model.fuse()` and the two GFLOPs `model.info()` prints, before and after
fusing. The rules are those of the pinned release (docs/ultralytics.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cnncalc.engine import Report

#: the Ultralytics release whose rules these are (the parity tests build its models)
ULTRALYTICS_VERSION = "8.4.190"
#: thop counts a BatchNorm as 2 ops per element entering it, doubled for the affine part, and
#: `get_flops` doubles thop's count again
BN_FLOPS_PER_ELEMENT = 8


@dataclass(frozen=True)
class UltralyticsFigures:
    fused_params: int
    #: `model.info()` before `fuse()`: every conv and product, plus each BatchNorm's elements
    #: (and, in a classifier, the global pool's adds and divides)
    info_flops: int
    #: `model.info()` after `fuse()`: the BatchNorms folded, an end-to-end head's one-to-many
    #: branches removed
    info_flops_fused: int

    def to_dict(self) -> dict[str, int]:
        return {
            "fused_params": self.fused_params,
            "info_flops": self.info_flops,
            "info_flops_fused": self.info_flops_fused,
        }


def end_to_end(report: Report) -> bool:
    """Whether the model's head is end-to-end (one-to-one branches beside one-to-many ones)."""
    return any(".one2one_" in r.name for r in report.layers)


def _dropped(report: Report) -> tuple[str, ...]:
    """The name prefixes `fuse()` removes: an end-to-end Detect's one-to-many branches, and
    each RepVGGDW's 3×3 branch (folded, with its BatchNorm, into the 7×7 conv's weights)."""
    detect = next(
        (r.name.split(".one2one_")[0] for r in report.layers if ".one2one_" in r.name), ""
    )
    heads = (f"{detect}.cv2.", f"{detect}.cv3.", f"{detect}.cv4.") if detect else ()
    rep = tuple(f"{c.name}.conv1." for c in report.network.calls if c.block == "RepVGGDW")
    return heads + rep


def figures(report: Report) -> UltralyticsFigures:
    """Ultralytics' figures of the report's model (`--batch N`: N times the FLOPs)."""
    dropped = _dropped(report)
    fused = 0
    fused_flops = 0
    bn_elements = 0
    pooled = 0
    for row in report.layers:
        if row.op == "bn":
            bn_elements += math.prod(row.in_shape)
        if row.op == "gap":  # thop: an add per element pooled and a divide per output
            pooled += math.prod(row.in_shape) + math.prod(row.out_shape)
        if dropped and row.name.startswith(dropped):
            continue
        fused += row.params // 2 if row.op == "bn" else row.params
        fused_flops += row.flops
    batch = report.network.batch
    return UltralyticsFigures(
        fused_params=fused,
        info_flops=report.totals.flops + (BN_FLOPS_PER_ELEMENT * bn_elements + 2 * pooled) * batch,
        info_flops_fused=fused_flops + 2 * pooled * batch,
    )


def fused_params(report: Report) -> int:
    """The parameters of Ultralytics' `model.fuse()`: each Conv's BatchNorm folds into the conv
    (its 2·C become C biases), and an end-to-end Detect keeps only its one-to-one branches."""
    return figures(report).fused_params
