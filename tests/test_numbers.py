"""Numbers of any size (docs/security.md, "Numbers"): a receptive field is a product of strides
and grows past 4,300 digits (Python's int-to-text limit) and past 1e308 (a float's), fractional
after an upsampling. Every command writes it (scientific form past 10^21 for reading, past 10^308
in JSON and CSV) and `check` compares it exactly, without changing the process's int-to-text
limit (the command line runs in-process here, so a change would show).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.analysis.budget import BudgetResult
from cnncalc.cli import app
from cnncalc.engine import analyze_network
from cnncalc.loader import load_text
from cnncalc.messages.numbers import count_text, rf_text, sci, token
from cnncalc.render.text import percent

runner = CliRunner()
ENV = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "COLUMNS": "200"}

S = 10**6  # each conv's stride (and padding, so the 3×3 map survives)
N = 800  # convs in the chain
#: r += (k−1)·J, J *= s from r = J = 1: r = 1 + 2·(s^N − 1)/(s − 1), 4,795 digits
RF = 1 + 2 * (S**N - 1) // (S - 1)
JUMP = S**N
CHAIN = f"  - conv: {{out: 1, k: 3, s: {S}, p: {S}}}\n    repeat: {N}\n"


def chain(budget: str = "rf: 3", extra: str = "") -> str:
    return f"name: n\ninput: 1x8x8\nbudget: {{{budget}}}\nlayers:\n{CHAIN}{extra}"


@pytest.fixture
def huge(tmp_path: Path) -> Path:
    path = tmp_path / "huge.yaml"
    path.write_text(chain(), encoding="utf-8")
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    before = sys.get_int_max_str_digits()
    result = runner.invoke(app, list(args), env=ENV)
    assert sys.get_int_max_str_digits() == before  # no process-wide change
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_the_chain_is_past_both_limits() -> None:
    assert len(str(RF // 10**1000)) + 1000 == 4795  # 4,795 digits: str(RF) itself would raise
    report = analyze_network(load_text(chain()))
    assert report.layers[-1].rf[0].size == RF and report.layers[-1].rf[0].jump == JUMP


# --- the formatter ------------------------------------------------------------------------------


def test_sci_of_numbers_of_any_size() -> None:
    assert sci(RF) == "2.000e+4794"
    assert sci(Fraction(RF, 3)) == "6.667e+4793"
    assert sci(-(10**5000)) == "-1.000e+5000"
    assert sci(99_995 * 10**4000) == "1.000e+4005"  # 9.9995 rounds up: the exponent carries
    assert sci(Fraction(1, 10**400)) == "1.000e-400"


def test_count_and_rf_text() -> None:
    assert count_text(11_689_512) == "11,689,512"
    assert count_text(10**21) == "1.000e+21" and count_text(10**21 - 1) == f"{10**21 - 1:,}"
    assert rf_text(19) == "19" and rf_text(Fraction(1, 2)) == "0.5"
    assert rf_text(Fraction(RF, 3)) == "6.667e+4793"


def test_tokens_for_json_and_csv() -> None:
    assert token(12) == "12" and token(10**307) == str(10**307)
    assert token(10**308) == "1.000e+308" and token(RF) == "2.000e+4794"
    assert token(0.5) == "0.5" and token(Fraction(5, 2)) == "2.5"
    assert json.loads(token(RF), parse_float=Decimal) == Decimal("2.000e4794")


def test_percent_past_a_float() -> None:
    ratio = Fraction(RF - 3, 3)  # the headroom of an `rf: 3` budget
    assert percent(ratio) == "6.667e+4795%"
    assert percent(ratio, signed=True) == "+6.667e+4795%"
    assert percent(Fraction(1, 40)) == "2.5%"  # small ones as before


# --- every command ------------------------------------------------------------------------------


def test_params_table_markdown_csv(huge: Path) -> None:
    code, out, _ = invoke("params", str(huge))
    assert code == 0 and "2.000e+4794" in out
    code, out, _ = invoke("params", str(huge), "-f", "markdown")
    assert code == 0 and "2.000e+4794" in out
    code, out, _ = invoke("params", str(huge), "-f", "csv")
    assert code == 0
    head, *_, last = list(csv.reader(io.StringIO(out)))
    rf = dict(zip(head, last, strict=True))
    assert (rf["rf_size"], rf["rf_jump"]) == ("2.000e+4794x2.000e+4794", "1.000e+4800x1.000e+4800")


def test_params_json(huge: Path) -> None:
    code, out, _ = invoke("params", str(huge), "-f", "json")
    assert code == 0
    data = json.loads(out, parse_float=Decimal)  # a JSON number, read exactly as a Decimal
    rf = data["layers"][-1]["rf"]
    assert rf["size"] == [Decimal(sci(RF))] * 2 and rf["jump"] == [Decimal(sci(JUMP))] * 2
    assert data["layers"][0]["rf"]["size"] == [3, 3]  # small ones exact, as integers
    assert json.loads(out)["layers"][-1]["rf"]["size"] == [float("inf")] * 2  # as a double


def test_explain_and_flow(huge: Path) -> None:
    code, out, _ = invoke("explain", str(huge), "-l", f"conv1.{N - 1}")
    assert code == 0
    # the working of the last step: r + (k−1)·J = r', with J = s^(N−1)
    assert f"{sci(RF - 2 * S ** (N - 1))} + (3−1)·{sci(S ** (N - 1))} = {sci(RF)}" in out
    code, out, _ = invoke("flow", str(huge))
    assert code == 0
    code, out, _ = invoke("lint", str(huge))
    assert code == 0


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "junit", "github"])
def test_check_compares_exactly(huge: Path, fmt: str) -> None:
    code, out, _ = invoke("check", str(huge), "-f", fmt)
    assert code == 0, out
    assert "2.000e+4794" in out or "rf" in out  # github: no annotation when all pass
    code, out, _ = invoke("check", str(huge), "-f", fmt, "--min-rf", "1e30")
    assert code == 0
    if fmt == "json":
        (b,) = json.loads(out, parse_float=Decimal)["files"][0]["budgets"]
        assert b["used"] == Decimal(sci(RF)) and b["limit"] == 10**30
        assert b["headroom_pct"] == Decimal(sci(Fraction((RF - 10**30) * 100, 10**30)))


def test_a_fractional_receptive_field_past_a_float(tmp_path: Path) -> None:
    """Past 1e308 and not whole: 60 convs (J = 10^360), an upsampling by 3 (J = 10^360/3), and a
    3×3 conv (r += 2J): r = 1 + 2·(10^360 − 1)/(10^6 − 1) + 2·10^360/3."""
    extra = "  - upsample: 3\n  - conv: {out: 1, k: 3, p: 1}\n"
    text = chain("rf: 1e30", extra).replace("repeat: 800", "repeat: 60")
    report = analyze_network(load_text(text))
    r = report.layers[-1].rf[0].size
    want = 1 + 2 * (S**60 - 1) // (S - 1) + Fraction(2 * S**60, 3)
    assert r == want and isinstance(r, Fraction) and r.denominator == 3 and r > 10**308
    path = tmp_path / "frac.yaml"
    path.write_text(text, encoding="utf-8")
    for fmt in ("table", "json", "markdown", "junit"):
        code, out, _ = invoke("check", str(path), "-f", fmt)
        assert code == 0 and sci(want) in out, out
    code, out, _ = invoke("check", str(path), "--min-rf", "1e30", "-f", "json")
    assert code == 0 and json.loads(out)["passed"] is True
    for args in (["params"], ["params", "-f", "json"], ["explain"]):
        code, out, _ = invoke(args[0], str(path), *args[1:])
        assert code == 0 and sci(want) in out


def test_a_misaligned_merge_of_huge_fields_warns_in_scientific_form(tmp_path: Path) -> None:
    branch = CHAIN.replace("  - ", "        - - ").replace("    repeat", "            repeat")
    second = branch.replace(f"repeat: {N}", f"repeat: {N - 1}")
    second += f"          - conv: {{out: 1, k: 2, s: {S}, p: {S}}}\n"
    text = f"name: n\ninput: 1x8x8\nlayers:\n  - parallel:\n      branches:\n{branch}{second}"
    text += "      merge: add\n"
    path = tmp_path / "skew.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = invoke("params", str(path))
    assert code == 0 and "warning[W0501]" in err and "jumps 1.000e+4800, 1.000e+4800" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--max-params", "1e400"],
        ["--max-macs", "1e309"],
        ["--min-rf", "1e400"],
        ["--max-activations", "1e999999999GiB"],
    ],
)
def test_budget_quantities_past_a_float_are_refused_with_a_hint(
    huge: Path, args: list[str]
) -> None:
    code, _, err = invoke("check", str(huge), *args)
    assert code == 2 and "error[E0605]" in err and "hint: " in err


@pytest.mark.parametrize(
    ("value", "code"),
    [("1e400", "E0201"), ('"1e400"', "E0312"), ("1e309k", "E0312"), ("1e31", "E0312")],
)
def test_budget_quantities_past_a_float_in_the_file(tmp_path: Path, value: str, code: str) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(chain(f"params: {value}"), encoding="utf-8")
    status, _, err = invoke("check", str(path))
    assert status == 2 and f"{path}:3:18: error[{code}]" in err and "hint: " in err


def test_headroom_of_huge_budgets_is_exact() -> None:
    b = BudgetResult("rf", RF, 3, None)
    assert b.headroom == Fraction(RF - 3, 3) and b.passed
    from cnncalc.render.ci import amounts, verdict

    assert amounts(b) == ("2.000e+4794", "3")
    assert verdict(b).startswith("rf meets its minimum: receptive field of the output 2.000e+4794")
