"""`cnncalc check`: budgets measured, every exit status, and each CI report format.

The networks are tests/data/budget_{pass,fail}.yaml, one small classifier:
3×32×32 → conv 16 k3 p1 → relu → maxpool 2 → conv 32 k3 p1 → gap → flatten → linear 10.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cnncalc.analysis import budget as C
from cnncalc.analysis.budget import cli_option
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.loader import load, load_text
from cnncalc.quantities import BUDGETS, Limit, format_quantity, parse_quantity
from cnncalc.render import ci as ci_render
from cnncalc.render.json import check_json
from tests.conftest import ROOT

runner = CliRunner()
GOLDEN_CI = ROOT / "tests" / "golden_ci"  # Markdown reports (tests/golden is per example)
DATA = ROOT / "tests" / "data"
PASS = str(DATA / "budget_pass.yaml")
FAIL = str(DATA / "budget_fail.yaml")
NO_GH = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "GITHUB_WORKSPACE": ""}

# the classifier's numbers, by formula
CONV1 = 16 * (3 * 3 * 3 + 1)  # 448
CONV2 = 32 * (16 * 3 * 3 + 1)  # 4,640
FC = 10 * (32 + 1)  # 330
PARAMS = CONV1 + CONV2 + FC  # 5,418
MACS = 16 * 32 * 32 * 27 + 32 * 16 * 16 * 144 + 10 * 32  # 1,622,336
# peak: relu1's output (16×32×32) written while conv1's is still alive, float32
PEAK = 2 * 16 * 32 * 32 * 4  # 131,072 = 128KiB
RF = 38  # of the gap output, as the engine derives it for a 32×32 input


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check", *args], env={**NO_GH, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


# --- the table of budgets ----------------------------------------------------------------------


def test_every_budget_has_a_measure_and_an_option() -> None:
    assert set(C.MEASURES) | set(C.TRAIN_MEASURES) == set(BUDGETS)
    assert not set(C.MEASURES) & set(C.TRAIN_MEASURES)
    help_text = runner.invoke(app, ["check", "--help"], env={"COLUMNS": "200"}).stdout
    for name in BUDGETS:
        assert cli_option(name) in help_text


@pytest.mark.parametrize("name", sorted(BUDGETS))
def test_each_option_sets_its_budget(name: str) -> None:
    code, out, _ = invoke(PASS, "-f", "json", cli_option(name), "1")
    budgets = {b["name"]: b for b in json.loads(out)["files"][0]["budgets"]}
    assert budgets[name]["limit"] == 1
    assert budgets[name]["source"] == "cli"
    assert budgets[name]["line"] is None
    # a limit of 1 passes only as a minimum (rf ≥ 1)
    assert budgets[name]["passed"] is BUDGETS[name][2]
    assert code == (0 if BUDGETS[name][2] else 1)


def test_measures_of_the_classifier() -> None:
    report = C.check_network(load(PASS), PASS)
    used = {b.name: b.used for b in report.budgets}
    assert used == {
        "params": PARAMS,
        "macs": MACS,
        "flops": 2 * MACS,
        "param_bytes": 4 * PARAMS,
        "activations": PEAK,
        "layer_params": CONV2,
        "rf": RF,
    }
    assert report.passed


def test_batch_and_dtype_override_the_file() -> None:
    r = C.check_network(load(PASS), PASS, batch=3, dtype="float16")
    used = {b.name: b.used for b in r.budgets}
    assert used["macs"] == 3 * MACS
    assert used["params"] == PARAMS  # batch does not multiply parameters
    assert used["param_bytes"] == 2 * PARAMS
    assert used["activations"] == 3 * PEAK // 2
    assert {b.name for b in r.failures} == {"macs", "flops", "activations"}


def test_cli_limit_replaces_the_files() -> None:
    net = load(FAIL)
    r = C.check_network(net, FAIL, C.parse_cli_limits({"params": "6k", "macs": None}))
    params = next(b for b in r.budgets if b.name == "params")
    assert (params.limit, params.pos, params.passed) == (6000, None, True)
    assert [b.name for b in r.budgets] == ["params", "macs", "activations"]  # BUDGETS order


def test_headroom_and_minimum() -> None:
    b = C.BudgetResult("params", PARAMS, 5000, None)
    assert not b.passed
    assert b.headroom == Fraction(5000 - PARAMS, 5000)  # -8.36%
    rf = C.BudgetResult("rf", RF, 64, None)
    assert not rf.passed and rf.headroom == Fraction(RF - 64, 64)
    assert C.BudgetResult("rf", RF, RF, None).passed  # a minimum is inclusive
    assert C.BudgetResult("params", 5, 5, None).passed  # so is a maximum
    assert C.BudgetResult("params", 5, 0, None).headroom is None


def test_rf_needs_spatial_axes() -> None:
    net = load_text("input: [512]\nbudget: {rf: 3}\nlayers:\n  - linear: 10\n", "flat.yaml")
    with pytest.raises(CnnCalcError, match="no spatial axes") as info:
        C.check_network(net, "flat.yaml")
    assert info.value.code == "E0608"


def test_declares_budget() -> None:
    assert C.declares_budget("input: 3x8x8\nbudget:\n  params: 1M\n")
    assert C.declares_budget("budget: {params: 1M}\n")
    assert not C.declares_budget("input: 3x8x8\nlayers: [relu]\n")
    assert not C.declares_budget("x:\n  budget: 1\n")  # not top-level
    assert not C.declares_budget("# budget: 1M\n")


@given(st.integers(min_value=0, max_value=10**15))
def test_format_quantity_reads_back(value: int) -> None:
    text = format_quantity(value, "count")
    assert abs(parse_quantity(text, "count") - value) <= value * Fraction(5, 10**4)


def test_parse_quantity_is_exact() -> None:
    assert parse_quantity("65.07G", "count") == 65_070_000_000  # floats: 65,069,999,999.99
    assert parse_quantity("12_000_000", "count") == 12 * 10**6
    assert parse_quantity("1.5e3", "count") == 1500
    assert parse_quantity("64MiB", "bytes") == 64 * 2**20
    assert parse_quantity("24kB", "bytes") == 24_000


def test_format_quantity_examples() -> None:
    assert format_quantity(11_689_512, "count") == "11.69M"
    assert format_quantity(12 * 10**6, "count") == "12M"
    assert format_quantity(999_999, "count") == "1M"  # carried, not `1000k`
    assert format_quantity(64 * 2**20, "bytes") == "64MiB"
    assert format_quantity(24_000, "bytes", si=True) == "24kB"
    assert format_quantity(100, "bytes") == "100B"


def test_amounts_show_exact_numbers_when_rounding_hides_the_excess() -> None:
    b = C.BudgetResult("params", 12_000_001, 12_000_000, None)
    assert ci_render.amounts(b) == ("12,000,001", "12,000,000")
    big = C.BudgetResult("params", 11_689_512, 12_000_000, None)
    assert ci_render.amounts(big) == ("11.69M", "12M")
    small = C.BudgetResult("params", PARAMS, 6000, None)  # below 10,000: plain digits
    assert ci_render.amounts(small) == ("5,418", "6,000")
    assert ci_render.amounts(C.BudgetResult("rf", 2263, 100, None)) == ("2,263", "100")


# --- exit statuses ------------------------------------------------------------------------------


def test_exit_0_when_all_pass() -> None:
    code, out, err = invoke(PASS)
    assert code == 0, err
    assert "FAIL" not in out
    assert "all 7 budgets in 1 file within limits" in out


def test_exit_1_when_a_budget_is_exceeded() -> None:
    code, out, _ = invoke(PASS, FAIL)
    assert code == 1
    assert out.count("FAIL") == 2
    assert "2 of 10 budgets in 2 files exceeded" in out


def test_exit_2_on_a_bad_network(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: 3x8x8\nbudget: {params: 1M}\nlayers:\n  - conv: {out: 8, kernal: 3}\n")
    code, out, err = invoke(PASS, str(bad))
    assert code == 2
    assert out == ""
    assert f"{bad}:4:20: error[E0314]: 'conv' has no argument 'kernal'" in err


def test_exit_2_on_a_bad_budget_in_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: 3x8x8\nbudget:\n  parms: 1M\nlayers: [relu]\n")
    code, _, err = invoke(str(bad))
    assert code == 2
    assert f"{bad}:3:3: error[E0310]: unknown budget 'parms'" in err
    assert "did you mean 'params'?" in err


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--max-params", "12Q"], "--max-params: '12Q' is not a count quantity", "E0605"),
        (
            ["--max-activations", "64Mi"],
            "--max-activations: '64Mi' is not a bytes quantity",
            "E0605",
        ),
        (["--dtype", "float64"], "--dtype: unknown dtype 'float64'", "E0606"),
        (["nope/*.yaml"], "no file matches 'nope/*.yaml'", "E0002"),
        (["missing.yaml"], "no such file", None),
    ],
)
def test_exit_2_on_bad_usage(args: list[str], message: str, code: str | None) -> None:
    status, out, err = invoke(PASS, *args)
    assert status == 2
    assert message in err
    assert out == ""
    if code is not None:
        assert f"error[{code}]:" in err


def test_exit_2_when_there_is_nothing_to_check() -> None:
    lenet = str(ROOT / "examples" / "lenet5.yaml")
    code, _, err = invoke(lenet)
    assert code == 2
    assert f"nothing to check: {lenet} declares no budget" in err
    assert "error[E0609]:" in err
    assert "--only-budgeted" in err
    # with a limit on the command line, the same file is checked
    assert invoke(lenet, "--max-params", "62k")[0] == 0  # 61,706 params


def test_a_file_without_budget_among_others_is_noted() -> None:
    lenet = str(ROOT / "examples" / "lenet5.yaml")
    code, out, err = invoke(PASS, lenet)
    assert code == 0
    # the table says it once, in its own line; the note on stderr is for the other formats
    assert out.count("no budget declared") == 1
    assert "declares no budget" not in err
    code, out, err = invoke(PASS, lenet, "--format", "json")
    assert code == 0
    assert f"note: {lenet} declares no budget; not checked" in err


def test_exit_3_on_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(C, "check_report", boom)
    code, _, err = invoke(PASS)
    assert code == 3
    assert "internal error: RuntimeError: boom" in err


# --- files, globs, --only-budgeted --------------------------------------------------------------


def test_globs_and_directories_expand(tmp_path: Path) -> None:
    from cnncalc.cli.common import expand_paths

    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("a.yaml", "sub/b.yml", ".hidden/c.yaml", "notes.txt"):
        (tmp_path / name).write_text("input: 3x8x8\nlayers: [relu]\n")
    a, b = str(tmp_path / "a.yaml"), str(tmp_path / "sub" / "b.yml")
    assert expand_paths([str(tmp_path)]) == [a, b]
    assert expand_paths([str(tmp_path / "**" / "*.y*ml"), a]) == [a, b]  # each file once
    assert expand_paths(["-", "missing.yaml"]) == ["-", "missing.yaml"]


def test_only_budgeted_skips_other_yaml(tmp_path: Path) -> None:
    other = tmp_path / ".pre-commit-config.yaml"
    other.write_text("repos: []\n")
    lenet = str(ROOT / "examples" / "lenet5.yaml")
    code, out, err = invoke("--only-budgeted", str(other), lenet, PASS, "-f", "json")
    assert code == 0, err
    assert [f["path"] for f in json.loads(out)["files"]] == [PASS]
    # nothing budgeted at all: a note, exit 0
    code, out, err = invoke("--only-budgeted", str(other), lenet, "-f", "json")
    assert (code, json.loads(out)) == (0, {"schema": 1, "files": [], "passed": True})
    assert "none of the 2 files has a budget" in err
    # without the option, the non-network file is bad input
    assert invoke(str(other), PASS)[0] == 2


# --- JSON ---------------------------------------------------------------------------------------


def test_json_report() -> None:
    code, out, _ = invoke(PASS, FAIL, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["schema"] == 1 and data["passed"] is False
    first, second = data["files"]
    assert (first["path"], first["passed"], len(first["budgets"])) == (PASS, True, 7)
    assert second["path"] == FAIL and second["passed"] is False
    params = second["budgets"][0]
    assert {k: params[k] for k in ("name", "used", "limit", "passed", "line", "col")} == {
        "name": "params",
        "used": PARAMS,
        "limit": 5000,
        "passed": False,
        "line": 6,  # `  params: 5k` in budget_fail.yaml
        "col": 11,
    }
    assert params["headroom_pct"] == round((5000 - PARAMS) / 5000 * 100, 4)
    for b in first["budgets"] + second["budgets"]:
        assert set(b) >= {"name", "used", "limit", "passed", "line"}


# --- GitHub -------------------------------------------------------------------------------------

ANNOTATIONS = [
    "::error file={path},line=6,col=11,title=params over budget::params over budget: learnable"
    " parameters 5,418, limit 5,000, 8.4%25 over",
    "::error file={path},line=8,col=16,title=activations over budget::activations over budget:"
    " peak activation memory 128KiB (131,072), limit 100KiB, 28.0%25 over",
]


def test_github_annotations_exact_text() -> None:
    code, out, _ = invoke(FAIL, "--format", "github")
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("::")]
    assert lines == [a.format(path=FAIL) for a in ANNOTATIONS]
    assert round((PARAMS - 5000) / 5000 * 100, 1) == 8.4
    assert round((PEAK - 100 * 1024) / (100 * 1024) * 100, 1) == 28.0


def test_github_is_automatic_in_actions_with_workspace_paths_and_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(ROOT),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    code, out, _ = invoke(FAIL, env=env)
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("::")]
    assert lines == [a.format(path="tests/data/budget_fail.yaml") for a in ANNOTATIONS]
    text = summary.read_text()
    assert text.startswith("earlier step\n### ❌ cnncalc check: 2 of 3 budgets")  # appended


def test_github_annotation_for_a_command_line_limit_is_on_line_1() -> None:
    code, out, _ = invoke(PASS, "--max-macs", "1M", "-f", "github")
    assert code == 1
    assert out.splitlines()[0] == (
        f"::error file={PASS},line=1,col=1,title=macs over budget::macs over budget:"
        " multiply-accumulates 1.622M (1,622,336), limit 1M, 62.2%25 over"
        " (limit from --max-macs)"
    )


def test_github_annotation_for_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: 3x8x8\nbudget: {params: 1M}\nlayers:\n  - conv: {out: 8, kernal: 3}\n")
    code, out, _ = invoke(str(bad), "-f", "github")
    assert code == 2
    assert out.startswith(f"::error file={bad},line=4,col=20,title=cnncalc")
    # the title carries the error's code once the loader's errors have one
    assert re.search(
        r",title=cnncalc( E\d{4})?%3A invalid network::"
        r"'conv' has no argument 'kernal' \(hint: did you mean 'kernel'\?\)",
        out,
    )


def test_annotation_escaping_and_paths() -> None:
    line = ci_render.annotation("error", "a,b:c.yaml", 3, 4, "50% done\nnext", "t: x")
    assert line == "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=t%3A x::50%25 done%0Anext\n"
    assert ci_render.annotation_path("m/n.yaml", "/ws/sub", "/ws") == "sub/m/n.yaml"
    assert ci_render.annotation_path("/elsewhere/n.yaml", "/ws", "/ws") == "/elsewhere/n.yaml"
    assert ci_render.annotation_path("n.yaml", "/ws", None) == "n.yaml"


# --- JUnit --------------------------------------------------------------------------------------


def test_junit_report_parses_and_counts(tmp_path: Path) -> None:
    lenet = str(ROOT / "examples" / "lenet5.yaml")
    code, out, _ = invoke(PASS, FAIL, lenet, "--format", "junit")
    assert code == 1
    root = ET.fromstring(out)  # noqa: S314 - cnncalc's own output
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 7 + 3 + 1  # a case per budget, a skipped one for the file without
    assert len(root.findall("./testsuite/testcase/failure")) == 2
    assert len(root.findall("./testsuite/testcase/skipped")) == 1
    assert root.get("tests") == "11" and root.get("failures") == "2"
    assert root.get("skipped") == "1"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert suites[FAIL].get("failures") == "2" and suites[PASS].get("failures") == "0"
    failing = [c for c in suites[FAIL] if c.find("failure") is not None]
    assert [(c.get("name"), c.get("line")) for c in failing] == [
        ("params", "6"),
        ("activations", "8"),
    ]
    # --junit-xml writes the same report beside any format
    target = tmp_path / "junit.xml"
    code, out, _ = invoke(PASS, FAIL, lenet, "--junit-xml", str(target))
    assert code == 1 and "FAIL" in out
    assert ET.parse(target).getroot().get("failures") == "2"  # noqa: S314 - ours too


# --- Markdown -----------------------------------------------------------------------------------


def test_markdown_golden(update_goldens: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # relative paths in the golden
    lenet = "examples/lenet5.yaml"
    result = runner.invoke(
        app,
        [
            "check",
            "tests/data/budget_pass.yaml",
            "tests/data/budget_fail.yaml",
            lenet,
            "--min-rf",
            "40",
            "-f",
            "markdown",
        ],
        env=NO_GH,
    )
    assert result.exit_code == 1
    golden = GOLDEN_CI / "check.md"
    if update_goldens:
        golden.write_text(result.stdout)
    assert result.stdout == golden.read_text()


def test_markdown_all_pass() -> None:
    md = ci_render.check_markdown(C.CheckResult((C.check_network(load(PASS), "p.yaml"),)))
    assert md.startswith("### ✅ cnncalc check: all 7 budgets in 1 file within limits\n")
    assert md.count("✅ pass") == 7


# --- the pre-commit hook ------------------------------------------------------------------------


def _hook() -> dict[str, object]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = (h for h in hooks if h["id"] == "cnncalc-check")
    return dict(hook)


def test_hook_definition() -> None:
    hook = _hook()
    assert hook["language"] == "python"
    pattern = re.compile(str(hook["files"]))
    assert pattern.search("models/net.yaml") and pattern.search("net.yml")
    assert not pattern.search("net.json")
    assert "--only-budgeted" in str(hook["entry"])


def _run_hook(files: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(str(_hook()["entry"]))
    assert argv[0] == "cnncalc"
    argv[0] = str(Path(sys.executable).with_name("cnncalc"))  # the console script pre-commit runs
    env = {**os.environ, **NO_GH}
    return subprocess.run(
        [*argv, *files], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )


def test_hook_entry_passes_and_fails(tmp_path: Path) -> None:
    # pre-commit passes every staged file that matches `files`: networks and other YAML alike
    (tmp_path / "workflow.yml").write_text("on: push\njobs: {}\n")
    (tmp_path / "plain.yaml").write_text((ROOT / "examples" / "lenet5.yaml").read_text())
    (tmp_path / "ok.yaml").write_text(Path(PASS).read_text())
    (tmp_path / "over.yaml").write_text(Path(FAIL).read_text())
    passing = _run_hook(["workflow.yml", "plain.yaml", "ok.yaml"], tmp_path)
    assert passing.returncode == 0, passing.stderr
    failing = _run_hook(["workflow.yml", "ok.yaml", "over.yaml"], tmp_path)
    assert failing.returncode == 1
    assert "FAIL" in failing.stdout and "over.yaml" in failing.stdout


def test_check_renders_every_unit() -> None:
    """Every budget shows in every format (a new budget without a renderer would fail here)."""
    limits = {name: Limit(name, 1) for name in BUDGETS}
    result = C.CheckResult((C.check_network(load(PASS), "p.yaml", limits),))
    for text in (
        ci_render.check_markdown(result),
        check_json(result),
        ci_render.check_junit(result),
    ):
        for name in BUDGETS:
            assert name in text


# --- the CI examples, run as CI would run them ---------------------------------------------------


def _models_repo(tmp_path: Path) -> Path:
    """A repository with models/ok.yaml within its budget and models/over.yaml over it."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "ok.yaml").write_text(Path(PASS).read_text())
    (tmp_path / "models" / "over.yaml").write_text(Path(FAIL).read_text())
    (tmp_path / "models" / "plain.yaml").write_text((ROOT / "examples" / "lenet5.yaml").read_text())
    return tmp_path


def _run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)  # where pip put `cnncalc`
    full_env = {**os.environ, **NO_GH, "PATH": bin_dir + os.pathsep + os.environ["PATH"], **env}
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", command],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )


def _steps(path: Path) -> list[dict[str, str]]:
    workflow = yaml.safe_load(path.read_text())
    (job,) = workflow["jobs"].values()
    return [s for s in job["steps"] if "run" in s]


def test_github_actions_example_annotates_the_budget_line(tmp_path: Path) -> None:
    repo = _models_repo(tmp_path)
    step = next(s for s in _steps(ROOT / "examples/ci/github-actions.yml") if "check" in s["run"])
    summary = tmp_path / "summary.md"
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = _run(step["run"], repo, env)
    assert done.returncode == 1, done.stderr
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert annotations == [a.format(path="models/over.yaml") for a in ANNOTATIONS]
    assert "❌ cnncalc check: 2 of 10 budgets in 2 files exceeded" in summary.read_text()


def test_github_actions_example_diffs_changed_networks(tmp_path: Path) -> None:
    repo = tmp_path
    (repo / "models").mkdir()
    net = repo / "models" / "net.yaml"
    net.write_text((ROOT / "examples" / "lenet5.yaml").read_text())
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    net.write_text((ROOT / "tests" / "data" / "lenet5_v2.yaml").read_text())
    subprocess.run([*git, "commit", "-qam", "change"], cwd=repo, check=True)
    step = next(s for s in _steps(ROOT / "examples/ci/github-actions.yml") if "diff" in s["run"])
    summary = tmp_path / "summary.md"
    done = _run(step["run"], repo, {"BASE": "HEAD~1", "GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 0, done.stderr
    text = summary.read_text()
    assert text.startswith("### cnncalc diff: `HEAD~1:models/net.yaml` → `models/net.yaml`")
    assert "**Layers:** 5 added, 7 removed, 3 changed, 2 unchanged" in text


def test_gitlab_example_writes_junit(tmp_path: Path) -> None:
    repo = _models_repo(tmp_path)
    job = yaml.safe_load((ROOT / "examples/ci/gitlab-ci.yml").read_text())["cnncalc"]
    assert job["artifacts"]["when"] == "always"
    report = job["artifacts"]["reports"]["junit"]
    (script,) = job["script"]
    done = _run(script, repo, {})
    assert done.returncode == 1, done.stderr
    assert "FAIL" in done.stdout  # the table in the job log
    root = ET.parse(repo / report).getroot()  # noqa: S314 - cnncalc's own output
    assert (root.get("tests"), root.get("failures")) == ("10", "2")


def test_rf_budget_on_a_network_whose_output_is_its_input(tmp_path: Path) -> None:
    net = tmp_path / "id.yaml"
    net.write_text("input: 3x8x8\nlayers:\n  - relu\noutputs: [input]\n")
    result = CliRunner().invoke(app, ["check", str(net), "--min-rf", "2", "--format", "json"])
    assert result.exit_code == 1  # the input sees 1 pixel: below the minimum of 2
    (budget,) = json.loads(result.stdout)["files"][0]["budgets"]
    assert (budget["name"], budget["used"], budget["passed"]) == ("rf", 1, False)


@pytest.mark.parametrize(
    ("text", "unit", "code"),
    [("12Q", "count", "E0601"), ("64Mi", "bytes", "E0602"), ("1.5", "count", "E0603")],
)
def test_quantity_errors_have_codes(text: str, unit: str, code: str) -> None:
    from cnncalc.quantities import UnitError

    with pytest.raises(UnitError) as info:
        parse_quantity(text, unit)  # type: ignore[arg-type]
    assert info.value.msg.code == code
    assert str(info.value) == info.value.msg.text("en")
