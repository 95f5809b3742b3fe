"""Numbers as text, of any size: digits while they are readable, scientific form past that.

Standard library only, below `errors`, so that a message argument, an engine warning, the
teaching text and every render sink write a number the same way. Nothing here converts a huge
integer to decimal digits (Python refuses past 4,300 digits, and the work grows with the square
of the length) or to a float (which overflows past 1e308): the scientific form is computed from
the integer's bit length. No process-wide setting is changed.
"""

from __future__ import annotations

import math
from fractions import Fraction

#: numbers from this size on are written in scientific form for reading: their digits would be
#: absurd (a receptive field that doubles 800 times has 241 of them)
HUGE = 10**21
#: machine-readable outputs (JSON, CSV) write integers exactly below this, the range of a
#: double (what most JSON readers hold a number in); larger ones in scientific form
EXACT_BELOW = 10**308


def _log10(v: int) -> float:
    """log10 of a positive integer of any size (no conversion to float or to text)."""
    shift = max(0, v.bit_length() - 120)
    return math.log10(v >> shift) + shift * math.log10(2)


def sci(value: int | Fraction, digits: int = 4) -> str:
    """`1.234e+4500`: a number of any size in scientific form, from integer arithmetic (no
    float overflow, no int-to-text limit)."""
    x = Fraction(value)
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    x = abs(x)
    exp10 = _log10(x.numerator) - _log10(x.denominator)
    exp = math.floor(exp10)
    mantissa = 10 ** (exp10 - exp)
    text = f"{mantissa:.{digits - 1}f}"
    if float(text) >= 10:  # 9.9996 rounds up to 10.000
        exp += 1
        text = f"{mantissa / 10:.{digits - 1}f}"
    return f"{sign}{text}e{'+' if exp >= 0 else '-'}{abs(exp)}"


def is_huge(value: int | Fraction) -> bool:
    """Whether a number is written in scientific form for reading (`HUGE` or more)."""
    return not -HUGE < value < HUGE


def count_text(v: int) -> str:
    """A count for reading: `11,689,512`, or `2.000e+4794` past `HUGE`."""
    return sci(v) if is_huge(v) else f"{v:,}"


def rf_text(v: int | Fraction) -> str:
    """A receptive-field number: `19`, or `0.5` when an upsampling made it fractional;
    `1.000e+4800` past `HUGE` (no float overflow, no int-to-text limit)."""
    f = Fraction(v)
    if is_huge(f):
        return sci(f)
    return str(f.numerator) if f.denominator == 1 else f"{float(f):g}"


def token(v: int | float | Fraction) -> str:
    """A number as JSON and CSV write it: an integer's exact digits below `EXACT_BELOW`, a
    fraction as a float (`0.5`), anything larger in scientific form (`2.000e+4794`, a valid
    JSON number)."""
    if isinstance(v, int):
        return str(v) if -EXACT_BELOW < v < EXACT_BELOW else sci(v)
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return token(v.numerator)
        return repr(float(v)) if abs(v) < EXACT_BELOW else sci(v)
    return repr(v)
