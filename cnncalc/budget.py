"""Units and budgets: `12M` params, `2G` MACs, `64MiB` of activations, kept with their position."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from cnncalc.errors import Pos

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
        "rf": ("count", "receptive field of the output (minimum)", True),
    }
)


class UnitError(ValueError):
    """A quantity that does not parse; the message says what would."""


def parse_quantity(text: str, unit: Unit) -> int:
    """`12M` -> 12_000_000 (counts, SI); `64MiB` -> 67_108_864 (bytes, IEC or SI)."""
    m = _QUANTITY.match(text)
    table = COUNT_SUFFIXES if unit == "count" else BYTE_SUFFIXES
    if m is None or m.group(2) not in table:
        suffixes = "k, M, G, T" if unit == "count" else "KiB, MiB, GiB, kB, MB, GB"
        raise UnitError(f"'{text}' is not a {unit} quantity; write a number with {suffixes}")
    value = float(m.group(1).replace("_", "")) * table[m.group(2)]
    if value != int(value):
        raise UnitError(
            f"'{text}' is not a whole number of {'items' if unit == 'count' else 'bytes'}"
        )
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
