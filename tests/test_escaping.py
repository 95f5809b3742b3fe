"""Every sink of user text, pushed a hostile name or path and parsed back (docs/security.md).

Names, layer names and paths reach a terminal (Rich, never reading markup), Markdown (the
`--format markdown` reports and the GitHub step summary), JUnit XML, GitHub workflow commands,
SVG and HTML, CSV and JSON. Each test parses what the sink wrote with a real parser for its
format (markdown-it, xml.etree, html.parser, csv, json) and checks that the structure is the
one cnncalc meant (as many table cells, elements, properties and rows as it wrote) and that the
text reads back as the user wrote it, with control characters shown visibly.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from typer.testing import CliRunner

from cnncalc.analysis.budget import BudgetResult, CheckResult, FileResult
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError, Pos, Source
from cnncalc.messages import escape
from cnncalc.render import ci as ci_render
from cnncalc.render.report import CSV_FIELDS

runner = CliRunner()
ENV = {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "GITHUB_WORKSPACE": "", "COLUMNS": "400"}

#: what each format reads as its own syntax, in one name (no control character: those are
#: refused where they are written, E0157)
HOSTILE = (
    "N|x `c` ``d`` <script>alert(1)</script> <img src=x onerror=alert(1)> ]]> &amp; "
    "[/b] [bold red]SPOOF[/] :smile: *e* _u_ ~~s~~ $m$ # h %0A %0D %25 ::error:: , : "
    "\\| \\ @here"
)
LAYER = "L|y `c` <b>b</b> ]]> [/b] *e* _u_ &lt; %0A ::warning:: \\|"
FORMULA = '=HYPERLINK("http://x","y")'
#: a directory and a file name with the same, and control characters a path may hold
HOSTILE_DIR = "d|x `y` <i>&]]>[b]"
HOSTILE_FILE = "n,a:b%0Ac\x1b[31m\u202e.yaml"
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def yaml_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def network(name: str = HOSTILE, layer: str = LAYER, budget: str = "params: 10") -> str:
    """Two layer names of the hostile kind, a misaligned merge (a warning naming a layer) and a
    budget that fails."""
    return (
        f"name: {yaml_quote(name)}\ninput: 3x8x8\nbudget: {{{budget}}}\nlayers:\n"
        f"  - conv: {{out: 4, k: 3, p: 1}}\n    name: {yaml_quote(layer)}\n"
        "  - parallel:\n      branches:\n        - [maxpool: {k: 2, s: 2}]\n"
        "        - [conv: {out: 4, k: 1, s: 2}]\n      merge: add\n"
        f"    name: {yaml_quote(FORMULA)}\n"
    )


@pytest.fixture
def net(tmp_path: Path) -> Path:
    d = tmp_path / HOSTILE_DIR
    d.mkdir()
    path = d / HOSTILE_FILE
    path.write_text(network(), encoding="utf-8")
    return path


def xml(doc: str | Path) -> ET.Element:
    """cnncalc's own output, parsed to check its structure."""
    text = doc.read_text(encoding="utf-8") if isinstance(doc, Path) else doc
    return ET.fromstring(text.encode("utf-8"))  # noqa: S314 - cnncalc's own output


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={**ENV, **(env or {})})
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not RAW_CONTROL.search(result.stdout), result.stdout[:400]
    assert not RAW_CONTROL.search(result.stderr), result.stderr[:400]
    return result.exit_code, result.stdout, result.stderr


def shown(path: Path) -> str:
    """A path as cnncalc shows it: control characters visible (`read_source`'s escaping)."""
    return repr(str(path))[1:-1]


# --- the escaping functions, one per sink --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("a\x1bb", "a\\x1bb"),
        ("a\nb\tc", "a\\nb\\tc"),
        ("x\u202ey", "x\\u202ey"),  # bidi override
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("soft\u00adhyphen", "soft\\xadhyphen"),
        ("tag\U000e0041", "tag\\U000e0041"),  # invisible tag characters smuggle text
        ("non\uffff", "non\\uffff"),  # illegal in XML 1.0
        ("lone\udc85", "lone\\udc85"),  # a byte of a path that is not UTF-8
        ("plain 中文 ✅", "plain 中文 ✅"),
    ],
)
def test_visible(text: str, want: str) -> None:
    assert escape.visible(text) == want


def test_visible_lines_keeps_lines_and_tabs() -> None:
    assert escape.visible_lines("a\nb\tc\x1b\r") == "a\nb\tc\\x1b\\r"


def test_workflow_escaping_is_the_toolkits() -> None:
    assert escape.workflow_data("50%\r\n::error::x") == "50%25%0D%0A::error::x"
    assert escape.workflow_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert escape.workflow_data("\x1b[2J") == "\\x1b[2J"


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)"])
def test_csv_cells_that_a_spreadsheet_would_run_start_with_an_apostrophe(text: str) -> None:
    assert escape.csv_cell(text) == "'" + escape.visible(text)
    assert escape.csv_cell("conv1") == "conv1"
    assert escape.csv_cell("\t=1") == "\\t=1"  # shown visibly, so no longer a formula


def test_json_safe_writes_escapes_a_reader_takes_back() -> None:
    doc = json.dumps({"k": "a\x85b\u202ec\U000e0041\x7f"}, ensure_ascii=False)
    safe = escape.json_safe(doc)
    assert not RAW_CONTROL.search(safe)
    assert json.loads(safe) == json.loads(doc)


# --- Markdown ----------------------------------------------------------------------------------

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
#: inline tokens that only cnncalc's own Markdown makes (emphasis in `**FAIL**`, the `_Counting_`
#: line); a name must never make any of them, nor HTML, links or images
FOREIGN = {"html_inline", "html_block", "link_open", "image", "s_open", "em_open", "strong_open"}


def cells(text: str) -> Iterator[list[Token]]:
    """Each table row's cells, as inline tokens."""
    row: list[Token] | None = None
    for tok in MD.parse(text):
        if tok.type == "tr_open":
            row = []
        elif tok.type == "inline" and row is not None:
            row.append(tok)
        elif tok.type == "tr_close" and row is not None:
            yield row
            row = None


def plain(tok: Token) -> str:
    """What a reader sees in a cell: its text and code, without the markup around them."""
    return "".join(c.content for c in tok.children or () if c.type in ("text", "code_inline"))


def kinds(tok: Token) -> set[str]:
    return {c.type for c in tok.children or ()}


def assert_no_foreign_markup(text: str, allowed: frozenset[str] = frozenset()) -> None:
    for tok in MD.parse(text):
        assert tok.type != "html_block", tok
        if tok.type == "inline":
            assert not (kinds(tok) & FOREIGN - allowed), (tok.content, kinds(tok))


def test_params_markdown(net: Path) -> None:
    code, out, _ = invoke("params", str(net), "-f", "markdown")
    assert code == 0
    heading = next(t for t in MD.parse(out) if t.type == "inline")
    assert plain(heading).startswith(HOSTILE + " (input")
    rows = list(cells(out))
    assert [len(r) for r in rows] == [8] * (1 + 6)  # the header, 4 layers and 2 blocks
    assert plain(rows[1][0]) == LAYER and kinds(rows[1][0]) == {"text"}
    assert FORMULA in [plain(r[0]) for r in rows]
    assert_no_foreign_markup(out.split("_Counting")[0], frozenset({"strong_open"}))  # blocks


def test_check_markdown_and_step_summary(net: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    code, out, _ = invoke("check", str(net), "-f", "markdown")
    assert code == 1
    code, _, _ = invoke("check", str(net), env=env)
    assert code == 1
    for text in (out, summary.read_text(encoding="utf-8")):
        rows = list(cells(text))
        assert [len(r) for r in rows] == [6, 6]
        assert plain(rows[1][0]) == shown(net)  # the whole path, one code span
        assert kinds(rows[1][0]) == {"code_inline"}
        assert_no_foreign_markup(text, frozenset({"strong_open"}))  # `**FAIL**`


def test_markdown_code_outside_a_table(tmp_path: Path) -> None:
    for path in ["a`b", "``x` y", " x|y ", "a\\"]:
        (inline,) = (t for t in MD.parse(escape.markdown_code(path, cell=False)) if t.children)
        assert [(c.type, c.content) for c in inline.children or ()] == [("code_inline", path)]


def test_diff_markdown_with_a_line_break_in_a_path(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(network(), encoding="utf-8")
    new = tmp_path / "x\n## INJECTED\n<img src=x>.yaml"
    new.write_text(network().replace("k: 3, p: 1", "k: 5, p: 2"), encoding="utf-8")
    code, out, _ = invoke("diff", str(old), str(new), "-f", "markdown")
    assert code == 0
    tokens = MD.parse(out)
    headings = [t for t in tokens if t.type == "heading_open"]
    assert len(headings) == 1  # no heading of the path's own
    title = tokens[tokens.index(headings[0]) + 1]
    assert kinds(title) == {"text", "code_inline"}
    assert escape.visible(str(new)) in plain(title)
    layer_rows = [r for r in cells(out) if len(r) == 7][1:]
    assert layer_rows and plain(layer_rows[0][0]) == LAYER
    assert_no_foreign_markup(out, frozenset({"strong_open"}))  # `**Layers:**`


# --- JUnit XML -------------------------------------------------------------------------------


def test_junit_xml_file_and_stdout(net: Path, tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    code, out, _ = invoke("check", str(net), "-f", "junit", "--junit-xml", str(report))
    assert code == 1
    for root in (xml(out), xml(report)):
        (suite,) = root.findall("testsuite")
        assert suite.get("name") == shown(net)
        (case,) = suite.findall("testcase")
        assert case.get("file") == shown(net) and case.get("name") == "params"
        assert case.find("failure") is not None
        err = suite.findtext("system-err") or ""
        assert f"'{FORMULA}'" in err and "warning[W0501]" in err


def test_junit_error_with_control_characters_in_the_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad\x1b]0;title\x07<&>.yaml"
    bad.write_text(network().replace("input: 3x8x8", "input: 3x8x8x8x8"), encoding="utf-8")
    report = tmp_path / "junit.xml"
    code, out, err = invoke("check", str(bad), "-f", "junit", "--junit-xml", str(report))
    assert code == 2 and "error[E0309]" in err
    for root in (xml(out), xml(report)):
        case = root.find("testsuite/testcase")
        assert case is not None and case.get("file") == escape.visible(str(bad))
        error = case.find("error")
        assert error is not None and error.get("type") == "E0309"


def test_junit_renderer_on_its_own() -> None:
    """The renderer is safe whatever path a library caller gives it (the CLI escapes first)."""
    path = "a\x00b\x1b\uffff\ud800<![CDATA[x]]>\n&\"'"
    src = Source(path, "budget: {params: 1}\n")
    fail = FileResult(path, "n\x1b", (BudgetResult("params", 5, 1, Pos(src, 1, 10)),))
    text = ci_render.check_junit(CheckResult((fail,)))
    suite = xml(text).find("testsuite")
    assert suite is not None and suite.get("name") == escape.visible(path)
    err = CnnCalcError("E0101", Pos(src, 0, 0))
    case = xml(ci_render.error_junit(path, err)).find("testsuite/testcase")
    assert case is not None and case.get("classname") == escape.visible(path)


# --- GitHub workflow commands -------------------------------------------------------------------

COMMAND = re.compile(r"^::(error|warning|notice)( [^:]*)?::(.*)$")


def properties(line: str) -> dict[str, str]:
    m = COMMAND.match(line)
    assert m, line
    props = dict(p.split("=", 1) for p in (m.group(2) or "").strip().split(",") if p)
    assert all(re.fullmatch(r"[^:,\r\n]*", v) for v in props.values()), props
    return props


def unescape(text: str) -> str:
    return text.replace("%3A", ":").replace("%2C", ",").replace("%0A", "\n").replace("%25", "%")


def test_workflow_commands(net: Path, tmp_path: Path) -> None:
    code, out, _ = invoke("check", str(net), env={"GITHUB_ACTIONS": "true"})
    assert code == 1
    commands = [ln for ln in out.splitlines() if ln.startswith("::")]
    assert len(commands) == 2  # the warning and the exceeded budget, nothing a name made
    for line in commands:
        props = properties(line)
        assert set(props) == {"file", "line", "col", "title"}
        # as GitHub resolves it: forward slashes (a visible `\x1b` too: no such file exists)
        assert unescape(props["file"]) == shown(net).replace("\\", "/")
    warning = COMMAND.match(commands[0])
    assert warning is not None and f"'{FORMULA}'" in unescape(warning.group(3))
    # a bad file: its error as an annotation, with a hostile path
    bad = net.with_name("bad%0A::error::,x.yaml")
    bad.write_text("input: 3x8x8\nlayers: [nope]\n", encoding="utf-8")
    code, out, _ = invoke("check", str(bad), env={"GITHUB_ACTIONS": "true"})
    assert code == 2
    (line,) = [ln for ln in out.splitlines() if ln.startswith("::")]
    assert unescape(properties(line)["file"]) == shown(bad).replace("\\", "/")


# --- terminal: Rich reads no markup --------------------------------------------------------------


@pytest.mark.parametrize("command", ["params", "explain", "flow", "lint", "check", "diff"])
def test_terminal_shows_names_as_written(net: Path, command: str) -> None:
    args = [command, str(net)]
    if command == "diff":  # a changed layer, so that the layer table names it
        new = net.with_name("new.yaml")
        new.write_text(network().replace("k: 3, p: 1", "k: 5, p: 2"), encoding="utf-8")
        args.append(str(new))
    code, out, err = invoke(*args)
    assert code in (0, 1)
    text = re.sub(r"\s+", "", out + err)  # wherever the terminal's width wrapped it
    needle = HOSTILE if command == "check" else LAYER
    assert re.sub(r"\s+", "", needle) in text, out
    assert "SPOOF" not in text.replace("[boldred]SPOOF[/]", "")  # no markup read


# --- SVG and HTML ---------------------------------------------------------------------------------


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_svg_and_html(net: Path, tmp_path: Path) -> None:
    svg, html = tmp_path / "out.svg", tmp_path / "out.html"
    code, _, _ = invoke("params", str(net), "--svg", str(svg), "--html", str(html))
    assert code == 0
    root = xml(svg)  # well-formed, with the path (in the title) escaped
    words = "".join(root.itertext()).replace("\xa0", " ")
    assert LAYER in words and shown(net) in words
    parser = _Html()
    parser.feed(html.read_text(encoding="utf-8"))
    assert "script" not in parser.tags and "img" not in parser.tags and "b" not in parser.tags
    assert LAYER in "".join(parser.text).replace("\xa0", " ")
    assert not RAW_CONTROL.search(svg.read_text(encoding="utf-8"))


# --- CSV and JSON -------------------------------------------------------------------------------


def test_csv(net: Path) -> None:
    code, out, _ = invoke("params", str(net), "-f", "csv")
    assert code == 0
    table = list(csv.reader(io.StringIO(out)))
    assert {len(r) for r in table} == {len(CSV_FIELDS)} and len(table) == 1 + 4
    names = [r[0] for r in table[1:]]
    assert names[0] == LAYER
    assert names[-1] == "'" + FORMULA  # shown as text, never run as a formula
    assert table[2][2] == LAYER  # an input named by the first layer


def test_json(net: Path) -> None:
    for args in (["params", "-f", "json"], ["check", "-f", "json"], ["lint", "-f", "json"]):
        code, out, _ = invoke(args[0], str(net), *args[1:])
        assert code in (0, 1)
        data = json.loads(out)
        if args[0] == "params":
            assert data["name"] == HOSTILE and data["layers"][0]["name"] == LAYER
        elif args[0] == "check":
            assert data["files"][0]["path"] == shown(net)
        else:
            assert any(f["layer"] == LAYER for f in data["findings"])


def test_json_of_a_path_with_c1_and_bidi_characters(tmp_path: Path) -> None:
    path = tmp_path / "c1\x85\u202e\u2028.yaml"
    path.write_text(network(), encoding="utf-8")
    code, out, _ = invoke("check", str(path), "-f", "json")  # `invoke` asserts nothing raw
    assert code == 1
    assert json.loads(out)["files"][0]["path"] == shown(path)


def test_headroom_in_json_is_exact_past_a_float(tmp_path: Path) -> None:
    b = BudgetResult("rf", 10**400, 3, None)
    from cnncalc.render.json import budget_dict

    assert budget_dict(b)["headroom_pct"] == (10**400 - 3) * 100 // 3
    assert Fraction(budget_dict(BudgetResult("params", 1, 3, None))["headroom_pct"]) > 66  # type: ignore[arg-type]
