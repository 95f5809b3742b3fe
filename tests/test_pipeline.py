"""Every command that reads a network goes through one pipeline, so each shows the same located
warnings as `params`: on stderr, in JSON, as `::warning` under GitHub and in JUnit."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.cli.files import save
from cnncalc.errors import CnnCalcError

runner = CliRunner()

#: a concat-like merge of two paths whose receptive fields do not line up (line 8, column 5)
SKEW = (
    "input: 3x16x16\nlayers:\n  - conv: {out: 4, k: 3, p: 1}\n    name: a\n"
    "  - conv: {out: 4, k: 2, s: 2}\n    from: input\n  - upsample: 2\n  - add: [a, prev]\n"
    "budget: {params: 1M}\n"
)
WARNING = "merges paths whose receptive fields are misaligned"


@pytest.fixture
def net(tmp_path: Path) -> str:
    path = tmp_path / "skew.yaml"
    path.write_text(SKEW, encoding="utf-8")
    return str(path)


COMMANDS = [
    ["params"],
    ["params", "--format", "json"],
    ["params", "--format", "csv"],
    ["params", "--format", "markdown"],
    ["explain"],
    ["flow"],
    ["lint"],
    ["lint", "--format", "json"],
    ["check"],
    ["check", "--format", "json"],
    ["check", "--format", "markdown"],
    ["check", "--format", "junit"],
    ["check", "--format", "github"],
    ["diff", "SAME"],
    ["diff", "SAME", "--format", "json"],
    ["diff", "SAME", "--format", "markdown"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_shows_the_located_warning(net: str, args: list[str]) -> None:
    cmd = [args[0], net, *(net if a == "SAME" else a for a in args[1:])]
    result = runner.invoke(app, cmd, env={"GITHUB_ACTIONS": "", "CNNCALC_LANG": ""})
    assert result.exit_code == 0, result.output
    assert f"{net}:8:5: warning" in result.stderr
    assert WARNING in result.stderr
    if "json" in args:
        data = json.loads(result.stdout)
        found = data.get("warnings") or data["files"][0]["warnings"]
        assert found[0].startswith(f"{net}:8:5: warning")
    if "github" in args:
        assert "::warning file=" in result.stdout
        assert ",line=8,col=5,title=cnncalc" in result.stdout
    if "junit" in args:
        assert "<system-err>" in result.stdout and WARNING in result.stdout


def test_warnings_in_the_chosen_language(net: str) -> None:
    en = runner.invoke(app, ["explain", net])
    zh = runner.invoke(app, ["explain", net, "--lang", "zh"])
    assert en.exit_code == zh.exit_code == 0
    assert WARNING in en.stderr
    assert f"{net}:8:5: " in zh.stderr


def test_github_error_annotation_carries_the_code(tmp_path: Path) -> None:
    flat = tmp_path / "flat.yaml"
    flat.write_text("input: [16]\nbudget: {rf: 3}\nlayers:\n  - linear: 4\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(flat), "-f", "github"])
    assert result.exit_code == 2
    assert "error[E0608]:" in result.stderr
    assert result.stdout.startswith(f"::error file={flat},line=1,col=8,title=cnncalc E0608%3A")
    result = runner.invoke(app, ["check", str(tmp_path / "*.none"), "-f", "github"])
    assert result.exit_code == 2
    assert result.stdout.startswith("::error title=cnncalc E0002::no file matches")


def test_junit_reports_a_file_that_does_not_load(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: 3x8x8\nbudget: {params: 1M}\nlayers:\n  - conv: {out: 8, kernal: 3}\n")
    report = tmp_path / "report.xml"
    result = runner.invoke(app, ["check", str(bad), "--junit-xml", str(report)])
    assert result.exit_code == 2
    xml = report.read_text(encoding="utf-8")
    assert 'errors="1"' in xml and "<error " in xml and "kernal" in xml


def test_save_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    save(target, "new text")
    assert target.read_text(encoding="utf-8") == "new text"
    assert os.listdir(tmp_path) == ["out.txt"]  # no temporary file left behind
    with pytest.raises(CnnCalcError) as info:
        save(tmp_path / "missing" / "x.xml", "x", "--junit-xml")
    assert info.value.code == "E0005"
    assert "--junit-xml: cannot write" in info.value.message


MACHINE_READABLE = [
    ["params", "examples/resnet50.yaml", "--format", "json"],
    ["params", "examples/resnet50.yaml", "--format", "csv"],
    ["params", "examples/resnet50.yaml", "--format", "markdown"],
    ["layer", "--in", "3", "--out", "8", "--format", "json"],
    ["lint", "examples/resnet50.yaml", "--format", "json"],
    ["check", "examples/resnet50.yaml", "--max-params", "30M", "--format", "json"],
    ["check", "examples/resnet50.yaml", "--max-params", "30M", "--format", "junit"],
    ["diff", "examples/resnet18.yaml", "examples/resnet50.yaml", "--format", "json"],
]


@pytest.mark.parametrize("args", MACHINE_READABLE, ids=" ".join)
def test_machine_readable_output_imports_no_rich(args: list[str]) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "import sys\nfrom cnncalc.cli import app\n"
        f"try:\n    app({args!r}, prog_name='cnncalc')\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(str(sorted(m for m in sys.modules if m.split('.')[0] == 'rich')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout
    assert done.stderr.endswith("[]"), done.stderr[-300:]


def test_lint_reads_directories_and_globs(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yml"):
        (tmp_path / name).write_text("input: 3x32x32\nchannels: 3→64\n", encoding="utf-8")
    for arg in (str(tmp_path), str(tmp_path / "*.y*ml")):
        result = runner.invoke(app, ["lint", arg])
        assert result.exit_code == 0, result.output
        assert "2 file(s) checked" in result.stderr
