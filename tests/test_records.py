"""`records.frozen` behaves like `dataclass(frozen=True)` for everything the layer kinds use."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pytest

from cnncalc import layers
from cnncalc.records import frozen


def pair(decorate: object) -> tuple[type, type]:
    deco = decorate  # the same class bodies under both decorators

    @deco  # type: ignore[misc, operator]
    class Base:
        kind: ClassVar[str] = "base"
        out: int
        k: tuple[int, ...] = (1,)
        bias: bool = True

    @deco  # type: ignore[misc, operator]
    class Child(Base):  # type: ignore[misc, valid-type]
        kind: ClassVar[str] = "child"
        out: int = 0  # a required field gets a default, as DwConv does
        mult: int = 1

    return Base, Child


RECORD = pair(frozen)
DATA = pair(dataclasses.dataclass(frozen=True))


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((64,), {}), ((64, (3,)), {"bias": False}), ((), {"out": 8, "k": (3, 5)})],
)
def test_construction_equality_hash_repr_match_dataclasses(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    r, d = RECORD[0](*args, **kwargs), DATA[0](*args, **kwargs)
    assert (r.out, r.k, r.bias) == (d.out, d.k, d.bias)
    assert repr(r) == repr(d)
    assert r == RECORD[0](*args, **kwargs) and hash(r) == hash(RECORD[0](*args, **kwargs))
    assert r != RECORD[0](999)
    assert r != d  # another class is never equal


def test_inheritance_defaults_and_classvars() -> None:
    child = RECORD[1]()
    assert (child.out, child.k, child.bias, child.mult) == (0, (1,), True, 1)
    assert RECORD[1].__record_fields__ == ("out", "k", "bias", "mult")  # type: ignore[attr-defined]
    assert RECORD[1].kind == "child" and "kind" not in RECORD[1].__record_fields__  # type: ignore[attr-defined]
    assert [f.name for f in dataclasses.fields(DATA[1])] == ["out", "k", "bias", "mult"]


def test_immutable_and_strict_arguments() -> None:
    r = RECORD[0](4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.out = 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        del r.out
    with pytest.raises(TypeError):
        RECORD[0]()  # `out` is required
    with pytest.raises(TypeError):
        RECORD[0](4, nope=1)


def test_layer_kinds_are_records() -> None:
    conv = layers.Conv(64, (3,))
    assert conv == layers.Conv(out_channels=64, kernel_size=(3,))
    assert len({conv, layers.Conv(64, (3,))}) == 1
    assert layers.DwConv(kernel_size=(3,)).out_channels == 0
    assert repr(layers.Identity()) == "Identity()"
