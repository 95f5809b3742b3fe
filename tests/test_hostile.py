"""The hostile-input tier (docs/security.md): files and options written to break cnncalc.

Every case runs the real command line in a subprocess under `resource` limits (1 GiB of address
space, 10 s of CPU), so a runaway is killed and fails the test instead of hanging it, and
asserts: the exit status, no traceback, a located and coded message with a hint, stderr under
64 KiB, and no raw control character in any output.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

MEMORY = 1 << 30
CPU_SECONDS = 10
MAX_STDERR = 64 * 1024
#: raw control characters (line breaks and tabs are text)
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")
CODED = re.compile(r"error\[E[0-9]{4}\]")
LOCATED = re.compile(r"^\S.*?(:\d+:\d+)?: error\[E[0-9]{4}\]", re.M)


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


@dataclass(frozen=True)
class Ran:
    status: int
    out: bytes
    err: bytes

    @property
    def text(self) -> str:
        return self.err.decode("utf-8", "replace")


def run(args: list[str], *, stdin: bytes | None = None, cwd: Path | None = None,
        env: dict[str, str] | None = None, **popen: object) -> Ran:  # fmt: skip
    full = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", **(env or {})}
    full.pop("GITHUB_ACTIONS", None) if "GITHUB_ACTIONS" not in (env or {}) else None
    p = subprocess.run(
        [sys.executable, "-m", "cnncalc", *args],
        input=stdin,
        capture_output="stdout" not in popen and "stderr" not in popen,
        cwd=cwd,
        env=full,
        preexec_fn=_limits,
        timeout=60,
        check=False,
        **popen,  # type: ignore[arg-type]
    )
    return Ran(p.returncode, p.stdout or b"", p.stderr or b"")


#: the memory a run that stops at once must fit in (cnncalc itself needs under 100 MiB)
SMALL = 256 << 20
#: what any accepted input may take (docs/format.md, "Limits")
ACCEPTED_MEMORY = 500 << 20
ACCEPTED_CPU = 5


def run_within(args: list[str], *, cpu: int, memory: int, env: dict[str, str] | None = None) -> Ran:
    """`run` under tighter limits: past `cpu` seconds of CPU or `memory` bytes of address space
    the process is killed, so a case that must finish at once, or within what any accepted input
    may take, fails when it does not."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    full = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", **(env or {})}
    full.pop("GITHUB_ACTIONS", None)
    p = subprocess.run([sys.executable, "-m", "cnncalc", *args], capture_output=True, env=full,
                       preexec_fn=limits, timeout=120, check=False)  # fmt: skip
    return Ran(p.returncode, p.stdout, p.stderr)


def assert_safe(r: Ran, status: int = 2, code: str | None = None) -> None:
    """The promises of docs/security.md for one run."""
    assert r.status == status, (r.status, r.text[-2000:])
    assert b"Traceback" not in r.err and b"internal error" not in r.err, r.text[-2000:]
    assert len(r.err) < MAX_STDERR, len(r.err)
    assert not RAW_CONTROL.search(r.out), r.out[:500]
    assert not RAW_CONTROL.search(r.err), r.err[:500]
    if status == 2:
        assert CODED.search(r.text), r.text
        assert "hint: " in r.text, r.text
    if code is not None:
        assert f"[{code}]" in r.text, r.text


def net(name: str = "n", layers: str = "  - conv: {out: 8, k: 3}\n") -> str:
    return f"name: {name}\ninput: 3x32x32\nbudget: {{params: 1M}}\nlayers:\n{layers}"


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    return tmp_path


def write(tmp: Path, text: str | bytes, name: str = "net.yaml") -> str:
    path = tmp / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


# --- 1. escaping ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        '"a\\nb::error file=README.md,line=1::pwned"',  # workflow command injection
        '"\\e[31mred\\e[0m"',  # terminal escape through a YAML escape
        '"x\\0y"',
        '"\\u202eevil"',  # bidi override
    ],
)
def test_control_characters_in_a_name_are_refused_where_written(tmp: Path, name: str) -> None:
    path = write(tmp, net(name))
    for args in (["check", "--format", "github", path], ["params", path], ["explain", path]):
        r = run(args, env={"GITHUB_ACTIONS": "true"})
        assert_safe(r, 2, "E0157")
        assert f"{path}:1:7: error[E0157]" in r.text
        assert not re.search(rb"^::error file=README", r.out, re.M)


@pytest.mark.parametrize("name", ["'[/oops]'", "'[bold red]SPOOF[/]'", "':smile: [link=x]y'"])
def test_rich_markup_in_a_name_is_text(tmp: Path, name: str) -> None:
    path = write(tmp, net(name))
    for args in (["check", path], ["params", path], ["explain", path, "--layer", "conv1"]):
        r = run(args)
        assert r.status in (0, 2), r.text
        assert_safe(r, r.status)
    r = run(["params", path])
    assert name.strip("'").encode() in r.out  # shown as written, not read as markup


def test_a_path_with_markup_and_control_characters(tmp: Path) -> None:
    d = tmp / "[b]x[" / "b]"
    d.mkdir(parents=True)
    path = write(d, net())
    r = run(["check", path])
    assert_safe(r, 0)
    assert b"[b]x[/b]" in r.out.replace(b"\n", b"")
    odd = write(tmp, net(), "bad\x1b[31m.yaml")
    for args in (["check", odd], ["params", odd + "x"]):
        r = run(args)
        assert_safe(r, r.status)
        assert "\\x1b[31m" in r.text + r.out.decode()


def test_unknown_op_and_quoted_line_show_control_characters_visibly(tmp: Path) -> None:
    path = write(tmp, net(layers='  - "co\\enx": 3\n'))
    r = run(["params", path])
    assert_safe(r, 2)
    raw = write(tmp, b"name: n\ninput: 3x32x32\nlayers:\n  - conv: {out: 8, k: 3} # \x1b[2J\x00\n")
    r = run(["params", raw])
    assert_safe(r, 2, "E0107")
    assert "\\x1b[2J" in r.text


def test_github_annotations_and_markdown_escape(tmp: Path) -> None:
    path = write(tmp, net("'a%0A::b,c:d'", "  - conv: {out: 8192, k: 9}\n"), "p,1:2.yaml")
    summary = tmp / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    r = run(["check", path], env=env)
    assert_safe(r, 1)
    lines = [ln for ln in r.out.decode().splitlines() if ln.startswith("::")]
    assert lines and all(ln.startswith("::error ") for ln in lines)
    assert "file=" in lines[0] and "p%2C1%3A2.yaml" in lines[0]
    block = summary.read_text(encoding="utf-8")
    assert block.startswith("### ") and block.endswith("|\n\n")  # one whole block
    run(["check", path], env=env)
    assert summary.read_text(encoding="utf-8") == block * 2  # appended whole, after the first


def test_a_failing_write_leaves_the_old_file(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cnncalc.cli import common
    from cnncalc.errors import CnnCalcError

    target = tmp / "report.svg"
    target.write_text("old", encoding="utf-8")

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(common.os, "replace", fail)
    with pytest.raises(CnnCalcError, match="E0005"):
        common.save(target, "new" * 1000, "--svg")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp.iterdir()] == ["report.svg"]  # no temporary file left


# --- 2. limits -----------------------------------------------------------------------------------


def test_input_size_limit_stops_reading() -> None:
    r = run(["params", "/dev/zero"])
    assert_safe(r, 2, "E0156")
    assert "CNNCALC_MAX_BYTES" in r.text
    big = b"# " + b"x" * (1 << 20) + b"\n"
    r = run(["params", "-"], stdin=big, env={"CNNCALC_MAX_BYTES": "1000"})
    assert_safe(r, 2, "E0156")


def test_long_lines_are_quoted_around_the_caret(tmp: Path) -> None:
    path = write(tmp, net(layers="  - conv: {out: [" + "1, " * 300_000 + "x]}\n"))
    r = run(["params", path])
    assert_safe(r, 2)
    quoted = [ln for ln in r.text.splitlines() if " | " in ln]
    assert quoted and max(len(ln) for ln in quoted) < 260


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--max-params", "1e99999999", "NET"],
        ["check", "--max-params", "1e400", "NET"],
        ["check", "--batch", "1" + "0" * 30, "NET"],
        ["check", "--batch", "9" * 4000, "NET"],
        ["layer", "--in", "9" * 4000, "--out", "8"],
    ],
)
def test_huge_options(tmp: Path, args: list[str]) -> None:
    path = write(tmp, net())
    r = run([path if a == "NET" else a for a in args])
    assert_safe(r, 2)


@pytest.mark.parametrize("value", ["1e999999999k", "1e400", '"1e400"'])
def test_huge_budget_quantities(tmp: Path, value: str) -> None:
    path = write(tmp, net().replace("{params: 1M}", f"{{params: {value}}}"))
    assert_safe(run(["check", path]), 2)


def test_symlink_loops_are_skipped_with_a_note(tmp: Path) -> None:
    (tmp / "m" / "a").mkdir(parents=True)
    write(tmp / "m" / "a", net())
    (tmp / "m" / "a" / "loop").symlink_to("..")
    for pattern in ["m/**/*.yaml", "m"]:
        r = run(["check", pattern], cwd=tmp)
        assert_safe(r, 0)
        assert "symbolic link" in r.text


# --- 3. exact arithmetic -------------------------------------------------------------------------


def test_receptive_field_in_scientific_form(tmp: Path) -> None:
    # strides of 10^6 fifteen times: a jump of 10^90 input pixels, past 10^21 printed as 1e+90
    layers = "  - conv: {out: 1, k: 3, s: 1000000, p: 1000000}\n    repeat: 15\n"
    path = write(tmp, "name: n\ninput: 1x8x8\nlayers:\n" + layers)
    for args in (["params", path], ["params", "-f", "json", path], ["explain", path]):
        r = run(args)
        assert_safe(r, 0)
    r = run(["params", path])
    assert b"e+" in r.out  # scientific form, not 90 digits


def test_receptive_field_limit(tmp: Path) -> None:
    # 2,000 such layers would carry 12,000-digit numbers through every later layer and printout;
    # the jump is 10^(6·n) after n of them, past 10^10000 at the 1,667th (copies count from 0)
    layers = "  - conv: {out: 1, k: 3, s: 1000000, p: 1000000}\n    repeat: 2000\n"
    path = write(tmp, "name: n\ninput: 1x8x8\nlayers:\n" + layers)
    for args in (["params", path], ["params", "-f", "json", path], ["explain", path]):
        r = run_within(args, cpu=3, memory=SMALL)
        assert_safe(r, 2, "E0368")
        assert (
            f"{path}:4:5: error[E0368]: conv 'conv1.1666' has a receptive field past 10^10000"
            in r.text
        )


def test_receptive_fields_just_below_the_limit_stay_within_bounds(tmp: Path) -> None:
    """The costliest accepted case: 9,996-digit jumps carried through the rest of the layer
    limit, in every command."""
    layers = (
        "  - conv: {out: 1, k: 1, s: 1000000}\n    repeat: 1666\n"
        "  - conv: {out: 1, k: 3, p: 1}\n    repeat: 3330\n"
    )
    path = write(tmp, "name: n\ninput: 1x1x1\nlayers:\n" + layers)
    # explain writes out the working of all 4,996 layers, each quoting 9,996-digit numbers:
    # 4.8-5.0 s of CPU on a 2-core machine, so it gets twice the usual bound (still linear;
    # the refused case above stops before any of this work)
    for args, cpu in (
        (["params", "-f", "json", path], ACCEPTED_CPU),
        (["explain", path], 2 * ACCEPTED_CPU),
        (["check", "--min-rf", "5", path], ACCEPTED_CPU),
    ):
        r = run_within(args, cpu=cpu, memory=ACCEPTED_MEMORY)
        assert_safe(r, 0)


# --- 4. streams ----------------------------------------------------------------------------------


def test_closed_and_full_streams(tmp: Path) -> None:
    path = write(tmp, net())
    for fmt in ("table", "json"):
        r = run(["params", "-f", fmt, path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                close_fds=True, pass_fds=())  # fmt: skip
        assert r.status == 0
    with open("/dev/full", "wb") as full:
        for fmt in ("table", "json", "markdown"):
            p = subprocess.run(
                [sys.executable, "-m", "cnncalc", "params", "-f", fmt, path],
                stdout=full, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)},
                preexec_fn=_limits, check=False,
            )  # fmt: skip
            assert p.returncode == 2, p.stderr
            assert b"E0021" in p.stderr and b"Traceback" not in p.stderr


def _closed(fd: int) -> None:
    _limits()
    os.close(fd)


@pytest.mark.parametrize(
    ("fd", "args", "code"),
    [(1, ["params", "NET"], b"E0020"), (1, ["params", "-f", "json", "NET"], b"E0020"),
     (0, ["params", "-"], b"E0158"), (2, ["params", "MISSING"], None)],
)  # fmt: skip
def test_closed_fds(tmp: Path, fd: int, args: list[str], code: bytes | None) -> None:
    path = write(tmp, net())
    args = [path if a == "NET" else str(tmp / "missing.yaml") if a == "MISSING" else a
            for a in args]  # fmt: skip
    p = subprocess.run(
        [sys.executable, "-m", "cnncalc", *args],
        capture_output=fd != 1 and fd != 2,
        stdout=subprocess.PIPE if fd == 2 else None,
        stderr=subprocess.PIPE if fd == 1 else None,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: _closed(fd),
        check=False,
    ) if fd in (1, 2) else subprocess.run(
        [sys.executable, "-m", "cnncalc", *args], capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=lambda: _closed(0), check=False,
    )  # fmt: skip
    assert p.returncode == 2, p.stderr
    if code is not None:
        assert code in p.stderr


# --- 6. diagnostics ------------------------------------------------------------------------------


def test_stderr_is_bounded(tmp: Path) -> None:
    r = run(["params", write(tmp, net(layers="  - conv: {out: " + "9" * 1_000_000 + "}\n"))])
    assert_safe(r, 2)
    r = run(["params", write(tmp, net(layers="  - conv: {out: '${" + "(" * 100_000 + "1" +
                                              ")" * 100_000 + "}'}\n"))])  # fmt: skip
    assert_safe(r, 2)


def test_duplicate_key_through_an_alias_is_reported_at_the_alias(tmp: Path) -> None:
    text = "x: &k name\nname: n\n*k : m\ninput: 3x8x8\nlayers: [relu]\n"
    r = run(["params", write(tmp, text)])
    assert_safe(r, 2, "E0122")
    assert ":3:1: error[E0122]" in r.text


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ("name: n\n".encode("utf-32"), "UTF-32"),
        ("name: n\n".encode("utf-32-le"), "UTF-32"),
        ("name: n\n".encode("utf-16-le"), "UTF-16"),
        ("name: n\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_wide_encodings_are_named(tmp: Path, data: bytes, name: str) -> None:
    r = run(["params", write(tmp, data)])
    assert_safe(r, 2)
    assert f"is {name} text" in r.text


# --- 7. loader bounds: layers, expressions, linear work, references --------------------------


def error_at(tmp: Path, text: str, code: str, line: int, col: int, *, args: tuple[str, ...] = (
        "params",), env: dict[str, str] | None = None) -> str:  # fmt: skip
    """Run a file that must stop at once (small memory, 3 s of CPU) with `code` at line:col;
    the diagnostic's text."""
    path = write(tmp, text)
    r = run_within([*args, path], cpu=3, memory=SMALL, env=env)
    assert_safe(r, 2, code)
    assert f"{path}:{line}:{col}: error[{code}]" in r.text, r.text
    return r.text


def blocks(*defs: tuple[str, str]) -> str:
    return "input: 3x8x8\nblocks:\n" + "".join(f"  {b}: {{layers: [{body}]}}\n" for b, body in defs)


LIMIT_HINT = "CNNCALC_MAX_LAYERS=<n> raises it"


@pytest.mark.parametrize(
    ("text", "line", "col", "code", "phrase"),
    [
        pytest.param(net(layers="  - conv: {out: 8, k: 1}\n    repeat: 999990\n"), 6, 13, "E0339",
                     "'repeat: 999,990' expands the network past 5,000 layers", id="repeat"),
        # three residuals nested, each `repeat: 1000`: the middle one's copies cross it
        pytest.param(net(layers="  - residual:\n      body:\n        - residual:\n"
                         "            body:\n              - relu:\n"
                         "                repeat: 1000\n          repeat: 1000\n"
                         "    repeat: 1000\n"), 11, 19, "E0339",
                     "'repeat: 1,000' of 1,001 layers each expands", id="nested-repeat-1000-cubed"),
        # a 10-way fan-out of blocks 9 deep (10^9 layers): the 6th call of b3 inside b4 crosses
        pytest.param(blocks(("b1", ", ".join(["relu"] * 10)),
                            *((f"b{i}", ", ".join([f"b{i - 1}"] * 10)) for i in range(2, 10)))
                     + "layers: [b9]\n", 6, 37, "E0369",
                     "with this item the network has at least 6,000 layers, past the limit of "
                     "5,000", id="fan-out-10-by-9"),
        pytest.param(blocks(("b1", ", ".join(["relu"] * 10)),
                            *((f"b{i}", f"{{b{i - 1}: null, repeat: 10}}") for i in range(2, 10)))
                     + "layers: [b9]\n", 6, 36, "E0339",
                     "'repeat: 10' of 1,000 layers each", id="fan-out-by-repeat"),
        pytest.param(net(layers="  - relu\n" * 5001), 5005, 5, "E0369",
                     "at least 5,001 layers", id="written-out"),
        pytest.param("input: 3x8x8\nchannels: 3" + "->8" * 1_000_000 + "\n", 2, 11, "E0344",
                     "the network expands past 5,000 layers", id="channels-stack"),
        # calls of a block with no layers count too: 4,000^2 calls would make nothing for long
        pytest.param(blocks(("b0", ""), ("b1", "{b0: null, repeat: 4000}"),
                            ("b2", "{b1: null, repeat: 4000}")) + "layers: [relu, b2]\n",
                     5, 36, "E0339", "'repeat: 4,000' of 4,000 layers each", id="empty-blocks"),
    ],
)  # fmt: skip
def test_layer_limit_is_known_before_expanding(tmp: Path, text: str, line: int, col: int,
                                                code: str, phrase: str) -> None:  # fmt: skip
    shown = error_at(tmp, text, code, line, col)
    assert phrase in shown
    assert LIMIT_HINT in shown  # the hint says how to state the limit


def test_counting_layers_nests_no_deeper_than_expanding(tmp: Path) -> None:
    # 69 blocks, each 30 residuals deep around a call of the one before: counting them all
    # first would recurse 2,000 levels; counted no deeper than expanded, the nesting limit says
    nested = ("{residual: {body: [" * 30 + f"b{k - 1}" + "]}}" * 30 for k in range(1, 70))
    text = blocks(("b0", "relu"), *zip((f"b{k}" for k in range(1, 70)), nested))
    shown = error_at(tmp, text + "layers: [b69]\n", "E0330", 70, 56)
    assert "nest deeper than 64 levels" in shown


def test_at_the_layer_limit_within_the_promised_bounds(tmp: Path) -> None:
    """5,000 convs, the worst plain layers: every report under 5 s of CPU and 500 MB."""
    path = write(
        tmp, "name: n\ninput: 8x8x8\nlayers:\n  - conv: {out: 8, k: 1}\n    repeat: 5000\n"
    )
    for args in (["params"], ["params", "-f", "json"], ["explain"]):
        r = run_within([*args, path], cpu=ACCEPTED_CPU, memory=ACCEPTED_MEMORY)
        assert_safe(r, 0)
    r = run_within(["params", "-f", "json", path], cpu=ACCEPTED_CPU, memory=ACCEPTED_MEMORY)
    assert r.out.count(b'"op": "conv"') == 5000


def test_the_layer_limit_can_be_raised_or_lowered(tmp: Path) -> None:
    text = net(layers="  - relu:\n    repeat: 5001\n")
    error_at(tmp, text, "E0339", 6, 13)
    path = write(tmp, text)
    assert_safe(run_within(["params", path], cpu=5, memory=ACCEPTED_MEMORY,
                           env={"CNNCALC_MAX_LAYERS": "6000"}), 0)  # fmt: skip
    shown = error_at(tmp, net(layers="  - relu\n" * 11), "E0369", 15, 5,
                     env={"CNNCALC_MAX_LAYERS": "10"})  # fmt: skip
    assert "past the limit of 10" in shown


# expressions: bounded size, bounded magnitude, no power ever computed


_GROUP = "(" + "*".join(["int(1e308)"] * 40) + ")"


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        # 88 KB of 1024-bit products in balanced groups (no deep nesting): 7.7 s of CPU, exit 0
        pytest.param(f"({'*'.join([_GROUP] * 180)}) // ({'*'.join([_GROUP] * 20)}) % 7",
                     "is 88,410 characters long; at most 1,000", id="80-KB-of-bignums"),
        pytest.param("+".join(["1"] * 300), "more than 256 parts", id="many-parts"),
        pytest.param("int(1e308) * int(1e308) // 7", "'1e+308' goes beyond ±10^30",
                     id="bignum-product"),
        pytest.param("cin * 10000000000 * 10000000000 * 10000000000 / 3",
                     "'cin * 10000000000 * 10000000000 * 10000000000' goes beyond ±10^30",
                     id="growing-product"),
        pytest.param("1 / 1e-300", "'1 / 1e-300' goes beyond ±10^30", id="tiny-divisor"),
        pytest.param("2 ** 100000000", "'2 ** 100000000' is not allowed (the operator **)",
                     id="power"),
        pytest.param("round(5, -1000000000)", "round() takes at most 30 digits", id="round-digits"),
    ],
)  # fmt: skip
def test_expressions_are_bounded(tmp: Path, expr: str, reason: str) -> None:
    shown = error_at(tmp, net(layers=f"  - conv: {{out: '${{{expr}}}', k: 1}}\n"), "E0230", 5, 17)
    assert reason in shown


def test_an_expression_past_64_bits(tmp: Path) -> None:
    shown = error_at(
        tmp, net(layers="  - conv: {out: '${int(1e29) // 3}', k: 1}\n"), "E0232", 5, 17
    )
    assert "beyond 64 bits" in shown


@pytest.mark.parametrize(
    ("expr", "construct"),
    [
        ("lambda: 1", "a lambda"),
        ("cin.real", "an attribute"),
        ("cin and 3", "'and' / 'or'"),
        ("[cin][0]", "indexing"),
        ("cin if cin else 1", "a conditional expression"),
        ("__import__('os')", "a call of '__import__', which is not one of the functions"),
        ("max(cin, default=1)", "keyword or starred arguments"),
        ("'a'", "a constant that is not a number"),
        ("f'{cin}'", "an f-string"),
        ("[c for c in (1, 2)]", "a comprehension"),
        ("(1, 2)", "a list, tuple, set or dict"),
        ("(x := 3)", "an assignment (:=)"),
        ("cin << 2", "the operator <<"),
    ],
)
def test_refused_constructs_are_named_with_what_is_allowed(tmp: Path, expr: str,
                                                           construct: str) -> None:  # fmt: skip
    text = net(layers=f'  - conv: {{out: "${{{expr}}}", k: 1}}\n')
    shown = error_at(tmp, text, "E0230", 5, 17)
    assert f"({construct}); expressions use numbers, parameters, + - * / // %" in shown
    assert "hint: expressions use numbers" in shown


@pytest.mark.parametrize(
    ("params", "expr", "reason", "hint"),
    [
        ("{d: 0}", "cin // d", "division by zero", "with these parameters the divisor is 0"),
        ("{d: 1}", "cin // e", "unknown name 'e'", "an expression can use the block's parameters"),
        ("{d: 1}", "cin * True", "booleans are not allowed", "write 1 for true"),
        ("{d: [1, 2]}", "cin // d", "parameter 'd' is", "give the parameter a number"),
        ("{d: 1}", "min()", "the wrong kind or number", "min(a, b, …) and max(a, b, …)"),
    ],
)
def test_every_expression_error_has_its_own_hint(tmp: Path, params: str, expr: str, reason: str,
                                                 hint: str) -> None:  # fmt: skip
    text = (f"input: 3x8x8\nblocks:\n  b:\n    params: {params}\n    layers:\n"
            f"      - conv: {{out: '${{{expr}}}', k: 1}}\nlayers: [b]\n")  # fmt: skip
    shown = error_at(tmp, text, "E0230", 6, 21)
    assert reason in shown and f"hint: {hint}" in shown


# work linear in the input (each case hung or took seconds before, and is past what a
# quadratic walk could do within the CPU limit)


def test_residuals_do_not_copy_the_name_table(tmp: Path) -> None:
    # 15,000 residuals (30,000 layers) took 20 s of CPU, 30,000 hung; linear: about 1 s
    path = write(tmp, "input: 8x8x8\nlayers:\n" + "  - residual: {body: [relu]}\n" * 15_000)
    r = run_within(["check", "--max-params", "1T", path], cpu=ACCEPTED_CPU, memory=1 << 30,
                   env={"CNNCALC_MAX_LAYERS": "30000"})  # fmt: skip
    assert_safe(r, 0)


def _block(params: str, layers: str, calls: str = "  - b\n") -> str:
    head = f"input: 8x4x4\nblocks:\n  b:\n    params: {{{params}}}\n"
    return f"{head}    layers:\n{layers}layers:\n{calls}"


@pytest.mark.parametrize(
    "text",
    [
        # 5,000 expressions in a block of 20,000 parameters: each read only what it names
        pytest.param(_block(", ".join(f"p{i}: {i}" for i in range(20_000)),
                            "      - conv: {out: '${p1 + 1}', k: 1}\n" * 5000), id="wide-block"),
        # 4,000 calls of a block of 2,000 defaults no layer uses: none is computed
        pytest.param(_block(", ".join(["p0: 1", *(f"p{i}: '${{p{i - 1} + 1}}'"
                                                  for i in range(1, 2000))]),
                            "      - relu\n", "  - b:\n    repeat: 4000\n"), id="many-calls"),
        # 20,000 defaults, each from the one before: computed in order, once, without recursion
        pytest.param(_block(", ".join(["p0: 1", *(f"p{i}: '${{p{i - 1} + 1}}'"
                                                  for i in range(1, 20_000))]),
                            "      - conv: {out: $p19999, k: 1}\n"), id="chained-defaults"),
    ],
)  # fmt: skip
def test_block_parameters_cost_what_is_used(tmp: Path, text: str) -> None:
    r = run_within(["check", "--max-params", "1T", write(tmp, text)], cpu=ACCEPTED_CPU,
                   memory=ACCEPTED_MEMORY)  # fmt: skip
    assert_safe(r, 0)


def test_chained_defaults_compute_the_right_value(tmp: Path) -> None:
    path = write(tmp, _block(", ".join(["p0: 1", *(f"p{i}: '${{p{i - 1} + 1}}'"
                                                   for i in range(1, 3000))]),
                             "      - conv: {out: $p2999, k: 1}\n"))  # fmt: skip
    r = run_within(["params", "-f", "json", path], cpu=ACCEPTED_CPU, memory=ACCEPTED_MEMORY)
    assert_safe(r, 0)
    assert json.loads(r.out)["layers"][0]["out_shape"] == [3000, 4, 4]  # p_i = i + 1


# outputs and references


def test_empty_outputs_are_refused(tmp: Path) -> None:
    shown = error_at(tmp, "input: 3x8x8\nlayers: [relu]\noutputs: []\n", "E0365", 3, 10)
    assert "hint: name the output layers" in shown


@pytest.mark.parametrize(
    ("layers", "code", "line", "col", "phrase"),
    [
        ("  - add: [prev, later]\n  - relu:\n    name: later\n", "E0366", 5, 17,
         "'later' is defined later, at line 7"),
        ("  - conv: {out: 3, k: 1}\n    from: later\n  - relu:\n    name: later\n", "E0366", 6,
         11, "'later' is defined later, at line 8"),
        ("  - add: [prev, c.0]\n  - relu:\n    name: c\n    repeat: 2\n", "E0366", 5, 17,
         "'c.0' is defined later, at line 7"),
        ("  - add: [prev, b]\n  - residual:\n      body:\n        - relu:\n          name: b\n",
         "E0366", 5, 17, "'b' is defined later, at line 9"),
        ("  - relu\n  - add: [prev, x]\n    name: x\n", "E0367", 6, 17,
         "'x' is this layer's own name: a layer cannot take its own output"),
        ("  - conv: {out: 3, k: 1}\n    name: x\n    from: x\n", "E0367", 7, 11,
         "a layer cannot take its own output"),
        ("  - parallel:\n      branches: [[relu], [{add: [prev, p]}]]\n    name: p\n", "E0367", 6,
         40, "a layer cannot take its own output"),
        ("  - add: [prev, nowhere]\n", "E0348", 5, 17, "unknown reference 'nowhere'"),
    ],
)  # fmt: skip
def test_forward_and_self_references_are_named(tmp: Path, layers: str, code: str, line: int,
                                                col: int, phrase: str) -> None:  # fmt: skip
    shown = error_at(tmp, net(layers=layers), code, line, col)
    assert phrase in shown


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_layer_count_before_expanding_is_a_lower_bound(path: Path) -> None:
    """Never a false alarm: what the limit is checked against never exceeds what is made (auto
    shortcuts and the `channels` stack add layers the count leaves out)."""
    import cnncalc
    from cnncalc.errors import Source
    from cnncalc.loader.document import Document
    from cnncalc.loader.extent import Extent
    from cnncalc.loader.nodes import compose

    src = Source(str(path), path.read_text(encoding="utf-8"))
    root = compose(src)
    assert root is not None
    entries = {k.value: v for k, v in root.value}
    doc = Document(src)
    if "blocks" in entries:
        doc.parse_blocks(entries["blocks"])
    counted = Extent(doc.blocks).items(entries["layers"].value) if "layers" in entries else 0
    made = len(cnncalc.load(path).nodes)
    assert made > 0 and counted <= made
    if path.stem in ("densenet121", "googlenet", "unet", "alexnet"):  # no auto shortcut
        assert counted == made
