"""The one size grammar, for YAML values and command-line options alike: sizes separated by `x`,
`X`, `×` or `,` (spaces around them allowed), as in 3x32x32, 3×32×32, 8,8. Free of yaml, so that
`cnncalc layer` reads its options without loading the parser."""

from __future__ import annotations

import re

SIZE_SEPARATORS = ("x", "X", "×", ",")
SPLIT = re.compile("|".join(map(re.escape, SIZE_SEPARATORS)))


#: digits past which a size is not converted but stands as `TOO_BIG`: far beyond int64, which
#: every caller refuses (Python refuses to read more than 4,300 digits, and the work grows with
#: the square of their number)
MAX_DIGITS = 40
TOO_BIG = 10**MAX_DIGITS


def split_sizes(text: str) -> tuple[int, ...] | None:
    """`3x5`, `224×192`, `8,8`, `3` -> the sizes; None when `text` is not sizes. A size of
    more than `MAX_DIGITS` digits is `TOO_BIG`."""
    parts = [p.strip() for p in SPLIT.split(text)]
    if not all(p.isascii() and p.isdigit() for p in parts):
        return None
    return tuple(int(p) if len(p.lstrip("0")) <= MAX_DIGITS else TOO_BIG for p in parts)


def has_separator(text: str) -> bool:
    """Whether `text` is meant as several sizes (`3x5`) rather than one value."""
    return any(sep in text for sep in SIZE_SEPARATORS)
