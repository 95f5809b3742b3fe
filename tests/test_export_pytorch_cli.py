"""`cnncalc export --to pytorch` without PyTorch: the exact text for a small network, the
options and their errors, safe writing, and that writing the code never imports torch (the
generated code is run in tests/test_export_pytorch.py, the parity tier)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app
from cnncalc.engine import analyze_network
from cnncalc.render.pytorch import camel, render_pytorch
from tests.conftest import ROOT

runner = CliRunner()
ENV = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "CNNCALC_LANG": "", "COLUMNS": "200"}

TINY = """\
name: tiny
input: 3x8x8
blocks:
  res:
    layers:
      - residual:
          body:
            - conv: {out: 8, k: 3, p: 1}
            - relu
layers:
  - conv: {out: 8, k: 3, p: 1}
    name: stem
  - res:
    name: r
  - res:
    name: r2
  - bn: {eps: 0.001, momentum: 0.01}
  - {maxpool: {k: 3, s: 2, ceil_mode: true}}
  - {chunk: 2, name: halves}
  - concat: [halves.1, halves.0]
"""

#: one class for the block (called twice), the layers as attributes under their own names,
#: only the arguments that differ from PyTorch's defaults, the chunk and concat in forward
TINY_CODE = '''\
"""tiny as a PyTorch module (class Tiny), written by cnncalc export."""

import torch
from torch import nn


class Res(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(8, 8, kernel_size=3, padding=1)
        self.relu1 = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(x)
        out = self.relu1(out)
        x = x + out
        return x


class Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, kernel_size=3, padding=1)
        self.r = Res()
        self.r2 = Res()
        self.bn1 = nn.BatchNorm2d(8, eps=0.001, momentum=0.01)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        x = self.r(x)
        x = self.r2(x)
        x = self.bn1(x)
        x = self.maxpool1(x)
        out = x.chunk(2, dim=1)[0]
        x = x.chunk(2, dim=1)[1]
        x = torch.cat([x, out], dim=1)
        return x
'''


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_the_code_of_a_small_network(tiny_file: Path) -> None:
    code, out, err = invoke("export", str(tiny_file), "--to", "pytorch")
    assert (code, err) == (0, "")
    assert out == TINY_CODE


def test_class_name_and_output_file(tiny_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "model.py"
    code, out, err = invoke(
        "export", str(tiny_file), "--to", "pytorch", "--class-name", "TinyNet", "-o", str(target)
    )
    assert (code, out, err) == (0, "", "")
    text = target.read_text(encoding="utf-8")
    assert text == TINY_CODE.replace("class Tiny(", "class TinyNet(").replace(
        "(class Tiny)", "(class TinyNet)"
    )


@pytest.mark.parametrize("name", ["1x", "my-net", "class", "", "Net Work"])
def test_a_class_name_that_is_no_identifier(tiny_file: Path, name: str) -> None:
    code, out, err = invoke("export", str(tiny_file), "--to", "pytorch", "--class-name", name)
    assert code == 2 and out == "" and "error[E0901]" in err


@pytest.mark.parametrize("name", ["torch", "nn", "OrderedDict", "DropPath"])
def test_a_class_name_the_module_uses(tiny_file: Path, name: str) -> None:
    code, out, err = invoke("export", str(tiny_file), "--to", "pytorch", "--class-name", name)
    assert code == 2 and out == "" and "error[E0902]" in err


def test_a_block_class_gives_way_to_the_class_name(tiny_file: Path) -> None:
    code, out, _ = invoke("export", str(tiny_file), "--to", "pytorch", "--class-name", "Res")
    assert code == 0
    assert "class Res2(nn.Module):" in out and "self.r = Res2()" in out
    assert "class Res(nn.Module):" in out  # the network's class


@pytest.mark.parametrize(
    "args",
    [
        ["--to", "pytorch", "--depth", "1"],
        ["--to", "mermaid", "--class-name", "Net"],
        ["--to", "dot", "--class-name", "Net"],
    ],
)
def test_an_option_of_another_format(tiny_file: Path, args: list[str]) -> None:
    code, out, err = invoke("export", str(tiny_file), *args)
    assert code == 2 and out == "" and "error[E0903]" in err


def test_an_unwritable_output_leaves_nothing(tiny_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "model.py"
    code, out, err = invoke("export", str(tiny_file), "--to", "pytorch", "-o", str(target))
    assert code == 2 and out == "" and "error[E0005]" in err and "--output" in err
    assert not target.parent.exists()
    folder = tmp_path / "dir"
    folder.mkdir()
    code, _, err = invoke("export", str(tiny_file), "--to", "pytorch", "-o", str(folder))
    assert code == 2 and "error[E0005]" in err and list(folder.iterdir()) == []


def test_the_help_shows_pytorch_examples() -> None:
    code, out, _ = invoke("export", "--help")
    assert code == 0
    assert "cnncalc export examples/resnet18.yaml --to pytorch\n" in out
    assert "--class-name" in out


def test_the_docstring_in_chinese(tiny_file: Path) -> None:
    code, out, _ = invoke("export", str(tiny_file), "--to", "pytorch", "--lang", "zh")
    assert code == 0
    assert out.startswith('"""tiny 的 PyTorch 模块（类 Tiny），由 cnncalc export 生成。"""\n')


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("resnet18", "Resnet18"),
        ("mobilenet_v2", "MobilenetV2"),
        ("3d-unet", "Net3dUnet"),
        ("", "Net"),
        ("none", "None_"),
        ("pcb defects", "PcbDefects"),
    ],
)
def test_class_names_from_network_names(name: str, cls: str) -> None:
    assert camel(name) == cls


def test_a_hostile_network_name_stays_inside_the_docstring() -> None:
    net = cnncalc.load('name: \'a"""b\\ c"\'\ninput: 3x8x8\nlayers:\n  - relu\n')
    assert net.name == 'a"""b\\ c"'
    text = render_pytorch(analyze_network(net))
    first = text.split("\n", 1)[0]
    assert first.startswith('"""') and first.endswith('"""') and first.count('"""') == 2
    compile(text, "generated.py", "exec")  # still Python


def test_writing_the_code_imports_no_torch() -> None:
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from cnncalc.cli import app\n"
        f"r = CliRunner().invoke(app, ['export', {str(ROOT / 'examples' / 'swin_t.yaml')!r},"
        " '--to', 'pytorch'])\n"
        "assert r.exit_code == 0, r.output\n"
        "assert 'class ShiftedWindowAttention(nn.Module):' in r.stdout\n"
        "bad = [m for m in ('torch', 'numpy', 'onnx') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", ["training", "forward", "eval"])
def test_a_name_pytorch_keeps_for_itself(tmp_path: Path, name: str) -> None:
    path = tmp_path / "n.yaml"
    path.write_text(
        f"input: 3x8x8\nlayers:\n  - {{conv: {{out: 4, k: 1}}, name: {name}}}\n", encoding="utf-8"
    )
    code, out, err = invoke("export", str(path), "--to", "pytorch")
    assert code == 2 and out == "" and "error[E0905]" in err and f"'{name}'" in err
    assert invoke("params", str(path))[0] == 0  # cnncalc itself takes the name


def test_a_layer_named_as_a_group() -> None:
    from cnncalc import layers as L
    from cnncalc.engine import INPUT, Network, Node

    nodes = (
        Node("gate.conv", "conv", L.Conv(4), (INPUT,)),
        Node("gate", "sigmoid", L.Activation(function="sigmoid"), ("gate.conv",)),
    )
    with pytest.raises(cnncalc.CnnCalcError) as err:
        render_pytorch(analyze_network(Network((3, 8, 8), nodes)))
    assert err.value.code == "E0904"
