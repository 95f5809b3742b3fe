"""How a column of a terminal table may narrow (free of rich, so the table specs that use it can
be imported where a JSON run must not load rich; `render.page.Fitted` draws them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: how a column narrows on a terminal: "whole" never (a number and its unit), "words" down to its
#: longest word, wrapping only at spaces (`36,864 → 4,096 (-32,768)`), "fold" down to
#: `FOLD_MIN` cells, wrapping anywhere if it must (a name, a note)
Fit = Literal["whole", "words", "fold"]
#: the narrowest a "fold" column gets
FOLD_MIN = 8


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    justify: Literal["left", "right"] = "left"
    fit: Fit = "whole"
