"""The command line a new user meets first (issue 10): directories with other YAML in them,
`--input`/`--batch`/`--dtype` on every command, `explain` of a block, help and its examples,
narrow terminals and piped tables, the input-shape column and `rf_global` in CSV."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app
from tests.conftest import ROOT

runner = CliRunner()
ENV = {"NO_COLOR": "1", "GITHUB_ACTIONS": "", "CNNCALC_LANG": "", "COLUMNS": "100"}
EXAMPLES = ROOT / "examples"


def invoke(*args: str, **env: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={**ENV, **env})
    return result.exit_code, result.stdout, result.stderr


# --- directories and globs skip YAML that is not a network ---------------------------------------


def test_check_a_directory_with_ci_files_reports_every_network() -> None:
    code, out, err = invoke("check", str(EXAMPLES), "--max-params", "200M", "-f", "json")
    assert code == 0, err
    names = {Path(f["path"]).name for f in json.loads(out)["files"]}
    # the networks, the Ultralytics example among them, no CI file
    assert names == {p.name for p in EXAMPLES.glob("*.yaml")} | {
        "pcb_defects.yaml",
        "pcb_line.yaml",
    }
    for ci_file in ("github-actions.yml", "gitlab-ci.yml"):
        assert f"note: {EXAMPLES / 'ci' / ci_file}: not a network" in err


def test_lint_a_glob_skips_other_yaml(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "stack.yaml", tmp_path / "stack.yaml")
    (tmp_path / "workflow.yml").write_text("name: ci\non: push\njobs: {}\n")
    (tmp_path / "flow.yaml").write_text("{input: 3x8x8, layers: [relu]}\n")
    code, _, err = invoke("lint", str(tmp_path / "*.y*ml"))
    assert code == 0, err
    assert "workflow.yml: not a network" in err
    assert "in 2 file" in err  # the summary counts the networks, not the workflow


def test_a_file_named_explicitly_is_never_skipped(tmp_path: Path) -> None:
    other = tmp_path / "workflow.yml"
    other.write_text("name: ci\njobs: {}\n")
    code, _, err = invoke("lint", str(other))
    assert code == 2  # loaded, and its error reported
    assert "not a network" not in err


def test_a_directory_without_networks_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "workflow.yml").write_text("name: ci\njobs: {}\n")
    code, _, err = invoke("check", str(tmp_path), "--max-params", "1M")
    assert code == 2
    assert "error[E0010]" in err


def test_network_keys_are_top_level_keys_of_the_format() -> None:
    from cnncalc.cli.common import NETWORK_KEYS
    from cnncalc.loader.document import TOP_KEYS

    assert set(NETWORK_KEYS) <= {*TOP_KEYS, "backbone"}  # and an Ultralytics model file's
    # keys CI files also use at the top level cannot tell a network from a workflow
    assert not {"name", "cnncalc"} & NETWORK_KEYS


# --- --input, --batch, --dtype on every command that reads a network ----------------------------


def resnet18_at(tmp_path: Path, shape: str) -> Path:
    text = (EXAMPLES / "resnet18.yaml").read_text(encoding="utf-8")
    assert "input: 3x224x224" in text
    path = tmp_path / "resnet18_320.yaml"
    path.write_text(text.replace("input: 3x224x224", f"input: {shape}"), encoding="utf-8")
    return path


def params_json(*args: str) -> dict[str, object]:
    code, out, err = invoke("params", *args, "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def test_params_input_equals_a_file_with_that_input(tmp_path: Path) -> None:
    edited = params_json(str(resnet18_at(tmp_path, "3x320x320")))
    given = params_json(str(EXAMPLES / "resnet18.yaml"), "--input", "3x320x320")
    assert given["layers"] == edited["layers"] and given["totals"] == edited["totals"]
    assert given["input"] == [3, 320, 320]
    # conv1: 64 kernels of 3×7×7 at each of 160×160 output positions
    assert given["layers"][0]["macs"] == 160 * 160 * 64 * 3 * 7 * 7  # type: ignore[index]


def test_params_batch_and_dtype() -> None:
    base = params_json(str(EXAMPLES / "stack.yaml"))
    both = params_json(str(EXAMPLES / "stack.yaml"), "--batch", "4", "--dtype", "float16")
    assert both["batch"] == 4 and both["dtype"] == "float16"
    assert both["totals"]["macs"] == 4 * base["totals"]["macs"]  # type: ignore[index]
    assert both["totals"]["param_bytes"] == 75_648 * 2  # type: ignore[index]


@pytest.mark.parametrize(
    "args",
    [
        ["explain", "-l", "conv1"],
        ["flow"],
        ["lint"],
        ["check", "--max-params", "1G"],
        ["diff", str(EXAMPLES / "stack.yaml")],
    ],
    ids=lambda a: a[0],
)
def test_every_command_reading_a_network_takes_the_overrides(args: list[str]) -> None:
    cmd, *rest = args
    stack = str(EXAMPLES / "stack.yaml")
    code, out, err = invoke(cmd, stack, *rest, "--input", "3x64x64", "--batch", "2",
                            "--dtype", "float16")  # fmt: skip
    assert code == 0, err
    if cmd in ("explain", "flow"):
        assert "3×64×64" in out and "3×32×32" not in out


def test_diff_compares_both_sides_at_the_given_input() -> None:
    stack = str(EXAMPLES / "stack.yaml")
    code, out, err = invoke("diff", stack, stack, "--input", "3x64x64", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["totals"]["macs"]["old"] == 64 * 62 * 62 * 27 + 128 * 60 * 60 * 576


def test_check_overrides_reach_the_numbers() -> None:
    stack = str(EXAMPLES / "stack.yaml")
    code, out, err = invoke("check", stack, "--max-macs", "1G", "--input", "3x64x64", "-f", "json")
    assert code == 0, err
    used = json.loads(out)["files"][0]["budgets"][0]["used"]
    # conv1 64×62×62 outputs × 27 weights + conv2 128×60×60 outputs × 576 weights
    assert used == 64 * 62 * 62 * 27 + 128 * 60 * 60 * 576


@pytest.mark.parametrize("bad", ["3x", "big", "0x32x32", "1x2x3x4x5"])
def test_a_bad_input_option_is_a_located_error(bad: str) -> None:
    code, out, err = invoke("params", str(EXAMPLES / "stack.yaml"), "--input", bad)
    assert code == 2 and not out
    assert "error[E0011]" in err and "hint:" in err


@pytest.mark.parametrize("command", ["params", "check", "explain", "lint", "flow"])
def test_a_batch_axis_in_the_input_option_is_refused(command: str) -> None:
    """`--input 1x3x224x224` (torchinfo's `input_size`) is refused as `input:` is (E0363), not
    read as a volume that fails somewhere deep in the network."""
    code, out, err = invoke(command, str(EXAMPLES / "resnet18.yaml"), "--input", "1x3x224x224")
    assert code == 2 and not out, err
    assert "error[E0012]" in err and "per sample" in err
    assert "hint: for an image with a batch, write '--input 3x224x224 --batch 1'" in err
    assert "Traceback" not in err


def test_a_four_axis_input_option_on_a_3d_network_is_a_volume(tmp_path: Path) -> None:
    net = tmp_path / "video.yaml"
    net.write_text("input: 3x8x32x32\nlayers:\n  - conv3d: {out: 4, k: 3}\n", encoding="utf-8")
    code, out, err = invoke("params", str(net), "--input", "3x16x64x64", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["output_shape"] == [4, 14, 62, 62]


# --- explain a block ----------------------------------------------------------------------------


def test_explain_a_block_shows_its_subtotal_layers_and_shortcuts() -> None:
    code, out, err = invoke("explain", str(EXAMPLES / "resnet18.yaml"), "-l", "layer2",
                            COLUMNS="200")  # fmt: skip
    assert code == 0, err
    report = cnncalc.analyze(EXAMPLES / "resnet18.yaml")
    block = next(b for b in report.blocks if b.name == "layer2")
    params = sum(r.params for r in report.layers[block.start : block.end])
    assert params == block.params == 525_568
    assert f"{params:,}" in out and f"{block.macs:,}" in out
    head = out.split("layer2.0.conv1  ·")[0]
    assert "layer2  ·  block  ·  64×56×56 → 128×28×28" in head
    # the projection shortcut: a 1×1 conv 64 → 128 without bias and a bn (2 × 128)
    assert f"{128 * 64 + 2 * 128:,}" in head and "shortcut1: conv 128×64×1×1 + bn" in head
    assert "identity: adds 'layer2.0.relu2'" in head
    # then every layer of the block, in order
    for row in report.layers[block.start : block.end]:
        assert f"\n{row.name}  ·  {row.op}  ·" in out


def test_explain_names_blocks_in_its_hint() -> None:
    code, _, err = invoke("explain", str(EXAMPLES / "resnet18.yaml"), "-l", "layr1")
    assert code == 2 and "error[E0701]" in err and "did you mean 'layer1'?" in err


# --- help: -h, -V, metavars, examples that run --------------------------------------------------

COMMANDS = ["params", "layer", "explain", "lint", "flow", "check", "diff", "schema", "export"]


def test_short_help_and_version() -> None:
    assert invoke("-h")[1] == invoke("--help")[1]
    code, out, _ = invoke("-V")
    assert code == 0 and out == f"cnncalc {cnncalc.__version__}\n"
    assert "--install-completion" in invoke("--help")[1]


def test_shell_completion_completes_commands_and_options() -> None:
    """What bash's completion script asks (`--show-completion` prints that script)."""
    import os
    import subprocess
    import sys

    def complete(words: str) -> list[str]:
        env = {**os.environ, "_CNNCALC_COMPLETE": "complete_bash", "COMP_WORDS": words,
               "COMP_CWORD": str(len(words.split()) - 1), "PYTHONPATH": str(ROOT)}  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-m", "cnncalc"], env=env, capture_output=True, text=True, check=False
        )
        return done.stdout.split()

    assert complete("cnncalc pa") == ["params"]
    assert "--format" in complete("cnncalc params --fo")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--install-completion" in readme and "--show-completion" in readme


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_no_placeholders_and_examples_that_run(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shlex
    import subprocess

    code, out, _ = invoke(command, "-h")
    assert code == 0
    for placeholder in ("{", "<int", "<str>", "<path>", "<integer>"):
        assert placeholder not in out, placeholder
    assert "\n  Examples:\n" in out
    lines = [ln.strip() for ln in out.split("\n  Examples:\n", 1)[1].splitlines() if ln.strip()]
    assert lines and all(ln.startswith(f"cnncalc {command}") for ln in lines)
    monkeypatch.chdir(ROOT)
    for line in lines:
        if "HEAD~1:" in line:  # needs the repository's history
            ok = subprocess.run(["git", "rev-parse", "HEAD~1"], capture_output=True, cwd=ROOT)
            if ok.returncode:
                continue
        status, _, err = invoke(*shlex.split(line)[1:])
        assert status == 0, (line, err)
