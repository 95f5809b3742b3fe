"""The layers' and the engine's messages: every one by code, in both languages, each code used,
and no process-wide side effect while analysing."""

from __future__ import annotations

import ast
import gc
import re
import threading
from pathlib import Path

import pytest

import cnncalc
from cnncalc.engine import analyze_network
from cnncalc.errors import CODE
from cnncalc.layers import KINDS
from cnncalc.loader import load_text
from cnncalc.messages import en, placeholders, zh
from tests.conftest import ROOT

SOURCES = [*sorted((ROOT / "cnncalc" / "layers").glob("*.py")), ROOT / "cnncalc" / "engine.py"]
ERRORS = {"CnnCalcError", "CnnCalcWarning", "LayerArgError", "ShapeError", "SpecError", "Msg"}
CODES = sorted(k for k in en.LAYERS if not k.endswith(".hint"))


def test_both_languages_have_the_same_codes() -> None:
    assert sorted(en.LAYERS) == sorted(zh.LAYERS)


@pytest.mark.parametrize("key", sorted(en.LAYERS))
def test_same_placeholders(key: str) -> None:
    assert placeholders(en.LAYERS[key]) == placeholders(zh.LAYERS[key]), key


@pytest.mark.parametrize("code", CODES)
def test_codes_are_well_formed_and_errors_have_hints(code: str) -> None:
    assert CODE.match(code), code
    assert code[1:3] in ("04", "05"), "layers use E04xx, the engine E05xx/W05xx/N05xx"
    if code[0] in "EW":
        assert f"{code}.hint" in en.LAYERS, f"{code} has no hint"


def _calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ERRORS
    ]


def _strings(node: ast.expr) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_error_is_built_from_a_sentence(path: Path) -> None:
    """The first argument of every error and message is a code (or a name holding one, or
    another error's `.code`)."""
    for call in _calls(path):
        assert call.args, f"{path.name}:{call.lineno}"
        first = call.args[0]
        where = f"{path.name}:{call.lineno}"
        if isinstance(first, ast.Attribute):
            assert first.attr == "code", where
            continue
        assert isinstance(first, (ast.Constant, ast.Name, ast.IfExp)), where
        for text in _strings(first):
            assert CODE.match(text), f"{path.name}:{call.lineno}: {text!r}"


def test_every_code_is_used_and_every_used_code_exists() -> None:
    used = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used |= {s for s in _strings(tree) if CODE.match(s) and s[1:3] in ("04", "05")}
    assert sorted(used - set(CODES)) == [], "used but not in the catalogue"
    assert sorted(set(CODES) - used) == [], "in the catalogue but never used"


def test_analysis_leaves_the_garbage_collector_alone() -> None:
    """`analyze_network` is a library call: it must not switch the collector off, even briefly."""
    net = load_text("input: 3x64x64\nlayers:\n  - conv: {out: 8, k: 3, p: 1}\n    repeat: 1500\n")
    assert gc.isenabled()
    seen: set[bool] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.add(gc.isenabled())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(3):
            analyze_network(net)
    finally:
        done.set()
        watcher.join()
    assert seen == {True}


NET = "input: 3x32x32\nlayers:\n"
#: a network for each layer error that the loader leaves to the layers
BAD = {
    "E0401": NET + "  - conv: {out: 8, k: [3, 3, 3]}\n",
    "E0402": "input: [3, 32]\nlayers:\n  - conv: {out: 8, k: [3, 3]}\n",
    "E0403": NET + "  - conv: {out: 8, k: 3, p: [[1, 1]]}\n",
    "E0404": "input: [3]\nlayers:\n  - conv: {out: 8, k: 3}\n",
    "E0405": NET + "  - conv3d: {out: 8, k: 3}\n",
    "E0406": NET + "  - conv: {out: 8, k: 3}\n  - conv: {in: 5, out: 8, k: 3}\n",
    "E0407": "input: [3]\nlayers:\n  - linear: {in: 4, out: 8}\n",
    "E0408": NET + "  - conv: {out: 8, k: 3, s: 2, p: same}\n",
    "E0409": NET + "  - conv: {out: 8, k: 40}\n",
    "E0410": NET + "  - convT: {out: 8, k: 3, g: 2}\n",
    "E0411": NET + "  - convT: {out: 8, k: 3, s: 2, op: 3}\n",
    "E0412": NET + "  - maxpool: {k: 3, p: 2}\n",
    "E0413": "input: 3x2x2x2\nlayers:\n  - AvgPool3d: 3\n",
    "E0414": NET + "  - gn: 2\n",
    "E0415": "input: [3]\nlayers:\n  - inorm\n",
    "E0416": NET + "  - prelu: 2\n",
    "E0417": NET + "  - linear: 3\n",
    "E0418": "input: [3, 8]\nlayers:\n  - upsample: {mode: bilinear}\n",
    "E0419": NET + "  - upsample: {scale: 2, size: 3}\n",
    "E0420": NET + "  - upsample: 1e308\n",
    "E0421": NET + "  - upsample: 0.01\n",
    "E0423": "input: 3x4x4\nlayers:\n  - pad: {p: 4, mode: reflect}\n",
    "E0424": "input: 3x4x4\nlayers:\n  - pad: {p: 5, mode: circular}\n",
    "E0428": "input: 3x4x4\nlayers:\n  - conv: {out: 4, k: 5, p: 4, padding_mode: reflect}\n",
    "E0429": "input: 3x4x4\nlayers:\n  - Conv2d: {out: 4, k: 5, p: 5, padding_mode: circular}\n",
    "E0430": NET + "  - upsample: {scale: 2, align_corners: false}\n",
    "E0431": NET + "  - upsample: {size: 64, mode: bilinear, recompute_scale_factor: true}\n",
    "E0432": NET + "  - flatten: {start_dim: 0}\n",
    "E0433": "input: [3, 8]\nlayers:\n  - avgpool: {k: 2, divisor_override: 2}\n",
    "E0434": NET + "  - ZeroPad2d: [1, 2, 3]\n",
    "E0460": NET + "  - chunk: {chunks: 2, dim: 4}\n",
    "E0461": NET + "  - slice: {end: 1, dim: 0}\n",
    "E0462": NET + "  - split: [1, 1]\n",
    "E0463": NET + "  - slice: {start: 2, end: 1}\n",
    "E0464": NET + "  - channel_shuffle: 2\n",
    "E0465": NET + "  - flatten:\n    name: f\n  - upsample: {size_of: f}\n    from: input\n",
    "E0480": NET + "  - permute: [0, 2, 3, 1]\n  - bn\n",
    "E0481": NET + "  - layernorm\n",
    "E0482": NET + "  - permute: [1, 0, 2, 3]\n",
    "E0483": NET + "  - transpose: {dim0: 0, dim1: 1}\n",
    "E0484": NET + "  - reshape: [-1, -1]\n",
    "E0485": NET + "  - reshape: [3, 100]\n",
    "E0486": "input: [4, 8]\nlayers:\n  - select: {dim: 1, index: 4}\n",
    "E0487": "input: 3x5x5\nlayers:\n  - pixel_unshuffle: 2\n",
    "E0488": NET + "  - pixel_shuffle: 2\n",
    "E0489": NET + "  - attention: 3\n",
    "E0494": "input: [4]\nlayers:\n  - select: {dim: 1, index: 0}\n",
    "E0492": NET + "  - space_to_depth: 2\n",
    "E0493": NET + "  - roll: {shifts: [1, 2], dims: [1]}\n",
    "E0490": "input: [4, 8]\nlayers:\n  - permute: [0, 2, 1]\n  - attention: 3\n",
}
#: words a Chinese message keeps: op and argument names, choices, and PyTorch's own names
KEPT = {
    *KINDS,
    *(w for k in KINDS.values() for a in k.args for w in (a.field, *a.names, *a.choices)),
    *("PyTorch", "TensorFlow", "SAME", "max", "stride", "dilation", "AvgPool3d"),
    *("ConvNeXt", "LayerNorm2d"),
}


@pytest.mark.parametrize(("code", "text"), BAD.items())
def test_layer_errors_read_in_chinese(code: str, text: str) -> None:
    with pytest.raises(cnncalc.CnnCalcError) as info:
        cnncalc.analyze(text)
    err = info.value
    assert err.code == code and err.pos is not None
    shown = err.render("zh").splitlines()
    message, hint = shown[0], shown[-1]
    assert message.startswith(f"<text>:{err.pos.line}:{err.pos.col}: 错误[{code}]：")
    assert hint.startswith("提示：")
    for line in (message.split("：", 1)[1], hint):
        words = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]{2,}", re.sub(r"'[^']*'", "", line)))
        assert sorted(words - KEPT) == [], line
