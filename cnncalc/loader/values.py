"""Typed values from YAML nodes: scalars by cnncalc's rules (not YAML 1.1's), sizes by the one
size grammar (`sizes`, shared with the command line), and the `ArgType -> converter` table."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from cnncalc.errors import Msg, Pos, Source, SpecError
from cnncalc.layers import INT_MAX, PAD_MODES, Arg, ArgType
from cnncalc.loader.nodes import STR, SNode, mark_pos
from cnncalc.loader.sizes import SPLIT, has_separator, split_sizes
from cnncalc.loader.source import char_name, max_layers

YAML11_BOOLS = frozenset(
    w for word in ("yes", "no", "on", "off", "y", "n") for w in (word, word.title(), word.upper())
)
_INT = re.compile(r"^[-+]?[0-9][0-9_]*$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_COLON_NUMBERS = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-9_]+)+(?:\.[0-9_]*)?$")
_NULLS = ("", "~", "null", "Null", "NULL")


def suggest(word: str, options: Sequence[str]) -> Msg | None:
    """'did you mean …?' for the closest option, if one is close."""
    import difflib  # only on the error path

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return Msg("H0001", name=close[0]) if close else None


def foreign(word: str) -> tuple[int, str] | None:
    """The first non-ASCII character of `word` (a look-alike in a name), with its index."""
    for i, ch in enumerate(word):
        if not ch.isascii():
            return i, ch
    return None


def unknown_hint(word: str, options: Sequence[str], fallback: Msg | None = None) -> Msg | None:
    """'did you mean …?', a look-alike character named by its code point, or `fallback`."""
    odd = foreign(word)
    if odd is not None:
        ascii_word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
        close = suggest(ascii_word, options) if ascii_word else None
        found = Msg("H0202", word=word, char=char_name(odd[1]))
        return Msg("H0203", found=found, close=close) if close else found
    return suggest(word, options) or fallback


def listed(hint: Msg | None, names: Msg) -> Msg:
    """A suggestion followed by what is available, or only what is available."""
    return Msg("H0204", hint=hint, names=names) if hint else names


@dataclass
class Ctx:
    """What the walk carries: the source, the layers made so far and the limit on them."""

    src: Source
    count: int = 0
    limit: int = field(default_factory=max_layers)

    def pos(self, node: SNode) -> Pos:
        mark = node.start_mark
        index = getattr(mark, "index", None)  # (tokens of `3→64` carry a line and column only)
        empty = type(node) is yaml.ScalarNode and not node.value and not node.style
        if index is not None and empty:
            # an empty value in `{p: , …}`: libyaml marks the ',' and PyYAML the end of 'p:';
            # both agree on the end of what precedes it
            i = index
            while i > 0 and self.src.text[i - 1] in " \t":
                i -= 1
            if i != index:
                return self.src.pos(i)
        return mark_pos(self.src, mark)

    def err(self, node: SNode, code: str, hint: Msg | None = None, **args: object) -> SpecError:
        return SpecError(code, self.pos(node), hint=hint, **args)

    def tick(self, node: SNode, n: int = 1) -> None:
        self.count += n
        if self.count > self.limit:
            raise self.err(node, "E0344", limit=f"{self.limit:,}")


class ExprNode(yaml.ScalarNode):
    """The value of a `${expr}`, located where the expression was written."""

    def __init__(self, text: str, like: SNode, expr: str) -> None:
        super().__init__(STR, text, like.start_mark, like.end_mark)
        self.expr = expr


def check_tag(ctx: Ctx, node: SNode) -> None:
    if not node.tag.startswith("tag:yaml.org,2002:"):
        raise ctx.err(node, "E0227", tag=node.tag)


def describe(node: SNode) -> Msg:
    """How a message names a value: `a mapping`, `'many'`, `the string "8"`."""
    if isinstance(node, yaml.MappingNode):
        return Msg("N0201")
    if isinstance(node, yaml.SequenceNode):
        return Msg("N0202")
    if isinstance(node, ExprNode):
        return Msg("N0203", expr=node.expr, v=node.value)
    if getattr(node, "style", None) in ("'", '"'):
        return Msg("N0204", v=node.value)
    return Msg("N0205", v=node.value) if node.value else Msg("N0206")


def plain(node: SNode) -> bool:
    """An unquoted scalar (libyaml reports the plain style as '', the pure parser as None)."""
    return isinstance(node, yaml.ScalarNode) and not node.style


def is_null(node: SNode) -> bool:
    """`relu:`, `relu: null` and `relu: ~` all mean "no value"."""
    return plain(node) and node.value in _NULLS


def too_large(ctx: Ctx, node: SNode, text: str) -> SpecError:
    shown: object = text
    if len(text) > 24:
        shown = Msg("N0209", head=text[:12], tail=text[-6:], n=len(text))
    return ctx.err(node, "E0201", shown=shown, max=f"{INT_MAX:,}")


def scalar(ctx: Ctx, node: SNode) -> object:
    """The value of a scalar by cnncalc's rules: only true/false are booleans, numbers are
    decimal, quoted scalars are strings, YAML 1.1's surprises are errors."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    check_tag(ctx, node)
    v = node.value
    if node.style:
        return v
    if v in ("true", "True", "TRUE"):
        return True
    if v in ("false", "False", "FALSE"):
        return False
    if v in _NULLS:
        return None
    if _INT.match(v):
        digits = v.replace("_", "").lstrip("+-").lstrip("0")
        if len(digits) > 19 or int(digits or "0") > INT_MAX:
            raise too_large(ctx, node, v)
        return int(v.replace("_", ""))
    if _FLOAT.match(v) and any(c.isdigit() for c in v):
        number = float(v.replace("_", ""))
        if not math.isfinite(number):
            raise too_large(ctx, node, v)
        return number
    if _COLON_NUMBERS.match(v):
        shape = v.lstrip("+-").replace(":", "x")
        if _SEXAGESIMAL.match(v):
            raise ctx.err(node, "E0202", v=v, n=_sexagesimal_value(v), shape=shape)
        raise ctx.err(node, "E0203", v=v, shape=shape)
    return v


def _sexagesimal_value(v: str) -> str | Msg:
    total = 0.0
    for part in v.lstrip("+-").split(":"):
        total = total * 60 + float(part.replace("_", ""))
    if not math.isfinite(total):
        return Msg("N0207")
    return str(int(total)) if total.is_integer() else f"{total:g}"


def expect_int(ctx: Ctx, node: SNode, what: str | Msg, minimum: int = 1) -> int:
    v = scalar(ctx, node)
    if isinstance(v, float) and v.is_integer():
        if abs(v) > INT_MAX:
            raise too_large(ctx, node, node.value)
        v = int(v)
    if isinstance(v, str) and v in YAML11_BOOLS:
        raise ctx.err(node, "E0204", what=what, v=v)
    if isinstance(v, float) and isinstance(node, ExprNode):
        raise ctx.err(node, "E0205", what=what, expr=node.expr, v=f"{v:g}")
    if not isinstance(v, int) or isinstance(v, bool):
        raise ctx.err(node, "E0206", _int_hint(node, v), what=what, got=describe(node))
    if v < minimum:
        raise ctx.err(node, "E0207", what=what, min=minimum, v=v)
    return v


def _int_hint(node: SNode, v: object) -> Msg | None:
    """Why a value that was meant as an integer is not one, when that can be said."""
    if not plain(node) and isinstance(node, yaml.ScalarNode) and _INT.match(node.value):
        return Msg("H0205")
    if isinstance(v, str):
        odd = foreign(v)
        if odd is not None:
            return Msg("H0201", char=char_name(odd[1]))
        if v[:2].lower() in ("0x", "0o", "0b"):
            return Msg("H0206")
        if v.startswith("$"):
            return Msg("H0207")
    return None


def expect_float(ctx: Ctx, node: SNode, what: str | Msg) -> float:
    v = scalar(ctx, node)
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise ctx.err(node, "E0208", what=what, got=describe(node))
    return float(v)


def expect_bool(ctx: Ctx, node: SNode, what: str | Msg) -> bool:
    v = scalar(ctx, node)
    if isinstance(v, bool):
        return v
    if plain(node) and node.value in YAML11_BOOLS:
        word = "true" if node.value.lower() in ("yes", "on", "y") else "false"
        raise ctx.err(node, "E0209", what=what, v=node.value, word=word)
    raise ctx.err(node, "E0210", what=what, got=describe(node))


def expect_str(ctx: Ctx, node: SNode, what: str | Msg) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise ctx.err(node, "E0211", what=what, got=describe(node))
    check_tag(ctx, node)
    if not node.value:
        raise ctx.err(node, "E0212", what=what)
    return str(node.value)


def choice(ctx: Ctx, node: SNode, what: str | Msg, options: Sequence[str]) -> str:
    v = expect_str(ctx, node, what)
    if v not in options:
        raise ctx.err(node, "E0226", suggest(v, options), what=what, v=v,
                      options=", ".join(options))  # fmt: skip
    return v


def mapping(ctx: Ctx, node: SNode, what: str | Msg) -> list[tuple[str, SNode, SNode]]:
    """The entries of a mapping as (key, key node, value node) (the composer has refused
    duplicate keys already)."""
    if not isinstance(node, yaml.MappingNode):
        raise ctx.err(node, "E0213", what=what, got=describe(node))
    out: list[tuple[str, SNode, SNode]] = []
    for knode, vnode in node.value:
        if not isinstance(knode, yaml.ScalarNode):
            raise ctx.err(knode, "E0214", what=what, got=describe(knode))
        key = str(knode.value)
        if key == "<<":
            raise ctx.err(knode, "E0215")
        out.append((key, knode, vnode))
    return out


def sequence(ctx: Ctx, node: SNode, what: str | Msg) -> list[SNode]:
    if not isinstance(node, yaml.SequenceNode):
        raise ctx.err(node, "E0216", what=what, got=describe(node))
    return list(node.value)


def check_chars(ctx: Ctx, node: SNode, text: str, allowed: str, what: str | Msg, hint: Msg) -> None:
    """A located error at the first character that is neither ASCII alphanumeric nor allowed."""
    for i, ch in enumerate(text):
        if not (ch.isascii() and (ch.isalnum() or ch in allowed)) and ch not in "×→⟶":
            pos = ctx.pos(node)
            if plain(node) and "\n" not in text and node.value == text:
                pos = Pos(pos.source, pos.line, pos.col + i)
            raise SpecError("E0217", pos, hint=hint, what=what, char=char_name(ch), ch=ch)


def size(ctx: Ctx, node: SNode, text: str) -> int:
    """One size written in digits, at most `INT_MAX`."""
    digits = text.lstrip("0")
    if len(digits) > 19 or int(digits or "0") > INT_MAX:
        raise too_large(ctx, node, text)
    return int(text)


def parse_sizes_text(ctx: Ctx, node: SNode, text: str, what: str | Msg) -> tuple[int, ...]:
    """`3x32x32`, `3×32×32`, `3, 32, 32` -> (3, 32, 32)."""
    check_chars(ctx, node, text, "xX ,", what, Msg("H0208"))
    if split_sizes(text) is None:
        raise ctx.err(node, "E0218", what=what, text=text)
    values = tuple(size(ctx, node, p.strip()) for p in SPLIT.split(text))
    if min(values) < 1:
        raise ctx.err(node, "E0219", what=what, text=text)
    return values


def expect_ints(ctx: Ctx, node: SNode, what: str | Msg, minimum: int = 1) -> tuple[int, ...]:
    """An int, a list of ints, or `3x5`."""
    if isinstance(node, yaml.SequenceNode):
        items = sequence(ctx, node, what)
        if not items:
            raise ctx.err(node, "E0220", what=what)
        return tuple(expect_int(ctx, n, what, minimum) for n in items)
    v = scalar(ctx, node)
    if isinstance(v, str) and plain(node) and has_separator(v):
        return parse_sizes_text(ctx, node, v, what)
    return (expect_int(ctx, node, what, minimum),)


# --- the converters, one per ArgType --------------------------------------------------------

Converter = Callable[[Ctx, str, Arg, SNode, Msg], object]


def _int(ctx: Ctx, op: str, arg: Arg, node: SNode, what: Msg) -> object:
    return expect_int(ctx, node, what, 0 if arg.field in ("value", "shift_size") else 1)


def _ints(ctx: Ctx, op: str, arg: Arg, node: SNode, what: Msg) -> object:
    minimum = 0 if arg.field in ("padding", "output_padding") else 1
    return expect_ints(ctx, node, what, minimum)


def _prob(ctx: Ctx, op: str, arg: Arg, node: SNode, what: Msg) -> object:
    p = expect_float(ctx, node, what)
    if not 0 <= p <= 1:
        raise ctx.err(node, "E0221", what=what, p=f"{p:g}")
    return p


def _scale(ctx: Ctx, op: str, arg: Arg, node: SNode, what: Msg) -> object:
    if isinstance(node, yaml.SequenceNode):
        vals = tuple(expect_float(ctx, n, what) for n in sequence(ctx, node, what))
        if not vals:
            raise ctx.err(node, "E0220", what=what)
    else:
        vals = (expect_float(ctx, node, what),)
    if min(vals) <= 0:
        raise ctx.err(node, "E0222", what=what)
    return vals


def _padding(ctx: Ctx, op: str, arg: Arg, node: SNode, what: Msg) -> object:
    """An int, a list, per-side pairs, or a mode (not for `pad`, which takes sizes only)."""
    if isinstance(node, yaml.SequenceNode):
        items = sequence(ctx, node, what)
        if items and all(isinstance(n, yaml.SequenceNode) for n in items):
            pairs = []
            for n in items:
                pair = tuple(expect_int(ctx, x, what, 0) for x in sequence(ctx, n, what))
                if len(pair) != 2:
                    raise ctx.err(n, "E0223", what=what)
                pairs.append(pair)
            return tuple(pairs)
        return expect_ints(ctx, node, what, 0)
    v = scalar(ctx, node)
    if isinstance(v, str) and not has_separator(v):
        if op == "pad":
            raise ctx.err(node, "E0224", what=what, v=v)
        if v not in PAD_MODES:
            options = ", ".join(PAD_MODES)
            raise ctx.err(node, "E0225", suggest(v, PAD_MODES), what=what, options=options, v=v)
        return v
    return expect_ints(ctx, node, what, 0)


CONVERTERS: Mapping[ArgType, Converter] = {
    ArgType.INT: _int,
    ArgType.INTS: _ints,
    ArgType.OPT_INTS: _ints,
    ArgType.PADDING: _padding,
    ArgType.BOOL: lambda ctx, op, arg, node, what: expect_bool(ctx, node, what),
    ArgType.FLOAT: lambda ctx, op, arg, node, what: expect_float(ctx, node, what),
    ArgType.OPT_FLOAT: lambda ctx, op, arg, node, what: (
        None if is_null(node) else expect_float(ctx, node, what)
    ),
    ArgType.PROB: _prob,
    ArgType.SCALE: _scale,
    ArgType.CHOICE: lambda ctx, op, arg, node, what: choice(ctx, node, what, arg.choices),
    ArgType.INDEX: lambda ctx, op, arg, node, what: expect_int(ctx, node, what, -INT_MAX),
    ArgType.REF: lambda ctx, op, arg, node, what: expect_str(ctx, node, what),
    # axis numbers and sizes with -1 (PyTorch's, batch included): negative counts from the end
    ArgType.DIM: lambda ctx, op, arg, node, what: expect_int(ctx, node, what, -INT_MAX),
    ArgType.DIMS: lambda ctx, op, arg, node, what: expect_ints(ctx, node, what, -INT_MAX),
}


@functools.cache
def _what(arg: str, op: str) -> Msg:
    """How messages name argument `arg` of `op` (made once: it is made for every argument)."""
    return Msg("N0208", arg=arg, op=op)


def convert_arg(ctx: Ctx, op: str, arg: Arg, node: SNode) -> Any:
    """The value of argument `arg` of `op`, by its type's converter."""
    return CONVERTERS[arg.type](ctx, op, arg, node, _what(arg.names[0], op))
