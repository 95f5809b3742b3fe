"""Every user error path: the exact `line:col`, a key phrase of the message and the hint, through
`cnncalc.analyze` (with both YAML parsers: libyaml and the pure one must agree) and the CLI."""

from __future__ import annotations

import re
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml
from typer.testing import CliRunner

import cnncalc
from cnncalc import loader
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError, ExitStatus, Pos, Source
from cnncalc.loader import nodes
from cnncalc.messages.escape import visible

#: the pure-Python parser, typed the way cnncalc types scalars (its loader skips resolution)
PureLoader = type("PureLoader", (nodes.Composer, yaml.SafeLoader), {})
PARSERS = ["libyaml", "pure"] if yaml.__with_libyaml__ else ["pure"]


@pytest.fixture(params=PARSERS)
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "pure":
        monkeypatch.setattr(nodes, "_Loader", PureLoader)
    yield request.param


def error_of(text: str) -> CnnCalcError:
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze(textwrap.dedent(text).lstrip("\n"))
    return info.value


class Case(NamedTuple):
    text: str
    line: int
    col: int
    phrase: str
    hint: str | None = None


NET = "input: 3x32x32\nlayers:\n"  # two lines: the first item is on line 3
#: what follows `error` on a diagnostic's first line: the code, if the error has one, and ': '
CODED = r"(\[E[0-9]{4}\])?: "

CASES: dict[str, Case] = {
    # --- YAML syntax ------------------------------------------------------------------------
    "unclosed-brace": Case(
        NET + "  - conv: {out: 8, k: 3\n",
        3,
        11,
        "the '{' at line 3, column 11 is never closed",
        "add the closing '}'",
    ),
    "unclosed-bracket": Case("input: [3, 32\n", 1, 8, "'[' at line 1, column 8 is never closed"),
    "missing-comma": Case(
        NET + "  - conv: {out: 8 k: 3}\n",
        3,
        20,
        "expected ',' or '}'",
    ),
    "unquoted-expression-in-flow": Case(
        NET + "  - conv: {out: ${cin * 2}, k: 3}\n",
        3,
        18,
        "expected ',' or '}'",
        'quote an expression: out: "${cin * 2}"',
    ),
    "unclosed-quote": Case(
        NET + "  - 'relu\n", 3, 5, "quoted string at line 3, column 5 is never closed"
    ),
    "bad-escape": Case(NET + '  - "re\\lu"\n', 3, 8, "unknown escape sequence"),
    "colon-in-value": Case(
        "input: 3x32x32\nname: a: b\nlayers: [relu]\n", 2, 8, "a ':' where no key"
    ),
    "bare-op-with-keys": Case(
        NET + "  - relu\n    name: r\n",
        4,
        9,
        "a ':' where no key",
        "to give 'relu' options, write '- relu:'",
    ),
    "dedented-item": Case(
        NET + "  - relu\n - bn\n",
        4,
        2,
        "does not fit the indentation",
        "align list items",
    ),
    "indented-first-key": Case(
        "  input: 3x32x32\nlayers: [relu]\n",
        2,
        1,
        "unexpected indentation at the top level",
        "top-level keys start in column 1",
    ),
    "reserved-character": Case(
        NET + "  - conv: {out: @8, k: 3}\n", 3, 17, "'@' cannot start a value"
    ),
    "tab-indent": Case(NET + "\t- relu\n", 3, 1, "a tab in the indentation", "replace the tab"),
    "tab-after-dash": Case(NET + "  -\trelu\n", 3, 4, "a tab character", "replace the tab"),
    "tab-in-flow": Case(NET + "  - conv: {out: 8,\tk: 3}\n", 3, 19, "a tab character"),
    "control-character": Case(
        NET + "  - re\x07lu\n",
        3,
        7,
        "U+0007 (a control character), which YAML does not allow",
    ),
    "zero-width-space": Case(
        NET + "  - re\u200blu\n",
        3,
        7,
        "U+200B ZERO WIDTH SPACE, an invisible character",
        "delete it",
    ),
    "no-break-space": Case(
        "input:\u00a03x32x32\nlayers: [relu]\n", 1, 7, "U+00A0 NO-BREAK SPACE", "a plain space"
    ),
    "two-documents": Case(
        NET + "  - relu\n---\ninput: 3x8x8\n", 4, 1, "more than one YAML document"
    ),
    "tag": Case("input: !!str 3x32x32\nlayers: [relu]\n", 1, 8, "YAML tags such as '!!str'"),
    "custom-tag": Case(NET + "  - !relu relu\n", 3, 5, "YAML tags such as '!relu'"),
    "undefined-alias": Case(
        NET + "  - *act\n", 3, 5, "the alias '*act' refers to no anchor", "'&act'"
    ),
    "anchor-twice": Case(
        "input: &a 3x32x32\nlayers: &a [relu]\n",
        2,
        9,
        "'&a' is defined twice (first at line 1)",
    ),
    "self-alias": Case(
        "input: 3x32x32\nlayers: &l\n  - relu\n  - residual: {body: *l}\n",
        4,
        22,
        "inside the value that '&l' names",
    ),
    "duplicate-key": Case(
        NET + "  - conv: {out: 8, k: 3, k: 5}\n",
        3,
        26,
        "duplicate key 'k' (first at line 3)",
    ),
    "duplicate-top-key": Case(
        NET + "  - relu\ninput: 3x8x8\n", 4, 1, "duplicate key 'input' (first at line 1)"
    ),
    "empty-file": Case("", 1, 1, "the file is empty", "'input:'"),
    "comments-only": Case("# nothing yet\n", 1, 1, "the file is empty"),
    "not-a-mapping": Case("- relu\n", 1, 1, "the network file must be a mapping"),
    # --- the YAML 1.1 traps -----------------------------------------------------------------
    "yes-is-not-a-bool": Case(
        NET + "  - conv: {out: 8, k: 3, bias: yes}\n",
        3,
        32,
        "'yes' is not a boolean",
        "write true",
    ),
    "off-is-not-a-bool": Case(
        NET + "  - bn: {affine: off}\n",
        3,
        18,
        "'off' is not a boolean",
        "write false",
    ),
    "on-key": Case(
        "input: 3x32x32\non: push\nlayers: [relu]\n",
        2,
        1,
        "unknown top-level key 'on'",
        "YAML 1.1 would even read it as a boolean",
    ),
    "on-op": Case(NET + "  - on\n", 3, 5, "unknown op 'on'", "YAML 1.1 would read it as a boolean"),
    "sexagesimal": Case(
        "input: 3:32:32\nlayers: [relu]\n",
        1,
        8,
        "'3:32:32' is a base-60 number in YAML 1.1",
        "write 3x32x32",
    ),
    "colon-shape": Case(
        "input: 3:64:64\nlayers: [relu]\n", 1, 8, "uses ':' between numbers", "write 3x64x64"
    ),
    "quoted-number-is-a-string": Case(
        NET + '  - conv: {out: "8", k: 3}\n',
        3,
        17,
        'got the string "8"',
        "remove the quotes",
    ),
    "hex-is-not-a-number": Case(
        NET + "  - conv: {out: 0x10, k: 3}\n",
        3,
        17,
        "must be an integer, got '0x10'",
        "decimal",
    ),
    "infinite-number": Case(NET + "  - conv: {out: 3e999, k: 3}\n", 3, 17, "3e999 is too large"),
    "beyond-int64": Case(
        NET + "  - conv: {out: 99999999999999999999, k: 3}\n",
        3,
        17,
        "is too large a number",
        "64-bit",
    ),
    "lookalike-in-input": Case(
        "input: 3х32x32\nlayers: [relu]\n",
        1,
        9,
        "U+0445 CYRILLIC SMALL LETTER HA",
        "3x32x32",
    ),
    "lookalike-in-channels": Case(
        "input: 3x32x32\nchannels: 3–8\n", 2, 12, "U+2013 EN DASH", "'->'"
    ),
    "lookalike-in-op": Case(
        NET + "  - cоnv: {out: 8, k: 3}\n",
        3,
        5,
        "unknown op 'cоnv'",
        "U+043E CYRILLIC SMALL LETTER O, not an ASCII letter; did you mean 'conv'?",
    ),
    "lookalike-in-argument": Case(
        NET + "  - conv: {out: 8, kеrnel: 3}\n",
        3,
        20,
        "no argument 'kеrnel'",
        "U+0435 CYRILLIC SMALL LETTER IE",
    ),
    "fullwidth-digits": Case(
        NET + "  - conv: {out: ６４, k: 3}\n",
        3,
        17,
        "must be an integer",
        "U+FF16 FULLWIDTH DIGIT SIX",
    ),
    "alias-bomb": Case(
        "input: 3x32x32\nblocks:\n  b:\n    params:\n"
        + "".join(
            f"      {c}: &{c} [{', '.join([f'*{p}'] * 10) if p else ', '.join(['1'] * 10)}]\n"
            for c, p in zip("abcdefghi", ["", *"abcdefgh"])
        )
        + "    layers: [relu]\nlayers: [b]\n",
        9,  # e: 10^5 values, past MAX_NODES
        50,
        "YAML aliases expand this file past 100,000 values",
        "alias bomb",
    ),
    # --- op arguments -----------------------------------------------------------------------
    "unknown-op": Case(NET + "  - cnov: 8\n", 3, 5, "unknown op 'cnov'", "did you mean 'conv'?"),
    "unknown-argument": Case(
        NET + "  - conv: {out: 8, kernal: 3}\n",
        3,
        20,
        "'conv' has no argument 'kernal'",
        "did you mean 'kernel'?",
    ),
    "argument-of-argless-op": Case(
        NET + "  - sigmoid: {inplace: true}\n",  # nn.Sigmoid has none (nn.ReLU has)
        3,
        15,
        "'sigmoid' has no argument 'inplace'",
        "takes no arguments",
    ),
    "wrong-type": Case(
        NET + "  - conv: {out: eight, k: 3}\n",
        3,
        17,
        "'out' of conv must be an integer, got 'eight'",
    ),
    "missing-required": Case(NET + "  - conv: 8\n", 3, 5, "'conv' needs 'k'"),
    "bad-choice": Case(
        NET + "  - conv: {out: 8, k: 3, p: sme}\n",
        3,
        29,
        "must be a size or one of same",
        "did you mean 'same'?",
    ),
    "missing-input": Case(
        "layers:\n  - relu\n", 1, 1, "the network has no 'input'", "input: 3x224x224"
    ),
    "no-layers": Case("input: 3x32x32\n", 1, 1, "the network has no layers"),
    "in-mismatch": Case(
        NET + "  - conv: {out: 8, k: 3}\n  - conv: {in: 16, out: 8, k: 3}\n",
        4,
        16,
        "'in' is 16 but 8 input channels arrive (from 'conv1', line 3)",
        "in: 8",
    ),
    "in-mismatch-network-input": Case(
        NET + "  - conv: {in: 1, out: 8, k: 3}\n",
        3,
        16,
        "(from the network input)",
    ),
    "groups": Case(
        NET + "  - conv: {out: 8, k: 3, g: 2}\n",
        3,
        29,
        "groups=2 must divide both the input channels (3) and the output channels (8)",
        "in 3 % 2 = 1, out 8 % 2 = 0",
    ),
    "output-below-1": Case(
        "input: 3x4x4\nlayers:\n  - conv: {out: 8, k: 7}\n",
        3,
        5,
        "output size on axis H would be -2: ⌊(4 + 2·0 − 1·(7−1) − 1)/1⌋ + 1 = -2",
        "too small for this window",
    ),
    "pool-output-below-1": Case(
        "input: 3x2x2\nlayers:\n  - maxpool: 3\n",
        3,
        5,
        "⌊(2 + 2·0 − 1·(3−1) − 1)/3⌋ + 1 = 0",
    ),
    "upsample-output-below-1": Case(
        NET + "  - upsample: 0.01\n",
        3,
        15,
        "would be 0: ⌊32 · 0.01⌋ = 0",
    ),
    "same-with-stride": Case(
        NET + "  - conv: {out: 8, k: 3, s: 2, p: same}\n",
        3,
        35,
        "padding 'same' needs stride 1 but stride is 2×2",
        "tf_same",
    ),
    "pool-padding": Case(
        NET + "  - maxpool: {k: 3, p: 2}\n",
        3,
        24,
        "padding 2 is more than half the kernel (3 // 2 = 1)",
        "use at most 1",
    ),
    "output-padding": Case(
        NET + "  - convT: {out: 8, k: 3, s: 2, output_padding: 2}\n",
        3,
        49,
        "output_padding 2 must be smaller than max(stride, dilation) = max(2, 1) = 2",
    ),
    "linear-on-image": Case(
        NET + "  - linear: 10\n",
        3,
        5,
        "linear needs a flat input but receives 3×32×32",
        "flatten",
    ),
    "rank-alias": Case(
        "input: [3, 32]\nlayers:\n  - conv2d: {out: 8, k: 3}\n", 3, 5, "conv2d expects a 2-D input"
    ),
    "probability": Case(NET + "  - dropout: 1.5\n", 3, 14, "probability between 0 and 1, got 1.5"),
    "repeat-zero": Case(
        NET + "  - relu:\n    repeat: 0\n", 4, 13, "repeat must be at least 1, got 0"
    ),
    "first-without-repeat": Case(
        NET + "  - conv: {out: 8, k: 3}\n    first: {s: 2}\n", 4, 5, "'first' needs 'repeat'"
    ),
    "two-ops-in-one-item": Case(
        NET + "  - relu:\n    bn:\n", 4, 5, "one item has several ops ('relu', 'bn')"
    ),
    "channels-start": Case(
        "input: 3x32x32\nchannels: 1→8\n",
        2,
        11,
        "starts at 1 but the input has 3 channels",
        "start the stack with 3",
    ),
    "input-too-many-axes": Case(
        "input: 1x3x8x8x8\nlayers: [relu]\n", 1, 8, "input has 5 axes", "batch: N"
    ),
    "batch": Case("input: 3x32x32\nbatch: 0\nlayers: [relu]\n", 2, 8, "batch must be at least 1"),
    "budget-unit": Case(
        "input: 3x32x32\nbudget: {params: 12Q}\nlayers: [relu]\n", 2, 18, "budget 'params'"
    ),
    "format-version": Case(
        "cnncalc: 2\ninput: 3x32x32\nlayers: [relu]\n", 1, 10, "the format version, 1; got '2'"
    ),
    # --- the graph --------------------------------------------------------------------------
    "unknown-reference": Case(
        NET + "  - conv: {out: 8, k: 3}\n  - add: [conv1, cnv1]\n",
        4,
        18,
        "unknown reference 'cnv1'",
        "did you mean 'conv1'? (names in scope: conv1, prev, input)",
    ),
    "unknown-reference-lists-names": Case(
        NET + "  - relu\n  - add: [relu1, foo]\n",
        4,
        18,
        "unknown reference 'foo'",
        "names in scope: relu1, prev, input",
    ),
    "relative-reference-too-far": Case(
        NET + "  - relu\n  - add: [-1, -3]\n", 4, 15, "goes back past the first item"
    ),
    "duplicate-name": Case(
        NET + "  - conv: {out: 8, k: 3}\n    name: a\n  - relu:\n    name: a\n",
        6,
        11,
        "duplicate name 'a' (first at line 3)",
    ),
    "reserved-name": Case(
        NET + "  - relu:\n    name: input\n", 4, 11, "'input' cannot be a layer name"
    ),
    "merge-mismatch": Case(
        NET + "  - conv: {out: 8, k: 3}\n    name: a\n  - conv: {out: 8, k: 1}\n    name: b\n"
        "    from: input\n  - add: [a, b]\n",
        8,
        5,
        "add 'add1' needs inputs whose shapes match, but gets 8×30×30 (from 'a', line 3) and "
        "8×32×32 (from 'b', line 5)",
    ),
    "concat-mismatch": Case(
        NET + "  - conv: {out: 8, k: 3}\n  - concat: [conv1, input]\n",
        4,
        5,
        "8×30×30 (from 'conv1', line 3) and 3×32×32 (from the network input)",
    ),
    "add-channels-only": Case(
        NET + "  - conv: {out: 8, k: 1}\n  - add: [conv1, input]\n",
        4,
        5,
        "8×32×32",
        "only the channels differ",
    ),
    "parallel-mismatch": Case(
        NET + "  - parallel:\n      branches:\n        - [conv: {out: 8, k: 3}]\n"
        "        - [conv: {out: 8, k: 1}]\n",
        3,
        5,
        "8×30×30 (from 'branch1.conv1', line 5) and 8×32×32 (from 'branch2.conv1', line 6)",
    ),
    "identity-shortcut": Case(
        NET + "  - residual:\n      body:\n        - conv: {out: 8, k: 3, p: 1}\n"
        "      shortcut: identity\n",
        6,
        17,
        "shortcut: identity, but the body changes the shape from 3×32×32 to 8×32×32 (its last "
        "layer is 'conv1', line 5)",
        "shortcut: auto",
    ),
    "auto-shortcut-impossible": Case(
        NET + "  - residual:\n      body:\n        - conv: {out: 8, k: 3}\n      shortcut: auto\n",
        6,
        17,
        "shortcut: auto needs a whole stride from 3×32×32 to 8×30×30",
    ),
    "repeat-past-cap": Case(
        NET + "  - relu:\n    repeat: 2000000\n",
        4,
        13,
        "'repeat: 2,000,000' expands the network past 5,000 layers",
    ),
}

BLOCK = """\
input: 3x32x32
blocks:
  b:
    params: {out: required, s: 1}
    layers:
      - conv: {out: BODY, k: 3, s: $s, p: 1}
layers:
  - CALL
"""


def block(body: str, call: str) -> str:
    return BLOCK.replace("BODY", body).replace("CALL", call)


CASES |= {
    "missing-block-parameter": Case(
        block("$out", "b: {s: 2}"),
        8,
        5,
        "block 'b' needs parameter 'out'",
        "write 'b: {out: ...}'",
    ),
    "undeclared-block-argument": Case(
        block("$out", "b: {out: 8, stride: 2}"),
        8,
        17,
        "block 'b' has no parameter 'stride'",
        "its parameters: out, s",
    ),
    "misspelt-block-argument": Case(
        block("$out", "b: {out: 8, ss: 2}"),
        8,
        17,
        "no parameter 'ss'",
        "did you mean 's'?",
    ),
    "unknown-parameter": Case(
        block("$ot", "b: {out: 8}"),
        6,
        21,
        "unknown parameter '$ot'",
        "did you mean 'out'?",
    ),
    "non-integer-expression": Case(
        block('"${out / 2}"', "b: {out: 255}"),
        6,
        21,
        "'out' of conv must be an integer, but '${out / 2}' gives 127.5",
        "use //",
    ),
    "expression-syntax": Case(
        block('"${out +}"', "b: {out: 8}"), 6, 21, "is not a valid expression"
    ),
    "expression-not-allowed": Case(
        block('"${out ** 2}"', "b: {out: 8}"),
        6,
        21,
        "'out ** 2' is not allowed",
    ),
    "expression-division-by-zero": Case(
        block('"${out // 0}"', "b: {out: 8}"), 6, 21, "division by zero"
    ),
    "expression-overflow": Case(
        block('"${int(1e400)}"', "b: {out: 8}"), 6, 21, "in '${int(1e400)}'"
    ),
    "expression-unknown-name": Case(
        block('"${ot * 2}"', "b: {out: 8}"),
        6,
        21,
        "unknown name 'ot'; did you mean 'out'?",
    ),
    "error-in-block-body": Case(
        block("$out", "b: {out: 8, s: 0}"),
        8,
        20,
        "'s' of conv must be at least 1, got 0",
    ),
    "block-arg-wrong-type": Case(
        block("$out", "b: {out: many}"), 8, 14, "must be an integer, got 'many'"
    ),
    "block-recursion": Case(
        "input: 3x32x32\nblocks:\n  a:\n    layers: [b]\n  b:\n    layers: [a]\nlayers: [a]\n",
        6,
        14,
        "block 'a' calls itself (a → b → a)",
        "blocks cannot recurse",
    ),
    "nested-repeat-past-cap": Case(
        "input: 3x8x8\nblocks:\n"
        + "".join(
            f"  {b}:\n    layers:\n      - {inner}:\n        repeat: 200\n"
            for b, inner in (("a", "relu"), ("b", "a"), ("c", "b"))
        )
        + "layers:\n  - c:\n    repeat: 200\n",
        10,  # in block b: 200 calls of a, 200 layers each, 40,000 > 5,000 before anything
        17,
        "'repeat: 200' of 200 layers each expands the network past 5,000 layers",
    ),
}


#: the code of each case the loader raises (the layers' cases get theirs with the layers)
CODES = {
    "unclosed-brace": "E0144",
    "unclosed-bracket": "E0144",
    "missing-comma": "E0145",
    "unquoted-expression-in-flow": "E0145",
    "unclosed-quote": "E0148",
    "bad-escape": "E0150",
    "colon-in-value": "E0143",
    "bare-op-with-keys": "E0143",
    "dedented-item": "E0146",
    "indented-first-key": "E0147",
    "reserved-character": "E0142",
    "tab-indent": "E0111",
    "tab-after-dash": "E0112",
    "tab-in-flow": "E0112",
    "control-character": "E0107",
    "zero-width-space": "E0109",
    "no-break-space": "E0108",
    "two-documents": "E0123",
    "tag": "E0126",
    "custom-tag": "E0126",
    "undefined-alias": "E0125",
    "anchor-twice": "E0127",
    "self-alias": "E0124",
    "duplicate-key": "E0122",
    "duplicate-top-key": "E0122",
    "empty-file": "E0301",
    "comments-only": "E0301",
    "not-a-mapping": "E0213",
    "yes-is-not-a-bool": "E0209",
    "off-is-not-a-bool": "E0209",
    "on-key": "E0302",
    "on-op": "E0333",
    "sexagesimal": "E0202",
    "colon-shape": "E0203",
    "quoted-number-is-a-string": "E0206",
    "hex-is-not-a-number": "E0206",
    "infinite-number": "E0201",
    "beyond-int64": "E0201",
    "lookalike-in-input": "E0217",
    "lookalike-in-channels": "E0217",
    "lookalike-in-op": "E0333",
    "lookalike-in-argument": "E0314",
    "fullwidth-digits": "E0206",
    "alias-bomb": "E0120",
    "unknown-op": "E0333",
    "unknown-argument": "E0314",
    "argument-of-argless-op": "E0314",
    "wrong-type": "E0206",
    "missing-required": "E0342",
    "bad-choice": "E0225",
    "missing-input": "E0304",
    "no-layers": "E0307",
    "probability": "E0221",
    "repeat-zero": "E0207",
    "first-without-repeat": "E0337",
    "two-ops-in-one-item": "E0332",
    "channels-start": "E0320",
    "input-too-many-axes": "E0309",
    "batch": "E0207",
    "budget-unit": "E0312",
    "format-version": "E0303",
    "unknown-reference": "E0348",
    "unknown-reference-lists-names": "E0348",
    "relative-reference-too-far": "E0346",
    "duplicate-name": "E0335",
    "reserved-name": "E0334",
    "merge-mismatch": "E0352",
    "concat-mismatch": "E0352",
    "add-channels-only": "E0352",
    "parallel-mismatch": "E0352",
    "identity-shortcut": "E0357",
    "auto-shortcut-impossible": "E0359",
    "repeat-past-cap": "E0339",
    "missing-block-parameter": "E0362",
    "undeclared-block-argument": "E0361",
    "misspelt-block-argument": "E0361",
    "unknown-parameter": "E0233",
    "non-integer-expression": "E0205",
    "expression-syntax": "E0230",
    "expression-not-allowed": "E0230",
    "expression-division-by-zero": "E0230",
    "expression-overflow": "E0230",
    "expression-unknown-name": "E0230",
    "error-in-block-body": "E0207",
    "block-arg-wrong-type": "E0206",
    "block-recursion": "E0360",
    "nested-repeat-past-cap": "E0339",
}


@pytest.mark.parametrize(("name", "code"), list(CODES.items()), ids=list(CODES))
def test_error_has_its_code(name: str, code: str, parser: str) -> None:
    err = error_of(CASES[name].text)
    assert err.code == code, err.render()
    assert err.hint is not None, err.render()  # every loader error says what would be right


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_error_is_located_and_explained(case: Case, parser: str) -> None:
    err = error_of(case.text)
    shown = err.render()
    assert err.pos is not None, shown
    assert (err.pos.line, err.pos.col) == (case.line, case.col), shown
    assert case.phrase in err.message, shown
    if case.hint is not None:
        assert err.hint is not None and case.hint in err.hint, shown
    head = f"<text>:{case.line}:{case.col}: error"
    assert shown.startswith(head) and re.match(CODED, shown[len(head) :]), shown
    source_line = textwrap.dedent(case.text).lstrip("\n").splitlines()[case.line - 1 :]
    if source_line and source_line[0].strip():  # quoted with a caret under the column
        lines = shown.splitlines()
        # control and invisible characters quoted visibly (`\x07`, `\u200b`)
        assert lines[1].endswith(visible(source_line[0].expandtabs(1)))
        assert lines[2] == "       | " + " " * (case.col - 1) + "^"


#: the catalogue code of each error a layer raises (the engine keeps it when it locates the error)
LAYER_CODES = {
    "in-mismatch": "E0406",
    "in-mismatch-network-input": "E0406",
    "groups": "E0410",
    "output-below-1": "E0409",
    "pool-output-below-1": "E0409",
    "upsample-output-below-1": "E0421",
    "same-with-stride": "E0408",
    "pool-padding": "E0412",
    "output-padding": "E0411",
    "linear-on-image": "E0417",
    "rank-alias": "E0405",
}


@pytest.mark.parametrize(("name", "code"), LAYER_CODES.items())
def test_layer_errors_carry_their_code(name: str, code: str) -> None:
    err = error_of(CASES[name].text)
    assert err.code == code
    assert f"error[{code}]: " in err.render().splitlines()[0]
    assert f"错误[{code}]：" in err.render("zh").splitlines()[0]


def test_error_inside_a_block_names_the_call() -> None:
    err = error_of(block("$out", "b: {out: 8}\n  - b: {out: 6}").replace("p: 1}", "p: 1, g: 4}"))
    assert (err.pos.line, err.pos.col) == (6, 49)  # type: ignore[union-attr]
    assert "conv 'b1.conv1'" in err.message
    assert [n.text() for n in err.notes] == ["in block 'b', called as 'b1' at line 8"]
    assert "note: in block 'b', called as 'b1' at line 8" in err.render()


def test_nested_block_calls_give_one_note_per_call() -> None:
    text = (
        "input: 3x32x32\nblocks:\n  inner:\n    layers: [{conv: {out: 8, k: 3, g: 2}}]\n"
        "  outer:\n    layers: [inner]\nlayers: [outer]\n"
    )
    err = error_of(text)
    assert [n.text() for n in err.notes] == [
        "in block 'inner', called as 'outer1.inner1' at line 6",
        "in block 'outer', called as 'outer1' at line 7",
    ]


def test_yaml_traps_that_are_values() -> None:
    """3e3 and 1e-3 are numbers, 010 is ten, quoted scalars are strings, arrows and × normalise."""
    report = cnncalc.analyze(NET + "  - conv: {out: 3e3, k: 3}\n  - dropout: 1e-3\n")
    assert report.output_shape == (3000, 30, 30)
    assert report.layers[1].node.layer.p == pytest.approx(0.001)  # type: ignore[union-attr]
    assert cnncalc.analyze(NET + "  - conv: {out: 010, k: 3}\n").output_shape == (10, 30, 30)
    assert cnncalc.analyze('input: 3x8x8\nname: "123"\nlayers: [relu]\n').network.name == "123"
    stack = cnncalc.analyze("input: 3×32×32\nchannels: 3→8->16⟶32\n")
    assert stack.output_shape == (32, 26, 26)
    assert cnncalc.analyze("input: 3 x 8 X 8\nlayers: [relu]\n").output_shape == (3, 8, 8)


def test_whole_float_expression_is_an_integer() -> None:
    assert cnncalc.analyze(block('"${out / 2}"', "b: {out: 256}")).output_shape == (128, 32, 32)
    assert cnncalc.analyze(
        block("${out / 2}", "b: {out: 256}").replace(
            "{out: ${out / 2}, k: 3, s: $s, p: 1}",
            "\n          out: ${out / 2}\n          k: 3\n          p: 1",
        )
    ).output_shape == (128, 32, 32)


def test_block_parameter_defaults_may_compute() -> None:
    text = block("$mid", "b: {out: 8}").replace("s: 1}", 's: 1, mid: "${cin * 4}"}')
    assert cnncalc.analyze(text).output_shape == (12, 32, 32)


def test_alias_bomb_fails_fast() -> None:
    start = time.perf_counter()
    error_of(CASES["alias-bomb"].text)
    assert time.perf_counter() - start < 2


def test_nested_repeat_fails_fast() -> None:
    start = time.perf_counter()
    error_of(CASES["nested-repeat-past-cap"].text)
    assert time.perf_counter() - start < 5


def test_deep_yaml_nesting_is_an_error_not_a_recursion_error(parser: str) -> None:
    err = error_of("input: 3x32x32\nlayers: " + "[" * 500 + "]" * 500 + "\n")
    assert "nests deeper than 200 levels" in err.message
    # the top-level mapping is level 1, so the 200th '[' (column 9 + 199) is one too deep
    assert (err.pos.line, err.pos.col) == (2, 9 + 199)  # type: ignore[union-attr]


def test_deep_block_nesting_is_an_error() -> None:
    blocks = "".join(f"  b{i}:\n    layers: [b{i + 1}]\n" for i in range(70))
    err = error_of(f"input: 3x8x8\nblocks:\n{blocks}  b70:\n    layers: [relu]\nlayers: [b0]\n")
    assert "blocks and structures nest deeper than 64 levels (b0 → b1 → b2 → … →" in err.message
    assert len(err.notes) == loader.MAX_NOTES + 1  # innermost calls first, then an ellipsis
    assert err.notes[0].text().startswith("in block 'b64', called as 'b0_1.b1_1.b2_1.")
    assert err.notes[-1].text() == "… (in more enclosing block calls)"


def test_yaml_syntax_errors_agree_across_parsers(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml and the pure parser word problems differently; the rendered diagnostics must not."""
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    texts = [c.text for c in CASES.values()] + [
        "a: b: c\n",
        "- a\nb: 1\n",
        "a:\n  - b\n  c: 1\n",
        "x: ✓😀中\ny: [a, }\n",
        "a: 1\n\u2028b: [\n",
        "a: 1\rb: [\n",
        "? [a]\n: 1\n",
        "%YAML 1.1\n%YAML 1.1\n---\na\n",
        "input: 3x8x8\nlayers: [relu]\n...\n",
        "a: |\n  x\n y\n",
        "a: &\n",
        "a: *\n",
        "[a, b\n",
        "{a: 1, b\n",
        "a: 'x'y\n",
        "input: 3x8x8\nlayers:\n  - conv: {out: 8, k: 3, p: , bias: false}\n",
        "input: 3x8x8\nlayers:\n  - conv: {out: 8, k: }\n",
        "input: 3x8x8\nlayers: [relu, , bn]\n",
        "input: 3x8x8\nlayers: [relu\n",
        "input: 3x8x8\nlayers: [!!str relu]\n",
        "input: 3x8x8\nlayers: [!<tag:x> relu]\n",
        "input: 3x8x8\nlayers: [&, relu]\n",
        "input: 3x8x8\nlayers: |x\n  relu\n",
        "input: 3x8x8\n%YAML 1.1\nlayers: [relu]\n",
        "input: 3x8x8\nlayers:\n  - relu\n  -\tbn\n",
        "input:\t3x8x8\nlayers: [relu]\n",
        "input: 3x8x8   \t# a comment\nlayers: [relu]\n",
        "input: 3x8x8\nlayers:\n  - relu\n  bn\n",
        "input: 3x8x8\nlayers:\n  - relu\n    - bn\n",
        "-\n×",
        "[",
        "{ ",
    ]
    for text in texts:
        shown = []
        for parser in (nodes._Loader, PureLoader):
            monkeypatch.setattr(nodes, "_Loader", parser)
            try:
                cnncalc.analyze(text)
                shown.append("ok")
            except CnnCalcError as err:
                shown.append(err.render())
        assert shown[0] == shown[1], text


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")
@pytest.mark.parametrize("path", sorted((Path(__file__).parent.parent / "examples").glob("*.yaml")))
def test_examples_have_the_same_positions_with_both_parsers(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def positions() -> list[tuple[str, str, list[tuple[str, str]]]]:
        net = loader.load(path)
        return [
            (n.name, str(n.pos), sorted((k, str(v)) for k, v in n.arg_pos.items()))
            for n in net.nodes
        ]

    fast = positions()
    monkeypatch.setattr(nodes, "_Loader", PureLoader)
    assert positions() == fast


def test_not_utf8() -> None:
    with pytest.raises(CnnCalcError) as info:
        loader.decode_source("net.yaml", b"input: 3x8x8\nname: caf\xe9\nlayers: [relu]\n")
    err = info.value
    assert str(err.pos) == "net.yaml:2:10"
    assert "not UTF-8 text (byte 0xe9 at line 2, column 10)" in err.message
    assert err.hint is not None and "save the file as UTF-8" in err.hint


def test_utf16_is_named() -> None:
    with pytest.raises(CnnCalcError, match="UTF-16"):
        loader.decode_source("net.yaml", "input: 3x8x8\n".encode("utf-16"))


def test_bom_is_skipped() -> None:
    src = loader.decode_source("net.yaml", b"\xef\xbb\xbfinput: 3x8x8\nlayers: [relu]\n")
    assert loader.load_source(src).input_shape == (3, 8, 8)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze(tmp_path / "nope.yaml")
    assert info.value.render().startswith(f"{tmp_path / 'nope.yaml'}: error[E0101]: no such file")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(CnnCalcError, match="is a directory"):
        cnncalc.analyze(tmp_path)


def test_positions_use_yaml_line_breaks() -> None:
    """A form feed is not a line break for YAML, so it must not shift the quoted line."""
    src = Source("s", "a\u2028b\r\nc\rd\ne")
    assert [src.line(n) for n in range(1, 6)] == ["a", "b", "c", "d", "e"]
    assert src.pos(5) == Pos(src, 3, 1)


# --- the command line -------------------------------------------------------------------------

runner = CliRunner()


def _params(path: Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["params", str(path)])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "name",
    [
        "unclosed-brace",
        "tab-indent",
        "groups",
        "yes-is-not-a-bool",
        "unknown-reference",
        "alias-bomb",
    ],
)
def test_cli_reports_bad_input(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    path = tmp_path / "net.yaml"
    path.write_text(case.text, encoding="utf-8")
    code, out, err = _params(path)
    assert code == ExitStatus.BAD_INPUT == 2
    assert out == ""
    head = f"{path}:{case.line}:{case.col}: error"
    assert err.startswith(head) and re.match(CODED, err[len(head) :]), err
    assert re.search(r"^ +\| +\^$", err, re.M), err
    assert "Traceback" not in err


def test_cli_missing_file(tmp_path: Path) -> None:
    code, out, err = _params(tmp_path / "nope.yaml")
    assert (code, out) == (2, "")
    assert err.startswith(f"{tmp_path / 'nope.yaml'}: error[E0101]: no such file")


def test_cli_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"input: 3x8x8\nname: caf\xe9\nlayers: [relu]\n")
    code, out, err = _params(path)
    assert (code, out) == (2, "")
    assert err.startswith(f"{path}:2:10: error[E0106]: the file is not UTF-8 text")
    assert "hint: save the file as UTF-8" in err


def test_cli_internal_error_is_exit_3_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("cnncalc.engine.analyze_network", broken)
    path = tmp_path / "net.yaml"
    path.write_text(NET + "  - relu\n", encoding="utf-8")
    code, out, err = _params(path)
    assert (code, out) == (ExitStatus.INTERNAL, "")
    assert "this is a bug" in err
    assert "RuntimeError: boom" in err
    assert "Traceback" not in err
    assert len(err.splitlines()) <= 3
