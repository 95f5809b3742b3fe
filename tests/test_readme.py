"""README.md stays honest: its pasted outputs and the zoo table are regenerated and compared.

`pytest --update-goldens` rewrites them in place.
"""

from __future__ import annotations

import re
import shlex

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app
from cnncalc.render.text import human
from tests.conftest import EXAMPLES, ROOT
from tests.test_reference import REFERENCE

README = ROOT / "README.md"
#: a pasted output: ```text blocks show the command line and what it printed, ```mermaid blocks
#: only what it printed (GitHub draws them)
OUTPUT = re.compile(
    r"(<!-- readme-output(?: exit=(\d))?: (.+?) -->\n```(text|mermaid)\n)(.*?)(```)", re.S
)
ZOO = re.compile(r"(<!-- zoo:start -->\n)(.*?)(<!-- zoo:end -->)", re.S)


def run(command: str, status: int = 0, shown: bool = True) -> str:
    """The command's output as a reader sees it: the command line (when `shown`), then what it
    printed."""
    args = shlex.split(command)
    assert args[0] == "cnncalc"
    env = {"COLUMNS": "80", "NO_COLOR": "1", "GITHUB_ACTIONS": "", "CNNCALC_LANG": ""}
    result = CliRunner().invoke(app, args[1:], env=env)
    assert result.exit_code == status, result.output
    lines = [
        *([f"$ {command}"] if shown else []),
        *(ln.rstrip() for ln in result.stdout.splitlines()),
    ]
    return "\n".join(lines).rstrip() + "\n"


def zoo_table() -> str:
    lines = [
        "| example | input | params | MACs | FLOPs | peak activations | torchvision |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for path in EXAMPLES:
        report = cnncalc.analyze(path)
        t = report.totals
        ref = REFERENCE.get(path.stem)
        if ref is None:
            published = "—"
        else:
            params, macs, gmacs = ref
            published = f"{params:,} / " + (f"{macs:,}" if macs else f"{gmacs} G")
        shape = "×".join(str(v) for v in report.network.input_shape)
        lines.append(
            f"| [{path.stem}](examples/{path.name}) | {shape} | {t.params:,} | {t.macs:,} | "
            f"{human(t.flops)} | {human(t.peak_activation_bytes, binary=True)} | {published} |"
        )
    return "\n".join(lines) + "\n"


def regenerate(text: str) -> str:
    text = OUTPUT.sub(
        lambda m: (
            m.group(1)
            + run(m.group(3), int(m.group(2) or 0), shown=m.group(4) == "text")
            + m.group(6)
        ),
        text,
    )
    return ZOO.sub(lambda m: m.group(1) + zoo_table() + m.group(3), text)


def test_readme_is_current(update_goldens: bool) -> None:
    text = README.read_text(encoding="utf-8")
    assert OUTPUT.search(text) and ZOO.search(text)
    fresh = regenerate(text)
    if update_goldens:
        README.write_text(fresh, encoding="utf-8")
        return
    assert fresh == text, "README.md is stale: run pytest --update-goldens and review the diff"


@pytest.mark.parametrize("block", re.findall(r"```yaml\n(.*?)```", README.read_text(), re.S))
def test_readme_yaml_examples_parse(block: str) -> None:
    if block.lstrip("# \n").startswith(("name:", "input:")) or "\ninput:" in block:
        assert cnncalc.analyze(block).totals.params >= 0
