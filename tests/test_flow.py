"""The shape-flow picture: the tree follows branches and merges, every layer is drawn once, the
bars add up to the totals; `--svg`/`--html` save real SVG (parsed as XML) and HTML."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import cnncalc
from cnncalc.analysis.flow import (
    Fork,
    Line,
    build,
    by_block,
    lines,
    shares,
    spine,
)
from cnncalc.cli import app
from cnncalc.render.flow import FlowPicture, bar
from tests.conftest import EXAMPLES, ROOT

runner = CliRunner()
EXAMPLE = {p.stem: str(p) for p in EXAMPLES}


def picture(source: str, by: str = "macs", lang: str = "en", width: int = 100) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False)
    console.print(FlowPicture(cnncalc.analyze(source), by, lang))  # type: ignore[arg-type]
    return out.getvalue()


def drawn_names(source: str) -> list[str]:
    out = []
    for d in lines(build(cnncalc.analyze(source))):
        out += [r.name for r in d.line.rows]
    return out


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_layer_drawn_once_and_bars_sum_to_totals(example: Path) -> None:
    report = cnncalc.analyze(example)
    names = drawn_names(str(example))
    assert sorted(names) == sorted(r.name for r in report.layers)
    assert len(names) == len(set(names))
    drawn = [d.line for d in lines(build(report)) if d.line.kind == "layer"]
    assert sum(line.cost("macs") for line in drawn) == report.totals.macs
    assert sum(line.cost("params") for line in drawn) == report.totals.params
    assert picture(str(example))  # draws at all


def test_resnet50_spine_and_where_the_cost_lives() -> None:
    report = cnncalc.analyze(EXAMPLE["resnet50"])
    assert [tuple(s) for s in spine(report)] == [
        (3, 224, 224),
        (64, 112, 112),
        (64, 56, 56),
        (256, 56, 56),
        (512, 28, 28),
        (1024, 14, 14),
        (2048, 7, 7),
        (2048, 1, 1),
        (2048,),
        (1000,),
    ]
    blocks = dict(by_block(report, "macs"))
    assert sum(blocks.values()) == report.totals.macs == 4_089_184_256
    assert max(blocks, key=blocks.__getitem__) == "layer3"  # 6 bottlenecks at 14×14
    text = picture(EXAMPLE["resnet50"])
    assert "3×224×224 → 64×112×112 → 64×56×56 → 256×56×56" in text
    assert "Where the MACs live: layer3 35.8%" in text


def test_resnet_block_is_a_fork_with_a_skip() -> None:
    items = build(cnncalc.analyze(EXAMPLE["resnet18"]))
    forks = [i for i in items if isinstance(i, Fork)]
    assert len(forks) == 8  # 4 stages × 2 basic blocks
    first, second = forks[0], forks[1]
    # layer1.0: identity shortcut; layer2.0 (stride 2): a 1×1 conv + bn on the shortcut
    assert isinstance(first.branches[-1][0], Line) and first.branches[-1][0].kind == "skip"
    assert [r.name for item in forks[2].branches[1] if isinstance(item, Line) for r in item.rows] \
        == ["layer2.0.shortcut1.conv", "layer2.0.shortcut1.bn"]  # fmt: skip
    assert second.branches[0][0].kind == "layer"  # type: ignore[union-attr]
    guides = [d.guide for d in lines(items)]
    assert "├─ " in guides and "└─ " in guides and "│  " in guides


def test_vgg16_by_params_the_first_fc_has_the_full_bar() -> None:
    report = cnncalc.analyze(EXAMPLE["vgg16"])
    s = shares(report, "params")
    assert max(s, key=s.__getitem__) == "linear1"
    assert s["linear1"] == pytest.approx((25088 * 4096 + 4096) / 138_357_544)  # 74.3%
    text = picture(EXAMPLE["vgg16"], "params")
    fc = next(line for line in text.splitlines() if line.lstrip().startswith("linear1"))
    assert "█" * 20 in fc and "74.3%" in fc
    assert "linear+relu+dropout" in fc  # element-wise layers fold into the line before them
    assert "Where the Params live: linear1 74.3%" in text


def test_unet_follows_the_hourglass() -> None:
    shapes = [tuple(s) for s in spine(cnncalc.analyze(EXAMPLE["unet"]))]
    assert (1024, 16, 16) in shapes  # the bottom of the U is on the path
    assert shapes[0] == (3, 256, 256) and shapes[-1] == (2, 256, 256)


def test_squeeze_excite_is_a_detour_not_the_path() -> None:
    shapes = spine(cnncalc.analyze(EXAMPLE["efficientnet_b0"]))
    ones = [s for s in shapes if len(s) == 3 and s[1:] == (1, 1)]
    assert ones == [(1280, 1, 1)]  # only the head's global pool


def test_input_fork_and_concat(tmp_path: Path) -> None:
    text = (
        "input: 8x4x4\nlayers:\n  - conv: {out: 4, k: 1}\n    name: a\n"
        "  - conv: {out: 4, k: 3, p: 1}\n    from: input\n    name: b\n  - concat: [input, a, b]\n"
    )
    items = build(cnncalc.analyze(text))
    assert isinstance(items[0], Line) and items[0].kind == "input"
    assert isinstance(items[1], Fork) and len(items[1].branches) == 3
    assert sorted(drawn_names(text)) == ["a", "b", "concat1"]


def test_bar_eighths() -> None:
    assert bar(0, 10, 8) == ""
    assert bar(10, 10, 8) == "█" * 8
    assert bar(5, 10, 8) == "█" * 4
    assert bar(8, 64, 8) == "█"  # 8 cells · 8/64 = 1 cell
    assert bar(1, 64, 8) == "▏"  # 8 cells · 1/64 = one eighth of a cell
    assert bar(12, 64, 8) == "█▌"  # 1.5 cells
    assert bar(1, 10**6, 8) == "▏"  # tiny but non-zero still shows


def test_flow_command_and_chinese() -> None:
    result = runner.invoke(app, ["flow", EXAMPLE["stack"]], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "3×32×32 → 64×30×30 → 128×28×28" in result.stdout
    zh = runner.invoke(app, ["flow", EXAMPLE["vgg16"], "--by", "params", "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    assert "参数数量集中在：linear1 74.3%" in zh.stdout
    assert "输出尺寸" in zh.stdout


def test_flow_fits_an_80_column_terminal() -> None:
    env = {"COLUMNS": "80", "TTY_COMPATIBLE": "1", "NO_COLOR": "1"}
    result = runner.invoke(app, ["flow", EXAMPLE["googlenet"]], env=env)
    assert result.exit_code == 0, result.output
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert max(len(line) for line in plain.splitlines()) <= 80
    assert "inception3a.branch1.…" in plain  # a terminal cuts names to fit; piped output does not


# --- saving reports as SVG and HTML --------------------------------------------------------


class Balanced(HTMLParser):
    """Parses HTML and checks that every opened element is closed, in order."""

    VOID = frozenset({"meta", "br", "link", "img", "hr", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()


def parse_html(path: Path) -> Balanced:
    parser = Balanced()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    assert parser.stack == []
    return parser


def svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return "".join(root.itertext()).replace("\xa0", " ")


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["params", EXAMPLE["stack"]], "75,648"),
        (["explain", EXAMPLE["stack"], "--layer", "conv1"], "64 × 28 = 1,792"),
        (["flow", EXAMPLE["resnet50"]], "Where the MACs live"),
        (["explain", EXAMPLE["stack"], "--lang", "zh"], "参数数量"),
    ],
    ids=["params", "explain", "flow", "explain-zh"],
)
def test_svg_and_html(tmp_path: Path, args: list[str], expect: str) -> None:
    svg, html = tmp_path / "out.svg", tmp_path / "out.html"
    result = runner.invoke(app, [*args, "--svg", str(svg), "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert expect in result.stdout  # the terminal still gets the report
    assert expect.split()[0] in svg_text(svg)
    parser = parse_html(html)
    assert "html" in parser.tags and "pre" in parser.tags
    assert expect in html.read_text(encoding="utf-8")


def test_global_svg_saves_any_command(tmp_path: Path) -> None:
    """`cnncalc --svg FILE <command>` records commands that have no option of their own (check,
    diff, layer)."""
    svg = tmp_path / "diff.svg"
    result = runner.invoke(app, ["--svg", str(svg), "diff", EXAMPLE["vgg16"], EXAMPLE["vgg16_bn"]])
    assert result.exit_code in (0, 1), result.output
    assert "vgg16" in svg_text(svg)
    html = tmp_path / "layer.html"
    result = runner.invoke(app, ["--html", str(html), "layer", "--in", "3", "--out", "64"])
    assert result.exit_code == 0, result.output
    parse_html(html)
    assert "1,792" in html.read_text(encoding="utf-8")


def test_no_file_when_the_command_fails(tmp_path: Path) -> None:
    svg = tmp_path / "out.svg"
    result = runner.invoke(app, ["params", str(tmp_path / "nope.yaml"), "--svg", str(svg)])
    assert result.exit_code == 2
    assert not svg.exists()


def test_svg_needs_the_table_format(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["params", EXAMPLE["stack"], "--format", "json", "--svg", str(tmp_path / "x.svg")]
    )
    assert result.exit_code == 2
    assert "do not combine with --format json" in result.stderr


def test_unwritable_target_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.svg"
    result = runner.invoke(app, ["params", EXAMPLE["stack"], "--svg", str(target)])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


def test_examples_root_is_where_the_tests_think() -> None:
    assert (ROOT / "examples" / "resnet50.yaml").exists()
