"""The commands through Typer's CliRunner: output, exit statuses, the stdout/stderr split."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app
from tests.conftest import ROOT

runner = CliRunner()
STACK = str(ROOT / "examples" / "stack.yaml")
VGG = str(ROOT / "examples" / "vgg16.yaml")


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"cnncalc {cnncalc.__version__}"


def test_layer_teaching_example() -> None:
    result = runner.invoke(app, ["layer", "--in", "3", "--out", "64", "-k", "3"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "64×3×3×3" in out
    assert "3×3×3 + 1 = 28" in out
    assert "64 × 28 = 1,792" in out
    assert "Output size" not in out  # no --size: kernel and params only


def test_layer_with_size_shows_formula_and_macs() -> None:
    result = runner.invoke(app, ["layer", "--in", "3", "--out", "64", "-k", "3", "--size", "32"])
    assert result.exit_code == 0, result.output
    assert "⌊(32 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 30" in result.stdout
    assert f"{64 * 30 * 30 * 27:,}" in result.stdout  # MACs 1,555,200
    assert f"{2 * 64 * 30 * 30 * 27:,}" in result.stdout  # FLOPs


def test_layer_json_matches_library() -> None:
    args = [
        "layer",
        "--in",
        "16",
        "--out",
        "32",
        "-k",
        "3x5",
        "--size",
        "20x24",
        "-s",
        "2",
        "-p",
        "1",
        "-g",
        "4",
        "--no-bias",
        "--format",
        "json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (layer,) = data["layers"]
    assert layer["kernel_shape"] == [32, 16 // 4, 3, 5]
    assert layer["params"] == 32 * 4 * 15
    oh, ow = (20 + 2 - 2 - 1) // 2 + 1, (24 + 2 - 4 - 1) // 2 + 1
    assert layer["out_shape"] == [32, oh, ow]
    assert data["totals"]["macs"] == 32 * 4 * 15 * oh * ow


@pytest.mark.parametrize(
    ("args", "shape"),
    [
        (["--op", "maxpool", "-k", "2", "--size", "32"], [8, 16, 16]),
        (["--op", "avgpool", "-k", "3", "-s", "1", "-p", "1", "--size", "9"], [8, 9, 9]),
        (["--op", "dwconv", "-k", "3", "--size", "10", "--dim", "1"], [8, 8]),
        (["--op", "convT", "--out", "4", "-k", "2", "-s", "2", "--size", "5x5x5"], [4, 10, 10, 10]),
        (["--op", "linear", "--out", "10"], [10]),
        (["--op", "conv", "--out", "8", "-k", "3", "-p", "same", "--size", "7"], [8, 7, 7]),
    ],
)
def test_layer_ops(args: list[str], shape: list[int]) -> None:
    result = runner.invoke(app, ["layer", "--in", "8", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["output_shape"] == shape


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--in", "3", "--out", "64", "-k", "3", "--size", "2"],
            "output size on axis H would be 0",
        ),
        (["--in", "3", "--out", "64", "-g", "2"], "groups=2 must divide"),
        (["--in", "3", "--out", "8", "-s", "2", "-p", "same", "--size", "8"], "needs stride 1"),
        (["--in", "3", "-k", "x"], "is not a size"),
        (["--in", "3", "--op", "conv"], "needs --out"),
        (
            [
                "--in",
                "3",
                "--out",
                "4",
                "--op",
                "convT",
                "-s",
                "2",
                "--output-padding",
                "2",
                "--size",
                "4",
            ],
            "output_padding 2 must be smaller",
        ),
    ],
)
def test_layer_bad_input_exits_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["layer", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_params_table_totals() -> None:
    result = runner.invoke(app, ["params", VGG])
    assert result.exit_code == 0, result.output
    assert "138,357,544" in result.stdout
    assert "15,470,264,320" in result.stdout
    assert "\x1b[" not in result.stdout  # not a TTY: no colour codes
    assert "Counting:" in result.stdout


def test_params_fits_an_80_column_terminal() -> None:
    """On a terminal the table fits (piped, it is as wide as its cells: tests/test_layout.py)."""
    env = {"COLUMNS": "80", "TTY_COMPATIBLE": "1", "NO_COLOR": "1"}
    result = runner.invoke(app, ["params", VGG], env=env)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert max(len(line) for line in plain.splitlines()) <= 80
    piped = runner.invoke(app, ["params", VGG], env={"COLUMNS": "80"})
    assert max(len(line) for line in piped.stdout.splitlines()) > 80  # adaptiveavgpool1, whole


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_params_formats(fmt: str) -> None:
    result = runner.invoke(app, ["params", STACK, "--format", fmt])
    assert result.exit_code == 0, result.output
    out = result.stdout
    if fmt == "json":
        assert json.loads(out) == cnncalc.analyze(STACK).to_dict()
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [int(r["params"]) for r in rows] == [64 * 28, 128 * (64 * 9 + 1)]
        assert rows[0]["out_shape"] == "64x30x30"
    else:
        assert "| conv1 | conv | 64×30×30 | 64×3×3×3 | 1,792 |" in out
        assert "75,648" in out


def test_params_depth_zero_is_totals_only() -> None:
    result = runner.invoke(app, ["params", STACK, "--depth", "0"])
    assert result.exit_code == 0
    assert "conv1" not in result.stdout
    assert "75,648" in result.stdout


def test_params_stdin() -> None:
    text = Path(STACK).read_text()
    result = runner.invoke(app, ["params", "-", "--format", "json"], input=text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["params"] == 75_648


def test_params_bad_file_exit_2_on_stderr(tmp_path: Path) -> None:
    bad = tmp_path / "net.yaml"
    bad.write_text("input: 3x32x32\nlayers:\n  - conv: {out: 8, kernal: 3}\n")
    result = runner.invoke(app, ["params", str(bad)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{bad}:3:20: error[E0314]: 'conv' has no argument 'kernal'" in result.stderr
    assert "did you mean 'kernel'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["params", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_internal_error_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    import cnncalc.engine

    def boom(*_: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(cnncalc, "analyze_network", boom)
    monkeypatch.setattr(cnncalc.engine, "analyze_network", boom)
    result = runner.invoke(app, ["params", STACK])
    assert result.exit_code == 3
    assert "this is a bug in cnncalc" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_error_exit_2() -> None:
    result = runner.invoke(app, ["params", STACK, "--format", "xml"])
    assert result.exit_code == 2


def test_python_m_and_console_script() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cnncalc", "params", STACK, "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["totals"]["params"] == 75_648


def test_import_is_light() -> None:
    code = (
        "import sys, cnncalc; cnncalc.analyze('input: 3x8x8\\nchannels: 3→4\\n'); "
        "print(sorted(m for m in ('rich', 'typer', 'torch', 'click') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_warnings_go_to_stderr_and_do_not_fail(tmp_path: Path) -> None:
    net = tmp_path / "skew.yaml"
    net.write_text(
        "input: 3x16x16\nlayers:\n  - conv: {out: 4, k: 3, p: 1}\n    name: a\n"
        "  - conv: {out: 4, k: 2, s: 2}\n    from: input\n  - upsample: 2\n  - add: [a, prev]\n"
    )
    result = runner.invoke(app, ["params", str(net), "--format", "json"])
    assert result.exit_code == 0
    assert f"{net}:8:5: warning[W0501]: add 'add1' merges paths" in result.stderr
    assert json.loads(result.stdout)["warnings"][0].startswith(f"{net}:8:5: warning[W0501]:")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "8", "-k", "²"], "--kernel '²' is not a size"),
        (["--out", "8", "-k", "99999999999999999999999"], "every size must be between 1 and"),
        (["--out", "8", "--size", "8x8x8x8"], "a 4-D layer"),
        (["--op", "avgpool", "-d", "2"], "--op avgpool takes no --dilation"),
        (["--op", "maxpool", "-g", "3"], "--op maxpool takes no --groups"),
        (["--op", "maxpool", "--no-bias"], "--op maxpool takes no --no-bias"),
        (["--op", "dwconv", "-g", "5"], "--op dwconv takes no --groups"),
        (["--out", "8", "--output-padding", "1"], "--op conv takes no --output-padding"),
        (["--op", "linear", "--out", "8", "--size", "9"], "--op linear takes no --size"),
    ],
)
def test_layer_refuses_what_pytorch_has_no_form_of(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["layer", "--in", "3", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("value", "binary", "text"),
    [
        (999, False, "999"),
        (999_999, False, "1 M"),  # rounding to 3 digits reaches the next unit: carry
        (1_814_073_344, False, "1.81 G"),
        (57_802_752, False, "57.8 M"),
        (6_422_528, True, "6.12 MiB"),
        (1000 * 1024, True, "1000 KiB"),  # never 1e+03
        (1024 * 1024 - 1, True, "1 MiB"),
        (512, True, "512 B"),
    ],
)
def test_human_numbers(value: int, binary: bool, text: str) -> None:
    from cnncalc.render.text import human

    assert human(value, binary) == text


def test_caret_lines_up_after_wide_characters() -> None:
    text = "input: 3x8x8\nlayers:\n  - {conv: {out: 8, k: 3}, name: 卷积, kernal: 3}\n"
    with pytest.raises(cnncalc.CnnCalcError) as info:
        cnncalc.analyze(text)
    quoted, caret = info.value.render().splitlines()[1:3]
    # the two CJK characters before it take four terminal columns, not two
    assert caret.index("^") == quoted.index("kernal") + 2
