"""Any text gives a report or a `CnnCalcError`, nothing else — never a traceback.

Two sources of text: Hypothesis' `st.text()`, and a grammar that assembles near-valid networks
from fragments of ops, arguments and values (the YAML traps, expressions, references, blocks,
structures), then sometimes damages them, so that examples get past the YAML parser and deep
into the loader and the engine.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc import loader
from cnncalc.engine import analyze_network
from cnncalc.errors import CnnCalcError

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def outcome(text: str, via_path_heuristic: bool = False) -> str:
    """'report' or 'error'; anything else raised fails the test."""
    try:
        if via_path_heuristic:
            report = cnncalc.analyze(text)  # short texts without a newline are read as paths
        else:
            report = analyze_network(loader.load_text(text))
        report.to_dict()
    except CnnCalcError as err:
        shown = err.render()
        assert re.search(r"error(\[[EW][0-9]{4}\])?: ", shown.split("\n")[0]), shown
        if err.pos is not None and err.pos.line > 0:
            assert err.pos.col >= 1, shown
            assert err.pos.line <= len(err.pos.source.lines()) + 1, shown
        return "error"
    return "report"


@FUZZ
@given(st.text())
def test_any_text(text: str) -> None:
    outcome(text)
    outcome(text, via_path_heuristic=True)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("ab01:-[]{},&*!|>'\"#%@`$→×x \t\n\r\u2028\x85"))))
def test_any_yaml_punctuation(text: str) -> None:
    outcome(text)


# --- a grammar of near-valid networks ---------------------------------------------------------


class M(list[tuple[str, Any]]):
    """A YAML mapping as ordered pairs, so that a key may repeat (duplicate keys are a trap)."""


OPS = [
    "conv", "conv1d", "conv2d", "conv3d", "dwconv", "convT", "deconv", "maxpool", "avgpool",
    "adaptiveavgpool", "adaptivemaxpool", "gap", "gmp", "bn", "bn2d", "gn", "ln", "inorm",
    "relu", "relu6", "leakyrelu", "gelu", "silu", "prelu", "sigmoid", "linear", "fc",
    "flatten", "dropout", "identity", "upsample", "pad", "cnov", "on", "yes", "blk", "inner",
]  # fmt: skip
ARGS = [
    "out", "k", "s", "p", "d", "g", "bias", "in", "output_padding", "mult", "ceil", "scale",
    "size", "mode", "groups", "eps", "affine", "num", "slope", "value", "count_include_pad",
    "kernal", "on", "kernel_size", "in_channels",
]  # fmt: skip
VALUES = [
    "1", "2", "3", "4", "8", "16", "0", "-1", "7", "64", "3x3", "1x2", "[1, 2]", "[2, 2, 2]",
    "[[1, 1], [0, 2]]", "[]", "{}", "same", "valid", "tf_same", "true", "false", "yes", "no",
    "on", "3e3", "1e-3", "010", "0.5", "2.0", "1e999", "99999999999999999999", "3:32:32",
    "1:30", '"8"', "'same'", "$out", "$s", "$cin", "$nope", "${out * 2}", '"${cin // 2}"',
    '"${out / 3}"', '"${make_divisible(cin * 1.5, 8)}"', '"${1/0}"', '"${int(1e400)}"',
    '"${min()}"', '"${out ** 2}"', "~", "", "*a", "&a 3", "!!str 3", "nearest", "bilinear",
    "reflect", "required", "0x10", "６４", "3х3", "M", "1e300", "1000000000000", "0.01",
]  # fmt: skip
INPUTS = [
    "3x32x32", "3x8x8", "3×8×8", "[3, 16]", "[16]", "1x4x4x4", "3x32x32x", "3:32:32",
    "0x8x8", "[3, 32, 32]", "3", '"3x8x8"', "3х8x8", "1x1x1", "3x224x224", "[]", "~",
]  # fmt: skip
NAMES = ["a", "b", "x", "conv1", "relu1", "add1", "input", "prev", "a.b", "blk1", "5"]
REFS = [*NAMES, "-1", "-2", "-9", "0", "~", "[a]"]
BLOCK_NAMES = ["blk", "inner", "conv", "residual"]

#: values that suit each argument, drawn more often than arbitrary fragments
GOOD = {
    "out": ["8", "16", "4"], "k": ["1", "3", "2", "[3, 1]"], "s": ["1", "2"],
    "p": ["0", "1", "same"], "d": ["1", "2"], "g": ["1", "2", "4"], "bias": ["true", "false"],
    "in": ["3", "8"],
    "output_padding": ["0", "1"], "mult": ["1", "2"], "ceil": ["true"], "scale": ["2", "0.5"],
    "size": ["4", "[4, 4]"], "mode": ["nearest", "bilinear"], "groups": ["1", "2"],
    "eps": ["1e-3"], "affine": ["true", "false"], "num": ["1"], "slope": ["0.2"],
}  # fmt: skip
GOOD_ITEMS = [
    "relu", "bn", "gap", "flatten", "identity", "conv: {out: 8, k: 3, p: 1}",
    "conv: {out: 16, k: 1}",
    "conv: {out: 8, k: 3, s: 2, p: 1, bias: false}", "dwconv: 3", "dwconv: {k: 3, p: 1}",
    "maxpool: 2", "avgpool: {k: 3, s: 1, p: 1}", "upsample: 2", "dropout: 0.5", "linear: 10",
    "convT: {out: 4, k: 2, s: 2}", "gn: 1", "adaptiveavgpool: 2", "pad: 1", "prelu",
]  # fmt: skip

fragment = st.sampled_from(VALUES)
arg = st.sampled_from(ARGS).flatmap(
    lambda a: st.tuples(st.just(a), st.one_of(st.sampled_from(GOOD.get(a, ["1"])), fragment))
)
args_map = st.lists(arg, max_size=4, unique_by=lambda kv: kv[0]).map(M)
refs = st.lists(st.sampled_from(REFS), max_size=3).map(lambda r: "[" + ", ".join(r) + "]")
meta = st.lists(
    st.one_of(
        st.tuples(st.just("name"), st.sampled_from(NAMES)),
        st.tuples(st.just("from"), st.sampled_from(REFS)),
        st.tuples(st.just("repeat"), st.sampled_from(["1", "2", "3", "0", "x", "2000000"])),
        st.tuples(st.just("first"), args_map),
    ),
    max_size=2,
    unique_by=lambda kv: kv[0],
)

items: st.SearchStrategy[list[Any]] = st.deferred(lambda: st.lists(item, max_size=4))
item: st.SearchStrategy[Any] = st.deferred(
    lambda: st.one_of(
        st.sampled_from(GOOD_ITEMS),
        st.sampled_from(GOOD_ITEMS),
        st.sampled_from(OPS),
        st.builds(lambda i, m: M([(i.split(":")[0], i.partition(": ")[2]), *m]),
                  st.sampled_from([i for i in GOOD_ITEMS if ": " in i]), meta),
        st.builds(lambda op, v, m: M([(op, v), *m]), st.sampled_from(OPS), fragment, meta),
        st.builds(lambda op, a, m: M([(op, a), *m]), st.sampled_from(OPS), args_map, meta),
        st.builds(lambda op, r, m: M([(op, r), *m]), st.sampled_from(["add", "concat", "mul"]),
                  refs, meta),
        st.builds(
            lambda body, sc, mg, m: M([("residual", M([("body", body), *sc, *mg])), *m]),
            items,
            st.lists(st.tuples(st.just("shortcut"), st.one_of(
                st.sampled_from(["auto", "identity", "optional", "bogus"]), items)), max_size=1),
            st.lists(st.tuples(st.just("merge"), st.sampled_from(["add", "concat", "x"])),
                     max_size=1),
            meta,
        ),
        st.builds(
            lambda branches, m: M([("parallel", M([("branches", branches)])), *m]),
            st.lists(items, max_size=3),
            meta,
        ),
    )
)  # fmt: skip
block = st.builds(
    lambda params, layers: M([("params", M(params)), ("layers", layers)]),
    st.lists(
        st.tuples(st.sampled_from(["out", "s", "k", "mid", "cin"]), fragment),
        max_size=3,
        unique_by=lambda kv: kv[0],
    ),
    items,
)
extra_entries = st.lists(
    st.one_of(
        st.tuples(st.just("channels"), st.sampled_from(
            ["3→64→M→128", "3->8->8", "[3, 8, M, 16]", "3→8→", "3 x 8", "3–8", "1→8", "3→0"])),
        st.tuples(st.sampled_from(["kernel", "stride", "padding"]), fragment),
        st.tuples(st.just("norm"), st.sampled_from(["bn", "gn", "ln", "xx"])),
        st.tuples(st.just("act"), st.sampled_from(["relu", "silu", "prelu", "no"])),
        st.tuples(st.just("batch"), st.sampled_from(["2", "0", "x", "1e3"])),
        st.tuples(st.just("dtype"), st.sampled_from(["float16", "int8", "fp32", "yes"])),
        st.tuples(st.just("defaults"), st.lists(st.tuples(
            st.sampled_from(["conv", "bn", "relu", "add", "blk"]), args_map), max_size=2,
            unique_by=lambda kv: kv[0]).map(M)),
        st.tuples(st.just("blocks"), st.lists(st.tuples(st.sampled_from(BLOCK_NAMES), block),
                                              max_size=2, unique_by=lambda kv: kv[0]).map(M)),
        st.tuples(st.just("blocks"), st.lists(st.tuples(st.sampled_from(BLOCK_NAMES), block),
                                              max_size=2, unique_by=lambda kv: kv[0]).map(M)),
        st.tuples(st.just("outputs"), refs),
        st.tuples(st.just("budget"), st.lists(st.tuples(
            st.sampled_from(["params", "macs", "activations", "parms"]),
            st.sampled_from(["12M", "1G", "64MiB", "x", "1e999", "-1", "0"])), max_size=2,
            unique_by=lambda kv: kv[0]).map(M)),
        st.tuples(st.sampled_from(["name", "cnncalc", "on", "lint"]), fragment),
    ),
    max_size=3,
    unique_by=lambda kv: kv[0],
)  # fmt: skip
good_input = st.sampled_from(["3x32x32", "3x16x16", "[3, 32, 32]", "3×32×32", "[8, 64]"])


def render(value: Any, indent: int = 0) -> list[str]:
    """Block-style YAML with the fragments written as they are (so that they may be wrong)."""
    pad = "  " * indent
    if isinstance(value, M):
        if not value:
            return [pad + "{}"]
        lines = []
        for key, v in value:
            if isinstance(v, (M, list)) and v:
                lines.append(f"{pad}{key}:")
                lines += render(v, indent + 1)
            else:
                lines.append(
                    f"{pad}{key}: {render(v)[0].strip() if isinstance(v, (M, list)) else v}"
                )
        return lines
    if isinstance(value, list):
        if not value:
            return [pad + "[]"]
        lines = []
        for v in value:
            inner = render(v, indent + 1)
            lines.append(f"{pad}- {inner[0].strip()}")
            lines += inner[1:]
        return lines
    return [pad + str(value)]


network = st.builds(
    lambda shape, layers, extras, order: (
        "\n".join(render(M(sorted([("input", shape), ("layers", layers), *extras], key=order))))
        + "\n"
    ),
    st.one_of(good_input, good_input, good_input, st.sampled_from(INPUTS)),
    items,
    extra_entries,
    st.sampled_from([lambda kv: 0, lambda kv: kv[0], lambda kv: -len(kv[0])]),
)


@st.composite
def damaged(draw: st.DrawFn) -> str:
    """A network, sometimes with one edit a person might make by accident."""
    text = draw(network)
    edit = draw(st.sampled_from(["none", "none", "insert", "delete", "swap", "indent"]))
    at = draw(st.integers(0, max(len(text) - 1, 0)))
    if edit == "insert":
        return text[:at] + draw(st.sampled_from(list("\t:-[]{}#&*'\" \n→×"))) + text[at:]
    if edit == "delete":
        return text[:at] + text[at + 1 :]
    if edit == "swap":
        return text[:at] + draw(st.sampled_from(list("х–０lI1"))) + text[at + 1 :]
    if edit == "indent":
        lines = text.split("\n")
        n = draw(st.integers(0, len(lines) - 1))
        lines[n] = draw(st.sampled_from([" ", "   ", "\t"])) + lines[n]
        return "\n".join(lines)
    return text


@FUZZ
@given(network)
def test_grammar_networks(text: str) -> None:
    outcome(text)


@FUZZ
@given(damaged())
def test_damaged_networks(text: str) -> None:
    outcome(text)


def test_the_grammar_reaches_the_engine() -> None:
    """The grammar is only useful if many of its networks load: check it is not all errors."""
    seen: dict[str, int] = {"report": 0, "error": 0}

    @settings(max_examples=200, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
    @given(network)
    def count(text: str) -> None:
        seen[outcome(text)] += 1

    count()
    assert seen["report"] >= 10, seen


# --- the examples, edited ---------------------------------------------------------------------

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))
WORD = re.compile(r"[A-Za-z_$][\w.{}$*/ ]*|\d+")


@st.composite
def edited_example(draw: st.DrawFn) -> str:
    """A real network (blocks, structures, expressions) with one to three plausible edits."""
    text = draw(st.sampled_from(EXAMPLES)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 3))):
        words = list(WORD.finditer(text))
        lines = text.split("\n")
        edit = draw(st.sampled_from(["word", "word", "word", "drop-line", "copy-line", "char"]))
        if edit == "word" and words:
            m = draw(st.sampled_from(words))
            new = draw(st.sampled_from([*VALUES, *OPS, *ARGS, *NAMES, "basic", "stage"]))
            text = text[: m.start()] + new + text[m.end() :]
        elif edit in ("drop-line", "copy-line"):
            n = draw(st.integers(0, len(lines) - 1))
            lines[n:n] = [] if edit == "drop-line" else [lines[n]]
            if edit == "drop-line":
                del lines[n]
            text = "\n".join(lines)
        else:
            at = draw(st.integers(0, max(len(text) - 1, 0)))
            text = text[:at] + draw(st.sampled_from(list("\t:-[]{}#&*'\" \n"))) + text[at:]
    return text


@FUZZ
@given(edited_example())
def test_edited_examples(text: str) -> None:
    outcome(text)


# --- expressions and extreme sizes -------------------------------------------------------------

number = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["1e308", "0.5", "1e-308", "0", "cin", "out", "s", "2", "-0.0", "nope"]),
)
expression = st.recursive(
    number,
    lambda e: st.one_of(
        st.tuples(e, st.sampled_from(["+", "-", "*", "/", "//", "%", "**"]), e).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(
            st.sampled_from(["min", "max", "round", "int", "make_divisible", "abs"]),
            st.lists(e, max_size=3),
        ).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        e.map(lambda x: f"-{x}"),
    ),
    max_leaves=12,
)


@FUZZ
@given(expression, st.sampled_from(["out", "k", "s", "p", "d", "g"]), st.sampled_from(VALUES))
def test_expressions(expr: str, arg: str, given_out: str) -> None:
    """`${…}` with huge, tiny, zero and non-numeric operands: a value or a located error (and
    never a hang: round(5, -10**30) would compute 10**(10**30))."""
    outcome(
        "input: 3x32x32\nblocks:\n  b:\n    params: {out: required, s: 1}\n    layers:\n"
        f'      - conv:\n          out: 8\n          k: 3\n          {arg}: "${{{expr}}}"\n'
        f"layers:\n  - b: {{out: {given_out or '8'}}}\n"
    )


size = st.one_of(
    st.integers(-3, 70),
    st.integers(0, 2**64),
    st.sampled_from([2**63 - 1, 2**63, 2**62]),
)
SIZED_OPS = ["conv", "convT", "maxpool", "avgpool", "upsample", "adaptiveavgpool", "dwconv", "pad",
             "linear", "gn", "prelu"]  # fmt: skip
SIZED_ARGS = ["out", "k", "s", "p", "d", "g", "output_padding", "scale", "size", "mult", "num"]


@FUZZ
@given(
    st.lists(size, min_size=1, max_size=5),
    st.lists(
        st.tuples(
            st.sampled_from(SIZED_OPS),
            st.lists(st.tuples(st.sampled_from(SIZED_ARGS), size), max_size=4,
                     unique_by=lambda kv: kv[0]),
        ),
        max_size=4,
    ),
)  # fmt: skip
def test_extreme_sizes(shape: list[int], layers: list[tuple[str, list[tuple[str, int]]]]) -> None:
    """Sizes up to and past int64 through every sized op: no overflow, no endless loop."""
    lines = [f"input: {shape}", "layers:"]
    lines += [f"  - {op}: {{{', '.join(f'{a}: {v}' for a, v in args)}}}" for op, args in layers]
    outcome("\n".join([*lines, "  - flatten", "  - linear: 2"]) + "\n")
