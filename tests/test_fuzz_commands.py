"""Every command, on fuzzed networks: a result or a located error (exit 0, 1 or 2), never a bug.

The loader is fuzzed in test_fuzz.py; this drives the same networks through the commands that
render them (`params`, `explain`, `flow`, `lint`, `check`, `diff`, `export`), where a crash would
surface as exit status 3.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from cnncalc.cli import app
from tests.test_fuzz import network

COMMANDS = (
    ["params", "{f}", "--format", "json"],
    ["params", "{f}", "--depth", "1"],
    ["explain", "{f}"],
    ["flow", "{f}", "--by", "params"],
    ["lint", "{f}", "--strict"],
    ["check", "{f}", "--max-params", "1k", "--min-rf", "3"],
    ["diff", "{f}", "{f}"],
    ["export", "{f}", "--to", "mermaid"],
    ["export", "{f}", "--to", "dot", "--depth", "1"],
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(network)
def test_commands_never_crash(tmp_path: Path, text: str) -> None:
    net = tmp_path / "net.yaml"
    net.write_text(text, encoding="utf-8")
    runner = CliRunner()
    for command in COMMANDS:
        args = [a.format(f=net) for a in command]
        result = runner.invoke(app, args, env={"COLUMNS": "80", "GITHUB_ACTIONS": ""})
        assert result.exit_code in (0, 1, 2), (args, text, result.output)
        if result.exit_code == 2:
            assert "error" in result.stderr and "Traceback" not in result.stderr
