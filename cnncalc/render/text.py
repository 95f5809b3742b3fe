"""Numbers, shapes, percentages and units as every command prints them: each formatter once.

No rich here, so that machine-readable outputs share them. Shapes are written by the layers'
`fmt_shape` (their errors quote shapes too); counts, receptive-field numbers and the numbers of
JSON and CSV (`token`) by `cnncalc.messages.numbers`, below the engine, whose warnings and the
teaching text write numbers too. All are re-exported here. A number of any size is written
without a float overflow or Python's int-to-text limit: scientific form past 10^21 for reading,
past 10^308 in JSON and CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from cnncalc.layers import fmt_shape
from cnncalc.messages.numbers import count_text as count
from cnncalc.messages.numbers import is_huge, sci, token
from cnncalc.messages.numbers import rf_text as rf

__all__ = [
    "ascii_shape",
    "count",
    "fmt_shape",
    "fmt_shapes",
    "human",
    "percent",
    "rf",
    "rf_sizes",
    "share",
    "token",
]

#: the smallest percentage written as a number; below it a nonzero share reads `<0.1`
TINY_PCT = 0.05


def human(value: float, binary: bool = False) -> str:
    """For reading, not parsing: 1_814_073_344 -> `1.81 G`; with `binary`, bytes in KiB, MiB,
    GiB (6_422_528 -> `6.12 MiB`). Three significant digits, carried to the next unit when
    rounding reaches it (999_999 -> `1 M`)."""
    base, units = (1024, _BINARY_UNITS) if binary else (1000, _DECIMAL_UNITS)
    x = float(value)
    for unit in units:
        text = f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"  # 1000-1023 KiB: no 1.02e+03
        if abs(float(text)) < base or unit == units[-1]:
            if unit in ("", "B"):
                return f"{int(x):,}" + (" B" if binary else "")
            return f"{text} {unit}"
        x /= base
    raise AssertionError  # pragma: no cover - the loop always returns


_DECIMAL_UNITS = ("", "k", "M", "G", "T")
_BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def percent(ratio: float | Fraction | None, signed: bool = False, suffix: str = "%") -> str:
    """0.0263 -> `2.6%`; a tiny nonzero ratio never reads as 0.0% but `<0.1%` (`+<0.1%` when
    `signed`); None (no base to compare with) is `-`. `suffix=""` where a column says `%`."""
    if ratio is None:
        return "-"
    sign = "+" if signed and ratio > 0 else ""
    if isinstance(ratio, Fraction) and is_huge(ratio * 100):  # an RF 10^4000 times its minimum
        return f"{sign}{sci(ratio * 100)}{suffix}"  # no float overflow
    pct = float(ratio) * 100
    if ratio and abs(pct) < TINY_PCT:
        return f"{'-' if pct < 0 else sign}<0.1{suffix}"
    return f"{sign}{pct:.1f}{suffix}"


def share(part: int, total: int, suffix: str = "") -> str:
    """`part` as a percentage of `total` (`-` when the total is 0)."""
    return percent(Fraction(part, total), suffix=suffix) if total else "-"


def rf_sizes(values: Sequence[int | Fraction]) -> str:
    """Per-axis receptive-field numbers: `19`, or `19×11` when the axes differ."""
    if not values:
        return "-"
    texts = [rf(v) for v in values]
    return texts[0] if len(set(texts)) == 1 else "×".join(texts)


def fmt_shapes(shapes: Sequence[Sequence[int]]) -> str:
    """The shapes a layer reads: `64×28×28`, or `64×28×28 + 128×28×28` for a merge."""
    return " + ".join(fmt_shape(s) for s in shapes)


def ascii_shape(shape: Sequence[int] | None) -> str:
    """`64x56x56` for CSV (empty for none)."""
    return "x".join(str(v) for v in shape) if shape else ""
