"""The loader: YAML text in, a canonical `Network` out, every value located.

It walks YAML nodes (`yaml.compose`), never constructed Python objects, so that each value keeps
its `file:line:col` and so that the YAML 1.1 traps (yes/no booleans, octal, sexagesimal numbers,
duplicate keys, alias bombs) are closed here, once. Blocks, structures, `repeat` and the beginner
shorthand are expanded into plain nodes; shapes are inferred while expanding because `cin`,
`shortcut: auto` and `optional` depend on them. Nothing after this module looks at YAML.
"""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cnncalc.engine import DTYPE_BYTES, INPUT, Network, Node, gc_paused, infer_shape, origin
from cnncalc.errors import CnnCalcError, Pos, ShapeError, Source, SpecError
from cnncalc.layers import (
    INT_MAX,
    KINDS,
    MERGES,
    PAD_MODES,
    Activation,
    Arg,
    BatchNorm,
    Conv,
    Kind,
    MaxPool,
    Shape,
    fmt_shape,
)
from cnncalc.quantities import BUDGETS, Limit, UnitError, parse_quantity

try:  # libyaml is 7-8x faster; its marks carry no snippet, so snippets come from the text
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

_IMPLICIT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class _Loader(_Base):  # type: ignore[misc]
    """Composes nodes only. cnncalc types every scalar itself (`scalar`), so PyYAML's implicit
    YAML 1.1 tag resolution (a regex per scalar, and the source of its traps) is skipped."""

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        return _IMPLICIT_TAGS[kind]


MAX_NODES = 1_000_000  # expansion cap: layers made by repeat, blocks and aliases together
MAX_DEPTH = 64  # nesting of block calls and structures
MAX_NOTES = 8  # "in block … called at …" lines on one error
STRUCTURES = ("residual", "parallel")
META_KEYS = ("name", "from", "repeat", "first")
TOP_KEYS = (
    "cnncalc",
    "name",
    "input",
    "batch",
    "dtype",
    "defaults",
    "channels",
    "kernel",
    "stride",
    "padding",
    "norm",
    "act",
    "blocks",
    "layers",
    "outputs",
    "budget",
    "lint",
)
YAML11_BOOLS = frozenset(
    w for word in ("yes", "no", "on", "off", "y", "n") for w in (word, word.title(), word.upper())
)
MAX_YAML_DEPTH = 200  # nesting of YAML collections (the pure composer recurses per level)
_INT = re.compile(r"^[-+]?[0-9][0-9_]*$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_COLON_NUMBERS = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-9_]+)+(?:\.[0-9_]*)?$")
_SHAPE_SEPS = {"×": "x", "X": "x", "x": "x"}
_ARROWS = ("⟶", "→", "->")
#: what YAML 1.1 accepts in a stream (everything else is a control character or a surrogate)
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_COMMENT = re.compile(r"(?:^|[ \t])#")
#: invisible format characters (zero-width spaces, a BOM past the start, direction marks) and
#: spaces other than U+0020, which the two YAML parsers treat differently
_INVISIBLE = re.compile(
    "[\u00a0\u00ad\u1680\u180e\u2000-\u200f\u202a-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff]"
)
SNode = yaml.Node


def _suggest(word: str, options: Sequence[str]) -> str | None:
    import difflib  # only on the error path

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _char_name(ch: str) -> str:
    """`U+0445 CYRILLIC SMALL LETTER HA` — how messages name a character."""
    name = unicodedata.name(ch, "")
    if not name:
        cat = unicodedata.category(ch)
        name = {"Cc": "a control character", "Cs": "a lone surrogate"}.get(cat, "no name")
        return f"U+{ord(ch):04X} ({name})"
    return f"U+{ord(ch):04X} {name}"


def _foreign(word: str) -> tuple[int, str] | None:
    """The first non-ASCII character of `word` (a look-alike in a name), with its index."""
    for i, ch in enumerate(word):
        if not ch.isascii():
            return i, ch
    return None


def _unknown_hint(word: str, options: Sequence[str], fallback: str | None = None) -> str | None:
    """'did you mean …?', a look-alike character named by its code point, or `fallback`."""
    hint = _suggest(word, options)
    odd = _foreign(word)
    if odd is not None:
        ascii_word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
        close = _suggest(ascii_word, options) if ascii_word else None
        found = f"'{word}' contains {_char_name(odd[1])}, not an ASCII letter"
        return f"{found}; {close}" if close else found
    return hint or fallback


def _in_scope(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")


# --- reading text ---------------------------------------------------------------------------


def read_source(path: str | Path) -> Source:
    """Read a file (or `-` for stdin) as UTF-8, with located errors for the usual failures."""
    import sys

    name = str(path)
    if not name.isprintable():  # a control character in a name would garble the diagnostic
        name = repr(name)[1:-1]
    whole = Pos(Source(name, ""), 0, 0)  # "file: error: …", no line
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        raise SpecError("no such file", whole, "check the path") from None
    except IsADirectoryError:
        raise SpecError("this is a directory, not a network file", whole) from None
    except OSError as err:
        raise SpecError(f"cannot read the file: {err.strerror or err}", whole) from None
    except ValueError as err:  # a NUL byte in the path
        raise SpecError(f"not a usable file name: {err}", whole) from None
    return decode_source("<stdin>" if name == "-" else name, data)


def decode_source(name: str, data: bytes) -> Source:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpecError(
            "the file is UTF-16 text; cnncalc reads UTF-8",
            Pos(Source(name, ""), 1, 1),
            "save the file as UTF-8",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        good = data[: err.start].decode("utf-8")  # valid up to the bad byte, by definition
        rest = data[err.start :].split(b"\n", 1)[0].decode("utf-8", "replace")
        src = Source(name, good + rest)
        pos = src.pos(len(good))
        raise SpecError(
            f"the file is not UTF-8 text (byte 0x{data[err.start]:02x} at line {pos.line}, "
            f"column {pos.col})",
            pos,
            "save the file as UTF-8 (it may be Latin-1 or Windows-1252)",
        ) from None
    return Source(name, text.removeprefix("\ufeff"))


def _mark_pos(src: Source, mark: Any) -> Pos:
    return Pos(src, mark.line + 1, mark.column + 1)


def _check_text(src: Source) -> None:
    """Characters YAML rejects, and tabs in indentation, reported before the parser sees them
    (the two parsers word these differently and libyaml counts bytes, not characters)."""
    bad = _NON_PRINTABLE.search(src.text)
    if bad is not None:
        raise SpecError(
            f"the file contains {_char_name(bad.group())}, which YAML does not allow",
            src.pos(bad.start()),
            "delete it (editors often show it as a box, ^X or nothing at all)",
        )
    hidden = _INVISIBLE.search(src.text, 1 if src.text.startswith("\ufeff") else 0)
    if hidden is not None:  # copied from a web page or a word processor; invisible in editors
        ch = hidden.group()
        space = unicodedata.category(ch) == "Zs"
        raise SpecError(
            f"the file contains {_char_name(ch)}, "
            + ("a space YAML does not separate with" if space else "an invisible character"),
            src.pos(hidden.start()),
            "replace it with a plain space" if space else "delete it",
        )
    for n, line in enumerate(src.lines(), 1):
        if line.startswith("%"):
            raise SpecError(
                "YAML directives ('%YAML', '%TAG') are not supported",
                Pos(src, n, 1),
                "delete the line (a value that starts with '%' needs quotes)",
            )
        if "\t" not in line:
            continue
        comment = _COMMENT.search(line)
        code = line[: comment.end() - 1] if comment else line  # a tab before '#' still counts
        if "\t" not in code:
            continue
        indent = len(code) - len(code.lstrip(" \t"))
        tab = code.index("\t")
        if tab < indent:
            raise SpecError(
                "a tab in the indentation: YAML indents with spaces only",
                Pos(src, n, tab + 1),
                "replace the tab with spaces",
            )
        if tab >= indent:  # libyaml accepts some of these and the pure parser none: say so once
            raise SpecError(
                "a tab character: cnncalc files separate with spaces",
                Pos(src, n, tab + 1),
                "replace the tab with spaces",
            )


def _scan(src: Source) -> None:
    """One pass over the parser's events, before composing: closes the traps the composer
    cannot report well or at all — explicit tags, undefined, duplicate and self-referencing
    anchors, alias bombs (every alias counts the values it stands for), duplicate keys, more than
    one document, and nesting deep enough to exhaust the pure composer's recursion."""

    @dataclass
    class Frame:
        is_map: bool
        anchor: str | None
        size: int = 1
        keys: dict[str, Any] = field(default_factory=dict)
        at_key: bool = True

    anchors: dict[str, tuple[int, Any]] = {}  # name -> (values it stands for, mark)
    open_anchors: set[str] = set()
    stack: list[Frame] = []
    documents = 0

    def err(mark: Any, message: str, hint: str | None = None) -> SpecError:
        return SpecError(message, _mark_pos(src, mark), hint)

    def done(size: int, mark: Any, key: str | None, alias: bool) -> None:
        if not stack:
            return
        parent = stack[-1]
        parent.size += size
        if parent.size > MAX_NODES:
            raise (
                err(
                    mark,
                    f"YAML aliases expand this file past {MAX_NODES:,} values",
                    "an alias bomb? repeat layers with 'repeat:' or a block instead",
                )
                if alias
                else err(mark, f"the file has more than {MAX_NODES:,} values")
            )
        if parent.is_map:
            if parent.at_key and key is not None:
                if key in parent.keys:
                    first = parent.keys[key]
                    raise err(
                        mark,
                        f"duplicate key '{key}' (first at line {first.line + 1})",
                        "remove one of them (YAML would silently keep the last)",
                    )
                parent.keys[key] = mark
            parent.at_key = not parent.at_key

    for ev in yaml.parse(src.text, Loader=_Loader):  # a safe loader (CSafeLoader or SafeLoader)
        if isinstance(ev, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise err(
                    ev.start_mark,
                    "the file holds more than one YAML document",
                    "one file describes one network: remove this '---' or split the file",
                )
            continue
        if not isinstance(ev, yaml.NodeEvent | yaml.CollectionEndEvent):
            continue
        if isinstance(ev, yaml.AliasEvent):
            name = ev.anchor
            if name in open_anchors:
                raise err(
                    ev.start_mark,
                    f"the alias '*{name}' is inside the value that '&{name}' names, "
                    "so it would repeat forever",
                )
            if name not in anchors:
                raise err(
                    ev.start_mark,
                    f"the alias '*{name}' refers to no anchor",
                    f"define it first by writing '&{name}' before a value",
                )
            done(anchors[name][0], ev.start_mark, None, alias=True)
            continue
        if isinstance(ev, yaml.CollectionEndEvent):
            frame = stack.pop()
            if frame.anchor is not None:
                open_anchors.discard(frame.anchor)
                anchors[frame.anchor] = (frame.size, ev.start_mark)
            done(frame.size, ev.start_mark, None, alias=False)
            continue
        tag = getattr(ev, "tag", None)
        if tag is not None:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise err(
                ev.start_mark,
                f"YAML tags such as '{shown}' are not supported",
                "remove the tag; to make a value a string, quote it",
            )
        anchor = ev.anchor
        if anchor is not None and (anchor in anchors or anchor in open_anchors):
            raise err(
                ev.start_mark,
                f"the anchor '&{anchor}' is defined twice"
                + (f" (first at line {anchors[anchor][1].line + 1})" if anchor in anchors else ""),
                "give each anchor its own name",
            )
        if isinstance(ev, yaml.ScalarEvent):
            if anchor is not None:
                anchors[anchor] = (1, ev.start_mark)
            done(1, ev.start_mark, ev.value, alias=False)
            continue
        if len(stack) >= MAX_YAML_DEPTH:
            raise err(
                ev.start_mark,
                f"the YAML nests deeper than {MAX_YAML_DEPTH} levels",
                "flatten the structure, or move repeated parts into blocks",
            )
        stack.append(Frame(isinstance(ev, yaml.MappingStartEvent), anchor))
        if anchor is not None:
            open_anchors.add(anchor)


def _yaml_error(src: Source, err: yaml.YAMLError) -> SpecError:
    """A PyYAML or libyaml failure as a diagnostic. The two word problems differently, so the
    usual ones get one cnncalc wording; positions come from the marks' character index (the two
    disagree on the line and column of the end of a file without a final newline)."""
    if not isinstance(err, yaml.MarkedYAMLError):  # ReaderError: _check_text catches these
        return SpecError(f"invalid YAML: {err}")
    problem, context = err.problem or "", err.context or ""
    pm: Any = err.problem_mark
    cm: Any = err.context_mark
    text = src.text
    end = len(text.rstrip())

    def pos(m: Any) -> Pos:
        return src.pos(min(m.index, end))  # past the last character: point just after it

    def at(m: Any) -> str:
        p = pos(m)
        return f"line {p.line}, column {p.col}"

    def char(m: Any) -> str:
        return text[m.index] if m is not None and 0 <= m.index < len(text) else ""

    mark = pm or cm
    if pm is not None and cm is not None and pm.index >= end:
        mark = cm  # the problem is the end of the file: point where the construct began
    hint: str | None = None
    message = f"invalid YAML: {problem or context}"
    if "cannot start any token" in problem:
        ch = char(pm)
        if ch == "\t":
            message = "invalid YAML: a tab where YAML expects a space"
            hint = "replace the tab with spaces"
        else:
            message = f"invalid YAML: '{ch}' cannot start a value"
            hint = "quote the value" + (" ('@' and '`' are reserved in YAML)" if ch in "@`" else "")
    elif "mapping values are not allowed" in problem or problem == "found unexpected ':'":
        message = "invalid YAML: a ':' where no key can start"
        hint = "quote a value that contains ': ', or check this line's indentation"
        above = src.line(pos(pm).line - 1) if pm is not None else ""
        bare = re.fullmatch(r"(\s*)- +([A-Za-z_][\w.]*)\s*", above)
        if bare is not None:  # `- relu` then `  name: r1`: a bare op cannot take keys
            op = bare.group(2)
            hint = f"to give '{op}' options, write '- {op}:' and align the options under it"
    elif cm is not None and "flow" in context and (" or '}'" in problem or " or ']'" in problem):
        bracket = char(cm) or ("{" if "mapping" in context else "[")
        closer = "}" if bracket == "{" else "]"
        if pm is None or pm.index >= end:
            message = f"invalid YAML: the '{bracket}' at {at(cm)} is never closed"
            mark, hint = cm, f"add the closing '{closer}'"
        else:
            message = f"invalid YAML: expected ',' or '{closer}' in the '{bracket}' at {at(cm)}"
            mark, hint = pm, f"separate entries with ', ' and close with '{closer}'"
            p = pos(pm)
            if "$" in src.line(p.line)[: p.col]:
                hint = 'inside { } or [ ], quote an expression: out: "${cin * 2}"'
    elif "<block end>" in problem or "'-' indicator" in problem or "expected key" in problem:
        what = "list" if "collection" in context else "mapping"
        where = f" that starts at line {pos(cm).line}" if cm is not None else ""
        message = f"invalid YAML: this line does not fit the indentation of the {what}{where}"
        mark, hint = pm or cm, "align list items ('- ') and keys with their siblings, using spaces"
    elif "document start" in problem:
        message = "invalid YAML: unexpected indentation at the top level"
        hint = "top-level keys start in column 1"
    elif "quoted scalar" in context and "end of stream" in problem and cm is not None:
        message = f"invalid YAML: the quoted string at {at(cm)} is never closed"
        mark, hint = cm, "add the closing quote"
    elif "tag" in context:
        mark = cm or pm
        tag = re.match(r"![^\s,\[\]{}]*", text[mark.index :])
        message = f"YAML tags such as '{tag.group() if tag else '!'}' are not supported"
        hint = "remove the tag; to make a value a string, quote it"
    elif "escape" in problem and pm is not None:
        message = "invalid YAML: unknown escape sequence in a double-quoted string"
        hint = "write '\\\\' for a backslash, or use single quotes"
        mark = pm
        if char(pm) != "\\" and pm.index > 0 and text[pm.index - 1] == "\\":
            return SpecError(message, src.pos(pm.index - 1), hint)
    elif "anchor" in context or "alias" in context:
        sign = "&" if "anchor" in context else "*"
        message = f"invalid YAML: '{sign}' must be followed by a name"
        mark, hint = cm or pm, f"quote a value that starts with '{sign}'"
    elif "block scalar" in context:
        message = "invalid YAML: a '|' or '>' block of text is malformed here"
        mark, hint = cm or pm, "quote a value that starts with '|' or '>'"
    elif "node content" in problem:
        message = "invalid YAML: a value is missing here"
        hint = "quote a value that starts with YAML punctuation (, [ ] { } | > ! & * …)"
    elif "sequence entries are not allowed" in problem:
        message = "invalid YAML: a '- ' list item where none can start"
        hint = "check this line's indentation"
    elif "could not find expected ':'" in problem:
        message = "invalid YAML: a key without ': ' after it"
        mark = cm or pm
        hint = "end each key with ': ', or quote a value that spans several lines"
    elif "another document" in problem:
        message = "the file holds more than one YAML document"
        hint = "one file describes one network: remove this '---' or split the file"
    return SpecError(message, pos(mark) if mark is not None else None, hint)


def compose(src: Source) -> SNode | None:
    """Parse YAML into a node tree, turning every YAML failure into a located `SpecError`."""
    _check_text(src)
    try:
        _scan(src)
        return yaml.compose(src.text, Loader=_Loader)  # a safe loader (CSafeLoader or SafeLoader)
    except yaml.YAMLError as err:  # not only MarkedYAMLError: a ReaderError carries no mark
        raise _yaml_error(src, err) from None
    except RecursionError:  # pragma: no cover - _scan bounds the depth first
        raise SpecError(f"the YAML nests deeper than {MAX_YAML_DEPTH} levels") from None


# --- typed scalars --------------------------------------------------------------------------


@dataclass
class Ctx:
    """What the walk carries: the source, the expansion budget."""

    src: Source
    count: int = 0

    def pos(self, node: SNode) -> Pos:
        mark = node.start_mark
        index = getattr(mark, "index", None)  # (tokens of `3→64` carry a line and column only)
        if (
            index is not None
            and type(node) is yaml.ScalarNode
            and not node.value
            and not node.style
        ):
            # an empty value in `{p: , …}`: libyaml marks the ',' and PyYAML the end of 'p:';
            # both agree on the end of what precedes it
            i = index
            while i > 0 and self.src.text[i - 1] in " \t":
                i -= 1
            if i != index:
                return self.src.pos(i)
        return _mark_pos(self.src, mark)

    def err(self, node: SNode, message: str, hint: str | None = None) -> SpecError:
        return SpecError(message, self.pos(node), hint)

    def tick(self, node: SNode, n: int = 1) -> None:
        self.count += n
        if self.count > MAX_NODES:
            raise self.err(
                node,
                f"the network expands past {MAX_NODES:,} layers",
                "check 'repeat' counts, recursive blocks and YAML aliases",
            )


class _ExprNode(yaml.ScalarNode):
    """The value of a `${expr}`, located where the expression was written."""

    def __init__(self, text: str, like: SNode, expr: str) -> None:
        super().__init__("tag:yaml.org,2002:str", text, like.start_mark, like.end_mark)
        self.expr = expr


def _check_tag(ctx: Ctx, node: SNode) -> None:
    if not node.tag.startswith("tag:yaml.org,2002:"):
        raise ctx.err(node, f"YAML tag '{node.tag}' is not supported", "remove the tag")


def _describe(node: SNode) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, _ExprNode):
        return f"'${{{node.expr}}}' = {node.value}"
    if getattr(node, "style", None) in ("'", '"'):
        return f'the string "{node.value}"'
    return f"'{node.value}'" if node.value else "nothing"


def _is_null(node: SNode) -> bool:
    """`relu:`, `relu: null` and `relu: ~` all mean "no value"."""
    return _plain(node) and node.value in ("", "~", "null", "Null", "NULL")


def _plain(node: SNode) -> bool:
    """An unquoted scalar (libyaml reports the plain style as '', the pure parser as None)."""
    return isinstance(node, yaml.ScalarNode) and not node.style


def _too_large(ctx: Ctx, node: SNode, text: str) -> SpecError:
    shown = text if len(text) <= 24 else f"{text[:12]}…{text[-6:]} ({len(text)} characters)"
    return ctx.err(
        node,
        f"{shown} is too large a number",
        f"cnncalc, like PyTorch, works with 64-bit sizes (at most {INT_MAX:,})",
    )


def scalar(ctx: Ctx, node: SNode) -> object:
    """The value of a scalar by cnncalc's rules: only true/false are booleans, numbers are
    decimal, quoted scalars are strings, YAML 1.1's surprises are errors."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    _check_tag(ctx, node)
    v = node.value
    if node.style:
        return v
    if v in ("true", "True", "TRUE"):
        return True
    if v in ("false", "False", "FALSE"):
        return False
    if v in ("", "~", "null", "Null", "NULL"):
        return None
    if _INT.match(v):
        digits = v.replace("_", "").lstrip("+-").lstrip("0")
        if len(digits) > 19 or int(digits or "0") > INT_MAX:
            raise _too_large(ctx, node, v)
        return int(v.replace("_", ""))
    if _FLOAT.match(v) and any(c.isdigit() for c in v):
        number = float(v.replace("_", ""))
        if not math.isfinite(number):
            raise _too_large(ctx, node, v)
        return number
    if _COLON_NUMBERS.match(v):
        shape = v.lstrip("+-").replace(":", "x")
        if _SEXAGESIMAL.match(v):
            raise ctx.err(
                node,
                f"'{v}' is a base-60 number in YAML 1.1 (it would read as "
                f"{_sexagesimal_value(v)}), not a shape",
                f"write {shape} for a shape, or quote it for a string",
            )
        raise ctx.err(
            node,
            f"'{v}' uses ':' between numbers",
            f"write {shape} for a shape, or quote it for a string",
        )
    return v


def _sexagesimal_value(v: str) -> str:
    total = 0.0
    for part in v.lstrip("+-").split(":"):
        total = total * 60 + float(part.replace("_", ""))
    if not math.isfinite(total):
        return "a huge number"
    return str(int(total)) if total.is_integer() else f"{total:g}"


def expect_int(ctx: Ctx, node: SNode, what: str, minimum: int = 1) -> int:
    v = scalar(ctx, node)
    if isinstance(v, float) and v.is_integer():
        if abs(v) > INT_MAX:
            raise _too_large(ctx, node, node.value)
        v = int(v)
    if isinstance(v, str) and v in YAML11_BOOLS:
        raise ctx.err(node, f"{what} must be an integer, not '{v}'")
    if isinstance(v, float) and isinstance(node, _ExprNode):
        raise ctx.err(
            node,
            f"{what} must be an integer, but '${{{node.expr}}}' gives {v:g}",
            "use // for whole-number division, or round(...) / int(...)",
        )
    if not isinstance(v, int) or isinstance(v, bool):
        hint = None
        if isinstance(v, str):
            odd = _foreign(v)
            if odd is not None:
                hint = f"{_char_name(odd[1])} is not an ASCII digit"
            elif v[:2].lower() in ("0x", "0o", "0b"):
                hint = "cnncalc reads decimal numbers only"
            elif v.startswith("$"):
                hint = "'$name' and '${…}' work only inside a block's layers"
        if _plain(node) is False and isinstance(node, yaml.ScalarNode) and _INT.match(node.value):
            hint = "remove the quotes: a quoted value is a string"
        raise ctx.err(node, f"{what} must be an integer, got {_describe(node)}", hint)
    if v < minimum:
        raise ctx.err(node, f"{what} must be at least {minimum}, got {v}")
    return v


def expect_float(ctx: Ctx, node: SNode, what: str) -> float:
    v = scalar(ctx, node)
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise ctx.err(node, f"{what} must be a number, got {_describe(node)}")
    return float(v)


def expect_bool(ctx: Ctx, node: SNode, what: str) -> bool:
    v = scalar(ctx, node)
    if isinstance(v, bool):
        return v
    if _plain(node) and node.value in YAML11_BOOLS:
        raise ctx.err(
            node,
            f"{what} must be true or false; '{node.value}' is not a boolean in cnncalc",
            f"write {'true' if node.value.lower() in ('yes', 'on', 'y') else 'false'}",
        )
    raise ctx.err(node, f"{what} must be true or false, got {_describe(node)}")


def expect_str(ctx: Ctx, node: SNode, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise ctx.err(node, f"{what} must be a name, got {_describe(node)}")
    _check_tag(ctx, node)
    if not node.value:
        raise ctx.err(node, f"{what} is empty")
    return str(node.value)


def mapping(ctx: Ctx, node: SNode, what: str) -> list[tuple[str, SNode, SNode]]:
    """The entries of a mapping as (key, key node, value node); duplicate keys are errors."""
    if not isinstance(node, yaml.MappingNode):
        raise ctx.err(node, f"{what} must be a mapping (key: value), got {_describe(node)}")
    seen: dict[str, SNode] = {}
    out: list[tuple[str, SNode, SNode]] = []
    for knode, vnode in node.value:
        if not isinstance(knode, yaml.ScalarNode):
            raise ctx.err(knode, f"a key in {what} must be a plain name, got {_describe(knode)}")
        key = str(knode.value)
        if key == "<<":
            raise ctx.err(knode, "YAML merge keys ('<<') are not supported", "write the keys out")
        if key in seen:
            first = ctx.pos(seen[key])
            raise ctx.err(
                knode,
                f"duplicate key '{key}' (first at line {first.line})",
                "remove one of them (YAML would silently keep the last)",
            )
        seen[key] = knode
        out.append((key, knode, vnode))
    return out


def sequence(ctx: Ctx, node: SNode, what: str) -> list[SNode]:
    if not isinstance(node, yaml.SequenceNode):
        raise ctx.err(node, f"{what} must be a list, got {_describe(node)}")
    return list(node.value)


def _check_chars(ctx: Ctx, node: SNode, text: str, allowed: str, what: str, hint: str) -> None:
    for i, ch in enumerate(text):
        if not (ch.isascii() and (ch.isalnum() or ch in allowed)) and ch not in "×→⟶":
            pos = ctx.pos(node)
            if _plain(node) and "\n" not in text and node.value == text:
                pos = Pos(pos.source, pos.line, pos.col + i)
            raise SpecError(f"{what} contains {_char_name(ch)} ('{ch}')", pos, hint)


def _size(ctx: Ctx, node: SNode, text: str, what: str) -> int:
    digits = text.lstrip("0")
    if len(digits) > 19 or int(digits or "0") > INT_MAX:
        raise _too_large(ctx, node, text)
    return int(text)


def parse_ints_text(ctx: Ctx, node: SNode, text: str, what: str) -> tuple[int, ...]:
    """`3x32x32`, `3×32×32` -> (3, 32, 32)."""
    _check_chars(ctx, node, text, "xX ", what, "separate sizes with 'x' or '×', as in 3x32x32")
    norm = text
    for k, v in _SHAPE_SEPS.items():
        norm = norm.replace(k, v)
    parts = [p.strip() for p in norm.split("x")]
    if not all(p.isascii() and p.isdigit() for p in parts):
        raise ctx.err(node, f"{what} '{text}' is not a list of sizes", "write it as 3x32x32")
    values = tuple(_size(ctx, node, p, what) for p in parts)
    if min(values) < 1:
        raise ctx.err(node, f"every size in {what} must be at least 1, got '{text}'")
    return values


def expect_ints(ctx: Ctx, node: SNode, what: str, minimum: int = 1) -> tuple[int, ...]:
    """An int, a list of ints, or `3x5`."""
    if isinstance(node, yaml.SequenceNode):
        items = sequence(ctx, node, what)
        if not items:
            raise ctx.err(node, f"{what} is an empty list")
        return tuple(expect_int(ctx, n, what, minimum) for n in items)
    v = scalar(ctx, node)
    if isinstance(v, str) and _plain(node) and any(c in v for c in "xX×"):
        return parse_ints_text(ctx, node, v, what)
    return (expect_int(ctx, node, what, minimum),)


# --- expressions ($p and ${expr}) -----------------------------------------------------------


def make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """torchvision's `_make_divisible`: round to a multiple, never more than 10% down."""
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _round(v: float, digits: int | None = None) -> float:
    """`round`, with the digits bounded: round(5, -10**9) would compute 10**(10**9)."""
    if digits is None:
        return round(v)
    if not isinstance(digits, int) or isinstance(digits, bool) or abs(digits) > 30:
        raise ValueError(f"round() takes at most 30 digits, got {digits}")
    return round(v, digits)


_FUNCS: Mapping[str, Callable[..., Any]] = {
    "min": min,
    "max": max,
    "round": lambda v, digits=None: _round(v, digits),
    "int": int,
    "make_divisible": make_divisible,
}
_BINOPS: Mapping[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}


def evaluate(expr: str, names: Mapping[str, object]) -> object:
    """Evaluate `expr` with an AST whitelist (no `eval`); raises ValueError with a reason."""
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError:
        raise ValueError(f"'{expr}' is not a valid expression") from None
    except (RecursionError, MemoryError):
        raise ValueError("the expression nests too deeply") from None

    def ev(n: ast.AST) -> Any:
        if isinstance(n, ast.Expression):
            return ev(n.body)
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)):
            if isinstance(n.value, bool):
                raise ValueError("booleans are not allowed in expressions")
            return n.value
        if isinstance(n, ast.Name):
            if n.id not in names:
                hint = _suggest(n.id, list(names))
                known = ", ".join(names)
                raise ValueError(
                    f"unknown name '{n.id}'"
                    + (f"; {hint}" if hint else "")
                    + f" (names here: {known})"
                )
            value = names[n.id]
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                shown = "empty" if value is None else f"{value!r}"
                raise ValueError(f"parameter '{n.id}' is {shown}, not a number")
            return value
        if isinstance(n, ast.BinOp) and type(n.op) in _BINOPS:
            left, right = ev(n.left), ev(n.right)
            if isinstance(n.op, (ast.Div, ast.FloorDiv, ast.Mod)) and right == 0:
                raise ValueError("division by zero")
            return _BINOPS[type(n.op)](left, right)
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
            v = ev(n.operand)
            return -v if isinstance(n.op, ast.USub) else v
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name)
            and n.func.id in _FUNCS
            and not n.keywords
            and not any(isinstance(a, ast.Starred) for a in n.args)
        ):
            return _FUNCS[n.func.id](*(ev(a) for a in n.args))
        try:
            shown = f"'{ast.unparse(n)}'"
        except (RecursionError, ValueError):  # pragma: no cover - absurdly deep node
            shown = "this"
        raise ValueError(
            f"{shown} is not allowed; expressions use numbers, parameters, "
            "+ - * / // %, parentheses, min, max, round, int, make_divisible"
        )

    try:
        return ev(tree)
    except (TypeError, ArithmeticError) as err:  # min() of nothing, int(inf), 1e308 * 10, …
        raise ValueError(str(err)) from None
    except (RecursionError, MemoryError):
        raise ValueError("the expression nests too deeply") from None


_EXPR = re.compile(r"^\$\{(.*)\}$", re.S)
_PARAM = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")


@dataclass(frozen=True)
class _Mark:
    """A position inside a scalar, for tokens of a one-line value such as `3→64→128`."""

    line: int
    column: int


def _token_node(node: SNode, text: str, offset: int) -> SNode:
    if not _plain(node):  # quoted or multi-line: point at the value itself
        return yaml.ScalarNode("tag:yaml.org,2002:str", text, node.start_mark, node.end_mark)
    mark: Any = _Mark(node.start_mark.line, node.start_mark.column + offset)
    return yaml.ScalarNode("tag:yaml.org,2002:str", text, mark, mark)


def _synthetic(value: object, like: SNode) -> SNode:
    """A scalar node holding a computed value (`cin`), located where it was written."""
    return yaml.ScalarNode("tag:yaml.org,2002:str", str(value), like.start_mark, like.end_mark)


def _expr_value(ctx: Ctx, node: SNode, expr: str, names: Mapping[str, object]) -> SNode:
    """`${expr}` as a plain scalar node holding its value; a whole float (128.0) becomes 128."""
    try:
        value = evaluate(expr, names)
    except ValueError as err:
        raise ctx.err(node, f"in '${{{expr}}}': {err}") from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ctx.err(node, f"'${{{expr}}}' gives {value}, not a number")
        text = str(int(value)) if value.is_integer() and abs(value) <= INT_MAX else repr(value)
    elif isinstance(value, int) and abs(value) > INT_MAX:
        raise ctx.err(
            node,
            f"'${{{expr}}}' gives a number beyond 64 bits",
            f"cnncalc, like PyTorch, works with sizes up to {INT_MAX:,}",
        )
    else:
        text = str(value)
    return _ExprNode(text, node, expr)


# --- scopes ---------------------------------------------------------------------------------


@dataclass
class Scope:
    """Names visible inside one sequence of items (the network, a block call, a branch)."""

    prefix: str
    input: str
    params: Mapping[str, SNode]
    cin: int
    names: dict[str, str] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    reserved: set[str] = field(default_factory=set)
    #: the enclosing sequence of a branch or shortcut, whose names stay visible inside it
    parent: Scope | None = None

    def last(self) -> str:
        return self.history[-1] if self.history else self.input

    def lookup(self, name: str) -> str | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None

    def visible(self) -> list[str]:
        out: list[str] = []
        scope: Scope | None = self
        while scope is not None:
            out += [n for n in scope.names if n not in out]
            scope = scope.parent
        return out

    def nested(self, prefix: str, src: str) -> Scope:
        """A branch, shortcut or repeat copy: its own names, the enclosing ones visible, and
        the same block parameters and `cin` (the channels entering the block)."""
        return Scope(prefix, src, self.params, self.cin, parent=self)

    def auto(self, base: str) -> str:
        n = self.counters.get(base, 0)
        sep = "_" if base[-1:].isdigit() else ""  # relu6_1, not relu61
        while True:
            n += 1
            name = f"{base}{sep}{n}"
            if name not in self.reserved and name not in self.names:
                self.counters[base] = n
                return name


@dataclass(frozen=True)
class BlockDef:
    name: str
    params: Mapping[str, SNode | None]  # None = required
    layers: SNode
    pos: Pos


# --- the loader -----------------------------------------------------------------------------


def _base_name(op: str) -> str:
    kind = KINDS[op]
    if kind.cls is Conv or kind.cls is BatchNorm:
        return kind.cls.kind
    if op in ("deconv", "conv_transpose"):
        return "convT"
    return {"fc": "linear", "swish": "silu"}.get(op, op)


class Loader:
    """One load of one file."""

    def __init__(self, src: Source) -> None:
        self.ctx = Ctx(src)
        self.nodes: list[Node] = []
        self.shapes: dict[str, Shape] = {}
        self.producers: dict[str, Node] = {}
        self.defaults: dict[str, list[tuple[str, SNode, SNode]]] = {}
        self.blocks: dict[str, BlockDef] = {}
        self.stack: list[str] = []
        self.converted: dict[str, dict[str, object]] = {}  # op -> its defaults, typed

    # -- top level --
    def load(self, root: SNode | None) -> Network:
        ctx = self.ctx
        if root is None:
            raise SpecError(
                "the file is empty",
                Pos(ctx.src, 1, 1),
                "a network needs at least 'input:' and 'layers:' (or 'channels:')",
            )
        entries = {k: (kn, vn) for k, kn, vn in mapping(ctx, root, "the network file")}
        for key, (kn, _) in entries.items():
            if key not in TOP_KEYS:
                hint = _unknown_hint(key, TOP_KEYS, f"the top-level keys: {', '.join(TOP_KEYS)}")
                if key in YAML11_BOOLS:
                    hint = (
                        f"'{key}' is not a cnncalc key (and plain YAML 1.1 would even read "
                        "it as a boolean)"
                    )
                raise ctx.err(kn, f"unknown top-level key '{key}'", hint)
        if "cnncalc" in entries:
            vnode = entries["cnncalc"][1]
            version = scalar(ctx, vnode)
            if version != 1 or isinstance(version, bool):
                raise ctx.err(
                    vnode,
                    f"'cnncalc' is the format version, 1; got {_describe(vnode)}",
                    "this cnncalc reads format 1: write 'cnncalc: 1'",
                )
        if "input" not in entries:
            raise SpecError(
                "the network has no 'input'",
                Pos(ctx.src, 1, 1),
                "add a line like 'input: 3x224x224' (channels first, no batch)",
            )
        input_node = entries["input"][1]
        input_shape = self.parse_input(input_node)
        name = ""
        if "name" in entries:
            nnode = entries["name"][1]
            if not isinstance(nnode, yaml.ScalarNode):
                raise ctx.err(nnode, f"the network name must be text, got {_describe(nnode)}")
            v = scalar(ctx, nnode)
            name = "" if v is None else str(nnode.value)
        batch = expect_int(ctx, entries["batch"][1], "batch") if "batch" in entries else 1
        dtype = "float32"
        if "dtype" in entries:
            dtype = self.choice(entries["dtype"][1], "dtype", tuple(DTYPE_BYTES))
        if "defaults" in entries:
            self.parse_defaults(entries["defaults"][1])
        if "blocks" in entries:
            self.parse_blocks(entries["blocks"][1])
        self.shapes[INPUT] = input_shape
        scope = Scope("", INPUT, {}, input_shape[0])
        for short in ("kernel", "stride", "padding", "norm", "act"):
            if short in entries and "channels" not in entries:
                raise ctx.err(
                    entries[short][0],
                    f"'{short}' applies to the 'channels' stack, but there is no 'channels'",
                    "add 'channels: 3→64→128', or give the argument to each layer",
                )
        if "channels" in entries:
            self.expand_stack(scope, entries, input_shape, input_node)
        if "layers" in entries:
            items = entries["layers"][1]
            if not (
                isinstance(items, yaml.ScalarNode) and items.value == "" and "channels" in entries
            ):
                self.reserve(scope, sequence(ctx, items, "'layers'"))
                self.expand_items(scope, sequence(ctx, items, "'layers'"))
        if not self.nodes:
            raise ctx.err(root, "the network has no layers", "add 'layers:' or 'channels:'")
        outputs: tuple[str, ...] = ()
        if "outputs" in entries:
            onode = entries["outputs"][1]
            refs = (
                sequence(ctx, onode, "'outputs'")
                if isinstance(onode, yaml.SequenceNode)
                else [onode]
            )
            outputs = tuple(self.ref(scope, r) for r in refs)
        budget = self.parse_budget(entries["budget"][1]) if "budget" in entries else {}
        return Network(
            input_shape=input_shape,
            nodes=tuple(self.nodes),
            outputs=outputs,
            name=name,
            batch=batch,
            dtype=dtype,
            input_pos=ctx.pos(input_node),
            budget=budget,
        )

    def parse_input(self, node: SNode) -> Shape:
        ctx = self.ctx
        v = scalar(ctx, node)
        if isinstance(node, yaml.SequenceNode) or isinstance(v, int):
            shape = expect_ints(ctx, node, "input")
        elif isinstance(v, str):
            shape = parse_ints_text(ctx, node, v, "input")
        else:
            raise ctx.err(node, f"input must be a shape like 3x224x224, got {_describe(node)}")
        if len(shape) > 4:
            raise ctx.err(
                node,
                f"input has {len(shape)} axes; cnncalc reads up to 4 "
                "(channels + 3 spatial), without the batch",
                "leave the batch out: write 'batch: N' separately",
            )
        return shape

    def choice(self, node: SNode, what: str, options: Sequence[str]) -> str:
        v = expect_str(self.ctx, node, what)
        if v not in options:
            hint = _suggest(v, options) or f"one of: {', '.join(options)}"
            raise self.ctx.err(node, f"unknown {what} '{v}'", hint)
        return v

    def parse_budget(self, node: SNode) -> dict[str, Limit]:
        ctx = self.ctx
        out = {}
        for key, kn, vn in mapping(ctx, node, "'budget'"):
            if key not in BUDGETS:
                raise ctx.err(
                    kn,
                    f"unknown budget '{key}'",
                    _unknown_hint(key, list(BUDGETS), f"one of: {', '.join(BUDGETS)}"),
                )
            unit = BUDGETS[key][0]
            v = scalar(ctx, vn)
            if isinstance(v, bool) or v is None or isinstance(vn, yaml.CollectionNode):
                raise ctx.err(
                    vn,
                    f"budget '{key}' must be a quantity like "
                    f"{'12M' if unit == 'count' else '64MiB'}",
                )
            try:
                out[key] = Limit(key, parse_quantity(str(vn.value), unit), ctx.pos(vn))
            except UnitError as err:
                raise ctx.err(vn, f"budget '{key}': {err}") from None
            except (ArithmeticError, ValueError):  # 1e999 overflows
                raise _too_large(ctx, vn, str(vn.value)) from None
        return out

    def parse_defaults(self, node: SNode) -> None:
        ctx = self.ctx
        for key, kn, vn in mapping(ctx, node, "'defaults'"):
            if key not in KINDS or key in MERGES:
                raise ctx.err(
                    kn,
                    f"unknown op '{key}' in defaults",
                    _unknown_hint(key, [k for k in KINDS if k not in MERGES]),
                )
            entries = mapping(ctx, vn, f"defaults for '{key}'")
            allowed = self.family_args(key)
            for akey, akn, avn in entries:
                if akey not in allowed:
                    raise ctx.err(
                        akn,
                        f"'{key}' has no argument '{akey}'",
                        _unknown_hint(
                            akey, sorted(allowed), f"its arguments: {', '.join(sorted(allowed))}"
                        ),
                    )
                # a bad value is an error here, at its line, even if no layer would take it
                family = [k for k in KINDS.values() if k.family == "conv"] if key == "conv" else []
                takers = [k for k in (KINDS[key], *family) if akey in k.arg_by_name]
                self.convert_arg(takers[0].name, takers[0].arg_by_name[akey], avn)
            self.defaults[key] = entries

    @staticmethod
    def family_args(op: str) -> set[str]:
        if op == "conv":
            return {
                n for k in KINDS.values() if k.family == "conv" for a in k.args for n in a.names
            }
        return set(KINDS[op].arg_by_name)

    def defaults_for(self, op: str) -> list[tuple[str, SNode, SNode]]:
        """`defaults.conv` for the conv family (each op taking the arguments it has, in the form
        it takes them: `p: same` does not reach a convT), then the op's own defaults."""
        kind = KINDS[op]
        out: list[tuple[str, SNode, SNode]] = []
        names = kind.arg_by_name
        base = _base_name(op)
        if kind.family == "conv" and base != "conv":
            for entry in self.defaults.get("conv", ()):
                if entry[0] in names:
                    try:
                        self.convert_arg(op, names[entry[0]], entry[2])
                    except SpecError:
                        continue
                    out.append(entry)
        for key in dict.fromkeys((base, op)):
            out.extend(e for e in self.defaults.get(key, ()) if e[0] in names)
        return out

    def parse_blocks(self, node: SNode) -> None:
        ctx = self.ctx
        for key, kn, vn in mapping(ctx, node, "'blocks'"):
            if key in KINDS or key in STRUCTURES or key in META_KEYS:
                raise ctx.err(
                    kn, f"block name '{key}' is already an op or a keyword", "choose another name"
                )
            params: dict[str, SNode | None] = {}
            layers = None
            for bkey, bkn, bvn in mapping(ctx, vn, f"block '{key}'"):
                if bkey == "params":
                    if isinstance(bvn, yaml.ScalarNode) and bvn.value == "":
                        continue
                    for pkey, pkn, pvn in mapping(ctx, bvn, f"params of block '{key}'"):
                        if pkey == "cin":
                            raise ctx.err(
                                pkn,
                                "'cin' is built in (the channels entering "
                                "the block); choose another parameter name",
                            )
                        required = _plain(pvn) and pvn.value == "required"
                        params[pkey] = None if required else pvn
                elif bkey == "layers":
                    layers = bvn
                else:
                    raise ctx.err(
                        bkn,
                        f"unknown key '{bkey}' in block '{key}'",
                        _suggest(bkey, ["params", "layers"]),
                    )
            if layers is None:
                raise ctx.err(kn, f"block '{key}' has no 'layers'")
            sequence(ctx, layers, f"layers of block '{key}'")
            self.blocks[key] = BlockDef(key, params, layers, ctx.pos(kn))

    # -- beginner shorthand --
    def expand_stack(
        self, scope: Scope, entries: Mapping[str, tuple[SNode, SNode]], shape: Shape, inode: SNode
    ) -> None:
        ctx = self.ctx
        cnode = entries["channels"][1]
        tokens = self.channel_tokens(cnode)
        first, first_node = tokens[0]
        if not isinstance(first, int):
            raise ctx.err(first_node, "the channels stack must start with the input channels")
        if first != shape[0]:
            raise SpecError(
                f"the channels stack starts at {first} but the input has {shape[0]} channels "
                f"(input: {fmt_shape(shape)}, line {ctx.pos(inode).line})",
                self.ctx.pos(first_node),
                f"start the stack with {shape[0]}",
            )
        own: list[tuple[str, SNode, SNode]] = []
        kernel = entries.get("kernel")
        key_node = entries["channels"][0]
        if kernel is not None:
            own.append(("k", kernel[0], kernel[1]))
        else:
            own.append(
                (
                    "k",
                    key_node,
                    yaml.ScalarNode(
                        "tag:yaml.org,2002:int", "3", key_node.start_mark, key_node.end_mark
                    ),
                )
            )
        for short, arg in (("stride", "s"), ("padding", "p")):
            if short in entries:
                own.append((arg, entries[short][0], entries[short][1]))
        norm = entries.get("norm")
        act = entries.get("act")
        norm_op = self.choice(norm[1], "norm", ("bn", "gn", "ln", "inorm")) if norm else None
        if norm_op == "gn":
            raise ctx.err(
                norm[1] if norm else cnode,
                "norm: gn needs a group count",
                "use 'bn' in the stack, or list the layers under 'layers'",
            )
        act_ops = [k for k, v in KINDS.items() if v.cls is Activation] + ["prelu"]
        act_op = self.choice(act[1], "act", act_ops) if act else None
        for entry, tnode in tokens[1:]:
            if entry == "M":
                name = scope.auto("maxpool")
                pool = MaxPool(kernel_size=(2,), stride=(2,))
                self.push(
                    scope, name, self.emit(scope, name, "maxpool", pool, (scope.last(),), tnode, {})
                )
                continue
            name = scope.auto("conv")
            args = [*own, ("out", tnode, tnode)]
            self.push(scope, name, self.emit_op(scope, "conv", args, tnode, name, (scope.last(),)))
            for op, spot in ((norm_op, norm), (act_op, act)):
                if op and spot:
                    name = scope.auto(_base_name(op))
                    out = self.emit_op(scope, op, [], spot[1], name, (scope.last(),))
                    self.push(scope, name, out)

    @staticmethod
    def push(scope: Scope, name: str, out: str) -> None:
        scope.names[name] = out
        scope.history.append(out)

    def channel_tokens(self, node: SNode) -> list[tuple[int | str, SNode]]:
        ctx = self.ctx
        raw: list[tuple[str, SNode]] = []
        if isinstance(node, yaml.SequenceNode):
            for n in node.value:
                v = scalar(ctx, n)
                text = str(v) if isinstance(v, (int, str)) and not isinstance(v, bool) else ""
                raw.append((text if v is not None else "", n))
        else:
            text = expect_str(ctx, node, "channels")
            _check_chars(
                ctx,
                node,
                text,
                "->, M",
                "channels",
                "separate channels with '→' or '->', as in 3→64→128",
            )
            norm = text
            for arrow in _ARROWS:
                norm = norm.replace(arrow, "\x00" + " " * (len(arrow) - 1))
            col = 0
            for part in norm.split("\x00"):
                lead = len(part) - len(part.lstrip())
                raw.append((part.strip(), _token_node(node, part.strip(), col + lead)))
                col += len(part) + 1
        out: list[tuple[int | str, SNode]] = []
        for text, tnode in raw:
            if text == "M":
                out.append(("M", tnode))
            elif text.isascii() and text.isdigit() and _size(ctx, tnode, text, "channels") > 0:
                out.append((int(text), tnode))
            else:
                shown = f"'{text}'" if text else _describe(tnode)
                odd = _foreign(text)
                raise ctx.err(
                    tnode,
                    f"{shown} in channels is neither a channel count nor 'M'",
                    f"{_char_name(odd[1])} is not an ASCII digit"
                    if odd
                    else "write positive integers and 'M' (a 2×2 max pool), as in 3→64→M→128",
                )
        if len(out) < 2:
            raise ctx.err(node, "the channels stack needs at least two numbers (in → out)")
        return out

    # -- items --
    def reserve(self, scope: Scope, items: Sequence[SNode]) -> None:
        """Explicit names are known up front so that automatic ones never take them."""
        for item in items:
            if isinstance(item, yaml.MappingNode):
                for knode, vnode in item.value:
                    if (
                        isinstance(knode, yaml.ScalarNode)
                        and knode.value == "name"
                        and isinstance(vnode, yaml.ScalarNode)
                    ):
                        scope.reserved.add(str(vnode.value))

    def expand_items(self, scope: Scope, items: Sequence[SNode]) -> None:
        if len(self.stack) > MAX_DEPTH:
            chain = " → ".join([*self.stack[:3], "…", *self.stack[-2:]])
            raise SpecError(
                f"blocks and structures nest deeper than {MAX_DEPTH} levels ({chain})",
                self.ctx.pos(items[0]) if items else None,
                "flatten the nesting",
            )
        for item in items:
            self.expand_item(scope, item)

    def split_item(
        self, item: SNode
    ) -> tuple[str, SNode, SNode | None, dict[str, tuple[SNode, SNode]]]:
        """(op, op key node, op value node, meta entries) of one item."""
        ctx = self.ctx
        if isinstance(item, yaml.ScalarNode):
            op = expect_str(ctx, item, "a layer")
            return op, item, None, {}
        entries = mapping(ctx, item, "a layer")
        meta = {k: (kn, vn) for k, kn, vn in entries if k in META_KEYS}
        ops = [(k, kn, vn) for k, kn, vn in entries if k not in META_KEYS]
        if not ops:
            raise ctx.err(
                item,
                "this item has no op",
                "write an op such as 'conv: 64' beside 'name'/'from'/'repeat'",
            )
        if len(ops) > 1:
            names = ", ".join(f"'{k}'" for k, _, _ in ops)
            raise ctx.err(
                ops[1][1],
                f"one item has several ops ({names})",
                "put each op in its own list item ('- ' before each)",
            )
        op, kn, vn = ops[0]
        return op, kn, vn, meta

    def expand_item(self, scope: Scope, item: SNode) -> None:
        ctx = self.ctx
        op, kn, vn, meta = self.split_item(item)
        if op not in KINDS and op not in self.blocks and op not in STRUCTURES:
            options = [*KINDS, *self.blocks, *STRUCTURES]
            hint = _unknown_hint(op, options, "see 'cnncalc schema' for every op")
            if op in YAML11_BOOLS:
                hint = f"'{op}' is not an op (and plain YAML 1.1 would read it as a boolean)"
            raise ctx.err(kn, f"unknown op '{op}'", hint)
        name = expect_str(ctx, meta["name"][1], "name") if "name" in meta else None
        if name is not None and ("." in name or name in ("input", "prev")):
            raise ctx.err(
                meta["name"][1],
                f"'{name}' cannot be a layer name",
                "names may not contain '.' nor be 'input' or 'prev'",
            )
        if name is not None and name in scope.names:
            earlier = self.producers.get(scope.names[name])
            where = f" (first at line {earlier.pos.line})" if earlier and earlier.pos else ""
            raise ctx.err(
                meta["name"][1],
                f"duplicate name '{name}'{where}",
                "names must be unique within their scope",
            )
        src = self.ref(scope, meta["from"][1]) if "from" in meta else scope.last()
        repeat = expect_int(ctx, meta["repeat"][1], "repeat") if "repeat" in meta else None
        first = meta.get("first")
        if first is not None and repeat is None:
            raise ctx.err(
                first[0],
                "'first' needs 'repeat'",
                "'first' overrides arguments of the first of the repeated copies",
            )
        if op in STRUCTURES and first is not None:
            raise ctx.err(
                first[0],
                f"'first' does not apply to '{op}'",
                "put the structure in a block and repeat the block call",
            )
        if name is None and op in STRUCTURES and repeat is None:
            out = self.expand_one(scope, op, kn, vn, None, src, None)
            scope.history.append(out)
            return
        base = name or scope.auto(op if op in self.blocks or op in STRUCTURES else _base_name(op))
        if repeat is None:
            out = self.expand_one(scope, op, kn, vn, base, src, None)
        else:
            rnode = meta["repeat"][1]
            if repeat > MAX_NODES - ctx.count:  # every copy makes at least one layer
                raise self.cap_error(rnode, repeat, None)
            out = src
            for i in range(repeat):
                over = first[1] if (first is not None and i == 0) else None
                before = ctx.count
                if op in STRUCTURES:  # each copy has its own names: base.0.conv1, base.1.conv1
                    copy = scope.nested(f"{scope.prefix}{base}.{i}.", out)
                    out = self.expand_one(copy, op, kn, vn, None, out, None)
                else:
                    out = self.expand_one(scope, op, kn, vn, f"{base}.{i}", out, over)
                scope.names[f"{base}.{i}"] = out  # a copy can be referenced: `from: c.0`
                made = ctx.count - before
                # fail fast: copy 1 on is what every further copy costs (copy 0 may differ)
                if i >= 1 and made * (repeat - 1 - i) > MAX_NODES - ctx.count:
                    raise self.cap_error(rnode, repeat, made)
        scope.names[base] = out
        scope.history.append(out)

    def cap_error(self, rnode: SNode, repeat: int, per_copy: int | None) -> SpecError:
        each = f" of {per_copy:,} layers each" if per_copy is not None else ""
        return self.ctx.err(
            rnode,
            f"'repeat: {repeat:,}'{each} expands the network past {MAX_NODES:,} layers",
            "lower the count (nested repeats multiply)",
        )

    def expand_one(
        self,
        scope: Scope,
        op: str,
        kn: SNode,
        vn: SNode | None,
        name: str | None,
        src: str,
        first: SNode | None,
    ) -> str:
        """Expand one copy of an item whose input is `src`; returns its output node name.
        A structure without a name gets its merge's automatic name (`add1`, `concat1`)."""
        if op == "residual":
            return self.residual(scope, kn, vn, name, src)
        if op == "parallel":
            return self.parallel(scope, kn, vn, name, src)
        assert name is not None
        full = scope.prefix + name
        if op in self.blocks:
            return self.call_block(scope, op, kn, vn, full, src, first)
        if op in MERGES:
            return self.merge(scope, op, kn, vn, full, src)
        args = self.item_args(scope, op, kn, vn)
        if first is not None:
            args = [*args, *self.arg_entries(scope, op, first)]
        return self.emit_op(scope, op, args, kn, name, (src,))

    def arg_entries(self, scope: Scope, op: str, node: SNode) -> list[tuple[str, SNode, SNode]]:
        ctx = self.ctx
        entries = mapping(ctx, node, f"arguments of '{op}'")
        by_name = KINDS[op].arg_by_name
        seen: dict[str, str] = {}
        for key, kn, _ in entries:
            arg = by_name.get(key)
            if arg is None:
                continue
            if arg.field in seen:
                raise ctx.err(
                    kn,
                    f"'{key}' and '{seen[arg.field]}' are the same argument of '{op}' ({arg.doc})",
                    "give it once",
                )
            seen[arg.field] = key
        return [(k, kn, self.subst(scope, vn)) for k, kn, vn in entries]

    def item_args(
        self, scope: Scope, op: str, kn: SNode, vn: SNode | None
    ) -> list[tuple[str, SNode, SNode]]:
        kind = KINDS[op]
        if vn is None or _is_null(vn):
            return []
        if isinstance(vn, yaml.MappingNode):
            return self.arg_entries(scope, op, vn)
        if kind.scalar is None:
            raise self.ctx.err(
                vn,
                f"'{op}' takes no value here",
                f"write '{op}' alone, or '{op}: {{...}}' with named arguments",
            )
        arg = next(a for a in kind.args if a.field == kind.scalar)
        return [(arg.names[0], kn, self.subst(scope, vn))]

    def subst(self, scope: Scope, node: SNode) -> SNode:
        """Resolve `$p` and `${expr}` against the block parameters in scope."""
        if isinstance(node, yaml.SequenceNode):
            if any(isinstance(n, yaml.ScalarNode) and n.value.startswith("$") for n in node.value):
                return yaml.SequenceNode(
                    node.tag,
                    [self.subst(scope, n) for n in node.value],
                    node.start_mark,
                    node.end_mark,
                )
            return node
        if not isinstance(node, yaml.ScalarNode) or not node.value.startswith("$"):
            return node  # quoted "${…}" too: inside { } an expression needs quotes
        ctx = self.ctx
        m = _PARAM.match(node.value)
        if m is not None:
            key = m.group(1)
            if key == "cin":
                return _synthetic(scope.cin, node)
            if key not in scope.params:
                known = [*scope.params, "cin"]
                hint = _suggest(key, known)
                listed = f"parameters here: {', '.join(known)}"
                raise ctx.err(
                    node, f"unknown parameter '${key}'", f"{hint} ({listed})" if hint else listed
                )
            return scope.params[key]
        m = _EXPR.match(node.value)
        if m is None:
            raise ctx.err(
                node,
                f"'{node.value}' is neither '$name' nor '${{expression}}'",
                "write '$out' for a parameter, '${out * 2}' to compute",
            )
        names: dict[str, object] = {"cin": scope.cin}
        for key, pnode in scope.params.items():
            value = scalar(ctx, pnode) if isinstance(pnode, yaml.ScalarNode) else pnode.tag
            names[key] = value
        return _expr_value(ctx, node, m.group(1), names)

    def convert(
        self, op: str, kind: Kind, args: Sequence[tuple[str, SNode, SNode]]
    ) -> tuple[dict[str, object], dict[str, Pos]]:
        ctx = self.ctx
        by_name = kind.arg_by_name
        values: dict[str, object] = {}
        where: dict[str, Pos] = {}
        for key, kn, vn in args:
            arg = by_name.get(key)
            if arg is None:
                names = sorted(by_name)
                listed = f"its arguments: {', '.join(names)}" if names else ""
                raise ctx.err(
                    kn,
                    f"'{op}' has no argument '{key}'",
                    _unknown_hint(key, names, listed or f"'{op}' takes no arguments"),
                )
            values[arg.field] = self.convert_arg(op, arg, vn)
            at = ctx.pos(vn)
            where[arg.field] = at
            for spelling in arg.names:  # a LayerArgError may name the argument either way
                where[spelling] = at
        return values, where

    def convert_arg(self, op: str, arg: Arg, node: SNode) -> object:
        ctx = self.ctx
        what = f"'{arg.names[0]}' of {op}"
        t = arg.type
        if t == "int":
            minimum = 0 if arg.field == "value" else 1
            return expect_int(ctx, node, what, minimum)
        if t == "bool":
            return expect_bool(ctx, node, what)
        if t == "float":
            return expect_float(ctx, node, what)
        if t == "prob":
            p = expect_float(ctx, node, what)
            if not 0 <= p <= 1:
                raise ctx.err(node, f"{what} is a probability between 0 and 1, got {p:g}")
            return p
        if t == "choice":
            return self.choice(node, what, arg.choices)
        if t in ("ints", "opt_ints"):
            minimum = 0 if arg.field in ("padding", "output_padding") else 1
            return expect_ints(ctx, node, what, minimum)
        if t == "scale":
            if isinstance(node, yaml.SequenceNode):
                vals = tuple(expect_float(ctx, n, what) for n in sequence(ctx, node, what))
                if not vals:
                    raise ctx.err(node, f"{what} is an empty list")
            else:
                vals = (expect_float(ctx, node, what),)
            if min(vals) <= 0:
                raise ctx.err(node, f"{what} must be positive")
            return vals
        # padding: int, list, per-side pairs, or a mode
        if isinstance(node, yaml.SequenceNode):
            items = sequence(ctx, node, what)
            if items and all(isinstance(n, yaml.SequenceNode) for n in items):
                pairs = []
                for n in items:
                    pair = tuple(expect_int(ctx, x, what, 0) for x in sequence(ctx, n, what))
                    if len(pair) != 2:
                        raise ctx.err(n, f"{what}: each per-side entry is [before, after]")
                    pairs.append(pair)
                return tuple(pairs)
            return expect_ints(ctx, node, what, 0)
        v = scalar(ctx, node)
        if isinstance(v, str) and not any(c in v for c in "xX×"):
            if op in ("pad",) or v not in PAD_MODES:
                options = () if op == "pad" else PAD_MODES
                raise ctx.err(
                    node,
                    f"{what} must be a size"
                    + (f" or one of {', '.join(options)}" if options else "")
                    + f", got '{v}'",
                    _suggest(v, options),
                )
            return v
        return expect_ints(ctx, node, what, 0)

    def build(
        self, op: str, args: Sequence[tuple[str, SNode, SNode]], at: SNode
    ) -> tuple[Any, dict[str, Pos]]:
        ctx = self.ctx
        kind = KINDS[op]
        own, where = self.convert(op, kind, args)
        defaults = self.converted.get(op)
        if defaults is None:  # once per op: large networks repeat a few ops many times
            defaults = self.converted[op] = self.convert(op, kind, self.defaults_for(op))[0]
        values: dict[str, object] = {**kind.fixed, **defaults, **own}
        for arg in kind.args:
            if arg.required and arg.field not in values:
                raise ctx.err(
                    at,
                    f"'{op}' needs '{arg.names[0]}' ({arg.doc})",
                    f"write '{op}: {{{arg.names[0]}: ...}}'"
                    + (f" or '{op}: N'" if kind.scalar == arg.field else ""),
                )
        if op == "upsample" and "size" in values and "scale_factor" not in own:
            values["scale_factor"] = None
        if kind.cls is MaxPool and values.get("stride") is None:
            values["stride"] = None
        return kind.cls(**values), where

    def emit_op(
        self,
        scope: Scope,
        op: str,
        args: Sequence[tuple[str, SNode, SNode]],
        at: SNode,
        name: str,
        inputs: tuple[str, ...],
    ) -> str:
        layer, where = self.build(op, args, at)
        return self.emit(scope, name, op, layer, inputs, at, where)

    def emit(
        self,
        scope: Scope,
        name: str,
        op: str,
        layer: Any,
        inputs: tuple[str, ...],
        at: SNode,
        where: Mapping[str, Pos],
    ) -> str:
        full = name if name.startswith(scope.prefix) and scope.prefix else scope.prefix + name
        if full in self.shapes:
            other = self.producers.get(full)
            line = f" (first at line {other.pos.line})" if other and other.pos else ""
            raise self.ctx.err(
                at, f"duplicate name '{full}'{line}", "names must be unique within their scope"
            )
        self.ctx.tick(at)
        node = Node(full, op, layer, inputs, self.ctx.pos(at), where)
        shape = infer_shape(node, [self.shapes[i] for i in inputs], self.producers)
        if max(shape) > INT_MAX:  # keeps every later size, and every message, a sane number
            raise ShapeError(
                f"{op} '{full}' would make a tensor larger than PyTorch's 64-bit sizes allow "
                f"(an axis of {max(shape):.3g})",
                node.pos,
                "check the scale factors and strides",
            )
        self.shapes[full] = shape
        self.nodes.append(node)
        self.producers[full] = node
        return full

    # -- references and merges --
    def ref(self, scope: Scope, node: SNode) -> str:
        ctx = self.ctx
        v = scalar(ctx, node)
        if isinstance(v, int) and not isinstance(v, bool):
            if v >= 0:
                raise ctx.err(
                    node, f"a relative reference must be negative (-1 = previous), got {v}"
                )
            if -v == len(scope.history) + 1:  # the item before the first is the input
                return scope.input
            if -v > len(scope.history):
                raise ctx.err(
                    node,
                    f"reference {v} goes back past the first item "
                    f"(only {len(scope.history)} before it)",
                )
            return scope.history[v]
        if not isinstance(v, str):
            raise ctx.err(
                node, f"a reference must be a name, 'prev', 'input' or -N, got {_describe(node)}"
            )
        if v == "prev":
            return scope.last()
        if v == "input":
            return scope.input
        found = scope.lookup(v)
        if found is not None:
            return found
        known = [*scope.visible(), "prev", "input"]
        hint = _unknown_hint(v, known)
        listed = f"names in scope: {_in_scope(known)}"
        raise ctx.err(node, f"unknown reference '{v}'", f"{hint} ({listed})" if hint else listed)

    def merge(self, scope: Scope, op: str, kn: SNode, vn: SNode | None, full: str, src: str) -> str:
        ctx = self.ctx
        if vn is None or not isinstance(vn, yaml.SequenceNode):
            raise ctx.err(vn or kn, f"'{op}' takes a list of references, as in '{op}: [a, b]'")
        refs = tuple(self.ref(scope, n) for n in sequence(ctx, vn, op))
        if len(refs) < 2:
            raise ctx.err(vn, f"'{op}' needs at least two inputs")
        layer = KINDS[op].cls()
        return self.emit_merge(scope, full, op, layer, refs, kn)

    def emit_merge(
        self, scope: Scope, full: str, op: str, layer: Any, refs: tuple[str, ...], at: SNode
    ) -> str:
        try:
            return self.emit(scope, full, op, layer, refs, at, {})
        except CnnCalcError as err:
            if not isinstance(err, ShapeError):
                raise
            parts = [
                f"{fmt_shape(self.shapes[r])} (from {origin(r, self.producers)})" for r in refs
            ]
            what = {"add": "shapes", "concat": "sizes except channels", "mul": "shapes"}[op]
            shapes = [self.shapes[r] for r in refs]
            hint = None
            if op == "add" and len({s[1:] for s in shapes}) == 1:
                hint = "only the channels differ: 'concat' joins them, or project one side"
            elif op == "mul":
                hint = "mul broadcasts: each axis must match or be 1"
            raise ShapeError(
                f"{op} '{full}' needs inputs whose {what} match, but gets " + " and ".join(parts),
                err.pos,
                hint,
            ) from None

    # -- structures --
    def residual(
        self, scope: Scope, kn: SNode, vn: SNode | None, name: str | None, src: str
    ) -> str:
        ctx = self.ctx
        if vn is None:
            raise ctx.err(kn, "'residual' needs a 'body'")
        fields = {k: (k2, v2) for k, k2, v2 in mapping(ctx, vn, "'residual'")}
        for k, (k2, _) in fields.items():
            if k not in ("body", "shortcut", "merge"):
                raise ctx.err(
                    k2, f"'residual' has no key '{k}'", _suggest(k, ["body", "shortcut", "merge"])
                )
        if "body" not in fields:
            raise ctx.err(kn, "'residual' needs a 'body'")
        merge = (
            self.choice(fields["merge"][1], "merge", ("add", "concat"))
            if "merge" in fields
            else "add"
        )
        self.stack.append("residual")
        body_items = sequence(ctx, fields["body"][1], "'body'")
        # body layers live in the enclosing scope, like the layers of a torchvision block
        inner = Scope(
            scope.prefix,
            src,
            scope.params,
            scope.cin,
            scope.names,
            [],
            scope.counters,
            scope.reserved,
            scope.parent,
        )
        self.reserve(inner, body_items)
        saved_names = dict(scope.names)
        self.expand_items(inner, body_items)
        body_out = inner.last()
        self.stack.pop()
        # names inside the body stay visible after it (they are in the same module scope)
        scope.names.update({k: v for k, v in inner.names.items() if k not in saved_names})
        sc_node = fields.get("shortcut", (kn, None))[1]
        mode = "auto"
        if sc_node is not None and isinstance(sc_node, yaml.SequenceNode):
            sub = scope.nested(f"{scope.prefix}{scope.auto('shortcut')}.", src)
            items = sequence(ctx, sc_node, "'shortcut'")
            self.reserve(sub, items)
            self.expand_items(sub, items)
            short: str | None = sub.last()
        else:
            if sc_node is not None:
                mode = self.choice(sc_node, "shortcut", ("auto", "identity", "optional"))
            short = self.shortcut(scope, mode, merge, src, body_out, sc_node or kn)
        if short is None:
            return body_out
        local = name or scope.auto(merge)
        out = self.emit_merge(scope, scope.prefix + local, merge, KINDS[merge].cls(),
                              (short, body_out), kn)  # fmt: skip
        if name is None:
            scope.names[local] = out
        return out

    def shortcut(
        self, scope: Scope, mode: str, merge: str, src: str, body: str, at: SNode
    ) -> str | None:
        x, y = self.shapes[src], self.shapes[body]
        same = x == y if merge == "add" else x[1:] == y[1:]
        if mode == "identity" or merge == "concat":
            if mode == "identity" and not same:
                last = self.producers.get(body)
                line = f", line {last.pos.line}" if last is not None and last.pos else ""
                raise self.ctx.err(
                    at,
                    f"shortcut: identity, but the body changes the shape "
                    f"from {fmt_shape(x)} to {fmt_shape(y)} (its last layer is "
                    f"'{body}'{line})",
                    "use 'shortcut: auto' for a 1×1 projection, or 'optional' for none",
                )
            return src
        if same:
            return src
        if mode == "optional":
            return None
        if len(x) != len(y) or len(x) < 2:
            raise self.ctx.err(
                at, f"shortcut: auto cannot project {fmt_shape(x)} to {fmt_shape(y)}"
            )
        strides = []
        for i, o in zip(x[1:], y[1:]):
            # a 1×1 conv with stride s gives floor((i−1)/s)+1 = o
            s: int | None = (i - 1) // o + 1 if 1 <= o <= i else None  # the smallest such s
            if s is None or (i - 1) // s + 1 != o:
                raise self.ctx.err(
                    at,
                    f"shortcut: auto needs a whole stride from {fmt_shape(x)} to {fmt_shape(y)}",
                    "give the shortcut layers explicitly",
                )
            strides.append(s)
        conv = Conv(out_channels=y[0], kernel_size=(1,), stride=tuple(strides), bias=False)
        sub = Scope(f"{scope.prefix}{scope.auto('shortcut')}.", src, {}, x[0])
        a = self.emit(sub, "conv", "conv", conv, (src,), at, {})
        return self.emit(sub, "bn", "bn", BatchNorm(), (a,), at, {})

    def parallel(
        self, scope: Scope, kn: SNode, vn: SNode | None, name: str | None, src: str
    ) -> str:
        ctx = self.ctx
        if vn is None:
            raise ctx.err(kn, "'parallel' needs 'branches'")
        fields = {k: (k2, v2) for k, k2, v2 in mapping(ctx, vn, "'parallel'")}
        for k, (k2, _) in fields.items():
            if k not in ("branches", "merge"):
                raise ctx.err(
                    k2, f"'parallel' has no key '{k}'", _suggest(k, ["branches", "merge"])
                )
        if "branches" not in fields:
            raise ctx.err(kn, "'parallel' needs 'branches'")
        merge = (
            self.choice(fields["merge"][1], "merge", ("concat", "add"))
            if "merge" in fields
            else "concat"
        )
        outs = []
        branches = sequence(ctx, fields["branches"][1], "'branches'")
        if len(branches) < 2:
            raise ctx.err(fields["branches"][1], "'parallel' needs at least two branches")
        self.stack.append("parallel")
        for i, bnode in enumerate(branches, 1):
            sub = scope.nested(f"{scope.prefix}{scope.auto('branch')}.", src)
            items = sequence(ctx, bnode, f"branch {i}")
            self.reserve(sub, items)
            self.expand_items(sub, items)
            outs.append(sub.last())
        self.stack.pop()
        local = name or scope.auto(merge)
        out = self.emit_merge(scope, scope.prefix + local, merge, KINDS[merge].cls(),
                              tuple(outs), kn)  # fmt: skip
        if name is None:
            scope.names[local] = out
        return out

    def call_block(
        self,
        scope: Scope,
        op: str,
        kn: SNode,
        vn: SNode | None,
        full: str,
        src: str,
        first: SNode | None,
    ) -> str:
        ctx = self.ctx
        block = self.blocks[op]
        if op in self.stack:
            chain = " → ".join([*(s for s in self.stack if s in self.blocks), op])
            raise ctx.err(kn, f"block '{op}' calls itself ({chain})", "blocks cannot recurse")
        given: dict[str, SNode] = {}
        entries: list[tuple[str, SNode, SNode]] = []
        if vn is not None and not _is_null(vn):
            entries = mapping(ctx, vn, f"arguments of block '{op}'")
        if first is not None:
            entries = [*entries, *mapping(ctx, first, "'first'")]
        for key, akn, avn in entries:
            if key not in block.params:
                declared = list(block.params)
                listed = f"its parameters: {', '.join(declared) or 'none'}"
                hint = _unknown_hint(key, declared)
                raise ctx.err(
                    akn,
                    f"block '{op}' has no parameter '{key}'",
                    f"{hint} ({listed})" if hint else listed,
                )
            given[key] = self.subst(scope, avn)
        params: dict[str, SNode] = {}
        inner = Scope(full + ".", src, params, self.shapes[src][0])
        call = ctx.pos(kn)
        try:
            for key, default in block.params.items():
                if key in given:
                    params[key] = given[key]
                elif default is None:
                    raise ctx.err(
                        kn,
                        f"block '{op}' needs parameter '{key}'",
                        f"write '{op}: {{{key}: ...}}' (declared at line {block.pos.line})",
                    )
                else:  # a default may compute from `cin` and the parameters before it
                    params[key] = self.subst(inner, default)
            items = sequence(ctx, block.layers, f"layers of block '{op}'")
            self.stack.append(op)
            self.reserve(inner, items)
            self.expand_items(inner, items)
            self.stack.pop()
        except CnnCalcError as err:
            if err.pos != call and len(err.notes) < MAX_NOTES:
                err.note(f"in block '{op}', called as '{full}' at line {call.line}")
            elif err.pos != call and len(err.notes) == MAX_NOTES:
                err.note("… (in more enclosing block calls)")
            raise
        return inner.last()


@gc_paused()
def load_source(src: Source) -> Network:
    return Loader(src).load(compose(src))


def load(path: str | Path) -> Network:
    """Load a network file (`-` reads stdin)."""
    return load_source(read_source(path))


def load_text(text: str, name: str = "<text>") -> Network:
    return load_source(Source(name, text))
