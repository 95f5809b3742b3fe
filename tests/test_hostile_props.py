"""The hostile tier as properties (docs/security.md): Hypothesis builds YAML bombs, huge numbers
and text full of control characters and markup, puts them in every place a file, a path or an
option can hold them, and runs the command line on each.

Every case, whatever it holds, must end with exit status 0, 1 or 2 (2 when the input is bad),
never a traceback, at most 64 KiB of stderr, no raw control character but line breaks and tabs
on stdout or stderr, and a bad input must be reported as `file:line:col: error[E####]` (an
option's error as `error[E####]`) with a `hint:`. Most cases run in-process through Typer's
CliRunner (fast); the YAML bombs also run in a subprocess under `resource` limits (1 GiB of
address space, 10 s of CPU), so that a blow-up is killed and fails instead of hanging.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cnncalc.cli import app
from tests.test_hostile import assert_safe, run

runner = CliRunner()
ENV = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "CNNCALC_LANG": "", "COLUMNS": "100"}
MAX_STDERR = 64 * 1024
#: raw control characters (line breaks and tabs are text), C1 controls and bidi overrides too
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CODED = re.compile(r"^(?:.+: )?error\[E\d{4}\]: ", re.M)  # `path: error[…]` for a path
LOCATED = re.compile(r"^.+:\d+:\d+: error\[E\d{4}\]: ", re.M)

TIER = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- what a case is, and what it must do ---------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: int
    out: str
    err: str


def cli(args: list[str], env: dict[str, str] | None = None) -> Outcome:
    result = runner.invoke(app, args, env={**ENV, **(env or {})})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a bug in cnncalc: show its traceback
    return Outcome(result.exit_code, result.stdout, result.stderr)


def assert_promises(o: Outcome, located: bool) -> None:
    """docs/security.md for one run; `located`: a bad input is the file's, so its error names
    a line and a column."""
    assert o.status in (0, 1, 2), (o.status, o.err[-2000:])
    assert "Traceback" not in o.err and "internal error" not in o.err, o.err[-2000:]
    assert len(o.err.encode("utf-8", "replace")) < MAX_STDERR, len(o.err)
    assert not RAW_CONTROL.search(o.out), repr(o.out[:300])
    assert not RAW_CONTROL.search(o.err), repr(o.err[:300])
    if o.status == 2:
        assert CODED.search(o.err), o.err[:2000]
        assert "hint: " in o.err, o.err[:2000]
        if located:
            assert LOCATED.search(o.err), o.err[:2000]


#: one command and format per case (each sink gets its share of the examples)
COMMANDS = [
    ["params"],
    ["params", "-f", "json"],
    ["params", "-f", "csv"],
    ["params", "-f", "markdown", "--depth", "1"],
    ["explain"],
    ["flow", "--by", "params"],
    ["lint", "-f", "json"],
    ["check", "-f", "github", "--max-params", "1M"],  # each check has a limit: a file without
    ["check", "-f", "junit", "--max-macs", "1G"],  # one would be a whole-file error (E0609)
    ["check", "-f", "markdown", "--max-params", "1k"],
    ["check", "--min-rf", "3"],
    ["diff", "{f}"],
    ["export", "--to", "mermaid"],
    ["export", "--to", "dot", "--depth", "1"],
    ["check", "-f", "markdown", "--max-params", "1k", "--diagram"],
]
commands = st.sampled_from(COMMANDS)


def run_file(text: str | bytes, command: list[str], name: str = "net.yaml") -> Outcome:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        args = [command[0], str(path), *(str(path) if a == "{f}" else a for a in command[1:])]
        return cli(args)


# --- text: control characters and markup ---------------------------------------------------------

FRAGMENTS = [
    "\x1b[31m", "\x1b]0;title\x07", "\x1b[2J", "\r", "\n::error::x", "\n", "\t", "\x00", "\x7f",
    "\x85", "\x9b", "\u202e", "\u2066", "\u200b", "\ufeff", "\u2028", "\uffff",
    "[/b]", "[bold red]", "[/]", "[link=x]", ":smile:", "%0A", "%0D", "%25", "::", ",", ":",
    "<script>", "</td>", "]]>", "<![CDATA[", "&amp;", "&", '"', "'", "|", "`", "``", "\\", "*",
    "_", "~~", "$", "#", "=", "+", "-", "@", "${", "}", "{", "[", "&a", "*a", "!!str", "? ",
    "conv", "layer1", "中文", "✅", " ",
]  # fmt: skip
hostile_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), min_size=1, max_size=8
).map("".join)


def quoted(text: str, style: str) -> str:
    """`text` as a YAML scalar: plain (as it is), single-quoted, or double-quoted with escapes
    (JSON's string syntax is YAML's double-quoted syntax)."""
    if style == "plain":
        return text
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text)


styles = st.sampled_from(["plain", "single", "double"])
PLACES: dict[str, Callable[[str], str]] = {
    "network name": lambda v: f"name: {v}\ninput: 3x16x16\nlayers: [relu]\n",
    "layer name": lambda v: f"input: 3x16x16\nlayers:\n  - conv: {{out: 4, k: 3}}\n    name: {v}\n",
    "reference": lambda v: f"input: 3x16x16\nlayers:\n  - relu\n  - add: [prev, {v}]\n",
    "op": lambda v: f"input: 3x16x16\nlayers:\n  - {v}: 3\n",
    "argument": lambda v: f"input: 3x16x16\nlayers:\n  - conv: {{out: 4, {v}: 3}}\n",
    "value": lambda v: f"input: 3x16x16\nlayers:\n  - conv: {{out: 4, k: {v}}}\n",
    "block": lambda v: f"input: 3x16x16\nblocks:\n  {v}:\n    layers: [relu]\nlayers: [{v}]\n",
    "budget": lambda v: f"input: 3x16x16\nbudget: {{params: {v}}}\nlayers: [relu]\n",
    "comment": lambda v: f"input: 3x16x16 # {v}\nlayers: [relu]\n",
    "key": lambda v: f"input: 3x16x16\n{v}: 1\nlayers: [relu]\n",
}
places = st.sampled_from(sorted(PLACES))


@TIER
@given(hostile_text, styles, places, commands)
def test_hostile_text_anywhere_in_a_file(
    text: str, style: str, place: str, command: list[str]
) -> None:
    o = run_file(PLACES[place](quoted(text, style)), command)
    assert_promises(o, located=True)


def file_name(text: str) -> str:
    """`text` as a file name the system takes (no `/`, no NUL, not too long)."""
    name = text.replace("/", "|").replace("\x00", "0")
    return (name.encode("utf-8", "surrogatepass")[:180].decode("utf-8", "ignore") or "x") + ".yaml"


@TIER
@given(hostile_text, commands)
def test_hostile_file_names(text: str, command: list[str]) -> None:
    good = "name: n\ninput: 3x16x16\nbudget: {params: 10}\nlayers:\n  - conv: {out: 4, k: 3}\n"
    try:
        o = run_file(good, command, file_name(text))
    except (OSError, UnicodeEncodeError):  # a name this file system will not hold
        return
    assert_promises(o, located=True)
    assert o.status in (0, 1), o.err  # the file is good: its name must not make it bad


OPTION_VALUE = [
    ["params", "{f}", "--input", "{v}"],
    ["params", "{f}", "--dtype", "{v}"],
    ["params", "{f}", "--lang", "{v}"],
    ["explain", "{f}", "--layer", "{v}"],
    ["lint", "{f}", "--ignore", "{v}"],
    ["check", "{f}", "--max-params", "{v}"],
    ["check", "{f}", "--max-activations", "{v}"],
    ["check", "{f}", "--min-rf", "{v}"],
    ["diff", "{f}", "{v}"],
    ["layer", "--in", "3", "--out", "8", "-k", "{v}"],
    ["layer", "--in", "3", "--out", "8", "--size", "{v}"],
    ["layer", "--in", "3", "--out", "8", "-p", "{v}", "--size", "9"],
]


@TIER
@given(hostile_text, st.sampled_from(OPTION_VALUE))
def test_hostile_option_values(text: str, command: list[str]) -> None:
    value = text.replace("\x00", "0")  # an argument vector holds no NUL
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "net.yaml"
        path.write_text("name: n\ninput: 3x16x16\nlayers:\n  - conv: {out: 4, k: 3}\n")
        args = [str(path) if a == "{f}" else value if a == "{v}" else a for a in command]
        o = cli(args, env={"GITHUB_ACTIONS": "true"} if command[0] == "check" else None)
    assert_promises(o, located=False)
    assert not re.search(r"^::error::x", o.out, re.M)  # no workflow command of the user's


# --- big numbers ---------------------------------------------------------------------------------

big_numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.integers(min_value=2**62, max_value=2**65).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from([
        "1e400", "-1e400", "1e-400", "9" * 5000, "1" + "0" * 4400, ".inf", "-.inf", ".nan", "1e30",
        "1e31", "1e99999999", "0x7fffffffffffffff", "0o777", "1_000_000", "-0", "0.5", "3e3",
        "9223372036854775807", "9223372036854775808", "${int(1e308)}", "${10 ** 400}",
        "${int(1e308) * int(1e308)}", "1e308k", "1e30GiB", "2**64",
    ]),
)  # fmt: skip
NUMERIC = {
    "out": "  - conv: {{out: {v}, k: 3}}\n",
    "k": "  - conv: {{out: 4, k: {v}}}\n",
    "s": "  - conv: {{out: 4, k: 3, s: {v}}}\n",
    "p": "  - conv: {{out: 4, k: 3, p: {v}}}\n",
    "d": "  - conv: {{out: 4, k: 3, d: {v}}}\n",
    "g": "  - conv: {{out: 4, k: 3, g: {v}}}\n",
    "convT output_padding": "  - convT: {{out: 4, k: 3, s: 2, output_padding: {v}}}\n",
    "repeat": "  - relu: {{}}\n    repeat: {v}\n",
    "pool": "  - maxpool: {v}\n",
    "linear": "  - flatten\n  - linear: {v}\n",
    "dropout": "  - dropout: {v}\n",
    "eps": "  - bn: {{eps: {v}}}\n",
    "upsample": "  - upsample: {v}\n",
    "gn": "  - conv: {{out: 8, k: 1}}\n  - gn: {v}\n",
    "adaptive": "  - adaptiveavgpool: {v}\n",
}


def numeric_file(field: str, value: str, where: str) -> str:
    v = f'"{value}"' if value.startswith("$") else value
    if where == "input":
        return f"input: [3, {v}, 16]\nlayers: [relu]\n"
    if where == "batch":
        return f"input: 3x16x16\nbatch: {v}\nlayers: [relu]\n"
    if where == "budget":
        return f"input: 3x16x16\nbudget: {{{field}: {v}}}\nlayers: [relu]\n"
    if v.startswith('"$'):  # an expression: only a block computes
        return (
            "input: 3x16x16\nblocks:\n  b:\n    params: {c: 1}\n    layers:\n"
            + "    " + NUMERIC[field].format(v=v).replace("\n", "\n    ").rstrip(" ")
            + "layers: [b]\n"
        )  # fmt: skip
    return "input: 3x16x16\nlayers:\n" + NUMERIC[field].format(v=v)


@TIER
@given(
    big_numbers,
    st.sampled_from(sorted(NUMERIC)),
    st.sampled_from(["layer", "layer", "input", "batch", "budget"]),
    commands,
)
def test_big_numbers_in_every_numeric_field(
    value: str, field: str, where: str, command: list[str]
) -> None:
    budget = ("params", "macs", "activations", "rf", "layer_params")[len(field) % 5]
    text = numeric_file(budget if where == "budget" else field, value, where)
    assert_promises(run_file(text, command), located=True)


BIG_OPTIONS = [
    ["params", "{f}", "--batch", "{v}"],
    ["params", "{f}", "--depth", "{v}"],
    ["params", "{f}", "--input", "3x{v}x16"],
    ["check", "{f}", "--batch", "{v}"],
    ["check", "{f}", "--max-macs", "{v}"],
    ["check", "{f}", "--max-param-bytes", "{v}"],
    ["check", "{f}", "--min-rf", "{v}"],
    ["check", "{f}", "--max-flops", "{v}k"],
    ["explain", "{f}", "--batch", "{v}"],
    ["layer", "--in", "{v}", "--out", "8"],
    ["layer", "--in", "3", "--out", "{v}", "--size", "32"],
    ["layer", "--in", "3", "--out", "8", "-s", "{v}", "--size", "32"],
    ["layer", "--in", "3", "--out", "8", "-d", "{v}", "--size", "32"],
    ["layer", "--in", "4", "--out", "8", "-g", "{v}"],
    ["layer", "--op", "convT", "--in", "3", "--out", "8", "--output-padding", "{v}"],
]


@TIER
@given(big_numbers, st.sampled_from(BIG_OPTIONS))
def test_big_numbers_in_every_numeric_option(value: str, command: list[str]) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "net.yaml"
        path.write_text("input: 3x16x16\nbudget: {params: 1M}\nlayers:\n  - conv: {out: 4, k: 3}\n")
        args = [str(path) if a == "{f}" else a.replace("{v}", value) for a in command]
        o = cli(args)
    assert_promises(o, located=False)


# --- YAML bombs and deep nesting -----------------------------------------------------------------


def alias_bomb(levels: int, fan: int, where: str) -> str:
    """The billion laughs: each level an anchored list of `fan` aliases of the level below."""
    lines = ["- &a0 [relu, relu]"]
    lines += [f"- &a{i} [{', '.join([f'*a{i - 1}'] * fan)}]" for i in range(1, levels)]
    body = "\n".join("  " + ln for ln in lines) + "\n"
    if where == "unknown key":
        return f"x-bomb:\n{body}input: 3x16x16\nlayers: [relu]\n"
    if where == "layers":
        return f"input: 3x16x16\nlayers:\n{body}"
    nested = body.replace("\n", "\n  ")
    return f"input: 3x16x16\nblocks:\n  b:\n    layers:\n  {nested}\nlayers: [b]\n"


def deep_nesting(depth: int, kind: str) -> str:
    if kind == "flow list":
        return "input: 3x16x16\nlayers: " + "[" * depth + "relu" + "]" * depth + "\n"
    if kind == "flow map":
        return "input: 3x16x16\nx: " + "{a: " * depth + "1" + "}" * depth + "\nlayers: [relu]\n"
    if kind == "residual":
        body = "".join(
            "  " * i + "  - residual:\n" + "  " * i + "      body:\n"
            for i in range(0, 2 * depth, 2)
        )
        return "input: 3x16x16\nlayers:\n" + body + "  " * (2 * depth) + "    - relu\n"
    # blocks calling blocks, each `fan` times: the fan-out of block calls
    call = "  b{i}:\n    layers:\n      - b{j}: {{}}\n        repeat: 10\n"
    blocks = "".join(call.format(i=i, j=i - 1) for i in range(1, depth))
    return f"input: 3x16x16\nblocks:\n  b0:\n    layers: [relu]\n{blocks}layers: [b{depth - 1}]\n"


bombs = st.one_of(
    st.builds(
        alias_bomb,
        st.integers(1, 12),
        st.integers(1, 12),
        st.sampled_from(["unknown key", "layers", "block"]),
    ),
    st.builds(deep_nesting, st.integers(1, 3000), st.sampled_from(["flow list", "flow map"])),
    # block-style nesting grows with the square of its depth (indentation): past the limits of
    # YAML nesting (200) and of block calls (64), not much further
    st.builds(deep_nesting, st.integers(1, 260), st.sampled_from(["residual", "blocks"])),
)


@TIER
@given(bombs, commands)
def test_yaml_bombs_and_deep_nesting(text: str, command: list[str]) -> None:
    assert_promises(run_file(text, command), located=True)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bombs)
def test_yaml_bombs_in_a_subprocess_under_limits(text: str) -> None:
    """The same, where a blow-up cannot take the test run with it: 1 GiB, 10 s of CPU."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "bomb.yaml"
        path.write_text(text, encoding="utf-8")
        r = run(["params", str(path), "--depth", "0"])
    assert r.status in (0, 2), (r.status, r.text[-2000:])
    assert_safe(r, r.status)
