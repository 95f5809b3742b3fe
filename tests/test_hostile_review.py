"""Cases a second, independent hostile corpus found (kept outside the repository), each run on
the real command line in a subprocess under `resource` limits (tests/test_hostile.py's
`run_within`): exit status, code, hint, no traceback, bounded stderr, no raw control byte.

Report files (`--svg`, `--html`, `--junit-xml`) are written by renaming a temporary file over
the target. Renamed over a device, a FIFO or a symbolic link, that replaced the node itself:
`--svg /dev/full` (as root) turned the device into a plain file holding the SVG and exited 0.
A device or FIFO is now written in place, a link is followed, and permissions are kept. The
tests point links at /dev/null and /dev/full, never at the devices themselves, so that a
regression replaces only a link in the test's own directory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.test_hostile import ACCEPTED_CPU, SMALL, assert_safe, run_within, write

OK = "input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 3}\n"
#: each option that writes a report file, with a command that takes it
WRITERS = [
    ["params", "{net}", "--svg", "{out}"],
    ["explain", "{net}", "--html", "{out}"],
    ["check", "{net}", "--max-params", "1G", "--junit-xml", "{out}"],
]


def _args(template: list[str], net: str, out: Path) -> list[str]:
    return [a.format(net=net, out=out) for a in template]


@pytest.mark.parametrize("template", WRITERS, ids=lambda t: t[2 if t[0] != "check" else 4])
def test_a_report_to_a_full_device_is_an_error_and_the_link_stays(
    tmp_path: Path, template: list[str]
) -> None:
    link = tmp_path / "report"
    link.symlink_to("/dev/full")
    r = run_within(_args(template, write(tmp_path, OK), link), cpu=ACCEPTED_CPU, memory=SMALL)
    assert_safe(r, 2)
    assert "error[E0004]" in r.text or "error[E0005]" in r.text, r.text
    assert "No space left on device" in r.text, r.text
    assert link.is_symlink() and os.readlink(link) == "/dev/full"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("template", WRITERS, ids=lambda t: t[2 if t[0] != "check" else 4])
def test_a_report_to_dev_null_is_written_in_place(tmp_path: Path, template: list[str]) -> None:
    link = tmp_path / "report"
    link.symlink_to("/dev/null")
    r = run_within(_args(template, write(tmp_path, OK), link), cpu=ACCEPTED_CPU, memory=SMALL)
    assert_safe(r, 0)
    assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.yaml", "report"]


def test_a_report_through_a_link_reaches_its_target(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "real.svg"
    real.write_text("OLD")
    link = tmp_path / "link.svg"
    link.symlink_to("reports/real.svg")
    net = write(tmp_path, OK)
    r = run_within(["params", net, "--svg", str(link)], cpu=ACCEPTED_CPU, memory=SMALL)
    assert_safe(r, 0)
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith("<svg"), real.read_text()[:80]
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["real.svg"]


def test_a_fifo_nobody_reads_is_an_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "out.svg"
    os.mkfifo(fifo)
    net = write(tmp_path, OK)
    r = run_within(["params", net, "--svg", str(fifo)], cpu=ACCEPTED_CPU, memory=SMALL)
    assert_safe(r, 2, "E0004")
    assert "out.svg" in r.text
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_replaced_report_keeps_its_permissions(tmp_path: Path) -> None:
    old = tmp_path / "old.svg"
    old.write_text("OLD")
    old.chmod(0o640)
    net = write(tmp_path, OK)
    r = run_within(
        ["params", net, "--svg", str(old), "--html", str(tmp_path / "new.html")],
        cpu=ACCEPTED_CPU,
        memory=SMALL,
    )
    assert_safe(r, 0)
    assert old.read_text(encoding="utf-8").startswith("<svg")
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.html").stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.yaml", "new.html", "old.svg"]
