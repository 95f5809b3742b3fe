"""The examples that mirror a torchvision model carry its arguments, including those that count
nothing (eps, momentum, ceil_mode, dropout p): a wrong one would not move a single number, so
parity cannot catch it, but code generated from the file would compute differently.

Every conv, batch norm, linear, max/avg pool and dropout that torchvision 0.28 runs, in the order it
runs them, is compared with the example's layers in order. torchvision is installed beside the CPU
torch with `--no-deps`; its compiled operators (nms, roi_align …) are registered for another build
of torch and fail to load, and only the Python model classes are needed, so the module that
registers them is replaced by an empty one before import.
"""

from __future__ import annotations

import sys
import types
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

import cnncalc
from cnncalc import layers as L
from cnncalc.engine import LayerReport, analyze_network
from tests.conftest import ROOT

T = TypeVar("T")

#: example -> the torchvision builder's keyword arguments
MODELS: dict[str, dict[str, object]] = {
    "alexnet": {},
    "vgg16": {},
    "vgg16_bn": {},
    "resnet18": {},
    "resnet50": {},
    "mobilenet_v2": {},
    "densenet121": {},
    "squeezenet1_0": {},
    "googlenet": {"aux_logits": False, "init_weights": False},
    "efficientnet_b0": {},
    "shufflenet_v2_x1_0": {},
    "mobilenet_v3_large": {},
    "regnet_y_400mf": {},
    "deeplabv3_resnet50": {"weights_backbone": None},  # None: nothing to download
    "convnext_tiny": {},
    "vit_b_16": {},
    "swin_t": {},
}
#: the examples that are torchvision segmentation models
SEGMENTATION = {"deeplabv3_resnet50"}
#: examples whose layer names mirror torchvision's module paths
NAMED = ["shufflenet_v2_x1_0", "mobilenet_v3_large", "regnet_y_400mf"]
#: examples whose layer names are torchvision's parameter paths, where torchvision keeps a
#: parameter on a module that is no single layer here (ConvNeXt's `features.1.0.layer_scale`, ViT's
#: `class_token` and `encoder.pos_embedding`) or one layer here is several modules there (Swin's
#: `attn` holds `attn.qkv`, `attn.proj` and `attn.relative_position_bias_table`)
PATHS = ["convnext_tiny", "vit_b_16", "swin_t"]
#: examples that write torchvision's StochasticDepth (efficientnet_b0 leaves it out: it counts
#: nothing)
STOCHASTIC = {"convnext_tiny", "swin_t"}


def _torchvision() -> Any:
    pytest.importorskip("torch")
    sys.modules.setdefault(
        "torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("torchvision.models")


def _model(name: str) -> Any:
    """torchvision's model `name`, freshly initialised."""
    models = _torchvision()
    where = models.segmentation if name in SEGMENTATION else models
    return getattr(where, name)(weights=None, **MODELS[name])


def _pair(v: object) -> tuple[int, ...]:
    return tuple(v) if isinstance(v, tuple | list) else (int(v), int(v))  # type: ignore[call-overload]


def _torch_layers(model: Any, stochastic: bool = False) -> list[tuple[object, ...]]:
    """What each counted or configured module does, in the order the forward pass runs them
    (with `stochastic`, StochasticDepth too)."""
    from torch import nn

    def describe(m: nn.Module) -> tuple[object, ...] | None:
        if isinstance(m, nn.Conv2d):
            return ("conv", m.kernel_size, m.stride, m.padding, m.dilation, m.groups,
                    m.bias is not None)  # fmt: skip
        if isinstance(m, nn.BatchNorm2d):
            return ("bn", m.eps, m.momentum, m.affine)
        if isinstance(m, nn.Linear):
            return ("linear", m.out_features, m.bias is not None)
        if isinstance(m, nn.MaxPool2d):
            return ("maxpool", _pair(m.kernel_size), _pair(m.stride), _pair(m.padding),
                    _pair(m.dilation), m.ceil_mode)  # fmt: skip
        if isinstance(m, nn.AvgPool2d):
            return ("avgpool", _pair(m.kernel_size), _pair(m.stride), _pair(m.padding),
                    m.ceil_mode, m.count_include_pad)  # fmt: skip
        if isinstance(m, nn.Dropout):
            return ("dropout", m.p)
        if isinstance(m, nn.LayerNorm):  # ConvNeXt's LayerNorm2d too
            return ("ln", m.eps, m.elementwise_affine, m.bias is not None)
        if type(m).__name__ == "ShiftedWindowAttention":
            return ("window", m.num_heads, tuple(m.window_size), tuple(m.shift_size))
        if isinstance(m, nn.MultiheadAttention):
            return ("attention", m.num_heads, m.dropout, m.in_proj_bias is not None)
        if stochastic and type(m).__name__ == "StochasticDepth":
            return ("drop_path", m.p, m.mode)
        return None

    return _in_forward_order(model, lambda path, m: describe(m))


def _in_forward_order(model: Any, pick: Callable[[str, Any], T | None]) -> list[T]:
    """`pick(path, module)` of each module it picks (not None), in the order a forward pass of
    a 224×224 image runs them."""
    import torch

    seen: list[T] = []
    hooks = []
    for path, m in model.named_modules():
        value = pick(path, m)
        if value is not None:
            hooks.append(m.register_forward_hook(lambda *_, v=value: seen.append(v)))
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    for h in hooks:
        h.remove()
    return seen


def _symmetric(pad: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    assert all(left == right for left, right in pad), pad
    return tuple(left for left, _ in pad)


def _conv(row: LayerReport, layer: Any) -> tuple[object, ...]:
    k, s, d, pad = layer.geometry(row.in_shape)
    assert row.kernel_shape is not None
    groups = row.in_shape[0] // row.kernel_shape[1]
    return ("conv", k, s, _symmetric(pad), d, groups, layer.bias)


def _pool(row: LayerReport, layer: Any) -> tuple[object, ...]:
    k, s, d, p = layer.geometry(row.in_shape)
    if isinstance(layer, L.MaxPool):
        return ("maxpool", k, s, p, d, layer.ceil_mode)
    return ("avgpool", k, s, p, layer.ceil_mode, layer.count_include_pad)


DESCRIBE: dict[type, Callable[[LayerReport, Any], tuple[object, ...]]] = {
    L.Conv: _conv,
    L.BatchNorm: lambda _, m: ("bn", m.eps, m.momentum, m.affine),
    L.Linear: lambda _, m: ("linear", m.out_features, m.bias),
    L.MaxPool: _pool,
    L.AvgPool: _pool,
    L.Dropout: lambda _, m: ("dropout", m.p),
    L.LayerNorm: lambda _, m: ("ln", m.eps, m.affine, m.bias),
    L.LayerNormLast: lambda _, m: ("ln", m.eps, m.affine, m.bias),
    L.MultiheadAttention: lambda _, m: ("attention", m.num_heads, m.dropout, m.bias),
    L.WindowAttention: lambda _, m: (
        "window",
        m.num_heads,
        (m.window_size,) * 2,
        (m.shift_size,) * 2,
    ),
}

#: the examples whose totals are compared with torchvision's own model
TOTALS = ("convnext_tiny", "vit_b_16", "swin_t")


@pytest.mark.parametrize("name", TOTALS)
def test_example_equals_torchvisions_model(name: str) -> None:
    """Params and FLOPs of torchvision's model itself, measured by FlopCounterMode with autograd
    on and scaled-dot-product attention on its math backend, which counts QKᵀ and AV (the
    fused CPU kernel counts nothing: docs/counting.md); the output shape too."""
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    model = getattr(_torchvision(), name)(weights=None).eval()
    counter = FlopCounterMode(display=False)
    with sdpa_kernel(SDPBackend.MATH), counter:
        out = model(torch.zeros(1, 3, 224, 224))
    report = cnncalc.analyze(ROOT / "examples" / f"{name}.yaml")
    assert report.totals.params == sum(p.numel() for p in model.parameters())
    assert report.totals.flops == counter.get_total_flops()
    assert (1, *report.output_shape) == tuple(out.shape)


def test_vit_b_16_counts_each_part_as_flopcountermode_does() -> None:
    """docs/counting.md: 17,563,828,224 MACs, term by term, equal to FlopCounterMode's count of each
    operator (autograd on, math backend); not the 17,563,840,512 once quoted (12,288 more)."""
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    tokens, e, heads, mlp = 197, 768, 12, 3072
    conv = 768 * 196 * (3 * 16 * 16)
    linears = 12 * (tokens * e * 3 * e + tokens * e * e + 2 * tokens * e * mlp) + e * 1000
    products = 12 * 2 * heads * tokens**2 * (e // heads)
    assert (conv, linears, products) == (115_605_504, 16_732_895_232, 715_327_488)
    counter = FlopCounterMode(display=False)
    with sdpa_kernel(SDPBackend.MATH), counter:
        _model("vit_b_16").eval()(torch.zeros(1, 3, 224, 224))
    measured = {str(op): n // 2 for op, n in counter.get_flop_counts()["Global"].items()}
    assert measured == {"aten.convolution": conv, "aten.addmm": linears, "aten.bmm": products}
    macs = cnncalc.analyze(ROOT / "examples" / "vit_b_16.yaml").totals.macs
    assert macs == conv + linears + products == 17_563_828_224 != 17_563_840_512


def _cnncalc_layers(name: str) -> list[tuple[object, ...]]:
    out = []
    describes = dict(DESCRIBE)
    if name in STOCHASTIC:
        describes[L.DropPath] = lambda _, m: ("drop_path", m.p, m.mode)
    for row in cnncalc.analyze(ROOT / "examples" / f"{name}.yaml").layers:
        layer = row.node.layer
        for cls, describe in describes.items():
            if isinstance(layer, cls):
                out.append(describe(row, layer))
                break
    return out


@pytest.mark.parametrize("name", sorted(MODELS))
def test_example_has_torchvisions_arguments(name: str) -> None:
    expected = _torch_layers(_model(name), stochastic=name in STOCHASTIC)
    got = _cnncalc_layers(name)
    assert len(got) == len(expected)
    for i, (ours, theirs) in enumerate(zip(got, expected)):
        assert ours == theirs, f"layer {i} of examples/{name}.yaml"


def test_the_comparison_sees_a_wrong_eps() -> None:
    """The check would catch the mistake it exists for: bn eps 1e-3 where torchvision has 1e-5."""
    models = _torchvision()
    expected = _torch_layers(models.resnet18(weights=None))
    text = (ROOT / "examples" / "resnet18.yaml").read_text(encoding="utf-8")
    wrong = cnncalc.analyze(text.replace("defaults:\n", "defaults:\n  bn: {eps: 0.001}\n", 1))
    got = [DESCRIBE[L.BatchNorm](r, r.node.layer) for r in wrong.layers
           if isinstance(r.node.layer, L.BatchNorm)]  # fmt: skip
    assert got[0] == ("bn", 0.001, 0.1, True)
    assert got[0] != next(d for d in expected if d[0] == "bn")


def test_a_frozen_stem_counts_as_torchvision_fine_tuning_does() -> None:
    """tests/data/resnet18_frozen.yaml is torchvision's resnet18 after
    `requires_grad_(False)` on conv1, bn1 and layer1: the same trainable params, layer by layer
    (the dotted names are torchvision's: layer1.0.conv1, layer1.1.bn2 …)."""
    models = _torchvision()
    model = models.resnet18(weights=None)
    for module in (model.conv1, model.bn1, model.layer1):
        module.requires_grad_(False)
    report = cnncalc.analyze(ROOT / "tests" / "data" / "resnet18_frozen.yaml")
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert report.totals.trainable_params == trainable == 11_689_512 - 157_504
    assert report.totals.frozen_params == sum(
        p.numel() for p in model.parameters() if not p.requires_grad
    )
    frozen_names = {n.rsplit(".", 1)[0] for n, p in model.named_parameters() if not p.requires_grad}
    assert {r.name for r in report.layers if r.frozen and r.params} == frozen_names


def _torch_weighted_names(model: Any) -> list[str]:
    """The paths of the modules with parameters of their own, in the order they run."""
    return _in_forward_order(
        model, lambda path, m: path if any(True for _ in m.parameters(recurse=False)) else None
    )


@pytest.mark.parametrize("name", NAMED)
def test_example_mirrors_torchvisions_names(name: str) -> None:
    models = _torchvision()
    expected = _torch_weighted_names(getattr(models, name)(weights=None, **MODELS[name]))
    rows = cnncalc.analyze(ROOT / "examples" / f"{name}.yaml").layers
    assert [r.name for r in rows if r.params] == expected


@pytest.mark.parametrize("name", PATHS)
def test_example_names_torchvisions_parameter_paths(name: str) -> None:
    """Every layer with parameters is named by the module (or parameter) path that holds exactly
    its parameters in torchvision's model, and together they hold all of them, each once."""
    params = dict(_model(name).named_parameters())
    rows = [r for r in cnncalc.analyze(ROOT / "examples" / f"{name}.yaml").layers if r.params]
    covered: list[str] = []
    for row in rows:
        mine = [p for p in params if p == row.name or p.startswith(row.name + ".")]
        assert sum(params[p].numel() for p in mine) == row.params, row.name
        covered += mine
    assert sorted(covered) == sorted(params)


def test_the_stochastic_depth_comparison_sees_a_wrong_probability() -> None:
    """torchvision's per-block probabilities are compared: block 1 of ConvNeXt has 0.1 · 1 / 17."""
    expected = _torch_layers(_model("convnext_tiny"), stochastic=True)
    ramps = [d for d in expected if d[0] == "drop_path"]
    assert len(ramps) == 18 and ramps[1] == ("drop_path", 0.1 * 1 / 17, "row")
    assert [d for d in _cnncalc_layers("convnext_tiny") if d[0] == "drop_path"] == ramps
    text = (ROOT / "examples" / "convnext_tiny.yaml").read_text(encoding="utf-8")
    wrong = cnncalc.analyze(text.replace("0.1 * id / 17", "0.1 * id / 18"))
    probabilities = [r.node.layer.p for r in wrong.layers if isinstance(r.node.layer, L.DropPath)]
    assert probabilities[1] != ramps[1][1]


@pytest.mark.parametrize("size", [(520, 520), (224, 224), (320, 320), (97, 131)])
def test_segmentation_works_at_any_input_size(size: tuple[int, int]) -> None:
    """The file says 520×520; with another input its pooling branch and its output follow,
    as torchvision's `F.interpolate(size=x.shape[-2:])` does: params, MACs and the output equal
    torchvision's, and every layer equals torch's (tests/parity.py)."""
    import dataclasses

    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from tests.parity import compare

    model = _model("deeplabv3_resnet50").eval()
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        out = model(torch.zeros(1, 3, *size))["out"]
    net = cnncalc.load(ROOT / "examples" / "deeplabv3_resnet50.yaml")
    net = dataclasses.replace(net, input_shape=(3, *size))
    report = compare(net) if size != (520, 520) else analyze_network(net)
    assert report.totals.params == sum(p.numel() for p in model.parameters())  # 39,638,869
    assert report.totals.flops == counter.get_total_flops()
    assert (1, *report.output_shape) == tuple(out.shape) == (1, 21, *size)
