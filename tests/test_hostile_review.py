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
import resource
import stat
from pathlib import Path

import pytest

from tests.test_hostile import (
    ACCEPTED_CPU,
    ACCEPTED_MEMORY,
    SMALL,
    Ran,
    assert_safe,
    run_within,
    write,
)

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


# --- the diff table of two networks at the layer limit ------------------------------------------


def _chain(op: str, prefix: str, n: int) -> str:
    return "input: 3x8x8\nlayers:\n" + "".join(
        f"  - {op}:\n    name: {prefix}{i}\n" for i in range(n)
    )


def test_the_diff_table_of_two_networks_at_the_limit_is_within_bounds(tmp_path: Path) -> None:
    """Every layer of one 4,999-layer file removed and every layer of another added: 9,998 rows.
    Rich's table layout took over 5 s of CPU for them (killed here); drawn line by line, 1 s."""
    old = write(tmp_path, _chain("relu", "a", 4999), "old.yaml")
    new = write(tmp_path, _chain("sigmoid", "b", 4999), "new.yaml")
    r = run_within(["diff", old, new], cpu=ACCEPTED_CPU, memory=ACCEPTED_MEMORY)
    assert_safe(r, 0)
    lines = r.out.decode("utf-8").splitlines()
    assert sum(1 for line in lines if line.startswith(" a") and " removed " in line) == 4999
    assert sum(1 for line in lines if line.startswith(" b") and " added " in line) == 4999
    assert lines[-1] == "Layers: 4999 added, 4999 removed, 0 changed, 0 unchanged"


@pytest.mark.parametrize("width", [200, 100, 72, 40, 20])
def test_the_line_by_line_table_is_richs_table(width: int) -> None:
    """`SimpleTable` draws what Rich's `Table(box=SIMPLE_HEAD, pad_edge=False)` draws, at any
    terminal width (narrower than the table, it is Rich's own layout) and when piped."""
    import io

    from cnncalc.cli.common import _safe_console_class
    from cnncalc.render.page import SimpleTable, Trimmed

    rows = (
        ("layer1.0.conv1", "changed", "conv", "64×56×56", "36,864 → 4,096 (-32,768)", "0", ""),
        ("層", "added", "relu", "1", "0", "0", "k 3 → 5; [/b] \\x1b"),
    )
    table = SimpleTable(("Layer", "Change", "Op", "Output", "Params", "MACs", "Also"), rows)
    for terminal in (True, False):
        drawn = []
        for renderable in (table, table.rich_table()):
            buf = io.StringIO()
            console = _safe_console_class()(
                file=buf, width=width, force_terminal=terminal, color_system=None
            )
            console.print(Trimmed(renderable))
            drawn.append(buf.getvalue())
        assert drawn[0] == drawn[1], (terminal, drawn[0], drawn[1])
        if width >= 100:  # the whole table fits: the markup-like text is there as written
            assert "[/b] \\x1b" in drawn[0], drawn[0]


# --- --help and --version on a closed or full stdout --------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["params", "--help"], ["-V"]])
@pytest.mark.parametrize("stream", ["closed", "full"])
def test_help_and_version_on_a_closed_or_full_stdout(args: list[str], stream: str) -> None:
    """As every command's output (E0020, E0021): exit 2 with the message on stderr. `--help`
    to /dev/full was a traceback and exit 120, `--version` with stdout closed a traceback."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (SMALL, SMALL))
        resource.setrlimit(resource.RLIMIT_CPU, (ACCEPTED_CPU, ACCEPTED_CPU))
        if stream == "closed":
            os.close(1)

    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    with open("/dev/full", "wb") as full:
        p = subprocess.run(
            [sys.executable, "-m", "cnncalc", *args],
            stdout=full if stream == "full" else None,
            stderr=subprocess.PIPE,
            env=env,
            preexec_fn=limits,
            timeout=60,
            check=False,
        )
    r = Ran(p.returncode, b"", p.stderr)
    assert_safe(r, 2, "E0020" if stream == "closed" else "E0021")
    if stream == "full":
        assert "No space left on device" in r.text


# --- output linear in the input -----------------------------------------------------------------

LONG = 100_000
#: a 100 KB file: 4,999 copies of a conv named with 100,000 characters
LONG_NAME = (
    f"input: 3x8x8\nlayers:\n  - conv: {{out: 3, k: 1}}\n    repeat: 4999\n    name: {'N' * LONG}\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["params", "-f", "json"],
        ["params", "-f", "csv"],
        ["params"],
        ["explain"],
        ["flow"],
        ["lint"],
        ["export", "--to", "mermaid"],
    ],
    ids=lambda a: "-".join(a),
)
def test_a_name_past_200_characters_is_refused_where_written(
    tmp_path: Path, args: list[str]
) -> None:
    """Each copy's full name repeats the name: the JSON and CSV were 1 GB (24 s, 5 GB of
    memory), `explain` and `flow` did not end in a minute, `params` and `lint` took 1 GB."""
    net = write(tmp_path, LONG_NAME)
    r = run_within([args[0], net, *args[1:]], cpu=ACCEPTED_CPU, memory=SMALL)
    assert_safe(r, 2, "E0370")
    assert f"{net}:5:11: error[E0370]: a layer name of 100,000 characters; at most 200" in r.text
    assert "hint: shorten the name" in r.text


def test_a_name_of_200_characters_is_a_name(tmp_path: Path) -> None:
    net = write(tmp_path, LONG_NAME.replace("N" * LONG, "N" * 200))
    r = run_within(["params", net, "-f", "csv"], cpu=ACCEPTED_CPU, memory=ACCEPTED_MEMORY)
    assert_safe(r, 0)
    rows = r.out.decode("utf-8").splitlines()[1:]
    assert [row.split(",", 1)[0] for row in rows] == [f"{'N' * 200}.{i}" for i in range(4999)]


#: 2,500 branches merged by one concat, whose Input cell lists 2,500 shapes (20,000 characters)
WIDE_MERGE = (
    "input: 3x8x8\nlayers:\n  - parallel:\n      branches: ["
    + ", ".join(["[relu]"] * 2500)
    + "]\n      merge: concat\n"
)


def test_a_huge_cell_is_not_padded_into_every_row(tmp_path: Path) -> None:
    """Every row of the table was padded to the widest cell: `params --in-shape` of the merge
    of 2,500 branches was 100 MB of stdout (2.6 s, 425 MB; MemoryError, exit 3, under 500 MB).
    Piped, the long cell is whole and columns are padded to at most 200 columns, so the
    output stays about the size of its text."""
    net = write(tmp_path, WIDE_MERGE)
    r = run_within(["params", net, "--in-shape"], cpu=ACCEPTED_CPU, memory=ACCEPTED_MEMORY)
    assert_safe(r, 0)
    out = r.out.decode("utf-8")
    whole = " + ".join(["3×8×8"] * 2500)
    assert whole in out
    assert len(r.out) < 3_000_000, len(r.out)
    assert max(len(line) for line in out.splitlines()) < len(whole) + 1000


# --- --svg of the longest output ----------------------------------------------------------------

CONVS = "input: 3x8x8\nlayers:\n  - conv: {out: 3, k: 1}\n    repeat: 5000\n"


def test_an_svg_past_its_line_limit_is_refused_before_any_file(tmp_path: Path) -> None:
    """`explain` at the layer limit prints about 110,000 lines; Rich's SVG of them took 7.6 s
    of CPU and 420 MB (killed here). Past 20,000 lines `--svg` is E0013, with a hint, and
    neither file is written (the HTML is not half of a pair)."""
    net = write(tmp_path, CONVS)
    svg, html = tmp_path / "o.svg", tmp_path / "o.html"
    svg.write_text("OLD")
    r = run_within(
        ["explain", net, "--svg", str(svg), "--html", str(html)],
        cpu=ACCEPTED_CPU,
        memory=ACCEPTED_MEMORY,
    )
    assert_safe(r, 2, "E0013")
    assert "more than the 20,000 an SVG picture holds" in r.text
    assert "hint: save it with --html" in r.text
    assert svg.read_text() == "OLD" and not html.exists()


def test_the_longest_outputs_within_the_svg_limit_are_drawn(tmp_path: Path) -> None:
    """`params` at the layer limit (5,016 lines) is within it, and `explain` is saved as HTML
    whatever its length; both within the bounds of an accepted input."""
    net = write(tmp_path, CONVS)
    r = run_within(
        ["params", net, "--svg", str(tmp_path / "p.svg")], cpu=ACCEPTED_CPU, memory=ACCEPTED_MEMORY
    )
    assert_safe(r, 0)
    assert "4999" in (tmp_path / "p.svg").read_text(encoding="utf-8")
    r = run_within(
        ["explain", net, "--html", str(tmp_path / "e.html")],
        cpu=ACCEPTED_CPU,
        memory=ACCEPTED_MEMORY,
    )
    assert_safe(r, 0)
    assert "conv1.4999" in (tmp_path / "e.html").read_text(encoding="utf-8")
