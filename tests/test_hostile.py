"""The hostile-input tier (docs/security.md): files and options written to break cnncalc.

Every case runs the real command line in a subprocess under `resource` limits (1 GiB of address
space, 10 s of CPU), so a runaway is killed and fails the test instead of hanging it, and
asserts: the exit status, no traceback, a located and coded message with a hint, stderr under
64 KiB, and no raw control character in any output.
"""

from __future__ import annotations

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
    "layers",
    [
        "  - conv: {out: 8, k: 1, repeat: 999990}\n",
        "  - sequential:\n      repeat: 1000\n      layers:\n        - sequential:\n"
        "            repeat: 1000\n            layers:\n              - relu: {repeat: 1000}\n",
    ],
)
def test_expansion_is_capped_before_the_work(tmp: Path, layers: str) -> None:
    r = run(["params", write(tmp, net(layers=layers))])
    assert_safe(r, 2)


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


def test_receptive_field_beyond_int_to_text_limit(tmp: Path) -> None:
    layers = "  - conv: {out: 1, k: 3, s: 1000000, p: 1000000}\n    repeat: 800\n"
    path = write(tmp, "name: n\ninput: 1x8x8\nlayers:\n" + layers)
    for args in (["params", path], ["params", "-f", "json", path], ["explain", path]):
        r = run(args)
        assert_safe(r, 0)
    r = run(["params", path])
    assert b"e+" in r.out  # scientific form, not 4,800 digits


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
