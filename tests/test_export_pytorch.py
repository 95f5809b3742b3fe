"""`cnncalc export --to pytorch`: the generated module, run in PyTorch (the parity tier).

For every example (the Ultralytics one too) and for random graphs: the text passes ruff check and
ruff format --check; exec'd, it builds a model whose parameter count, parameter names (each
`state_dict` key under the cnncalc layer that `params` shows, with that layer's count), every
module's output shape (forward hooks) and FlopCounterMode FLOPs are cnncalc's. For the examples
that mirror a torchvision model, torchvision's freshly initialised weights (and batch-norm
statistics, randomised so that a wrong eps shows) are loaded into the generated model by
position, and both models' outputs are compared in eval mode: this catches the arguments that
count nothing (eps, momentum, ceil_mode, GELU's approximation, a padding mode).
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import cnncalc  # noqa: E402
from cnncalc.engine import Network, Report, analyze_network  # noqa: E402
from cnncalc.loader import load_source  # noqa: E402
from cnncalc.loader.source import Source  # noqa: E402
from cnncalc.loader.ultralytics import YoloOptions  # noqa: E402
from cnncalc.render.pytorch import render_pytorch  # noqa: E402
from tests.conftest import EXAMPLES, ROOT  # noqa: E402
from tests.parity import run  # noqa: E402
from tests.test_parity_examples import graph_item, graph_text, token_head  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    # torch's padding='same' warns (once per process) that an even kernel may need a padded
    # copy of the input: a performance note about configurations the random cases make
    "ignore:Using padding='same' with even kernel lengths:UserWarning"
)

RUFF = Path(sys.executable).parent / "ruff"
YOLO = ROOT / "examples" / "ultralytics" / "pcb_defects.yaml"
#: examples checked at a smaller input than their own (the run time of the tier); ViT's
#: position embedding fixes its input size
SMALL = (3, 64, 64)
FIXED = {"vit_b_16"}


def module_of(text: str) -> types.ModuleType:
    mod = types.ModuleType("generated")
    exec(compile(text, "generated.py", "exec"), mod.__dict__)  # noqa: S102 - our own output
    return mod


def build(report: Report, class_name: str | None = None) -> tuple[str, Any]:
    text = render_pytorch(report, class_name)
    mod = module_of(text)
    cls = class_name or text.split("\nclass ")[-1].split("(")[0]
    return text, getattr(mod, cls)()


def small(net: Network, name: str) -> Network:
    if name in FIXED:
        return net
    try:
        smaller = dataclasses.replace(net, input_shape=SMALL)
        analyze_network(smaller)
    except cnncalc.CnnCalcError:
        return net
    return smaller


def owner(param: str, names: set[str]) -> str | None:
    """The cnncalc layer a state_dict key belongs to: the longest name it starts with."""
    parts = param.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in names:
            return ".".join(parts[:n])
    return None


def check(report: Report, model: Any) -> None:
    """Params (by layer, by name), trainable params, output shapes, FLOPs: cnncalc's."""
    net = report.network
    rows = {r.name: r for r in report.layers}
    counted: dict[str, int] = {}
    for key, p in model.named_parameters():
        layer = owner(key, set(rows))
        assert layer is not None, f"parameter {key} belongs to no layer"
        counted[layer] = counted.get(layer, 0) + p.numel()
    assert counted == {n: r.params for n, r in rows.items() if r.params}
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert trainable == report.totals.trainable_params
    shapes: dict[str, tuple[int, ...]] = {}
    modules = dict(model.named_modules())
    hooks = []
    for name in rows:
        if name in modules:

            def hook(_m: Any, _i: Any, out: Any, name: str = name) -> None:
                shapes[name] = tuple((out[0] if isinstance(out, tuple) else out).shape)

            hooks.append(modules[name].register_forward_hook(hook))
    outs, flops, _ = run(model, net)
    for h in hooks:
        h.remove()
    for name, shape in shapes.items():
        assert shape == (net.batch, *rows[name].out_shape), name
    got = outs if isinstance(outs, tuple) else (outs,)
    assert [tuple(o.shape) for o in got] == [(net.batch, *s) for s in report.output_shapes]
    assert flops == report.totals.flops


def lint(text: str, tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(text, encoding="utf-8")
    ruff = str(RUFF) if RUFF.exists() else shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    checks = (
        ["check", "--isolated", "--select", "E,W,F,I,UP,B,N"],
        ["format", "--isolated", "--check", "--diff"],
    )
    for args in checks:
        done = subprocess.run([ruff, *args, str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_exports_to_pytorch(example: Path, tmp_path: Path) -> None:
    """Every example: lint, counts, names, shapes, FLOPs; one that mirrors a torchvision
    model computes torchvision's outputs with torchvision's weights (one build for both)."""
    net = small(cnncalc.load(example), example.stem)
    report = analyze_network(net)
    text, model = build(report)
    lint(text, tmp_path)
    assert "import torch\nfrom torch import nn\n" in text
    check(report, model)
    if example.stem in TORCHVISION:
        same_outputs(example.stem, model, net)


def test_ultralytics_file_exports_to_pytorch(tmp_path: Path) -> None:
    src = Source(YOLO.name, YOLO.read_text(encoding="utf-8"))
    report = analyze_network(load_source(src, YoloOptions(scale="t", imgsz=(128, 128))))
    text, model = build(report)
    lint(text, tmp_path)
    check(report, model)
    assert "class C2f(nn.Module):" in text and "class PcbDefects(nn.Module):" in text


#: installed Ultralytics files at scale n: a detect head, Segment's two outputs with C2PSA's
#: attention, an end-to-end head, Pose, a classifier (whose BatchNorms keep torch's defaults),
#: v10 (PSA, C2fCIB with RepVGGDW, v10Detect)
ULTRALYTICS_FILES = (
    "v8/yolov8.yaml",
    "11/yolo11-seg.yaml",
    "26/yolo26.yaml",
    "v8/yolov8-pose.yaml",
    "11/yolo11-cls.yaml",
    "v10/yolov10n.yaml",
)


@pytest.mark.parametrize("rel", ULTRALYTICS_FILES)
def test_installed_ultralytics_files_export_to_pytorch(rel: str, tmp_path: Path) -> None:
    """`export --to pytorch` of a model file of the installed Ultralytics: lint, counts,
    shapes and FLOPs as for every example, and the module is Ultralytics' own model by
    name: the same `state_dict` keys with the same shapes (a checkpoint loads with
    `strict=True`), the same parameter count, and each BatchNorm's `eps` and `momentum` as
    Ultralytics sets them when it builds a model."""
    import yaml

    from tests.ultralytics_oracle import build as ultralytics_build
    from tests.ultralytics_oracle import ultralytics_models

    base, _ = ultralytics_models()
    text = (base / rel).read_text(encoding="utf-8")
    opts = YoloOptions(scale="n", nc=3, imgsz=(64, 96))
    report = analyze_network(load_source(Source(Path(rel).name, text), opts))
    code, model = build(report)
    lint(code, tmp_path)
    check(report, model)
    d = yaml.safe_load(text)
    d["scale"] = "n"
    theirs = ultralytics_build(d, 3, 3, "meta")

    def tensors(m: Any) -> dict[str, tuple[int, ...]]:
        return {k: tuple(v.shape) for k, v in m.state_dict().items()}

    assert tensors(model) == tensors(theirs)
    assert sum(p.numel() for p in model.parameters()) == sum(p.numel() for p in theirs.parameters())
    norms = {
        n: (m.eps, m.momentum) for n, m in theirs.named_modules() if "BatchNorm" in type(m).__name__
    }
    assert norms and norms == {
        n: (m.eps, m.momentum) for n, m in model.named_modules() if "BatchNorm" in type(m).__name__
    }


def test_resnet18_reads_like_torchvision() -> None:
    """One class for the `basic` block, its shortcut made only where a call has one (as
    torchvision's `downsample`), the block's parameters as the class's arguments, the stages
    as nn.Sequential."""
    report = cnncalc.analyze(ROOT / "examples" / "resnet18.yaml")
    text = render_pytorch(report, "ResNet")
    assert text.count("\nclass ") == 2  # Basic, ResNet
    assert "def __init__(self, cin: int, out: int, s: int, shortcut1: bool = False)" in text
    conv = "self.conv1 = nn.Conv2d(cin, out, kernel_size=3, stride=s, padding=1, bias=False)"
    assert f"\n        {conv}\n" in text
    assert "Basic(cin=64, out=128, s=2, shortcut1=True), Basic(cin=128, out=128, s=1)" in text
    assert "        if self.shortcut1 is not None:\n            x = self.shortcut1(x)\n" in text
    assert "        x = self.layer4(x)\n" in text


def test_a_block_without_its_residual_add_in_some_calls() -> None:
    """EfficientNet's MBConv adds its input only where the shapes allow: one class, the add
    behind a flag."""
    text = render_pytorch(cnncalc.analyze(ROOT / "examples" / "efficientnet_b0.yaml"))
    classes = [line for line in text.splitlines() if line.startswith("class ")]
    assert classes == ["class Se(nn.Module):", "class MbconvT1(nn.Module):",
                       "class Mbconv(nn.Module):", "class EfficientnetB0(nn.Module):"]  # fmt: skip
    assert (
        "        if self.add1:\n            x = x + out\n        else:\n            x = out\n"
        in text
    )


@settings(max_examples=25, deadline=None)
@given(
    st.lists(graph_item(), min_size=1, max_size=4),
    st.sampled_from([8, 12, 16]),
    st.one_of(st.just([]), token_head()),
)
def test_random_graphs_export_to_pytorch(items: list[str], size: int, head: list[str]) -> None:
    try:
        net = cnncalc.load(graph_text(items, size, head))
    except cnncalc.CnnCalcError:
        return  # a map shrunk below a window: test_parity_examples checks the message
    report = analyze_network(net)
    check(report, build(report)[1])


# --- torchvision's weights in the generated model ---------------------------------------------

TORCHVISION = [
    "alexnet",
    "vgg16",
    "vgg16_bn",
    "resnet18",
    "resnet50",
    "mobilenet_v2",
    "mobilenet_v3_large",
    "efficientnet_b0",
    "densenet121",
    "squeezenet1_0",
    "googlenet",
    "shufflenet_v2_x1_0",
    "regnet_y_400mf",
    "convnext_tiny",
    "vit_b_16",
    "swin_t",
    "deeplabv3_resnet50",
]


def _torchvision_model(name: str) -> Any:
    from tests.test_torchvision import _model

    return _model(name)


def by_position(mine: dict[str, Any], theirs: list[Any], window: int = 4) -> dict[str, Any]:
    """torchvision's tensors under the generated model's keys, in order: each key takes the
    first tensor not taken yet, of its shape, among the next `window` (a module may register
    its layers in another order than it runs them: Swin's patch merging makes its Linear
    before the LayerNorm that runs first)."""
    assert len(mine) == len(theirs)
    free = list(range(len(theirs)))
    out = {}
    for key, tensor in mine.items():
        pick = next((i for i in free[:window] if theirs[i].shape == tensor.shape), None)
        assert pick is not None, f"{key}: {tuple(tensor.shape)} matches none of torchvision's"
        free.remove(pick)
        out[key] = theirs[pick]
    return out


def same_outputs(name: str, model: Any, net: Network) -> None:
    """torchvision's weights, loaded by position, give torchvision's outputs in eval mode."""
    tv = _torchvision_model(name).eval()
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():  # statistics a wrong eps or momentum cannot hide behind
        for m in tv.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.uniform_(-0.5, 0.5, generator=gen)
                m.running_var.uniform_(0.05, 1.5, generator=gen)
    model.load_state_dict(by_position(model.state_dict(), list(tv.state_dict().values())))
    model.eval()
    x = torch.randn(2, *net.input_shape, generator=gen)
    with torch.no_grad():
        want = tv(x)
        got = model(x)
    if isinstance(want, dict):  # segmentation: the "out" head
        want = want["out"]
    assert torch.allclose(got, want, rtol=1e-4, atol=1e-5), (got - want).abs().max()


def test_every_torchvision_example_is_compared() -> None:
    assert set(TORCHVISION) <= {p.stem for p in EXAMPLES}


# --- every kind, random stacks, hand-built graphs ---------------------------------------------


def _kinds() -> dict[type, Any]:
    from tests.test_parity import SINGLE
    from tests.test_parity_tokens import TOKEN_SINGLE

    return {**SINGLE, **TOKEN_SINGLE}


def test_every_layer_kind_is_exported() -> None:
    from cnncalc import layers as L

    layers = {k.cls for k in L.KINDS.values() if issubclass(k.cls, L.Layer)}
    assert layers == set(_kinds())


@pytest.mark.parametrize("cls", list(_kinds()), ids=lambda cls: cls.__name__)
def test_each_kind_exports_to_pytorch(cls: type) -> None:
    """Networks drawn from the parity tier's strategy for the kind (its arguments, ranks,
    paddings, modes), fewer of them: each exported, run and compared."""
    strategy, _ = _kinds()[cls]

    @settings(max_examples=6, deadline=None)
    @given(net=strategy)
    def one(net: Network) -> None:
        report = analyze_network(net)
        check(report, build(report)[1])

    one()


def test_random_stacks_export_to_pytorch() -> None:
    from tests.test_parity import stacks

    @settings(max_examples=15, deadline=None)
    @given(net=stacks())
    def one(net: Network) -> None:
        report = analyze_network(net)
        check(report, build(report)[1])

    one()


def test_hand_built_graphs_and_several_outputs_export() -> None:
    from tests.test_parity import DAGS

    for name, make in DAGS.items():
        shape, nodes = make(4)
        report = analyze_network(Network(shape, nodes, batch=2, name=name))
        if any(n.name + "." in m.name for n in nodes for m in nodes):  # `gate` and `gate.conv`
            with pytest.raises(cnncalc.CnnCalcError) as err:
                render_pytorch(report)
            assert err.value.code == "E0904"
            continue
        check(report, build(report)[1])
    shape, nodes = DAGS["unet"](4)
    outputs = (nodes[-1].name, nodes[2].name)
    report = analyze_network(Network(shape, nodes, outputs=outputs))
    text, model = build(report)
    assert "-> tuple[torch.Tensor, ...]:" in text
    check(report, model)


def test_names_that_are_no_attributes_keep_their_keys(tmp_path: Path) -> None:
    """Keywords and a number as layer names: `add_module`, and the state_dict keys are still
    the names."""
    text = (
        "input: 3x8x8\nblocks:\n  b:\n    layers:\n      - {conv: {out: 4, k: 3}, name: for}\n"
        "      - {bn, name: class}\nlayers:\n  - {b, name: if}\n"
        "  - {conv: {out: 4, k: 1}, repeat: 2, name: stack}\n  - flatten\n"
        "  - {linear: 5, name: '1st'}\n"
    )
    report = analyze_network(cnncalc.load(text))
    code, model = build(report)
    lint(code, tmp_path)
    keys = {k.rsplit(".", 1)[0] for k in model.state_dict()}
    assert keys == {"if.for", "if.class", "stack.0", "stack.1", "1st"}
    check(report, model)


def test_a_wrong_eps_shows_in_the_outputs() -> None:
    """The numeric comparison is what catches a non-counting argument: ResNet-18 with every
    batch norm at eps 1e-3 counts the same and computes differently."""
    text = (ROOT / "examples" / "resnet18.yaml").read_text(encoding="utf-8")
    net = cnncalc.load(
        text.replace("  conv: {bias: false}", "  conv: {bias: false}\n  bn: {eps: 0.001}")
    )
    _, model = build(analyze_network(dataclasses.replace(net, input_shape=SMALL)))
    assert "eps=0.001" in render_pytorch(analyze_network(net))
    tv = _torchvision_model("resnet18").eval()
    model.load_state_dict(by_position(model.state_dict(), list(tv.state_dict().values())))
    model.eval()
    x = torch.randn(1, *SMALL)
    with torch.no_grad():
        assert not torch.allclose(model(x), tv(x), rtol=1e-4, atol=1e-5)
