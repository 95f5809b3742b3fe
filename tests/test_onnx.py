"""ONNX files in (`cnncalc params model.onnx`): PyTorch exports of resnet18, mobilenet_v2 and a
small vision transformer, in eval and in training mode, and an Ultralytics yolov8n, read back
and held to torch's numbers: MACs equal `FlopCounterMode` / 2 exactly, params equal torch's
count (training export) or the fused count (eval export: each BatchNorm folded into its conv),
and every layer named after a torch module has that module's output shape. Then every command
on an ONNX file, and every error path with its code (hostile files made with `onnx.helper`).

The exports use the TorchScript exporter (`dynamo=False`: the default one needs onnxscript).
The slow ones (marked `slow`: yolov8n, the two torchvision models in both modes) take most of
this file's time; `pytest -m "not slow"` leaves them out for a quick run (CI runs them all).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app
from cnncalc.engine import Report, analyze_network
from cnncalc.errors import CnnCalcError
from tests.conftest import ROOT

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402

runner = CliRunner()


# --- torch models and exports ---------------------------------------------------------------


def _torch() -> Any:
    torch = pytest.importorskip("torch")
    sys.modules.setdefault(
        "torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations")
    )
    return torch


def _tiny_vit() -> Any:
    """A ViT-like model: patch conv, positional embedding, two pre-norm blocks of multi-head
    self-attention (F.scaled_dot_product_attention) and a GELU MLP, mean pool, head."""
    torch = _torch()
    from torch import nn
    from torch.nn import functional as F

    class Attention(nn.Module):
        def __init__(self, d: int, heads: int) -> None:
            super().__init__()
            self.heads = heads
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)

        def forward(self, x: Any) -> Any:
            b, t, d = x.shape
            qkv = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
            y = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])
            return self.proj(y.transpose(1, 2).reshape(b, t, d))

    class Block(nn.Module):
        def __init__(self, d: int) -> None:
            super().__init__()
            self.ln1 = nn.LayerNorm(d)
            self.attn = Attention(d, 4)
            self.ln2 = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

        def forward(self, x: Any) -> Any:
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    class TinyViT(nn.Module):
        def __init__(self, d: int = 64) -> None:
            super().__init__()
            self.patch = nn.Conv2d(3, d, 8, 8)
            self.pos = nn.Parameter(torch.zeros(1, 16, d))
            self.blocks = nn.Sequential(Block(d), Block(d))
            self.norm = nn.LayerNorm(d)
            self.head = nn.Linear(d, 10)

        def forward(self, x: Any) -> Any:
            x = self.patch(x).flatten(2).transpose(1, 2) + self.pos
            return self.head(self.norm(self.blocks(x)).mean(1))

    return TinyViT()


def _model(name: str) -> tuple[Any, tuple[int, ...]]:
    if name == "vit":
        return _tiny_vit(), (1, 3, 32, 32)
    _torch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torchvision

    return getattr(torchvision.models, name)(weights=None), (1, 3, 64, 64)  # counts at any size


def export(
    model: Any, shape: tuple[int, ...], path: Path, training: bool = False, dynamic: bool = True,
    **kw: Any,
) -> Path:  # fmt: skip
    """`torch.onnx.export` with the TorchScript exporter; `training`: a training-mode export
    (BatchNorm kept, nothing folded), else eval mode; `dynamic`: a symbolic batch."""
    torch = _torch()
    model.eval()
    if training:
        kw.update(training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False)
    if dynamic:
        kw.setdefault("dynamic_axes", {"x": {0: "N"}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.randn(*shape), str(path), dynamo=False,
                          input_names=["x"], **kw)  # fmt: skip
    return path


def flop_counts(model: Any, shape: tuple[int, ...]) -> tuple[int, dict[str, int]]:
    """FlopCounterMode's total and per-module FLOPs, attention on the math backend (CPU's
    fused kernel has no FLOP formula)."""
    torch = _torch()
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    model.eval()
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), sdpa_kernel(SDPBackend.MATH), counter:
        model(torch.randn(*shape))
    per_module = {k: sum(v.values()) for k, v in counter.get_flop_counts().items()}
    return counter.get_total_flops(), per_module


def torch_macs(model: Any, shape: tuple[int, ...]) -> int:
    flops = flop_counts(model, shape)[0]
    assert flops % 2 == 0
    return flops // 2


def torch_shapes(model: Any, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Every module's per-sample output shape (the batch of 1 dropped), by module name."""
    torch = _torch()
    out: dict[str, tuple[int, ...]] = {}
    hooks = []
    for name, module in model.named_modules():
        if name:

            def hook(m: Any, args: Any, result: Any, name: str = name) -> None:
                if isinstance(result, torch.Tensor):
                    out[name] = tuple(result.shape[1:])

            hooks.append(module.register_forward_hook(hook))
    with torch.no_grad():
        model.eval()(torch.randn(*shape))
    for h in hooks:
        h.remove()
    return out


def fused_params(model: Any) -> int:
    """Params after folding every BatchNorm into the conv before it: the BatchNorm's 2·C go,
    the conv gains C biases (these models' convs before a BatchNorm have none)."""
    from torch import nn

    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    return sum(p.numel() for p in model.parameters()) - sum(bn.num_features for bn in bns)


def load(path: Path, **kw: Any) -> Report:
    from cnncalc.loader import read_source
    from cnncalc.loader.onnx import load_onnx

    return analyze_network(load_onnx(read_source(path), **kw))


# --- the parity tier --------------------------------------------------------------------------


SLOW = pytest.mark.slow


@pytest.mark.parametrize(
    "name", [pytest.param("resnet18", marks=SLOW), pytest.param("mobilenet_v2", marks=SLOW), "vit"]
)
def test_torch_export_counts_as_torch(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Both exports of one model: eval (BatchNorm folded by the exporter) and training
    (resnet18's is the module's fixture, of symbolic height and width, read at 64×64)."""
    model, shape = _model(name)
    macs = torch_macs(model, shape)
    theirs = torch_shapes(model, shape)
    params = sum(p.numel() for p in model.parameters())
    weighted = [n for n, m in model.named_modules() if type(m).__name__ in ("Conv2d", "Linear")]
    for training in (False, True):
        if name == "resnet18" and training:
            path = request.getfixturevalue("resnet_file")
        else:
            path = export(model, shape, tmp_path / f"{name}-{training}.onnx", training)
        report = load(path, input_shape=shape[1:])
        assert report.totals.macs == macs
        if training or name == "vit":  # nothing to fold: the file holds every parameter
            assert report.totals.params == params
        else:
            assert report.totals.params == fused_params(model) < params
        if name == "vit" and not training:  # equal tensors (LayerNorms' ones and zeros) are
            graph = onnx.load(str(path), load_external_data=False).graph  # stored once, each
            inits = {t.name for t in graph.initializer}  # other as an Identity of it
            copies = [n for n in graph.node if n.op_type == "Identity" and n.input[0] in inits]
            assert len(copies) == 8 and len(inits) < sum(1 for _ in model.parameters())
        if name == "resnet18":  # the figures the issue states
            assert params == 11_689_512
            assert report.totals.params == (11_689_512 if training else 11_684_712)
        folded = [w for w in report.warnings if w.code == "W0941"]
        assert bool(folded) == (not training and name != "vit")
        rows = {r.name: r for r in report.layers}
        matched = {n: (rows[n].out_shape, s) for n, s in theirs.items() if n in rows}
        assert all(ours == s for ours, s in matched.values()), matched
        assert set(weighted) <= set(matched)  # every conv and linear is a layer of its name
        if training:  # and every BatchNorm
            norms = [n for n, m in model.named_modules() if type(m).__name__ == "BatchNorm2d"]
            assert set(norms) <= set(matched)
        assert report.output_shape == theirs[next(reversed(theirs))]


def test_per_layer_macs_and_params_equal_the_modules(tmp_path: Path) -> None:
    """Layer by layer, not only in total: each conv and linear has its module's MACs (from
    FlopCounterMode's per-module counts) and parameters."""
    model, shape = _model("vit")
    report = load(export(model, shape, tmp_path / "vit.onnx", training=True))
    per_module = flop_counts(model, shape)[1]
    modules = dict(model.named_modules())
    checked = 0
    for row in report.layers:
        if row.op in ("conv", "linear"):
            module = modules[row.name]
            flops = per_module[f"TinyViT.{row.name}"]
            assert row.macs * 2 == flops, row.name
            assert row.params == sum(p.numel() for p in module.parameters()), row.name
            checked += 1
    assert checked == 1 + 2 * 4 + 1  # patch, four linears a block, head
    attention = [r for r in report.layers if r.op == "matmul"]
    assert [r.macs for r in attention] == [4 * 16 * 16 * 16] * 4  # heads·T·T·d, QKᵀ and AV


#: Ultralytics' models at 320: the fused params, the output (84 rows, 40² + 20² + 10² anchors)
YOLO = {"yolov8n": 3_151_904, "yolo11n": 2_616_248}


@SLOW
@pytest.mark.parametrize("name", list(YOLO))
def test_yolo_export_folds_the_chunk(name: str, tmp_path: Path) -> None:
    """Ultralytics' C2f (and yolo11's C3k2) split with `chunk`, which the exporter writes as
    Slices of computed sizes (Shape -> Gather -> Add -> Div -> Mul): inference alone cannot see
    through them. yolo11n adds attention (C2PSA: MatMuls of two tensors)."""
    import copy

    from tests.test_ultralytics import ultralytics_models

    torch = _torch()
    ultralytics_models()  # offline, its settings in a temporary directory; required in CI

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ultralytics import YOLO as Yolo

        model = Yolo(f"{name}.yaml").model
    model.eval()
    for m in model.modules():
        if hasattr(m, "export"):
            m.export = True
            m.format = "onnx"
    path = export(model, (1, 3, 320, 320), tmp_path / f"{name}.onnx", opset_version=17)
    raw = onnx.load(str(path), load_external_data=False)
    inferred = onnx.shape_inference.infer_shapes(raw)
    known = {v.name for v in inferred.graph.value_info if all(
        d.HasField("dim_value") for d in v.type.tensor_type.shape.dim)}  # fmt: skip
    slices = [n.output[0] for n in raw.graph.node if n.op_type == "Slice"]
    assert slices and not any(s in known for s in slices)  # what folding is for
    report = load(path)
    assert report.totals.macs == torch_macs(model, (1, 3, 320, 320))
    fused = copy.deepcopy(model).fuse(verbose=False)
    assert report.totals.params == sum(p.numel() for p in fused.parameters()) == YOLO[name]
    assert report.output_shape == (84, 2100)
    with torch.no_grad():
        assert tuple(model(torch.zeros(1, 3, 320, 320)).shape[1:]) == (84, 2100)
    if name == "yolo11n":
        assert sum(r.op == "matmul" for r in report.layers) == 2  # C2PSA's QKᵀ and AV


# --- every command on an ONNX file ----------------------------------------------------------


@pytest.fixture(scope="module")
def vit_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model, shape = _model("vit")
    return export(model, shape, tmp_path_factory.mktemp("onnx") / "vit.onnx", training=True)


@pytest.fixture(scope="module")
def resnet_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model, shape = _model("resnet18")
    return export(model, shape, tmp_path_factory.mktemp("onnx") / "resnet18.onnx", training=True,
                  dynamic_axes={"x": {0: "N", 2: "H", 3: "W"}})  # fmt: skip


def _run(*args: str) -> Any:
    return runner.invoke(app, list(args))


def test_params_json_and_table(vit_file: Path) -> None:
    result = _run("params", str(vit_file), "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["input"] == [3, 32, 32]
    assert data["totals"]["params"] == 114_122
    names = [layer["name"] for layer in data["layers"]]
    assert names[:4] == ["patch", "reshape", "transpose", "add"]
    assert "blocks.0.attn.qkv" in names and "blocks.1.mlp.2" in names
    table = _run("params", str(vit_file))
    assert table.exit_code == 0
    assert "114,122" in table.stdout and "blocks.0.attn" not in table.stdout.split("Total")[1]


def test_explain_flow_lint_and_check(vit_file: Path, resnet_file: Path) -> None:
    explain = _run("explain", str(vit_file), "--layer", "blocks.0.attn.qkv")
    assert explain.exit_code == 0, explain.stderr
    assert "12,480" in explain.stdout  # 192 × (64 + 1)
    flow = _run("flow", str(resnet_file), "--input", "3x64x64")
    assert flow.exit_code == 0, flow.stderr
    assert "layer1.0.add" in flow.stdout
    ok = _run("check", str(vit_file), "--max-params", "120k")
    assert ok.exit_code == 0, ok.stderr
    over = _run("check", str(vit_file), "--max-params", "100k")
    assert over.exit_code == 1
    lint = _run("lint", str(resnet_file), "--input", "3x64x64")
    assert lint.exit_code == 0 and "no design warnings" in lint.stderr, lint.stderr


def test_diff_a_design_against_its_export(resnet_file: Path) -> None:
    result = _run("diff", str(ROOT / "examples" / "resnet18.yaml"), str(resnet_file),
                  "--input", "3x224x224", "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {k: data["totals"][k]["delta"] for k in ("params", "macs")} == {"params": 0, "macs": 0}
    changed = {c["name"] for c in data["layers"]}
    convs = ["conv1", "layer1.0.conv1", "layer2.0.conv1", "layer4.1.conv2", "layer4.1.bn2"]
    assert not changed & set(convs)  # the same layers by name, with the same numbers


def test_export_an_onnx_file(resnet_file: Path, vit_file: Path) -> None:
    """`cnncalc export` on an ONNX file: the graph pictures, and PyTorch code when every layer
    is one of cnncalc's kinds. resnet18's training export becomes a module whose state_dict
    keys are torchvision's (its weights load strictly) and whose outputs are torchvision's;
    the eval export is the fused model (no BatchNorm, convs with biases)."""
    torch = _torch()
    from tests.test_export_pytorch import build, check

    mermaid = _run("export", str(resnet_file), "--to", "mermaid", "--input", "3x64x64")
    assert mermaid.exit_code == 0, mermaid.stderr
    assert 'subgraph s1["layer1.0"]' in mermaid.stdout and "layer1.0.add" in mermaid.stdout
    dot = _run("export", str(resnet_file), "--to", "dot", "--input", "3x64x64")
    assert dot.exit_code == 0 and '"cluster_' in dot.stdout and "layer4.1.conv2" in dot.stdout

    model, shape = _model("resnet18")
    report = load(resnet_file, input_shape=shape[1:])
    text, mine = build(report)
    assert "nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)" in text
    mine.load_state_dict(model.state_dict())  # strict: the same keys, the same shapes
    check(report, mine)
    x = torch.randn(2, *shape[1:])
    with torch.no_grad():
        assert torch.allclose(mine.eval()(x), model.eval()(x), atol=1e-4)
    fused = load(ROOT / "examples" / "onnx" / "resnet18.onnx", input_shape=shape[1:])
    text, mine = build(fused)
    assert "BatchNorm" not in text
    assert "nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3)" in text
    check(fused, mine)  # 11,684,712 params, the eval export's

    result = _run("export", str(vit_file), "--to", "pytorch")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert f"{vit_file}: error[E0964]: layer 'reshape' is the ONNX op Reshape" in result.stderr
    assert _run("export", str(vit_file), "--to", "mermaid").exit_code == 0


def test_exported_code_keeps_the_arguments_that_count_for_nothing(tmp_path: Path) -> None:
    """eps, momentum, a slope, GELU's approximation, align_corners, a dilated conv's padding:
    no count shows them, the outputs do (the model's weights loaded into the code cnncalc
    wrote)."""
    torch = _torch()
    from torch import nn

    from tests.test_export_pytorch import build, check

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, padding=2, dilation=2, bias=False)
            self.bn = nn.BatchNorm2d(8, eps=1e-3, momentum=0.03)
            self.act = nn.LeakyReLU(0.2)
            self.down = nn.Conv2d(8, 8, 3, stride=2)
            self.ln = nn.LayerNorm(7, eps=1e-4)  # the last axis
            self.gelu = nn.GELU(approximate="tanh")
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)

        def forward(self, x: Any) -> Any:
            x = self.ln(self.down(self.act(self.bn(self.conv(x)))))
            return self.up(self.gelu(x))

    model = Net()
    with torch.no_grad():  # statistics that make eps and a wrong normalisation show
        model.bn.running_mean.uniform_(-1, 1)
        model.bn.running_var.uniform_(1e-3, 1e-2)
    shape = (1, 3, 16, 16)
    path = export(model, shape, tmp_path / "args.onnx", training=True, opset_version=20)
    report = load(path)
    text, mine = build(report)
    assert "eps=0.001, momentum=0.03" in text and "negative_slope=0.2" in text, text
    assert 'approximate="tanh"' in text and "align_corners=True" in text, text
    assert "padding=2, dilation=2" in text and "eps=0.0001" in text, text
    mine.load_state_dict(model.state_dict())
    check(report, mine)
    x = torch.randn(2, *shape[1:])
    with torch.no_grad():
        assert torch.allclose(mine.eval()(x), model.eval()(x), atol=1e-5)


def _zoo() -> Any:
    """One of each op that becomes a cnncalc kind: a conv and a grouped dilated one,
    ConvTranspose, max (ceil_mode) and average pooling (count_include_pad off), global average
    and max pooling (a MaxPool in the file), BatchNorm and InstanceNorm, six activations,
    Resize, Concat, Mul, Add, Flatten and Gemm."""
    torch = _torch()
    from torch import nn

    class Zoo(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(3, 16, 3, padding=1)
            self.bn = nn.BatchNorm2d(16)
            self.dw = nn.Conv2d(16, 16, 3, padding=2, dilation=2, groups=16, bias=False)
            self.inorm = nn.InstanceNorm2d(16, affine=True)
            self.hs = nn.Hardswish()
            self.pool = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.avg = nn.AvgPool2d(3, 2, padding=1, count_include_pad=False)
            self.up = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)
            self.resize = nn.Upsample(scale_factor=2)
            self.hsig = nn.Hardsigmoid()
            self.tanh = nn.Tanh()
            self.gap = nn.AdaptiveAvgPool2d(1)
            self.gmp = nn.AdaptiveMaxPool2d(1)
            self.fc = nn.Linear(48, 10)

        def forward(self, x: Any) -> Any:
            x = self.hs(self.inorm(self.dw(torch.relu(self.bn(self.conv(x))))))
            p = self.avg(self.pool(x))
            y = torch.cat([self.up(p), self.resize(p)], 1)
            y = y * torch.sigmoid(y) + self.tanh(y) * self.hsig(y)
            return self.fc(torch.cat([self.gap(y), self.gmp(y)], 1).flatten(1))

    return Zoo()


def test_every_mapped_op_counts_and_exports_as_torch(tmp_path: Path) -> None:
    """The ops cnncalc has kinds for, in one training export: MACs FlopCounterMode's / 2,
    params torch's, each module's output shape; written back as PyTorch code, the model's
    weights load into it and it gives the model's outputs."""
    torch = _torch()
    from tests.test_export_pytorch import build, check

    model, shape = _zoo(), (1, 3, 32, 32)
    path = export(model, shape, tmp_path / "zoo.onnx", training=True)
    report = load(path)
    assert report.totals.macs == torch_macs(model, shape)
    assert report.totals.params == sum(p.numel() for p in model.parameters())
    rows = {r.name: r for r in report.layers}
    theirs = torch_shapes(model, shape)
    assert {n: rows[n].out_shape for n in theirs} == theirs  # every module is a layer
    ops = {r.op for r in report.layers}
    assert ops >= {"conv", "convT", "bn", "inorm", "maxpool", "avgpool", "gap", "relu",
                   "hardswish", "hardsigmoid", "tanh", "sigmoid", "upsample", "concat", "mul",
                   "add", "flatten", "linear"}, ops  # fmt: skip
    _, mine = build(report)
    mine.load_state_dict(model.state_dict())
    check(report, mine)
    x = torch.randn(2, *shape[1:])
    with torch.no_grad():
        assert torch.allclose(mine.eval()(x), model.eval()(x), atol=1e-5)
    lint = _run("lint", str(path), "-f", "json")  # the conv's bias, cancelled by its BatchNorm
    found = [(f["code"], f["layer"]) for f in json.loads(lint.stdout)["findings"]]
    assert ("CNN105", "conv") in found, lint.stdout


def test_input_reinfers_the_file(resnet_file: Path) -> None:
    """`--input` on a file of symbolic height and width: ONNX infers the shapes again."""
    model, _ = _model("resnet18")
    report = load(resnet_file, input_shape=(3, 96, 64))
    assert report.totals.macs == torch_macs(model, (1, 3, 96, 64))
    assert report.layer("layer4.1.conv2").out_shape == (512, 3, 2)
    result = _run("params", str(resnet_file), "--input", "3x96x64", "--batch", "4", "-f", "json")
    assert json.loads(result.stdout)["totals"]["macs"] == 4 * report.totals.macs


def test_library_load_and_batch_of_the_file(tmp_path: Path) -> None:
    """A file exported with a fixed batch of 2 keeps it (the exporter may have written it into
    reshapes); a tensor whose first axis is not that batch is an error, not a guess."""
    torch = _torch()
    from torch import nn

    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 30 * 30, 10))
    path = export(model, (2, 3, 32, 32), tmp_path / "b2.onnx", dynamic=False)
    net = cnncalc.load(path)
    assert (net.front, net.batch, net.input_shape) == ("onnx", 2, (3, 32, 32))
    assert analyze_network(net).totals.macs == torch_macs(model, (2, 3, 32, 32))
    vit, _ = _model("vit")
    fixed = export(vit, (2, 3, 32, 32), tmp_path / "vit2.onnx", dynamic=False)
    status, err = _code(fixed)
    assert status == 2 and "error[E0960]" in err and "Transpose" in err
    assert torch.__version__


def test_non_onnx_commands_never_import_onnx_or_numpy(tmp_path: Path) -> None:
    code = (
        "import sys; from cnncalc.cli import app\n"
        "for args in (['params', {n!r}], ['explain', {n!r}], ['flow', {n!r}], "
        "['lint', {n!r}], ['diff', {n!r}, {n!r}], ['check', {n!r}, '--max-params', '1G'], "
        "['export', {n!r}, '--to', 'pytorch'], ['export', {n!r}, '--to', 'mermaid']):\n"
        "    try:\n        app(args)\n    except SystemExit:\n        pass\n"
        "import cnncalc; cnncalc.load({n!r})\n"
        "print(sorted(m for m in ('onnx', 'numpy', 'google.protobuf', 'torch') "
        "if m in sys.modules), file=sys.stderr)"
    ).format(n=str(ROOT / "examples" / "resnet18.yaml"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)  # fmt: skip
    assert out.stderr.strip().splitlines()[-1] == "[]"


# --- hostile and broken files -----------------------------------------------------------------


def _vi(name: str, dims: list[Any] | None) -> Any:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def _save(path: Path, nodes: list[Any], inputs: list[Any], outputs: list[Any],
          inits: list[Any] = (), opset: int = 17) -> Path:  # type: ignore[assignment]  # fmt: skip
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    path.write_bytes(model.SerializeToString())
    return path


def _weight(name: str, dims: list[int]) -> Any:
    import numpy as np
    from onnx import numpy_helper

    return numpy_helper.from_array(np.zeros(dims, dtype=np.float32), name)


def _conv_file(path: Path, dims: list[Any]) -> Path:
    conv = helper.make_node("Conv", ["x", "w"], ["y"], name="/conv/Conv", kernel_shape=[3, 3])
    return _save(path, [conv], [_vi("x", dims)], [_vi("y", None)], [_weight("w", [8, 3, 3, 3])])


def _code(path: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["params", str(path), *extra], env=env)
    return result.exit_code, result.stderr


def _relu(i: str, o: str, name: str = "") -> Any:
    return helper.make_node("Relu", [i], [o], name=name or f"relu_{o}")


HOSTILE: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "truncated": ("E0942", lambda p: p),  # filled in by the test from a real export
    "random": ("E0942", lambda p: (p.write_bytes(os.urandom(4096)), p)[1]),
    "yaml": ("E0942", lambda p: (p.write_text("input: 3x32x32\nlayers:\n  - conv: 8\n"), p)[1]),
    "empty": ("E0961", lambda p: (p.write_bytes(b""), p)[1]),
    "two inputs": (
        "E0943",
        lambda p: _save(
            p,
            [helper.make_node("Add", ["a", "b"], ["y"])],
            [_vi("a", [1, 4]), _vi("b", [1, 4])],
            [_vi("y", None)],
        ),
    ),
    "vector input": (
        "E0944",
        lambda p: _save(p, [_relu("x", "y")], [_vi("x", [4])], [_vi("y", None)]),
    ),
    "symbolic size": ("E0946", lambda p: _conv_file(p, ["N", 3, "H", 32])),
    "huge dim": ("E0947", lambda p: _conv_file(p, [1, 3, 2**40, 32])),
    "cycle": (
        "E0948",
        lambda p: _save(
            p,
            [helper.make_node("Add", ["x", "b"], ["a"], name="A"), _relu("a", "b", "B")],
            [_vi("x", [1, 4])],
            [_vi("a", None)],
        ),
    ),
    "custom op": (
        "E0952",
        lambda p: _save(
            p,
            [helper.make_node("Foo", ["x"], ["y"], name="foo", domain="com.example")],
            [_vi("x", [1, 4])],
            [_vi("y", None)],
        ),
    ),
    "control flow": (
        "E0952",
        lambda p: _save(
            p,
            [
                helper.make_node(
                    "If",
                    ["x"],
                    ["y"],
                    name="if",
                    then_branch=helper.make_graph([], "t", [], []),
                    else_branch=helper.make_graph([], "e", [], []),
                )
            ],
            [_vi("x", [1])],
            [_vi("y", None)],
        ),
    ),
    "two producers": (
        "E0953",
        lambda p: _save(
            p, [_relu("x", "y", "a"), _relu("x", "y", "b")], [_vi("x", [1, 4])], [_vi("y", None)]
        ),
    ),
    "dangling": (
        "E0954",
        lambda p: _save(p, [_relu("ghost", "y")], [_vi("x", [1, 4])], [_vi("y", None)]),
    ),
    "data-dependent": (
        "E0956",
        lambda p: _save(
            p,
            [helper.make_node("NonZero", ["x"], ["y"], name="nz")],
            [_vi("x", [1, 4])],
            [_vi("y", None)],
        ),
    ),
    "no batch axis": (
        "E0957",
        lambda p: _save(
            p,
            [
                helper.make_node("Unsqueeze", ["x", "a1"], ["u"], name="u"),
                helper.make_node("Unsqueeze", ["x", "a0"], ["v"], name="v"),
                helper.make_node("Mul", ["u", "v"], ["y"], name="outer"),
            ],
            [_vi("x", ["N", 4])],
            [_vi("y", None)],
            [
                helper.make_tensor("a1", TensorProto.INT64, [1], [1]),
                helper.make_tensor("a0", TensorProto.INT64, [1], [0]),
            ],
        ),
    ),
    "constant output": (
        "E0958",
        lambda p: _save(
            p,
            [_relu("x", "y"), helper.make_node("Identity", ["w"], ["z"])],
            [_vi("x", [1, 4])],
            [_vi("z", None)],
            [_weight("w", [4])],
        ),
    ),
    "bad groups": (
        "E0959",
        lambda p: _save(
            p,
            [helper.make_node("Conv", ["x", "w"], ["y"], name="g", kernel_shape=[1, 1], group=3)],
            [_vi("x", [1, 4, 8, 8])],
            [_vi("y", None)],
            [_weight("w", [6, 1, 1, 1])],
        ),
    ),
    "weight on the left": (
        "E0951",
        lambda p: _save(
            p,
            [helper.make_node("MatMul", ["w", "x"], ["y"], name="mm")],
            [_vi("x", [1, 4, 4])],
            [_vi("y", None)],
            [_weight("w", [4, 4])],
        ),
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_is_a_coded_error(case: str, tmp_path: Path, vit_file: Path) -> None:
    code, make = HOSTILE[case]
    path = tmp_path / "bad.onnx"
    if case == "truncated":
        path.write_bytes(vit_file.read_bytes()[:5000])
    else:
        make(path)
    start = time.perf_counter()
    status, err = _code(path)
    assert time.perf_counter() - start < 5
    assert status == 2, err
    assert f"bad.onnx: error[{code}]" in err, err
    assert "Traceback" not in err


def test_missing_onnx_says_how_to_install(monkeypatch: pytest.MonkeyPatch, vit_file: Path) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` raises ImportError
    status, err = _code(vit_file)
    assert status == 2
    assert "error[E0941]" in err and 'pip install "cnncalc[onnx]"' in err


def test_size_and_node_limits(tmp_path: Path, vit_file: Path) -> None:
    status, err = _code(vit_file, env={"CNNCALC_MAX_BYTES": "1000"})
    assert status == 2 and "error[E0156]" in err  # checked before anything is parsed
    nodes = [_relu(f"t{i}", f"t{i + 1}") for i in range(30)]
    chain = _save(tmp_path / "chain.onnx", nodes, [_vi("t0", [1, 4])], [_vi("t30", None)])
    status, err = _code(chain, env={"CNNCALC_MAX_LAYERS": "5"})
    assert status == 2 and "error[E0955]" in err
    status, err = _code(chain, "-f", "json")
    assert status == 0


def test_input_of_the_wrong_rank_or_size(resnet_file: Path) -> None:
    status, err = _code(resnet_file, "--input", "3x224")
    assert status == 2 and "error[E0945]" in err
    status, err = _code(resnet_file, "--input", f"3x{2**40}x8")
    assert status == 2 and "error[E0947]" in err


def test_unknown_shape_preserving_op_is_a_note(tmp_path: Path) -> None:
    node = helper.make_node("LpNormalization", ["x"], ["y"], name="lp", axis=1)
    path = _save(tmp_path / "lp.onnx", [node], [_vi("x", ["N", 4])], [_vi("y", None)])
    status, err = _code(path)
    assert status == 0
    assert "warning[W0942]" in err and "LpNormalization" in err


def test_ops_pytorch_has_no_module_for_are_shape_only(tmp_path: Path) -> None:
    """Softmax, and a HardSigmoid of ONNX's default slope (PyTorch's is 1/6), are free layers
    of their own op name, never an identity or PyTorch's Hardsigmoid."""
    from cnncalc.layers import Activation
    from cnncalc.layers.kinds_onnx import OnnxOp

    nodes = [helper.make_node("HardSigmoid", ["x"], ["a"], name="/torch/HardSigmoid",
                              alpha=1 / 6),
             helper.make_node("HardSigmoid", ["a"], ["b"], name="/keras/HardSigmoid"),
             helper.make_node("Softmax", ["b"], ["y"], name="/head/Softmax", axis=-1)]  # fmt: skip
    path = _save(tmp_path / "acts.onnx", nodes, [_vi("x", ["N", 4])], [_vi("y", None)])
    layers = {r.name: (r.op, type(r.node.layer)) for r in load(path).layers}
    assert layers == {"torch": ("hardsigmoid", Activation), "keras": ("hardsigmoid", OnnxOp),
                      "head": ("softmax", OnnxOp)}  # fmt: skip


def test_names_with_control_characters_are_shown_as_text(tmp_path: Path) -> None:
    """A node's name is the file's text: a line break, an escape sequence or a direction
    override in it is written out visibly (`\\n`), in every table and every export."""
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name='a\nb"""; import os #',
                              kernel_shape=[3, 3]),
             helper.make_node("Relu", ["c"], ["y"], name="\x1b[31mred\u202e")]  # fmt: skip
    path = _save(tmp_path / "names.onnx", nodes, [_vi("x", ["N", 3, 8, 8])], [_vi("y", None)],
                 [_weight("w", [4, 3, 3, 3])])  # fmt: skip
    names = [r.name for r in load(path).layers]
    assert names == ['a\\nb"""; import os #', "\\x1b[31mred\\u202e"]
    table = _run("params", str(path))
    assert table.exit_code == 0 and "\x1b" not in table.stdout and "\u202e" not in table.stdout
    assert 'a\\nb"""; import os #' in table.stdout
    for to in ("pytorch", "mermaid", "dot"):
        result = _run("export", str(path), "--to", to)
        assert result.exit_code == 0 and not {"\x1b", "\u202e"} & set(result.stdout), to


def test_a_weight_read_twice_counts_once(tmp_path: Path) -> None:
    """Tied weights (one initializer, two Gemms) count once; the file holds them once."""
    nodes = [helper.make_node("Gemm", ["x", "w"], ["h"], name="/a/Gemm", transB=1),
             helper.make_node("Gemm", ["h", "w"], ["y"], name="/b/Gemm", transB=1)]  # fmt: skip
    path = _save(tmp_path / "tied.onnx", nodes, [_vi("x", ["N", 4])], [_vi("y", None)],
                 [_weight("w", [4, 4])])  # fmt: skip
    report = load(path)
    assert [(r.name, r.params, r.macs) for r in report.layers] == [("a", 16, 16), ("b", 0, 16)]
    assert report.totals.params == 16


def test_a_huge_but_allowed_input_is_counted_fast(tmp_path: Path) -> None:
    path = _conv_file(tmp_path / "big.onnx", [1, 3, 2**20, 2**20])
    start = time.perf_counter()
    report = load(path)
    assert time.perf_counter() - start < 5
    assert report.totals.macs == 8 * 27 * (2**20 - 2) ** 2


def test_library_errors_are_coded(tmp_path: Path) -> None:
    path = tmp_path / "x.onnx"
    path.write_bytes(b"\x08\x07garbage")
    with pytest.raises(CnnCalcError) as info:
        cnncalc.load(path)
    assert info.value.code in ("E0942", "E0961")


def test_the_committed_examples_need_no_weights() -> None:
    """examples/onnx/ holds resnet18's graphs without their weight files (examples/onnx/make.py):
    counting reads only the shapes. The numbers are torchvision's resnet18 (fused in eval)."""
    files = ("resnet18.onnx", "resnet18_training.onnx")
    eval_, training = (load(ROOT / "examples" / "onnx" / f) for f in files)
    assert not (ROOT / "examples" / "onnx" / "resnet18.onnx.data").exists()
    assert (eval_.totals.params, training.totals.params) == (11_684_712, 11_689_512)
    assert eval_.totals.macs == training.totals.macs == 1_814_073_344
    assert [w.code for w in eval_.warnings] == ["W0941"] and not training.warnings


def test_external_data_is_never_opened(tmp_path: Path) -> None:
    """A weight stored 'beside' the graph at /dev/zero, small and large: never read."""
    import numpy as np
    from onnx import numpy_helper

    nodes = [helper.make_node("Add", ["x", "b"], ["y"], name="/add/Add"),
             helper.make_node("MatMul", ["y", "w"], ["z"], name="/fc/MatMul")]  # fmt: skip
    inits = [numpy_helper.from_array(np.zeros(4, np.float32), "b"),
             numpy_helper.from_array(np.zeros((4, 5000), np.float32), "w")]  # fmt: skip
    for t in inits:
        t.ClearField("raw_data")
        t.data_location = TensorProto.EXTERNAL
        t.external_data.add(key="location", value="/dev/zero")
    path = _save(tmp_path / "ext.onnx", nodes, [_vi("x", ["N", 4])], [_vi("z", None)], inits)
    start = time.perf_counter()
    report = load(path)
    assert time.perf_counter() - start < 5
    assert report.totals.params == 4 + 4 * 5000 and report.totals.macs == 4 * 5000


def test_the_onnx_release_is_pinned_where_it_is_installed() -> None:
    from cnncalc.loader.onnx import ONNX_VERSION

    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert text.count(f'"onnx=={ONNX_VERSION}"') == 2  # the onnx extra and the test extra
    if os.environ.get("CNNCALC_REQUIRE_TORCH"):  # CI installs exactly that release
        assert onnx.__version__ == ONNX_VERSION


def test_an_attribute_of_the_wrong_type_or_a_name_not_utf8(tmp_path: Path) -> None:
    conv = helper.make_node("Conv", ["x", "w"], ["y"], name="/c/Conv", group="x")
    path = _save(tmp_path / "attr.onnx", [conv], [_vi("x", [1, 3, 8, 8])], [_vi("y", None)],
                 [_weight("w", [8, 3, 3, 3])])  # fmt: skip
    status, err = _code(path)
    assert status == 2 and "error[E0962]: Conv '/c/Conv'" in err
    good = _save(tmp_path / "name.onnx", [_relu("x", "y", "relu_AAAA")], [_vi("x", [1, 4])],
                 [_vi("y", None)])  # fmt: skip
    path.write_bytes(good.read_bytes().replace(b"relu_AAAA", b"relu_\xff\xfe\xff\xfe"))
    status, err = _code(path)
    assert status == 2 and "error[E0963]" in err


def test_damaged_files_never_crash(tmp_path: Path) -> None:
    """Bytes of a real graph changed at random: read, or a coded error (exit 2), in bounded
    time, never a traceback."""
    import random

    base = (ROOT / "examples" / "onnx" / "resnet18_training.onnx").read_bytes()
    rng = random.Random(13)  # noqa: S311 - a fixed seed for a repeatable test
    statuses = set()
    for _ in range(40):
        data = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / "damaged.onnx"
        path.write_bytes(bytes(data))
        start = time.perf_counter()
        status, err = _code(path)
        assert time.perf_counter() - start < 5
        assert status in (0, 2), err
        statuses.add(status)
    assert statuses == {0, 2}  # some damage is harmless, some is not
