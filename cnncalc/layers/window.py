"""Window arithmetic, padding and the receptive-field step, each stated once for every kind.

Every size is per sample, channels first, no batch. Conv and pool share `window` (PyTorch's
`out(i)` of a sliding window); `resolve_padding` turns any padding spelling into per-axis
(before, after) pairs; `AxisRF.step` is the one receptive-field recurrence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TypeVar

from cnncalc.errors import LayerArgError
from cnncalc.records import frozen

Shape = tuple[int, ...]
Ints = tuple[int, ...]
Pad = tuple[tuple[int, int], ...]
PadSpec = str | Ints | Pad

PAD_MODES = ("same", "valid", "tf_same")
INT_MAX = 2**63 - 1  # PyTorch sizes are int64; larger numbers are typos (and slow bignums)
#: the input ranks (channels included) named as PyTorch names its modules
RANK_NAMES = {2: "1-D", 3: "2-D", 4: "3-D"}


def fmt_shape(shape: Sequence[int]) -> str:
    """`(64, 3, 3, 3)` -> `64×3×3×3`."""
    return "×".join(str(v) for v in shape)


def prod(values: Sequence[int]) -> int:
    return math.prod(values)


def axis_names(n: int) -> tuple[str, ...]:
    """The spatial axes' names as PyTorch writes them: L; H, W; D, H, W."""
    return {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}.get(n, tuple(f"#{i}" for i in range(n)))


T = TypeVar("T")


def expand(value: tuple[T, ...], n: int, arg: str) -> tuple[T, ...]:
    """One value per spatial axis: a single value repeats, `n` values stay, others are errors."""
    if len(value) == 1:
        return value * n
    if len(value) != n:
        code = "E0401" if n != 1 else "E0402"
        raise LayerArgError(code, arg=arg, what=arg, count=len(value), n=n)
    return value


# --- window arithmetic (conv and pool share it) -------------------------------------------


def effective_kernel(k: int, d: int) -> int:
    """The span a dilated kernel covers: `k̂ = d(k−1) + 1`."""
    return d * (k - 1) + 1


def window(i: int, k: int, s: int, pl: int, pr: int, d: int, ceil: bool = False) -> int:
    """PyTorch's output size of a sliding window along one axis (may be < 1: caller checks)."""
    num = i + pl + pr - effective_kernel(k, d)
    if not ceil:
        return num // s + 1
    o = -(-num // s) + 1
    if (o - 1) * s >= i + pl:
        o -= 1
    return o


def window_formula(i: int, k: int, s: int, pl: int, pr: int, d: int, ceil: bool = False) -> str:
    """The same computation, written out with numbers: `⌊(32 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 30`."""
    pad = f"2·{pl}" if pl == pr else f"{pl} + {pr}"
    core = f"({i} + {pad} − {d}·({k}−1) − 1)/{s}"
    o = window(i, k, s, pl, pr, d, ceil)
    if ceil:
        return f"⌈{core}⌉ + 1 = {o}"
    return f"⌊{core}⌋ + 1 = {o}"


def transposed_size(i: int, k: int, s: int, p: int, d: int, op: int) -> int:
    """PyTorch's output size of a transposed conv along one axis (may be < 1: caller checks)."""
    return (i - 1) * s - 2 * p + effective_kernel(k, d) + op


def transposed_formula(i: int, k: int, s: int, p: int, d: int, op: int) -> str:
    o = transposed_size(i, k, s, p, d, op)
    return f"({i}−1)·{s} − 2·{p} + {d}·({k}−1) + {op} + 1 = {o}"


def check_out(op: str, sizes: Sequence[int], formulas: Sequence[str], x: Shape) -> None:
    """A located-later error for the first axis whose output size is below 1."""
    for axis, (o, f) in enumerate(zip(sizes, formulas)):
        if o < 1:
            name = axis_names(len(sizes))[axis]
            raise LayerArgError("E0409", op=op, axis=name, o=o, formula=f, shape=fmt_shape(x))


# --- padding ---------------------------------------------------------------------------------


def resolve_padding(spec: PadSpec, spatial: Shape, k: Ints, s: Ints, d: Ints) -> Pad:
    """Per-axis (left, right) padding for a concrete input size."""
    n = len(spatial)
    if isinstance(spec, str):
        if spec == "valid":
            return ((0, 0),) * n
        if spec == "same":
            if any(v != 1 for v in s):
                raise LayerArgError("E0408", arg="padding", s=fmt_shape(s))
            return tuple(
                (tot // 2, tot - tot // 2) for tot in (dd * (kk - 1) for kk, dd in zip(k, d))
            )
        # tf_same: o = ceil(i/s), the extra pixel goes right
        out: list[tuple[int, int]] = []
        for i, kk, ss, dd in zip(spatial, k, s, d):
            o = -(-i // ss)
            tot = max((o - 1) * ss + effective_kernel(kk, dd) - i, 0)
            out.append((tot // 2, tot - tot // 2))
        return tuple(out)
    if spec and isinstance(spec[0], tuple):
        pairs: Pad = spec
        if len(pairs) != n:
            raise LayerArgError("E0403", arg="padding", count=len(pairs), n=n)
        return pairs
    ints: Ints = expand(spec, n, "padding")  # type: ignore[arg-type]
    return tuple((int(p), int(p)) for p in ints)


def check_pad_fits(mode: str, sizes: Shape, sides: Pad, codes: tuple[str, str]) -> None:
    """PyTorch's limits of the non-constant fills: reflect needs every side's padding below the
    size, circular at most the size (`codes`: the reflect and the circular error)."""
    limit = {"reflect": 1, "circular": 0}.get(mode)
    if limit is None:
        return
    for i, (a, b) in zip(sizes, sides):
        if max(a, b) > i - limit:
            code = codes[0] if limit else codes[1]
            raise LayerArgError(code, arg="padding", p=max(a, b), i=i, mode=mode)


# --- receptive field -----------------------------------------------------------------------


Num = int | Fraction  # receptive-field numbers stay plain ints until an upsampling divides them


def num(v: Num) -> Num:
    """A whole Fraction back to an int (ints are much faster, and print as themselves)."""
    return int(v) if isinstance(v, Fraction) and v.denominator == 1 else v


def half(v: int) -> Num:
    return v // 2 if v % 2 == 0 else Fraction(v, 2)


@frozen
class AxisRF:
    """Receptive field along one input axis: size and jump in input pixels, centre of the
    first output position, and the spatial extent last seen on this axis (for global ops).

    `whole`: the field is all of the input (a global pool or a linear saw it; nothing widens it
    again). `glob`: the field is the local `size`, and global context (a squeeze-excite gate,
    an image-pool branch) also reaches the position; it passes on to every later layer."""

    size: Num = 1
    jump: Num = 1
    center: Num = 0
    extent: int = 1
    whole: bool = False
    glob: bool = False

    def step(self, k: int, s: Num, pl: int = 0, d: int = 1) -> AxisRF:
        """`r += (k̂−1)·J; J *= s` with `k̂ = d(k−1)+1`; a whole-input field stays as it is."""
        if self.whole:
            return self
        keff = effective_kernel(k, d)
        j = self.jump
        return AxisRF(
            self.size + (keff - 1) * j,
            num(j * s),
            num(self.center + (half(keff - 1) - pl) * j),
            self.extent,
            False,
            self.glob,
        )

    def moved(self, size: Num, jump: Num, center: Num) -> AxisRF:
        """This field with new numbers and the same extent and flags (a whole field stays)."""
        if self.whole:
            return self
        return AxisRF(size, jump, center, self.extent, False, self.glob)

    def at_extent(self, extent: int) -> AxisRF:
        return AxisRF(self.size, self.jump, self.center, extent, self.whole, self.glob)

    def whole_input(self) -> AxisRF:
        """A global pool or a linear layer sees every position that reached it: the span of
        those positions' fields, once (a later global op adds nothing)."""
        if self.whole:
            return self
        wide = self.step(self.extent, 1)
        return AxisRF(wide.size, wide.jump, wide.center, 1, True, False)


RF = tuple[AxisRF, ...]
