"""The loader package: one size grammar, one parse, the lint words on the Network, shapes
inferred once, and a catalogue entry (English and Chinese, same placeholders) for every code."""

from __future__ import annotations

import ast
import dataclasses
import gc
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import cnncalc
from cnncalc import engine, loader
from cnncalc.analysis.lint import ignore_from_network
from cnncalc.cli import app
from cnncalc.errors import CODE, CnnCalcError, SpecError
from cnncalc.layers import ArgType
from cnncalc.loader import nodes
from cnncalc.loader.single import parse_sizes
from cnncalc.messages import en, placeholders, zh

LOADER_DIR = Path(loader.__file__).parent
SPELLINGS = ["8x8", "8X8", "8×8", "8,8", "8 x 8", "8, 8", "8 × 8"]


# --- one size grammar -----------------------------------------------------------------------
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_yaml_input_takes_every_spelling(spelling: str) -> None:
    net = loader.load_text(f"input: 3x{spelling}\nlayers: [relu]\n")
    assert net.input_shape == (3, 8, 8)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_yaml_argument_takes_every_spelling(spelling: str) -> None:
    text = f"input: 3x32x32\nlayers:\n  - conv:\n      out: 8\n      k: {spelling}\n"
    report = cnncalc.analyze(text)
    assert report.layers[0].kernel_shape == (8, 3, 8, 8)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_cli_size_takes_every_spelling(spelling: str) -> None:
    assert parse_sizes(spelling, "--size") == (8, 8)


def test_the_cli_and_yaml_refuse_the_same_text() -> None:
    for text in ("8x", "8;8", "8x-1", "a,b"):
        with pytest.raises(CnnCalcError) as cli:
            parse_sizes(text, "--size")
        assert cli.value.code == "E0801"
        with pytest.raises(CnnCalcError) as spec:
            loader.load_text(f"input: 3x{text}\nlayers: [relu]\n")
        assert spec.value.code in ("E0217", "E0218"), spec.value.render()


def test_layer_command_takes_a_comma_size() -> None:
    result = CliRunner().invoke(
        app, ["layer", "--in", "3", "--out", "8", "--size", "8,8", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["layers"][0]["out_shape"] == [8, 6, 6]  # (8 - 3) + 1


def test_every_arg_type_has_a_converter() -> None:
    assert set(loader.CONVERTERS) == set(ArgType)


# --- one parse ------------------------------------------------------------------------------
@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The texts the loader's parser was made for; PyYAML's own entry points must not run."""
    made: list[str] = []
    base = nodes._Loader

    class Counting(base):  # type: ignore[misc, valid-type]
        def __init__(self, text: str) -> None:
            made.append(text)
            super().__init__(text)

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a second parse")

    monkeypatch.setattr(nodes, "_Loader", Counting)
    for name in ("parse", "compose", "compose_all", "load", "safe_load", "scan"):
        monkeypatch.setattr(yaml, name, forbidden)
    yield made


def test_a_file_is_parsed_once(parses: list[str]) -> None:
    cnncalc.analyze((Path(__file__).parent.parent / "examples" / "resnet18.yaml").read_text())
    assert len(parses) == 1


def test_lint_parses_each_file_once(parses: list[str], tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text("input: 3x8x8\nlayers:\n  - conv: {out: 8, k: 3}\nlint: {ignore: [CNN105]}\n")
    result = CliRunner().invoke(app, ["lint", str(path)])
    assert result.exit_code == 0, result.output
    assert len(parses) == 1


def test_the_checks_happen_while_composing() -> None:
    # a duplicate key, an undefined alias and a second document, in one pass
    cases = {
        "a: 1\na: 2\n": "E0122",
        "a: *x\n": "E0125",
        "a: 1\n---\nb: 2\n": "E0123",
        "a: !!str 1\n": "E0126",
        "a: &x [*x]\n": "E0124",
    }
    for text, code in cases.items():
        with pytest.raises(SpecError) as info:
            loader.compose(loader.decode_source("t.yaml", text.encode()))
        assert info.value.code == code, text


# --- lint: on the Network -------------------------------------------------------------------
LINT_NET = "input: 3x8x8\nlayers: [relu]\nlint:\n  ignore: [CNN105, bias-before-bn, cnn101]\n"


def test_lint_words_are_on_the_network() -> None:
    net = loader.load_text(LINT_NET)
    assert [w for w, _ in net.lint_ignore] == ["CNN105", "bias-before-bn", "cnn101"]
    assert [(p.line, p.col) for _, p in net.lint_ignore] == [(4, 12), (4, 20), (4, 36)]
    assert ignore_from_network(net) == {"CNN105", "CNN101"}


def test_a_single_lint_word_is_a_list_of_one() -> None:
    net = loader.load_text("input: 3x8x8\nlayers: [relu]\nlint: {ignore: CNN105}\n")
    assert ignore_from_network(net) == {"CNN105"}


def test_an_unknown_lint_word_is_located() -> None:
    net = loader.load_text("input: 3x8x8\nlayers: [relu]\nlint: {ignore: [CNN999]}\n")
    with pytest.raises(SpecError) as info:
        ignore_from_network(net)
    assert "no lint rule 'CNN999'" in info.value.message
    assert info.value.pos is not None and (info.value.pos.line, info.value.pos.col) == (3, 17)


@pytest.mark.parametrize(
    ("lint", "code", "phrase"),
    [
        ("5", "E0324", "'lint' must be a mapping, as in lint: {ignore: [CNN105]}"),
        ("{skip: [CNN105]}", "E0325", "unknown key 'skip' in 'lint'"),
    ],
)
def test_bad_lint_values_keep_their_wording(lint: str, code: str, phrase: str) -> None:
    with pytest.raises(SpecError) as info:
        loader.load_text(f"input: 3x8x8\nlayers: [relu]\nlint: {lint}\n")
    assert info.value.code == code
    assert phrase in info.value.message


# --- shapes inferred once -------------------------------------------------------------------
def test_analysis_reuses_what_the_loader_inferred(monkeypatch: pytest.MonkeyPatch) -> None:
    net = loader.load_text(LINT_NET.replace("[relu]", "[{conv: {out: 8, k: 3}}, relu]"))
    assert net.inferred is not None and net.inferred.describes(net)
    calls: list[str] = []
    add = engine.Graph.add

    def counting(self: engine.Graph, node: engine.Node) -> tuple[int, ...]:
        calls.append(node.name)
        return add(self, node)

    monkeypatch.setattr(engine.Graph, "add", counting)
    report = engine.analyze_network(net)
    assert calls == []
    assert report.layers[0].out_shape == (8, 6, 6)
    # a network changed after loading is inferred afresh
    other = engine.analyze_network(dataclasses.replace(net, input_shape=(3, 10, 10)))
    assert calls == ["conv1", "relu1"]
    assert other.layers[0].out_shape == (8, 8, 8)


def test_a_network_from_any_front_end_is_analysed() -> None:
    net = loader.load_text("input: 3x8x8\nlayers: [{conv: {out: 4, k: 3}}, relu]\n")
    bare = engine.Network(net.input_shape, net.nodes)  # no inferred record
    assert engine.analyze_network(bare).totals == engine.analyze_network(net).totals


def test_loading_leaves_the_collector_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise AssertionError("the loader paused the garbage collector")

    monkeypatch.setattr(gc, "disable", refuse)
    assert loader.load_text("input: 3x8x8\nlayers: [relu]\n").nodes


# --- messages -------------------------------------------------------------------------------
def _codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in LOADER_DIR.glob("*.py"):
        found |= set(re.findall(r'"([EWHN]0[1-38][0-9]{2})"', path.read_text(encoding="utf-8")))
    return found


def test_every_loader_code_has_english_and_chinese() -> None:
    assert set(en.LOADER) == set(zh.LOADER)
    for key, text in en.LOADER.items():
        assert placeholders(text) == placeholders(zh.LOADER[key]), key
        assert CODE.match(key.removesuffix(".hint")), key


def test_every_loader_error_has_a_hint() -> None:
    for key in en.LOADER:
        if key.startswith("E"):
            assert key.endswith(".hint") or key + ".hint" in en.LOADER, key


def test_every_code_used_is_catalogued_and_every_code_is_used() -> None:
    used = _codes_in_source()
    codes = {k for k in en.LOADER if not k.endswith(".hint")}
    assert used - set(en.MESSAGES) == set()
    assert codes - used == set()


def test_no_loader_error_is_a_literal_sentence() -> None:
    errors = {"SpecError", "ShapeError", "CnnCalcError", "CnnCalcWarning", "err", "Msg", "note"}
    for path in LOADER_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in errors:
                continue
            first = node.args[1] if name == "err" and len(node.args) > 1 else node.args[0]
            if isinstance(first, ast.Constant):
                assert CODE.match(str(first.value)), f"{path.name}:{node.lineno}"
            assert not isinstance(first, ast.JoinedStr), f"{path.name}:{node.lineno}"


def test_the_whitelist_names_the_construct() -> None:
    text = (
        "input: 3x8x8\nblocks:\n  b:\n    params: {{out: 8}}\n    layers:\n"
        '      - conv: {{out: "${{{expr}}}", k: 1}}\nlayers: [b]\n'
    )
    for expr, construct in [
        ("out ** 2", "the operator **"),
        ("out if out else 1", "a conditional expression"),
        ("pow(out, 2)", "a call of 'pow'"),
        ("max(out, key=1)", "keyword or starred arguments"),
        ("out is 1", "a comparison other than"),
    ]:
        with pytest.raises(SpecError) as info:
            cnncalc.analyze(text.format(expr=expr))
        assert info.value.code == "E0230"
        assert f"'{expr}' is not allowed ({construct}" in info.value.message
        assert "make_divisible" in info.value.message
        assert "不允许" in info.value.render("zh")


def test_comparisons_give_true_or_false_for_if() -> None:
    text = (
        "input: 8x8x8\nblocks:\n  b:\n    params: {s: 1, se: false}\n    layers:\n"
        "      - conv: {out: 8, k: 1}\n        if: ${s == 1}\n"
        "      - relu:\n        if: ${1 < s <= 2}\n"
        "      - sigmoid:\n        if: $se\n"
        "      - tanh:\n        if: ${se + s > 2}\n"
        "layers:\n  - b\n  - b: {s: 2}\n  - b: {s: 2, se: true}\n"
    )
    ops = [r.op for r in cnncalc.analyze(text).layers]
    assert ops == ["conv", "relu", "relu", "sigmoid", "tanh"]


def test_a_structure_named_as_a_layer_of_its_body_is_a_duplicate() -> None:
    text = (
        "input: 3x8x8\nlayers:\n  - residual:\n      body:\n"
        "        - {conv: {out: 3, k: 3, p: 1}, name: r}\n    name: r\n"
    )
    with pytest.raises(SpecError) as info:
        loader.load_text(text)
    assert info.value.code == "E0335"
    assert "duplicate name 'r' (first at line 5)" in info.value.message
    assert info.value.pos is not None and (info.value.pos.line, info.value.pos.col) == (3, 5)


def test_the_package_exports_what_it_declares() -> None:
    source = (LOADER_DIR / "__init__.py").read_text(encoding="utf-8")
    declared = set(re.findall(r"import (\w+) as \1", source))
    assert declared == set(loader._HOMES)
    for name, home in loader._HOMES.items():
        assert getattr(loader, name) is getattr(
            __import__(f"cnncalc.loader.{home}", fromlist=[name]), name
        )
    with pytest.raises(AttributeError):
        _ = loader.Loader  # type: ignore[attr-defined]


# --- a batch axis in `input:` ----------------------------------------------------------------
RESNET18 = Path(__file__).parent.parent / "examples" / "resnet18.yaml"


def test_a_batch_axis_in_front_of_an_image_is_refused_where_written() -> None:
    """torchinfo's `input_size=(1, 3, 224, 224)` habit on ResNet-18: read as a volume, it would
    count Conv3d kernels (33.7 M params instead of 11.7 M)."""
    text = RESNET18.read_text(encoding="utf-8").replace("input: 3x224x224", "input: 1x3x224x224")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("input:"))
    with pytest.raises(SpecError) as info:
        loader.load_text(text, "resnet18.yaml")
    err = info.value
    assert err.code == "E0363"
    assert err.pos is not None and (err.pos.line, err.pos.col) == (line, len("input: ") + 1)
    assert "per sample" in err.text()
    assert "'input: 3x224x224' and 'batch: 1'" in err.hint_text()


@pytest.mark.parametrize(
    "text",
    [
        "input: 8x3x32x32\nlayers:\n  - conv: {out: 8, k: 3}\n",  # a batch of 8
        "input: 1x3x32x32\nlayers:\n  - Conv2d: {out_channels: 8, kernel_size: 3}\n",
        "input: 3x16x32x32\nlayers:\n  - conv: {out: 8, k: 3}\n",  # plain conv: ambiguous
        "input: 1x3x32x32\nchannels: 1→8\n",
    ],
)
def test_four_axes_without_a_3d_op_are_refused(text: str) -> None:
    with pytest.raises(SpecError) as info:
        loader.load_text(text)
    assert info.value.code == "E0363"


@pytest.mark.parametrize(
    "stem",
    ["conv3d: {out: 8, k: 3}", "Conv3d: {out_channels: 8, kernel_size: 3}"],
)
def test_a_3d_op_says_the_network_is_3d(stem: str) -> None:
    """r3d-style: a `conv3d` stem, then plain `conv`, which takes its rank from the input."""
    r = engine.analyze_network(loader.load_text(
        f"input: 3x8x16x16\nlayers:\n  - {stem}\n  - bn3d\n  - conv: {{out: 4, k: 1}}\n"
    ))  # fmt: skip
    assert r.layers[0].out_shape == (8, 6, 14, 14)  # 8 − 3 + 1, 16 − 3 + 1
    assert r.totals.params == 8 * (3 * 27 + 1) + 2 * 8 + 4 * (8 + 1)  # 656 + 16 + 36


def test_a_3d_op_inside_a_block_counts() -> None:
    net = loader.load_text(
        "input: 1x8x16x16\nblocks:\n  stem:\n    layers:\n      - MaxPool3d: 2\n"
        "layers:\n  - stem\n  - conv: {out: 4, k: 1}\n"
    )
    assert net.input_shape == (1, 8, 16, 16)
