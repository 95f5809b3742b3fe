"""The examples reproduce the published figures of numbers.md (torchvision at 224×224)."""

from __future__ import annotations

import pytest

import cnncalc
from tests.conftest import ROOT

# (params, MACs or None where numbers.md gives only rounded digits, rounded GMACs or None)
REFERENCE = {
    "stack": (1_792 + 73_856, 1_555_200 + 57_802_752, None),
    "vgg16": (138_357_544, 15_470_264_320, None),
    "alexnet": (61_100_840, None, 0.714),
    "resnet18": (11_689_512, 1_814_073_344, None),
    "resnet50": (25_557_032, 4_089_184_256, None),
    "mobilenet_v2": (3_504_872, 300_774_272, None),
    "densenet121": (7_978_856, None, 2.834),
    "vgg16_bn": (138_365_992, None, 15.47),
    "squeezenet1_0": (1_248_424, None, 0.819),
    "googlenet": (6_624_904, None, 1.498),
    "efficientnet_b0": (5_288_548, None, 0.386),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_figures(name: str) -> None:
    path = ROOT / "examples" / f"{name}.yaml"
    if not path.exists():
        pytest.fail(f"examples/{name}.yaml is missing")
    params, macs, gmacs = REFERENCE[name]
    totals = cnncalc.analyze(path).totals
    assert totals.params == params
    if macs is not None:
        assert totals.macs == macs
    if gmacs is not None:
        digits = len(str(gmacs).split(".")[1])
        assert round(totals.macs / 1e9, digits) == gmacs


def test_stack_teaching_numbers() -> None:
    r = cnncalc.analyze(ROOT / "examples" / "stack.yaml")
    first, second = (x for x in r.layers if x.op == "conv")
    assert first.params == 64 * (3 * 3 * 3 + 1)  # 1,792
    assert second.params == 128 * (3 * 3 * 64 + 1)  # 73,856
    assert first.out_shape == (64, 30, 30)
    assert second.out_shape == (128, 28, 28)
