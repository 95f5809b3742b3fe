"""Every command on every shipped example, through the command line as a user runs it: `params`
in each format, `explain` in both languages, `flow`, `lint`, `check` and `diff`, each with its
JSON where it has one. Exit 0 (check: 1 when a limit is one below the count), no traceback, and
the JSON's numbers are the library's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.analysis.lint import lint
from cnncalc.cli import app
from tests.conftest import EXAMPLES

ENV = {"COLUMNS": "100", "GITHUB_ACTIONS": "", "CNNCALC_LANG": ""}
runner = CliRunner()


def run(*args: str, status: int = 0) -> str:
    result = runner.invoke(app, list(args), env=ENV)
    assert result.exit_code == status, (args, result.output)
    assert "Traceback" not in result.output
    return result.stdout


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def example(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


def test_params_in_every_format(example: Path) -> None:
    report = cnncalc.analyze(example)
    data = json.loads(run("params", str(example), "--format", "json"))
    assert data["totals"] == report.to_dict()["totals"]
    assert [row["name"] for row in data["layers"]] == [r.name for r in report.layers]
    csv = run("params", str(example), "--format", "csv").splitlines()
    assert len(csv) == 1 + len(report.layers)
    markdown = run("params", str(example), "--format", "markdown")
    assert f"{report.totals.params:,}" in markdown
    assert f"{report.totals.params:,}" in run("params", str(example), "--depth", "1")


def test_explain_in_both_languages(example: Path) -> None:
    report = cnncalc.analyze(example)
    first, last = report.layers[0].name, report.layers[-1].name
    for lang, word in (("en", "Receptive field"), ("zh", "感受野")):
        out = run("explain", str(example), "--lang", lang)
        assert first in out and last in out and word in out


def test_flow_draws_every_layer(example: Path) -> None:
    report = cnncalc.analyze(example)
    for by in ("macs", "params"):
        out = run("flow", str(example), "--by", by)
        assert report.layers[-1].name in out


def test_lint_json_is_the_library_s(example: Path) -> None:
    findings = lint(cnncalc.analyze(example))
    data = json.loads(run("lint", str(example), "--format", "json"))
    assert [f["code"] for f in data["findings"]] == [f.code for f in findings]
    run("lint", str(example))


def test_check_passes_and_fails_at_the_count(example: Path) -> None:
    params = cnncalc.analyze(example).totals.params
    data = json.loads(run("check", str(example), "--max-params", str(params), "--format", "json"))
    (budget,) = [b for b in data["files"][0]["budgets"] if b["source"] == "cli"]
    assert budget["used"] == params and budget["passed"] and data["passed"]
    run("check", str(example), "--max-params", str(params - 1), "--format", "json", status=1)


def test_diff_with_itself_and_with_batch_two(example: Path, tmp_path: Path) -> None:
    report = cnncalc.analyze(example)
    same = json.loads(run("diff", str(example), str(example), "--format", "json"))
    assert all(v["delta"] == 0 for v in same["totals"].values()) and same["layers"] == []
    text = example.read_text(encoding="utf-8")
    two = tmp_path / example.name
    assert "\nbatch:" not in text
    two.write_text(text.replace("\ninput:", "\nbatch: 2\ninput:", 1), encoding="utf-8")
    data = json.loads(run("diff", str(example), str(two), "--format", "json"))
    macs = data["totals"]["macs"]
    assert (macs["old"], macs["new"]) == (report.totals.macs, 2 * report.totals.macs)
    assert data["totals"]["params"]["delta"] == 0
    assert "MACs" in run("diff", str(example), str(two))
