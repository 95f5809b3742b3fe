"""`cnncalc schema`: a draft 2020-12 JSON Schema generated from the loader's tables, that accepts
every example, rejects broken networks, names every op and argument, and stays in sync with the
committed `cnncalc/schema.json` the examples point at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml
from typer.testing import CliRunner

from cnncalc.engine import DTYPE_BYTES
from cnncalc.errors import CnnCalcError
from cnncalc.layers import KINDS, MERGES, ArgType
from cnncalc.loader import META_KEYS, STRUCTURES, TOP_KEYS, load_text
from cnncalc.loader import schema as S
from cnncalc.quantities import BUDGETS
from tests.conftest import EXAMPLES, ROOT

runner = CliRunner()
COMMITTED = ROOT / "cnncalc" / "schema.json"
MODELINE = "# yaml-language-server: $schema=../cnncalc/schema.json"
VALIDATOR = jsonschema.Draft202012Validator(S.schema())


def errors(doc: object) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(doc)]


def valid(text: str) -> bool:
    return not errors(yaml.safe_load(text))


def loads(text: str) -> bool:
    try:
        load_text(text)
    except CnnCalcError:
        return False
    return True


def test_command_prints_a_valid_draft_2020_12_schema() -> None:
    result = runner.invoke(app_(), ["schema"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(data)
    assert result.stdout == S.schema_json()


def app_() -> Any:
    from cnncalc.cli import app

    return app


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == S.schema_json(), (
        "cnncalc/schema.json is stale: run `cnncalc schema > cnncalc/schema.json`"
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_validates_and_points_at_the_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == MODELINE
    assert errors(yaml.safe_load(text)) == []


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "data").glob("*.yaml")), ids=str)
def test_test_networks_validate(path: Path) -> None:
    assert errors(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


# --- the tables, all of them --------------------------------------------------------------------


def test_every_top_level_key_has_a_schema() -> None:
    props = S.schema()["properties"]
    assert list(props) == list(TOP_KEYS)
    for key in TOP_KEYS:
        assert props[key], f"top-level key '{key}' has no schema"


def test_every_arg_type_has_a_schema() -> None:
    for t in ArgType:
        arg = next((a for k in KINDS.values() for a in k.args if a.type == t), None)
        if arg is not None:
            assert S.arg_schema("conv", arg), f"argument type '{t}' has no schema"


def test_every_op_and_every_argument_appears() -> None:
    defs = S.schema()["$defs"]
    item_props = defs["item_mapping"]["properties"]
    for op, kind in KINDS.items():
        assert op in item_props, op
        if op in MERGES:
            continue
        args = defs[S.args_name(op)]["properties"]
        assert set(args) == {n for a in kind.args for n in a.names}, op
        assert op in S.schema()["properties"]["defaults"]["properties"], op
    for key in (*STRUCTURES, *META_KEYS):
        assert key in item_props, key
    assert set(S.schema()["properties"]["budget"]["properties"]) == set(BUDGETS)
    assert S.schema()["properties"]["dtype"]["enum"] == list(DTYPE_BYTES)


@pytest.mark.parametrize("op", sorted(op for op in KINDS if op not in MERGES))
def test_each_argument_by_each_name(op: str) -> None:
    """Every spelling of every argument validates with a value of its type, and an unknown
    argument does not."""
    samples = {
        "int": 2,
        "ints": [2, 2],
        "opt_ints": 2,
        "padding": 1,
        "bool": True,
        "float": 0.5,
        "opt_float": None,  # PyTorch's momentum=None
        "prob": 0.5,
        "scale": 2,
        "index": -1,
        "ref": "prev",
        "dim": -1,
        "dims": [0, -1],
    }
    for arg in KINDS[op].args:
        value = arg.choices[0] if arg.type == "choice" else samples[arg.type]
        for name in arg.names:
            doc = {"input": "3x8x8", "layers": [{op: {name: value}}]}
            assert errors(doc) == [], (op, name)
    assert errors({"input": "3x8x8", "layers": [{op: {"no_such_argument": 1}}]})


# --- the schema and the loader agree ------------------------------------------------------------

AGREE = [
    # (YAML, whether both accept it)
    ("input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 3}\n", True),
    ("input: 3x8x8\nlayers:\n  - maxpool: 2\n  - relu\n  - gap\n  - flatten\n  - fc: 2\n", True),
    ("input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 3, bais: false}\n", False),
    ("input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 3}\n    bn: {}\n", False),  # two ops
    ("input: 3x8x8\nlayres:\n  - relu\n", False),  # unknown top-level key
    ("input: 3x8x8\nlayers:\n  - dropout: 1.5\n", False),  # not a probability
    ("input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 3, p: middle}\n", False),
    ("input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 3, p: same}\n", True),
    ("input: 3x8x8\nlayers:\n  - pad: same\n", False),  # pad takes sizes only
    ("input: 3x8x8\nlayers:\n  - relu:\n    first: {}\n", False),  # first without repeat
    ("input: 3x8x8\nlayers:\n  - name: x\n", False),  # no op
    ("input: 3x8x8\nlayers:\n  - add: [input]\n", False),  # a merge of one
    ("input: 3x8x8\ndtype: float64\nlayers: [relu]\n", False),
    ("input: 3x8x8\nbudget: {params: 12M, activations: 64MiB, rf: 7}\nlayers: [relu]\n", True),
    ("input: 3x8x8\nbudget: {parms: 12M}\nlayers: [relu]\n", False),
    ("input: 3x8x8\nbudget: {params: 12Q}\nlayers: [relu]\n", False),
    ("input: 3x8x8\nbudget: {activations: 64M}\nlayers: [relu]\n", False),  # M is a count
    ("input: 3x8x8\nchannels: 3→8→M→16\nkernel: 3\npadding: 1\nact: relu\n", True),
    ("input: 3x8x8\nchannels: 3→8\nact: rleu\n", False),
    ("layers: [relu]\n", False),  # no input
    (
        "input: 3x8x8\nblocks:\n  b:\n    params: {out: required}\n    layers:\n"
        "      - conv: {out: $out, k: 1}\n      - conv: {out: '${out * 2}', k: 1}\n"
        "layers:\n  - b: {out: 4}\n    repeat: 2\n    first: {out: 8}\n",
        True,
    ),
    ("input: 3x8x8\nblocks:\n  conv:\n    layers: [relu]\nlayers: [relu]\n", False),
    (
        "input: 3x8x8\nlayers:\n  - residual:\n      body: [conv: {out: 3, k: 3, p: 1}, bn]\n"
        "      shortcut: identity\n  - parallel:\n"
        "      branches: [[relu], [conv: {out: 3, k: 1}]]\n      merge: add\n",
        True,
    ),
    ("input: 3x8x8\nlayers:\n  - residual:\n      body: [relu]\n      short: auto\n", False),
    ("input: 3x8x8\ndefaults:\n  conv: {bias: false, mult: 2}\nlayers: [relu]\n", True),
    ("input: 3x8x8\ndefaults:\n  conv: {biass: false}\nlayers: [relu]\n", False),
    ("input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 3}\n    frozen: true\n", True),
    ("input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 3}\n    frozen: 1\n", False),
    ("input: 3x8x8\nlayers:\n  - conv: {out: 4, k: 3}\n    frozen: 'true'\n", False),
    (
        "input: 3x8x8\nblocks:\n  b:\n    frozen: true\n    layers: [relu]\n"
        "layers:\n  - b:\n    repeat: 2\n    frozen: false\n",
        True,
    ),
    ("input: 3x8x8\nblocks:\n  b:\n    frozen: 1\n    layers: [relu]\nlayers: [b]\n", False),
    ("input: 3x8x8\nlayers:\n  - frozen: true\n", False),  # no op
]


@pytest.mark.parametrize(("text", "ok"), AGREE)
def test_schema_and_loader_agree(text: str, ok: bool) -> None:
    assert loads(text) is ok, "the loader disagrees with the table"
    assert valid(text) is ok, errors(yaml.safe_load(text))


def test_a_broken_example_is_rejected() -> None:
    doc = yaml.safe_load((ROOT / "examples" / "resnet18.yaml").read_text())
    doc["layers"][0]["conv"]["kernal"] = doc["layers"][0]["conv"].pop("k")
    assert errors(doc)
    doc = yaml.safe_load((ROOT / "examples" / "resnet18.yaml").read_text())
    doc["blocks"]["basic"]["layers"][0]["residual"]["merge"] = "sum"
    assert errors(doc)
