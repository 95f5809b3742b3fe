"""How the tables meet the output: a narrow terminal drops whole columns in the stated order and
no number loses its unit; piped output is never cut and no line ends in a space; the optional
Input column; CSV carries the JSON's per-layer fields; the README's first `params` fits a screen.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console, RenderableType
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app
from cnncalc.messages import t
from cnncalc.render.flow import FlowPicture
from cnncalc.render.report import CSV_FIELDS, rows, totals_lines
from cnncalc.render.tables import DROP_ORDER, PARAMS_COLUMNS, params_renderable, params_table
from cnncalc.render.text import fmt_shape, fmt_shapes, human, share
from tests.conftest import ROOT

runner = CliRunner()
EX = ROOT / "examples"
README = ROOT / "README.md"
PIPED = {"NO_COLOR": "1", "GITHUB_ACTIONS": "", "CNNCALC_LANG": ""}
#: a number and its unit, as the tables and totals write them: `118 M`, `44.6 MiB`
NUMBER_UNIT = re.compile(r"\d[\d.,]* (?:[kMGT]|[KMGT]iB|B)\b")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

LONG_NAMES = """
name: long
input: 3x32x32
layers:
  - conv: {out: 16, k: 3, p: 1}
    name: a_stem_convolution_whose_name_is_longer_than_any_eighty_column_table_allows
  - residual:
      body:
        - conv: {out: 16, k: 3, p: 1}
          name: the_body_convolution_inside_a_residual_block_with_a_long_name
        - bn
      shortcut: identity
    name: a_residual_block_that_also_carries_a_rather_long_descriptive_name
  - gap
  - flatten
  - fc: 10
"""


def terminal(renderable: RenderableType, width: int) -> list[str]:
    """What a terminal `width` columns wide shows, without styles."""
    console = Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)
    console.print(renderable)
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def cells(line: str) -> list[str]:
    """A table line's non-empty cells (columns are two or more spaces apart)."""
    return [c for c in re.split(r" {2,}", line.strip()) if c]


def headers(lang: str) -> dict[str, str]:
    keys = {k: f"col.{k}" for k in PARAMS_COLUMNS if k != "share"}
    return {"share": "%", **{k: t(v, lang) for k, v in keys.items()}}


def expected_cells(
    report: cnncalc.Report, depth: int | None, keys: tuple[str, ...]
) -> list[list[str]]:
    """Each row's cells in the drawn columns, the empty ones left out."""
    total = report.totals.params
    out = []
    for row in rows(report, depth):
        every = {
            "layer": row.name.rsplit(".", 1)[-1],
            "op": row.op,
            "input": fmt_shapes(row.in_shapes),
            "output": fmt_shape(row.out_shape),
            "kernel": row.kernel,
            "params": f"{row.params:,}",
            "share": share(row.params, total),
            "macs": human(row.macs) if row.macs else "0",
            "rf": row.rf,
        }
        out.append([every[k] for k in keys if every[k]])
    return out


def same_cells(drawn: list[str], expected: list[str]) -> bool:
    """Equal, but for a name cut with an ellipsis (the last resort of a narrow terminal)."""
    if len(drawn) != len(expected) or drawn[1:] != expected[1:]:
        return False
    name, want = drawn[0], expected[0]
    return name == want or (name.endswith("…") and want.startswith(name[:-1]))


# --- 1. narrow terminals ------------------------------------------------------------------


NARROW = [
    ("resnet18", 1, "en", False),
    ("resnet18", None, "zh", False),
    ("googlenet", 2, "en", True),
    ("efficientnet_b0", None, "en", False),
    ("stack", None, "en", True),
]


@pytest.mark.parametrize(("example", "depth", "lang", "in_shape"), NARROW)
def test_narrow_terminal_drops_whole_columns_in_order(
    example: str, depth: int | None, lang: str, in_shape: bool
) -> None:
    report = cnncalc.analyze(EX / f"{example}.yaml")
    renderable = params_renderable(report, depth, lang, in_shape)
    names = headers(lang)
    every = tuple(k for k in PARAMS_COLUMNS if in_shape or k != "input")
    droppable = [k for k in DROP_ORDER if k in every]
    before: set[str] = set(every)
    for width in range(120, 29, -1):
        lines = terminal(renderable, width)
        assert max(cell_len(line) for line in lines) <= width, width
        rules = [i for i, line in enumerate(lines) if line.startswith(" ─")]
        head = cells(lines[rules[0] - 1])
        keys = tuple(k for k in every if names[k] in head)
        assert head == [names[k] for k in keys], (width, head)
        dropped = [k for k in every if k not in keys]
        # columns go only in the stated order, and never come back as the terminal narrows
        assert sorted(dropped, key=droppable.index) == droppable[: len(dropped)], (width, dropped)
        assert set(keys) <= before, width
        before = set(keys)
        assert {"layer", "params"} <= set(keys)
        body = lines[rules[0] + 1 : rules[1]]
        for drawn, want in zip(body, expected_cells(report, depth, keys), strict=True):
            assert same_cells(cells(drawn), want), (width, drawn, want)
        footer = {"layer": t("col.total", lang), "output": fmt_shape(report.output_shape),
                  "params": f"{report.totals.params:,}", "share": "100",
                  "macs": human(report.totals.macs)}  # fmt: skip
        assert cells(lines[rules[1] + 1]) == [footer[k] for k in keys if k in footer], width
        # below the table: every number with its unit on one line
        text = "\n".join(lines[rules[1] + 2 :])
        for source in totals_lines(report, lang):
            for number in NUMBER_UNIT.findall(source):
                assert number in text, (width, number)


def test_a_wide_enough_terminal_drops_nothing() -> None:
    report = cnncalc.analyze(EX / "resnet18.yaml")
    lines = terminal(params_renderable(report, 1), 80)
    assert cells(lines[2]) == [headers("en")[k] for k in PARAMS_COLUMNS if k != "input"]
    total = next(line for line in lines if line.split()[:1] == [t("col.total", "en")])
    assert "1.81 G" in total  # the total row: MACs with its unit
    table = params_table(report, 1)  # the README: every column from 71 columns on
    assert table.keys(71) == tuple(k for k in PARAMS_COLUMNS if k != "input")
    assert "share" not in table.keys(70)
    assert "every column from 71 columns on" in " ".join(README.read_text(encoding="utf-8").split())
    narrow = terminal(params_renderable(report, 1), 30)
    assert cells(narrow[2]) == ["Layer", "Params", "MACs"]
    assert cells(narrow[4]) == ["conv1", "9,408", "118 M"]


def test_the_readme_states_the_drop_order() -> None:
    order = ", ".join(f"`{headers('en')[k]}`" for k in DROP_ORDER)
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert f"whole columns go, in this order: {order}" in readme


# --- 2. piped output ------------------------------------------------------------------------


def piped(args: list[str], columns: str | None = None) -> str:
    env = {**PIPED, **({"COLUMNS": columns} if columns else {})}
    result = runner.invoke(app, args, env=env)
    assert result.exit_code in (0, 1), result.output
    assert not ANSI.search(result.stdout)
    return result.stdout


def long_names(tmp_path: Path) -> str:
    path = tmp_path / "long.yaml"
    path.write_text(LONG_NAMES, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("columns", [None, "80", "40"])
@pytest.mark.parametrize("example", ["googlenet", "efficientnet_b0", "alexnet", "long"])
def test_piped_params_cuts_nothing(example: str, columns: str | None, tmp_path: Path) -> None:
    path = long_names(tmp_path) if example == "long" else str(EX / f"{example}.yaml")
    out = piped(["params", path, "--in-shape"], columns)
    assert "…" not in out
    assert not [line for line in out.splitlines() if line.endswith(" ")]
    report = cnncalc.analyze(path)
    lines = out.splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith(" ─")]
    body = lines[rules[0] + 1 : rules[1]]
    for drawn, want in zip(body, expected_cells(report, None, PARAMS_COLUMNS), strict=True):
        assert cells(drawn) == want
    # every layer of the JSON has its row, named whole (the last part of its dotted name)
    layers = json.loads(piped(["params", path, "-f", "json"]))["layers"]
    labels = {cells(line)[0] for line in body}
    assert {layer["name"].rsplit(".", 1)[-1] for layer in layers} <= labels


#: (command, the network whose names it prints); `long` is LONG_NAMES
NAMED = {
    "flow-googlenet": (["flow", "googlenet"], "googlenet"),
    "flow-long": (["flow", "long"], "long"),
    "diff-googlenet": (["diff", "googlenet", "resnet18"], "googlenet"),
    "explain-long": (["explain", "long"], "long"),
}


@pytest.mark.parametrize("case", NAMED)
def test_piped_tree_diff_and_explain_cut_no_name(case: str, tmp_path: Path) -> None:
    words, source = NAMED[case]
    paths = {"long": long_names(tmp_path)}
    args = [words[0], *(paths.get(w) or str(EX / f"{w}.yaml") for w in words[1:])]
    out = piped(args, "80")
    assert not [line for line in out.splitlines() if line.endswith(" ")]
    assert "…" not in out
    report = cnncalc.analyze(paths.get(source) or EX / f"{source}.yaml")
    names = [layer.name for layer in report.layers]
    drawn = set(re.split(r"[\s│├└─↪]+", out))
    if args[0] == "flow":  # the names the picture draws (norms and activations fold away)
        lines = [re.split(r"[\s│├└─↪]+", r[0].strip())[-1] for r in FlowPicture(report).rows()]
        names = [n for n in lines if n in names]
    elif args[0] == "diff":  # the layers that differ: googlenet's are all in blocks
        names = [n for n in names if "." in n]
    assert names and all(n in drawn for n in names), [n for n in names if n not in drawn]


@pytest.mark.parametrize(
    "args",
    [
        ["explain", str(EX / "googlenet.yaml")],
        ["explain", str(EX / "resnet18.yaml"), "-l", "layer1"],
        ["layer", "--in", "3", "--out", "64", "-k", "3", "--size", "32"],
    ],
)
def test_piped_steps_widen_instead_of_cutting(args: list[str]) -> None:
    for columns in ("30", "80"):
        out = piped(args, columns)
        assert "…" not in out
        assert not [line for line in out.splitlines() if line.endswith(" ")]
        # the quantity and value columns whole, the working wrapped
        assert "Params per kernel" in out or args[0] == "explain"
        assert f"{64 * 30 * 30 * 3 * 3 * 3:,}" in out or args[0] == "explain"  # 1,555,200 MACs


def test_piped_check_has_no_trailing_space() -> None:
    out = piped(["check", str(EX / "resnet18.yaml"), "--max-params", "10M"], "80")
    assert out.splitlines() and not [line for line in out.splitlines() if line.endswith(" ")]


# --- 3. the Input column, and CSV beside JSON -----------------------------------------------


def test_in_shape_column_in_table_and_markdown() -> None:
    path = str(EX / "googlenet.yaml")
    report = cnncalc.analyze(path)
    plain = piped(["params", path, "--depth", "2"])
    assert "Input" not in cells(plain.splitlines()[2])
    table = piped(["params", path, "--depth", "2", "--in-shape"]).splitlines()
    assert cells(table[2])[:4] == ["Layer", "Op", "Input", "Output"]
    concat = next(line for line in table if "concat1" in line)  # a merge lists every input
    assert "64×28×28 + 128×28×28 + 32×28×28 + 32×28×28" in concat
    zh = piped(["params", path, "--in-shape", "--lang", "zh", "--depth", "1"])
    assert "输入尺寸" in zh
    md = piped(["params", str(EX / "stack.yaml"), "--in-shape", "-f", "markdown"])
    assert "| Layer | Op | Input | Output | Kernel | Params | % | MACs | RF |" in md
    assert "| conv2 | conv | 64×30×30 | 128×28×28 | 128×64×3×3 |" in md
    md_rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert all(line.count(" | ") == 8 for line in md_rows)
    # blocks read what enters them from outside: inception3a reads maxpool2's output
    block = next(line for line in table if line.startswith(" inception3a "))
    assert cells(block)[2] == fmt_shape(report.layer("maxpool2").out_shape)  # 192×28×28
    assert piped(["params", path, "-f", "json", "--in-shape"]) == piped(
        ["params", path, "-f", "json"]
    )


def test_in_shape_is_in_help() -> None:
    out = runner.invoke(app, ["params", "--help"], env={"COLUMNS": "200"}).stdout
    assert "--in-shape" in out and "Input column" in out


def csv_value(layer: dict[str, object], field: str) -> str:
    """A JSON layer's field as the CSV writes it."""
    rf = layer["rf"]
    assert isinstance(rf, dict)
    shapes = layer.get("in_shapes", [layer["in_shape"]])
    value = {
        "rf_size": "x".join(map(str, rf["size"])),
        "rf_jump": "x".join(map(str, rf["jump"])),
        "rf_global": rf["global"],
        "in_shapes": ";".join("x".join(map(str, s)) for s in shapes),  # type: ignore[union-attr]
    }.get(field, layer.get(field))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        sep = ";" if field == "inputs" else "x"
        return sep.join(map(str, value))
    return "" if value is None else str(value)


@pytest.mark.parametrize("example", ["efficientnet_b0", "googlenet", "resnet18", "unet"])
def test_csv_carries_the_json_layer_fields(example: str) -> None:
    path = str(EX / f"{example}.yaml")
    layers = json.loads(piped(["params", path, "-f", "json"]))["layers"]
    table = list(csv.DictReader(io.StringIO(piped(["params", path, "-f", "csv"]))))
    fields: set[str] = set()
    for layer in layers:
        rf = layer["rf"]
        fields |= {k for k in layer if k != "rf"} | {f"rf_{k}" for k in rf}
    assert fields <= set(CSV_FIELDS), fields - set(CSV_FIELDS)
    assert len(table) == len(layers)
    for layer, row in zip(layers, table, strict=True):
        assert row == {f: csv_value(layer, f) for f in CSV_FIELDS}
    if example == "efficientnet_b0":
        assert {row["rf_global"] for row in table} == {"true", "false"}


# --- 4. the README's first params command fits a screen -------------------------------------


#: a screen: 80 columns, 30 lines
SCREEN = (80, 30)


def test_readme_first_params_command_fits_a_screen() -> None:
    readme = README.read_text(encoding="utf-8")
    found = re.search(r"cnncalc params [^`\n&|]*", readme)
    assert found
    args = shlex.split(found.group(0).strip())[1:]
    result = runner.invoke(app, args, env={**PIPED, "COLUMNS": str(SCREEN[0])})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) <= SCREEN[1] and max(map(cell_len, lines)) <= SCREEN[0], found.group(0)
    # the full table follows it in the README
    assert "<!-- readme-output: cnncalc params examples/resnet18.yaml -->" in readme
