"""Frozen records: `@dataclass(frozen=True)` for the layer kinds, at a fraction of the cost.

Every command loads some thirty layer kinds at start-up, and `dataclasses` spends about a
millisecond on each (it generates and compiles six methods per class, and inspects every
annotation). `frozen` gives the same semantics for what the kinds use — fields with defaults,
inheritance, positional or keyword construction, immutability, equality, hashing and repr —
with shared methods and no generated code. Type checkers see it as a dataclass transform
(PEP 681).
"""

from __future__ import annotations

import inspect
from dataclasses import FrozenInstanceError
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing import dataclass_transform
else:

    def dataclass_transform(**_: object) -> Any:
        return lambda fn: fn


T = TypeVar("T")
_CLASSVAR = ("ClassVar", "typing.ClassVar")


def _fields(cls: type) -> tuple[list[str], dict[str, object]]:
    """Field names in definition order (bases first) and their defaults (subclasses win)."""
    names: list[str] = []
    defaults: dict[str, object] = {}
    for klass in reversed(cls.__mro__[:-1]):
        for name, annotation in inspect.get_annotations(klass).items():
            if str(annotation).startswith(_CLASSVAR):
                continue
            if name not in names:
                names.append(name)
            if name in klass.__dict__:
                defaults[name] = klass.__dict__[name]
            else:
                defaults.pop(name, None)
    return names, defaults


def _setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field '{name}'")


def _delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field '{name}'")


def _values(self: Any) -> tuple[object, ...]:
    return tuple(getattr(self, n) for n in self.__record_fields__)


def _eq(self: Any, other: object) -> Any:  # bool, or NotImplemented for another class
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: Any) -> int:
    return hash((self.__class__, _values(self)))


def _repr(self: Any) -> str:
    args = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__record_fields__)
    return f"{self.__class__.__qualname__}({args})"


def _init_for(names: tuple[str, ...], defaults: dict[str, object]) -> Any:
    """An `__init__` taking the fields by position or by name, without generating code: the
    values are gathered in a dict (C-speed updates) and checked against the field names."""
    fields = frozenset(names)
    required = [n for n in names if n not in defaults]

    def __init__(self: object, *args: object, **kwargs: object) -> None:
        values = dict(defaults)
        if args:
            if len(args) > len(names):
                raise TypeError(f"{type(self).__name__}() takes {len(names)} arguments")
            given = dict(zip(names, args))
            if kwargs and given.keys() & kwargs.keys():
                raise TypeError(f"{type(self).__name__}() got an argument twice")
            values.update(given)
        values.update(kwargs)
        if values.keys() != fields:
            unknown = sorted(values.keys() - fields)
            missing = [n for n in required if n not in values]
            raise TypeError(
                f"{type(self).__name__}(): "
                + (f"unknown {unknown}" if unknown else f"missing {missing}")
            )
        self.__dict__.update(values)

    return __init__


@dataclass_transform(frozen_default=True)
def frozen(cls: type[T]) -> type[T]:
    """Make `cls` an immutable record of its annotated fields."""
    names, defaults = _fields(cls)
    init = _init_for(tuple(names), defaults)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    attrs = {
        "__init__": init,
        "__record_fields__": tuple(names),
        "__setattr__": _setattr,
        "__delattr__": _delattr,
        "__eq__": _eq,
        "__hash__": _hash,
        "__repr__": _repr,
    }
    for key, value in attrs.items():
        setattr(cls, key, value)
    return cls
