"""The registry is the one table: every argument type has a schema and is documented, every
kind is documented with its arguments' types, and every kind's `cost` (the fused fast path where
a kind has one, such as `Conv.cost`) equals the per-quantity protocol methods."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnncalc.errors import LayerArgError
from cnncalc.layers import (
    ARG_TYPE_DOCS,
    KINDS,
    MERGES,
    PAD_MODES,
    Arg,
    ArgType,
    AxisRF,
    Conv,
    DwConv,
    Kind,
    Layer,
)
from cnncalc.loader import schema as S
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
LAYER_KINDS = {op: k for op, k in KINDS.items() if op not in MERGES}


# --- one table for the loader, the schema and the docs ------------------------------------------


def test_every_arg_type_has_a_schema_converter() -> None:
    assert set(S.ARG_SCHEMAS) == set(ArgType)
    for op, kind in KINDS.items():
        for arg in kind.args:
            assert S.arg_schema(op, arg), f"{op}: {arg.field}"


def test_every_arg_type_is_documented() -> None:
    assert set(ARG_TYPE_DOCS) == set(ArgType)
    table = DOC.split("## Argument values", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| ")}
    assert sorted(set(ARG_TYPE_DOCS.values()) - rows) == []


def _argument_rows(section: str) -> list[tuple[frozenset[str], str]]:
    """The (names, type) of each row of the section's argument tables."""
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.split("|")[1:-1]]
        if len(cells) == 6 and cells[0] not in ("argument", "---"):
            rows.append((frozenset(re.findall(r"`([^`]+)`", cells[1])), cells[2]))
    return rows


def _documents_type(cell: str, arg: Arg) -> bool:
    if arg.type == ArgType.CHOICE:
        return all(f"`{c}`" in cell for c in arg.choices)
    return ARG_TYPE_DOCS[arg.type] in cell


def test_every_kind_and_argument_is_documented_with_its_type() -> None:
    """Each op has a section (a table row starting with it) with a row for each of its
    arguments, with exactly its spellings, whose type column names the argument's type (or
    lists its choices)."""
    sections = re.split(r"^#{2,3} ", DOC, flags=re.M)
    gaps = []
    for op, kind in LAYER_KINDS.items():
        row = re.compile(rf"^\|[^|\n]*`{re.escape(op)}`", re.M)
        mine = [s for s in sections if row.search(s)]
        if not mine:
            gaps.append(f"{op}: no table row starts with it")
        rows = [r for s in mine for r in _argument_rows(s)]
        for arg in kind.args:
            types = [t for names, t in rows if names == frozenset(arg.names)]
            if not any(_documents_type(t, arg) for t in types):
                gaps.append(f"{op}: {arg.field} ({arg.type.value}) in {types}")
    assert gaps == []


# --- fast paths equal the protocol ------------------------------------------------------------

_SIZES = st.integers(1, 5)
_PADS = st.integers(0, 3)


def _per_axis(values: st.SearchStrategy[Any], n: int) -> st.SearchStrategy[tuple[Any, ...]]:
    """One value, one per spatial axis, or (rarely) a wrong number of them."""
    return st.one_of(
        st.tuples(values),
        st.lists(values, min_size=n, max_size=n).map(tuple),
        st.lists(values, min_size=1, max_size=4).map(tuple),
    )


def _sizes(arg: Arg, n: int) -> st.SearchStrategy[Any]:
    return _per_axis(_PADS if arg.field in ("padding", "output_padding") else _SIZES, n)


def _padding(arg: Arg, n: int) -> st.SearchStrategy[Any]:
    pairs = _per_axis(st.tuples(_PADS, _PADS), n).filter(lambda p: len(p) > 1 or n == 1)
    return st.one_of(st.sampled_from(PAD_MODES), _sizes(arg, n), pairs)


#: a strategy for each argument type, given the input's number of spatial axes: what the loader
#: may hand a layer, and somewhat beyond
VALUES: dict[ArgType, Callable[[Arg, int], st.SearchStrategy[Any]]] = {
    ArgType.INT: lambda arg, n: st.integers(1, 12),
    ArgType.INTS: _sizes,
    ArgType.OPT_INTS: lambda arg, n: st.none() | _sizes(arg, n),
    ArgType.PADDING: _padding,
    ArgType.BOOL: lambda arg, n: st.booleans(),
    ArgType.FLOAT: lambda arg, n: st.floats(0.01, 1),
    ArgType.OPT_FLOAT: lambda arg, n: st.none() | st.floats(0.01, 1),
    ArgType.PROB: lambda arg, n: st.floats(0, 1),
    ArgType.SCALE: lambda arg, n: _per_axis(st.floats(0.25, 3), n),
    ArgType.CHOICE: lambda arg, n: st.sampled_from(arg.choices),
    ArgType.INDEX: lambda arg, n: st.integers(-5, 5),
    ArgType.REF: lambda arg, n: st.none(),  # the engine resolves it before the layer is asked
    ArgType.DIM: lambda arg, n: st.integers(-n - 2, n + 2),
    ArgType.DIMS: lambda arg, n: st.lists(
        st.integers(-n - 2, n + 2), min_size=1, max_size=n + 2
    ).map(tuple),
}


def test_every_arg_type_has_a_strategy() -> None:
    assert set(VALUES) == set(ArgType)


#: per-sample inputs: a vector, a signal, an image or a volume, mostly not tiny
shapes = st.integers(0, 3).flatmap(
    lambda n: st.tuples(st.integers(1, 12), *[st.integers(1, 24)] * n)
)


@st.composite
def layers(draw: st.DrawFn, kind: Kind, x: tuple[int, ...]) -> Layer:
    """A layer of `kind` for input `x`: every required argument, about a third of the others."""
    values: dict[str, Any] = dict(kind.fixed)
    for arg in kind.args:
        if arg.required or draw(st.integers(0, 2)) == 0:
            values[arg.field] = draw(VALUES[arg.type](arg, max(len(x) - 1, 1)))
    layer = kind.cls(**values)
    assert isinstance(layer, Layer)
    return layer


def _outcome(f: Callable[[], object]) -> object:
    try:
        return f()
    except LayerArgError as err:
        for lang in ("en", "zh"):  # every argument its message and hint need is given
            assert err.text(lang) and err.hint_text(lang), err.code
        return err.code


def _check_fast_path(layer: Layer, x: tuple[int, ...]) -> None:
    r = tuple(AxisRF(extent=e) for e in x[1:])
    fused = _outcome(lambda: layer.cost(x, r))
    methods = _outcome(
        lambda: (
            layer.out_shape(x),
            layer.params(x),
            layer.macs(x),
            layer.kernel_shape(x),
            layer.rf(x, r),
        )
    )
    assert fused == methods, (layer, x)


@pytest.mark.parametrize("op", list(LAYER_KINDS))
@settings(max_examples=60, deadline=None)
@given(data=st.data(), x=shapes)
def test_cost_equals_the_protocol(op: str, data: st.DataObject, x: tuple[int, ...]) -> None:
    _check_fast_path(data.draw(layers(LAYER_KINDS[op], x)), x)


@settings(max_examples=400, deadline=None)
@given(data=st.data(), x=shapes, depthwise=st.booleans())
def test_conv_fast_path_equals_the_protocol(
    data: st.DataObject, x: tuple[int, ...], depthwise: bool
) -> None:
    """`Conv.cost` is hand-fused (the engine's hottest call): the most examples go here."""
    layer = data.draw(layers(KINDS["dwconv" if depthwise else "conv"], x))
    assert isinstance(layer, DwConv if depthwise else Conv)
    _check_fast_path(layer, x)


def test_the_kinds_that_fuse_cost_are_tested_here() -> None:
    """A kind that overrides `cost` gets its own many-example test above."""
    fused = {k.cls for k in LAYER_KINDS.values() if k.cls.cost is not Layer.cost}
    assert fused <= {Conv, DwConv}
