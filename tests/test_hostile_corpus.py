"""Cases from a fresh hostile corpus (written from the outside, not from these tests) that
failed, kept here once fixed: Click's usage errors without a code or a hint, a FIFO that hung
the reader, an `--input` size past int64 accepted. Run as test_hostile.py runs its cases: the
real command line in a subprocess under `resource` limits.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_hostile import assert_safe, net, run, write

USAGE = [
    ["params", "NET", "--batch", "eight"],
    ["params", "NET", "--depth", "-1"],
    ["params", "NET", "-f", "xml\x1b[0m"],
    ["lint", "NET", "--fix"],
    ["compile", "NET"],
    ["params"],
    ["schema", "NET"],
    ["flow", "NET", "--by", "flops"],
    ["diff", "NET", "--upload-pack=touch /tmp/x:NET"],
    ["export", "NET", "--to", "png"],
    ["export", "NET", "--to", "dot", "--depth", "-1"],
]


@pytest.mark.parametrize("args", USAGE, ids=lambda a: " ".join(a)[:40])
def test_usage_errors_are_coded_with_a_hint(tmp_path: Path, args: list[str]) -> None:
    path = write(tmp_path, net())
    r = run([path if a == "NET" else a for a in args])
    assert_safe(r, 2, "E0023")
    assert r.text.startswith("error[E0023]: the command line is not valid: "), r.text
    assert "hint: usage: cnncalc" in r.text and "-h' lists every option" in r.text


def test_usage_errors_in_chinese(tmp_path: Path) -> None:
    r = run(["params", write(tmp_path, net()), "--batch", "eight"], env={"CNNCALC_LANG": "zh"})
    assert r.status == 2 and r.text.startswith("错误[E0023]：命令行无效：")
    assert "提示：" in r.text and "用法：cnncalc params [OPTIONS] FILE" in r.text


def test_a_bare_command_still_shows_its_help() -> None:
    r = run([])
    assert r.status == 2 and "Commands:" in r.text and "error[" not in r.text
    assert run(["params", "-h"]).status == 0 and run(["-V"]).status == 0


def test_a_fifo_without_a_writer_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    r = run(["params", str(tmp_path / "pipe.yaml")])
    assert_safe(r, 2, "E0301")  # read as what it holds: nothing
    (tmp_path / "m").mkdir()
    write(tmp_path / "m", net())
    os.mkfifo(tmp_path / "m" / "b.yaml")
    for pattern in ("m/*.yaml", "m/**/*.yaml", "m"):
        r = run(["check", pattern], cwd=tmp_path)
        assert_safe(r, 0)


def test_a_pipe_with_a_writer_is_read(tmp_path: Path) -> None:
    r = run(["params", "/dev/stdin", "-f", "json"], stdin=net().encode())
    assert_safe(r, 0)
    assert b'"name": "n"' in r.out


@pytest.mark.parametrize("size", ["9" * 25, str(2**63)])
def test_an_input_size_past_int64_is_refused(tmp_path: Path, size: str) -> None:
    r = run(["params", write(tmp_path, net()), "--input", f"3x{size}x4"])
    assert_safe(r, 2, "E0022")
    assert "--input" in r.text


@pytest.mark.parametrize(
    "args",
    [
        ["layer", "--in", "3", "--out", "8", "-s", "9" * 5000, "--size", "32"],
        ["layer", "--in", "3", "--out", "8", "--size", "1" + "0" * 4400],
        ["params", "NET", "--input", "3x" + "9" * 5000 + "x4"],
    ],
    ids=["stride", "size", "input"],
)
def test_sizes_past_the_int_to_text_limit(tmp_path: Path, args: list[str]) -> None:
    """Found by the property tier: 5,000 digits in a size option crashed the reader once the
    process-wide int-to-text setting was gone."""
    r = run([write(tmp_path, net()) if a == "NET" else a for a in args])
    assert_safe(r, 2)
    assert "E0802" in r.text or "E0022" in r.text


def test_an_empty_path(tmp_path: Path) -> None:
    for command in (["params", ""], ["check", ""], ["lint", ""]):
        r = run(command, cwd=tmp_path)
        assert_safe(r, 2, "E0101")
        assert r.text.startswith("'': error[E0101]")


@pytest.mark.parametrize(
    ("escape", "char"),
    [
        ("\\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\\uffff", "U+FFFF"),
        ("\\U000E0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
        ("\\u00ad", "U+00AD SOFT HYPHEN"),
    ],
)
def test_invisible_characters_written_as_escapes_are_refused(
    tmp_path: Path, escape: str, char: str
) -> None:
    """Raw, they are refused before parsing (E0107, E0109); as YAML escapes they reached names,
    where `relu` and `re<U+200B>lu` look the same and U+FFFF is illegal in XML."""
    text = net(layers=f'  - relu: {{}}\n    name: "re{escape}lu"\n')
    r = run(["check", write(tmp_path, text), "-f", "junit"])
    assert_safe(r, 2, "E0157")
    assert f":6:11: error[E0157]: a string holds a control or invisible character ({char}" in r.text
