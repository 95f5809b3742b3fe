"""Quantities and budget limits: `12M` params, `2G` MACs, `64MiB` of activations, kept with
their position.

The one table of budgets (`BUDGETS`), the quantities' units both ways (`parse_quantity` reads what
format.md allows, `format_quantity` writes the same notation back) and the `Limit` record. Below
the loader (which reads `budget:`) and analysis (which evaluates it, `cnncalc.analysis.budget`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Literal

from cnncalc.errors import Msg, Pos
from cnncalc.messages.numbers import sci

COUNT_SUFFIXES: Mapping[str, int] = MappingProxyType(
    {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
)
BYTE_SUFFIXES: Mapping[str, int] = MappingProxyType(
    {
        "": 1,
        "B": 1,
        "kB": 10**3,
        "KB": 10**3,
        "MB": 10**6,
        "GB": 10**9,
        "TB": 10**12,
        "KiB": 2**10,
        "MiB": 2**20,
        "GiB": 2**30,
        "TiB": 2**40,
    }
)
_QUANTITY = re.compile(r"^\s*([0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?)\s*([A-Za-z]*)\s*$")

Unit = Literal["count", "bytes"]

#: budget name -> (unit, what it limits, whether it is a minimum)
BUDGETS: Mapping[str, tuple[Unit, str, bool]] = MappingProxyType(
    {
        "params": ("count", "learnable parameters", False),
        "macs": ("count", "multiply-accumulates", False),
        "flops": ("count", "FLOPs (2 × MACs)", False),
        "param_bytes": ("bytes", "parameter memory", False),
        "activations": ("bytes", "peak activation memory", False),
        "layer_params": ("count", "parameters of the largest layer", False),
        "rf": ("count", "receptive field of the output", True),
        "trainable_params": ("count", "trainable parameters", False),
        "train_flops": ("count", "training step FLOPs (forward + backward)", False),
        "train_memory": ("bytes", "training step memory", False),
    }
)


#: suffixes `format_quantity` writes, largest last (the readers above also accept K, kB, MB, ...)
_COUNT_OUT = ("", "k", "M", "G", "T")
_BYTE_OUT = ("B", "KiB", "MiB", "GiB", "TiB")
_BYTE_SI_OUT = ("B", "kB", "MB", "GB", "TB")


def si_bytes(value: int) -> bool:
    """Whether a byte count reads better in SI units: 24_000 is `24kB`, 131_072 is `128KiB`."""
    return value >= 1000 and value % 1000 == 0 and value % 1024 != 0


def format_quantity(value: int | Fraction, unit: Unit, digits: int = 4, si: bool = False) -> str:
    """Write a quantity as format.md spells it, to `digits` significant digits: 11_689_512 ->
    `11.69M`, 67_108_864 bytes -> `64MiB` (with `si`: `67.11MB`), 532 -> `532`.
    `parse_quantity` reads it back."""
    if unit == "count":
        base, suffixes = 1000, _COUNT_OUT
    else:
        base, suffixes = (1000, _BYTE_SI_OUT) if si else (1024, _BYTE_OUT)
    x = Fraction(value)
    if abs(x) >= base ** len(suffixes):  # 1000T and beyond: no suffix helps (not `10000000T`)
        return sci(x, digits) + ("" if unit == "count" else "B")
    if abs(x) < base:
        number = f"{int(x)}" if x.denominator == 1 else f"{float(x):.{digits}g}"
        return number if unit == "count" else f"{number}B"
    for suffix in suffixes[1:]:
        x /= base
        text = f"{float(x):.{digits}g}"
        if suffix == suffixes[-1]:
            return (f"{float(x):.0f}" if "e" in text else text) + suffix
        if abs(float(text)) < base:  # 999_999 rounds to 1000k: carry to the next suffix
            return text + suffix
    raise AssertionError  # pragma: no cover - the loop always returns


class UnitError(ValueError):
    """A quantity that does not parse; `msg` says what would (the text is its English)."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(msg.text("en"))
        self.msg = msg


#: the largest power of ten a quantity may hold (1e30 is far beyond any network)
MAX_EXPONENT = 30


def parse_quantity(text: str, unit: Unit) -> int:
    """`12M` -> 12_000_000 (counts, SI); `64MiB` -> 67_108_864 (bytes, IEC or SI)."""
    m = _QUANTITY.match(text)
    table = COUNT_SUFFIXES if unit == "count" else BYTE_SUFFIXES
    if m is None or m.group(2) not in table:
        code = "E0601" if unit == "count" else "E0602"
        raise UnitError(Msg(code, text=text))
    number = Decimal(m.group(1).replace("_", ""))
    if number and abs(number.adjusted()) > MAX_EXPONENT:  # 1e999999999 would build 10**N
        raise UnitError(Msg("E0611", text=text[:40], limit=MAX_EXPONENT))
    # exact decimal arithmetic: 65.07G is 65_070_000_000, where floats give 65_069_999_999.99
    value = Fraction(number) * table[m.group(2)]
    if value.denominator != 1:
        raise UnitError(Msg("E0603" if unit == "count" else "E0604", text=text))
    return int(value)


@dataclass(frozen=True)
class Limit:
    """One budget: a limit on a quantity and where it was written (None: the command line)."""

    name: str
    limit: int
    pos: Pos | None = None

    @property
    def is_minimum(self) -> bool:
        return BUDGETS[self.name][2]
