"""The loader: YAML text in, a canonical `Network` out, every value located.

It walks YAML nodes (`yaml.compose`), never constructed Python objects, so that each value keeps
its `file:line:col` and so that the YAML 1.1 traps (yes/no booleans, octal, sexagesimal numbers,
duplicate keys, alias bombs) are closed here, once. Blocks, structures, `repeat` and the beginner
shorthand are expanded into plain nodes; shapes are inferred while expanding because `cin`,
`shortcut: auto` and `optional` depend on them. Nothing after this module looks at YAML.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cnncalc.budget import BUDGETS, Limit, UnitError, parse_quantity
from cnncalc.engine import DTYPE_BYTES, INPUT, Network, Node, infer_shape
from cnncalc.errors import CnnCalcError, Pos, Source, SpecError
from cnncalc.layers import (
    KINDS,
    MERGES,
    PAD_MODES,
    Arg,
    BatchNorm,
    Conv,
    Kind,
    MaxPool,
    Shape,
    fmt_shape,
)

try:  # libyaml is 7-8x faster; its marks carry no snippet, so snippets come from the text
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

_IMPLICIT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Composes nodes only. cnncalc types every scalar itself (`scalar`), so PyYAML's implicit
    YAML 1.1 tag resolution (a regex per scalar, and the source of its traps) is skipped."""

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        return _IMPLICIT_TAGS[kind]

MAX_NODES = 1_000_000  # expansion cap: layers made by repeat, blocks and aliases together
MAX_DEPTH = 64  # nesting of block calls and structures
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
YAML11_BOOLS = frozenset("yes no on off y n Yes No On Off YES NO ON OFF Y N".split())
_INT = re.compile(r"^[-+]?[0-9][0-9_]*$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_SHAPE_SEPS = {"×": "x", "X": "x", "x": "x"}
_ARROWS = ("⟶", "→", "->")
SNode = yaml.Node


def _suggest(word: str, options: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


# --- reading text ---------------------------------------------------------------------------


def read_source(path: str | Path) -> Source:
    """Read a file (or `-` for stdin) as UTF-8, with located errors for the usual failures."""
    import sys

    name = str(path)
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        raise SpecError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise SpecError(f"{name}: is a directory, not a network file") from None
    except OSError as err:
        raise SpecError(f"{name}: cannot read: {err.strerror}") from None
    return decode_source("<stdin>" if name == "-" else name, data)


def decode_source(name: str, data: bytes) -> Source:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        src = Source(name, before.decode("utf-8", "replace"))
        raise SpecError(
            f"the file is not UTF-8 text (byte 0x{data[err.start]:02x})",
            Pos(src, line, col),
            "save the file as UTF-8",
        ) from None
    return Source(name, text.removeprefix("\ufeff"))


def _mark_pos(src: Source, mark: Any) -> Pos:
    return Pos(src, mark.line + 1, mark.column + 1)


def compose(src: Source) -> SNode | None:
    """Parse YAML into a node tree, turning every YAML failure into a located `SpecError`."""
    for n, line in enumerate(src.text.splitlines(), 1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            raise SpecError(
                "a tab in the indentation: YAML indents with spaces only",
                Pos(src, n, line.index("\t") + 1),
                "replace the tab with spaces",
            )
    try:
        return yaml.compose(src.text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        pos = _mark_pos(src, mark) if mark is not None else None
        hint = None
        if "found character '\\t'" in problem or "\t" in problem:
            hint = "YAML does not allow tabs here; use spaces"
        elif "mapping values are not allowed" in problem:
            hint = "a ':' inside a value needs quotes, or a missing newline/indent before it"
        elif "expected <block end>" in problem:
            hint = "check the indentation of this line against the ones above it"
        raise SpecError(f"invalid YAML: {problem}", pos, hint) from None
    except yaml.YAMLError as err:  # ReaderError (control characters) carries no mark
        position = getattr(err, "position", None)
        pos = None
        if isinstance(position, int):
            before = src.text[:position]
            pos = Pos(src, before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1)
        reason = getattr(err, "reason", None) or str(err).splitlines()[0]
        raise SpecError(f"invalid YAML: {reason}", pos, "remove the control character") from None


# --- typed scalars --------------------------------------------------------------------------


@dataclass
class Ctx:
    """What the walk carries: the source, the expansion budget."""

    src: Source
    count: int = 0

    def pos(self, node: SNode) -> Pos:
        return _mark_pos(self.src, node.start_mark)

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


def _check_tag(ctx: Ctx, node: SNode) -> None:
    if not node.tag.startswith("tag:yaml.org,2002:"):
        raise ctx.err(node, f"YAML tag '{node.tag}' is not supported", "remove the tag")


def _describe(node: SNode) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.style in ("'", '"'):
        return f'the string "{node.value}"'
    return f"'{node.value}'" if node.value else "nothing"


def _plain(node: SNode) -> bool:
    """An unquoted scalar (libyaml reports the plain style as '', the pure parser as None)."""
    return isinstance(node, yaml.ScalarNode) and not node.style


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
        return int(v.replace("_", ""))
    if _FLOAT.match(v) and any(c.isdigit() for c in v):
        return float(v.replace("_", ""))
    if _SEXAGESIMAL.match(v):
        raise ctx.err(
            node,
            f"'{v}' is a base-60 number in YAML 1.1 (it would read as "
            f"{_sexagesimal_value(v)}), not a shape",
            f"write {v.replace(':', 'x')} for a shape, or quote it for a string",
        )
    return v


def _sexagesimal_value(v: str) -> int | float:
    total: float = 0
    for part in v.lstrip("+-").split(":"):
        total = total * 60 + float(part.replace("_", ""))
    return int(total) if total == int(total) else total


def expect_int(ctx: Ctx, node: SNode, what: str, minimum: int = 1) -> int:
    v = scalar(ctx, node)
    if isinstance(v, float) and not isinstance(v, bool) and v == int(v):
        v = int(v)
    if isinstance(v, str) and v in YAML11_BOOLS:
        raise ctx.err(node, f"{what} must be an integer, not '{v}'")
    if not isinstance(v, int) or isinstance(v, bool):
        raise ctx.err(node, f"{what} must be an integer, got {_describe(node)}")
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
    out = []
    for knode, vnode in node.value:
        if not isinstance(knode, yaml.ScalarNode):
            raise ctx.err(knode, f"a key in {what} must be a plain name")
        key = str(knode.value)
        if key == "<<":
            raise ctx.err(knode, "YAML merge keys ('<<') are not supported", "write the keys out")
        if key in seen:
            first = ctx.pos(seen[key])
            raise ctx.err(knode, f"duplicate key '{key}' (first at line {first.line})")
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
            name = unicodedata.name(ch, "an unnamed character")
            pos = ctx.pos(node)
            if _plain(node) and "\n" not in text:
                pos = Pos(pos.source, pos.line, pos.col + i)
            raise SpecError(
                f"{what} contains U+{ord(ch):04X} {name} ('{ch}')",
                pos,
                hint,
            )


def parse_ints_text(ctx: Ctx, node: SNode, text: str, what: str) -> tuple[int, ...]:
    """`3x32x32`, `3×32×32` -> (3, 32, 32)."""
    _check_chars(ctx, node, text, "xX ", what, "separate sizes with 'x' or '×', as in 3x32x32")
    norm = text
    for k, v in _SHAPE_SEPS.items():
        norm = norm.replace(k, v)
    parts = [p.strip() for p in norm.split("x")]
    if not all(p.isdigit() for p in parts):
        raise ctx.err(node, f"{what} '{text}' is not a list of sizes", "write it as 3x32x32")
    values = tuple(int(p) for p in parts)
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


_FUNCS: Mapping[str, Callable[..., Any]] = {
    "min": min,
    "max": max,
    "round": round,
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
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        raise ValueError(f"'{expr}' is not a valid expression") from None

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
                raise ValueError(f"unknown name '{n.id}'" + (f"; {hint}" if hint else ""))
            return names[n.id]
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
        ):
            return _FUNCS[n.func.id](*(ev(a) for a in n.args))
        raise ValueError(
            f"'{ast.unparse(n)}' is not allowed; expressions use numbers, parameters, "
            "+ - * / // %, parentheses, min, max, round, int, make_divisible"
        )

    try:
        return ev(tree)
    except TypeError as err:
        raise ValueError(str(err)) from None


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
    mark = _Mark(node.start_mark.line, node.start_mark.column + offset)
    return yaml.ScalarNode("tag:yaml.org,2002:str", text, mark, mark)


def _synthetic(value: object, like: SNode) -> SNode:
    """A scalar node holding a computed value, located where the expression was written."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value == int(value) and abs(value) < 2**53:
        text = str(int(value))
    else:
        text = repr(value) if isinstance(value, float) else str(value)
    return yaml.ScalarNode("tag:yaml.org,2002:str", text, like.start_mark, like.end_mark)


def _expr_value(ctx: Ctx, node: SNode, expr: str, names: Mapping[str, object]) -> object:
    try:
        value = evaluate(expr, names)
    except ValueError as err:
        raise ctx.err(node, f"in '${{{expr}}}': {err}") from None
    if isinstance(value, float) and not value.is_integer():
        return value
    return value


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

    def last(self) -> str:
        return self.history[-1] if self.history else self.input

    def auto(self, base: str) -> str:
        n = self.counters.get(base, 0)
        while True:
            n += 1
            name = f"{base}{n}"
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
                hint = _suggest(key, TOP_KEYS)
                if key in YAML11_BOOLS:
                    hint = f"'{key}' is a plain name here (YAML 1.1 would read it as a boolean)"
                raise ctx.err(kn, f"unknown top-level key '{key}'", hint)
        if "cnncalc" in entries:
            version = scalar(ctx, entries["cnncalc"][1])
            if version != 1:
                raise ctx.err(entries["cnncalc"][1], f"unknown format version {version!r}",
                              "this cnncalc reads format 1")  # fmt: skip
        if "input" not in entries:
            raise SpecError("the network has no 'input'", Pos(ctx.src, 1, 1),
                            "add a line like 'input: 3x224x224' (channels first, no batch)")  # fmt: skip
        input_node = entries["input"][1]
        input_shape = self.parse_input(input_node)
        name = ""
        if "name" in entries:
            v = scalar(ctx, entries["name"][1])
            name = "" if v is None else str(v)
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
                raise ctx.err(entries[short][0], f"'{short}' applies to the 'channels' stack, "
                              "but there is no 'channels'",
                              "add 'channels: 3→64→128', or give the argument to each layer")  # fmt: skip
        if "channels" in entries:
            self.expand_stack(scope, entries, input_shape, input_node)
        if "layers" in entries:
            items = entries["layers"][1]
            if not (isinstance(items, yaml.ScalarNode) and items.value == "" and "channels" in entries):
                self.reserve(scope, sequence(ctx, items, "'layers'"))
                self.expand_items(scope, sequence(ctx, items, "'layers'"))
        if not self.nodes:
            raise ctx.err(root, "the network has no layers", "add 'layers:' or 'channels:'")
        outputs: tuple[str, ...] = ()
        if "outputs" in entries:
            onode = entries["outputs"][1]
            refs = sequence(ctx, onode, "'outputs'") if isinstance(onode, yaml.SequenceNode) else [onode]
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
            raise ctx.err(node, f"input has {len(shape)} axes; cnncalc reads up to 4 "
                          "(channels + 3 spatial), without the batch",
                          "leave the batch out: write 'batch: N' separately")  # fmt: skip
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
                raise ctx.err(kn, f"unknown budget '{key}'",
                              _suggest(key, list(BUDGETS)) or f"one of: {', '.join(BUDGETS)}")  # fmt: skip
            unit = BUDGETS[key][0]
            v = scalar(ctx, vn)
            if isinstance(v, bool) or v is None or isinstance(vn, yaml.CollectionNode):
                raise ctx.err(vn, f"budget '{key}' must be a quantity like "
                              f"{'12M' if unit == 'count' else '64MiB'}")  # fmt: skip
            try:
                out[key] = Limit(key, parse_quantity(str(vn.value), unit), ctx.pos(vn))
            except UnitError as err:
                raise ctx.err(vn, f"budget '{key}': {err}") from None
        return out

    def parse_defaults(self, node: SNode) -> None:
        ctx = self.ctx
        for key, kn, vn in mapping(ctx, node, "'defaults'"):
            if key not in KINDS or key in MERGES:
                raise ctx.err(kn, f"unknown op '{key}' in defaults", _suggest(key, list(KINDS)))
            entries = mapping(ctx, vn, f"defaults for '{key}'")
            allowed = self.family_args(key)
            for akey, akn, _ in entries:
                if akey not in allowed:
                    raise ctx.err(akn, f"'{key}' has no argument '{akey}'",
                                  _suggest(akey, sorted(allowed)))  # fmt: skip
            self.defaults[key] = entries

    @staticmethod
    def family_args(op: str) -> set[str]:
        if op == "conv":
            return {n for k in KINDS.values() if k.family == "conv" for a in k.args for n in a.names}
        return set(KINDS[op].arg_by_name)

    def defaults_for(self, op: str) -> list[tuple[str, SNode, SNode]]:
        kind = KINDS[op]
        out: list[tuple[str, SNode, SNode]] = []
        keys = []
        if kind.family == "conv":
            keys.append("conv")
        base = _base_name(op)
        for key in (base, op):
            if key not in keys:
                keys.append(key)
        names = kind.arg_by_name
        for key in keys:
            out.extend(e for e in self.defaults.get(key, ()) if e[0] in names)
        return out

    def parse_blocks(self, node: SNode) -> None:
        ctx = self.ctx
        for key, kn, vn in mapping(ctx, node, "'blocks'"):
            if key in KINDS or key in STRUCTURES or key in META_KEYS:
                raise ctx.err(kn, f"block name '{key}' is already an op", "choose another name")
            params: dict[str, SNode | None] = {}
            layers = None
            for bkey, bkn, bvn in mapping(ctx, vn, f"block '{key}'"):
                if bkey == "params":
                    if isinstance(bvn, yaml.ScalarNode) and bvn.value == "":
                        continue
                    for pkey, pkn, pvn in mapping(ctx, bvn, f"params of block '{key}'"):
                        if pkey == "cin":
                            raise ctx.err(pkn, "'cin' is built in (the channels entering "
                                          "the block); choose another parameter name")  # fmt: skip
                        required = _plain(pvn) and pvn.value == "required"
                        params[pkey] = None if required else pvn
                elif bkey == "layers":
                    layers = bvn
                else:
                    raise ctx.err(bkn, f"unknown key '{bkey}' in block '{key}'",
                                  _suggest(bkey, ["params", "layers"]))  # fmt: skip
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
                self.token_pos(cnode, first_node),
                f"start the stack with {shape[0]}",
            )
        own: list[tuple[str, SNode, SNode]] = []
        kernel = entries.get("kernel")
        key_node = entries["channels"][0]
        if kernel is not None:
            own.append(("k", kernel[0], kernel[1]))
        else:
            own.append(("k", key_node, yaml.ScalarNode("tag:yaml.org,2002:int", "3",
                                                        key_node.start_mark, key_node.end_mark)))  # fmt: skip
        for short, arg in (("stride", "s"), ("padding", "p")):
            if short in entries:
                own.append((arg, entries[short][0], entries[short][1]))
        norm = entries.get("norm")
        act = entries.get("act")
        norm_op = self.choice(norm[1], "norm", ("bn", "gn", "ln", "inorm")) if norm else None
        if norm_op == "gn":
            raise ctx.err(norm[1] if norm else cnode, "norm: gn needs a group count",
                          "use 'bn' in the stack, or list the layers under 'layers'")  # fmt: skip
        act_ops = [k for k, v in KINDS.items() if v.cls.__name__ == "Activation"] + ["prelu"]
        act_op = self.choice(act[1], "act", act_ops) if act else None
        for token, tnode in tokens[1:]:
            self.ctx.tick(tnode)
            if token == "M":
                mp = MaxPool(kernel_size=(2,), stride=(2,))
                self.stack_emit(scope, "maxpool", tnode, lambda n: self.emit(
                    scope, n, "maxpool", mp, (scope.last(),), tnode, {}))  # fmt: skip
                continue
            args = [*own, ("out", tnode, tnode)]
            self.stack_emit(scope, "conv", tnode, lambda n: self.emit_op(
                scope, "conv", args, tnode, n, (scope.last(),)))  # fmt: skip
            for op, spot in ((norm_op, norm), (act_op, act)):
                if op and spot:
                    at = spot[1]
                    self.stack_emit(scope, _base_name(op), at, lambda n, op=op, at=at: self.emit_op(
                        scope, op, [], at, n, (scope.last(),)))  # fmt: skip

    @staticmethod
    def stack_emit(scope: Scope, base: str, at: SNode, make: Callable[[str], str]) -> None:
        name = scope.auto(base)
        scope.names[name] = out = make(name)
        scope.history.append(out)

    def channel_tokens(self, node: SNode) -> list[tuple[int | str, SNode]]:
        ctx = self.ctx
        raw: list[tuple[str, SNode]] = []
        if isinstance(node, yaml.SequenceNode):
            raw = [(str(n.value) if isinstance(n, yaml.ScalarNode) else "", n) for n in node.value]
        else:
            text = expect_str(ctx, node, "channels")
            _check_chars(ctx, node, text, "->, M", "channels",
                         "separate channels with '→' or '->', as in 3→64→128")  # fmt: skip
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
            elif text.isdigit() and int(text) > 0:
                out.append((int(text), tnode))
            else:
                raise ctx.err(tnode, f"'{text}' in channels is neither a channel count nor 'M'",
                              "write positive integers and 'M' (a 2×2 max pool), as in 3→64→M→128")  # fmt: skip
        if len(out) < 2:
            raise ctx.err(node, "the channels stack needs at least two numbers (in → out)")
        return out

    def token_pos(self, stack: SNode, token: SNode) -> Pos:
        return self.ctx.pos(token)

    # -- items --
    def reserve(self, scope: Scope, items: Sequence[SNode]) -> None:
        """Explicit names are known up front so that automatic ones never take them."""
        for item in items:
            if isinstance(item, yaml.MappingNode):
                for knode, vnode in item.value:
                    if isinstance(knode, yaml.ScalarNode) and knode.value == "name":
                        if isinstance(vnode, yaml.ScalarNode):
                            scope.reserved.add(str(vnode.value))

    def expand_items(self, scope: Scope, items: Sequence[SNode]) -> None:
        if len(self.stack) > MAX_DEPTH:
            raise self.ctx.err(items[0] if items else yaml.ScalarNode("", ""),
                               f"blocks nest deeper than {MAX_DEPTH} levels")  # fmt: skip
        for item in items:
            self.expand_item(scope, item)

    def split_item(self, item: SNode) -> tuple[str, SNode, SNode | None, dict[str, tuple[SNode, SNode]]]:
        """(op, op key node, op value node, meta entries) of one item."""
        ctx = self.ctx
        if isinstance(item, yaml.ScalarNode):
            op = expect_str(ctx, item, "a layer")
            return op, item, None, {}
        entries = mapping(ctx, item, "a layer")
        meta = {k: (kn, vn) for k, kn, vn in entries if k in META_KEYS}
        ops = [(k, kn, vn) for k, kn, vn in entries if k not in META_KEYS]
        if not ops:
            raise ctx.err(item, "this item has no op",
                          "write an op such as 'conv: 64' beside 'name'/'from'/'repeat'")  # fmt: skip
        if len(ops) > 1:
            names = ", ".join(f"'{k}'" for k, _, _ in ops)
            raise ctx.err(ops[1][1], f"one item has several ops ({names})",
                          "put each op in its own list item ('- ' before each)")  # fmt: skip
        op, kn, vn = ops[0]
        return op, kn, vn, meta

    def expand_item(self, scope: Scope, item: SNode) -> None:
        ctx = self.ctx
        op, kn, vn, meta = self.split_item(item)
        if op not in KINDS and op not in self.blocks and op not in STRUCTURES:
            options = [*KINDS, *self.blocks, *STRUCTURES]
            hint = _suggest(op, options)
            if op in YAML11_BOOLS:
                hint = f"'{op}' is not an op (YAML 1.1 would even read it as a boolean)"
            raise ctx.err(kn, f"unknown op '{op}'", hint or "see 'cnncalc schema' for every op")
        name = expect_str(ctx, meta["name"][1], "name") if "name" in meta else None
        if name is not None and ("." in name or name in ("input", "prev")):
            raise ctx.err(meta["name"][1], f"'{name}' cannot be a layer name",
                          "names may not contain '.' nor be 'input' or 'prev'")  # fmt: skip
        if name is not None and name in scope.names:
            first = self.producers.get(scope.names[name])
            where = f" (first at line {first.pos.line})" if first and first.pos else ""
            raise ctx.err(meta["name"][1], f"duplicate name '{name}'{where}",
                          "names must be unique within their scope")  # fmt: skip
        src = self.ref(scope, meta["from"][1]) if "from" in meta else scope.last()
        repeat = expect_int(ctx, meta["repeat"][1], "repeat") if "repeat" in meta else None
        first = meta.get("first")
        if first is not None and repeat is None:
            raise ctx.err(first[0], "'first' needs 'repeat'",
                          "'first' overrides arguments of the first of the repeated copies")  # fmt: skip
        if op in STRUCTURES and first is not None:
            raise ctx.err(first[0], f"'first' does not apply to '{op}'",
                          "put the structure in a block and repeat the block call")  # fmt: skip
        if name is None and op in STRUCTURES and repeat is None:
            out = self.expand_one(scope, op, kn, vn, None, src, None)
            scope.history.append(out)
            return
        base = name or scope.auto(op if op in self.blocks or op in STRUCTURES else _base_name(op))
        if repeat is None:
            out = self.expand_one(scope, op, kn, vn, base, src, None)
        else:
            ctx.tick(kn, repeat)
            out = src
            for i in range(repeat):
                over = first[1] if (first is not None and i == 0) else None
                out = self.expand_one(scope, op, kn, vn, f"{base}.{i}", out, over)
        scope.names[base] = out
        scope.history.append(out)

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
            args = self.merge_args(args, self.arg_entries(scope, op, first))
        return self.emit_op(scope, op, args, kn, name, (src,))

    def arg_entries(self, scope: Scope, op: str, node: SNode) -> list[tuple[str, SNode, SNode]]:
        ctx = self.ctx
        entries = mapping(ctx, node, f"arguments of '{op}'")
        return [(k, kn, self.subst(scope, vn)) for k, kn, vn in entries]

    def item_args(
        self, scope: Scope, op: str, kn: SNode, vn: SNode | None
    ) -> list[tuple[str, SNode, SNode]]:
        kind = KINDS[op]
        if vn is None or (isinstance(vn, yaml.ScalarNode) and vn.value == "" and not vn.style):
            return []
        if isinstance(vn, yaml.MappingNode):
            return self.arg_entries(scope, op, vn)
        if kind.scalar is None:
            raise self.ctx.err(vn, f"'{op}' takes no value here",
                               f"write '{op}' alone, or '{op}: {{...}}' with named arguments")  # fmt: skip
        arg = next(a for a in kind.args if a.field == kind.scalar)
        return [(arg.names[0], kn, self.subst(scope, vn))]

    @staticmethod
    def merge_args(
        base: list[tuple[str, SNode, SNode]], over: list[tuple[str, SNode, SNode]]
    ) -> list[tuple[str, SNode, SNode]]:
        return [*base, *over]

    def subst(self, scope: Scope, node: SNode) -> SNode:
        """Resolve `$p` and `${expr}` against the block parameters in scope."""
        if isinstance(node, yaml.SequenceNode):
            if any(isinstance(n, yaml.ScalarNode) and n.value.startswith("$") for n in node.value):
                return yaml.SequenceNode(node.tag, [self.subst(scope, n) for n in node.value],
                                         node.start_mark, node.end_mark)  # fmt: skip
            return node
        if not _plain(node) or not node.value.startswith("$"):
            return node
        ctx = self.ctx
        m = _PARAM.match(node.value)
        if m is not None:
            key = m.group(1)
            if key == "cin":
                return _synthetic(scope.cin, node)
            if key not in scope.params:
                known = [*scope.params, "cin"]
                raise ctx.err(node, f"unknown parameter '${key}'",
                              _suggest(key, known) or f"parameters here: {', '.join(known)}")  # fmt: skip
            return scope.params[key]
        m = _EXPR.match(node.value)
        if m is None:
            raise ctx.err(node, f"'{node.value}' is neither '$name' nor '${{expression}}'")
        names: dict[str, object] = {"cin": scope.cin}
        for key, pnode in scope.params.items():
            value = scalar(ctx, pnode) if isinstance(pnode, yaml.ScalarNode) else None
            names[key] = value
        value = _expr_value(ctx, node, m.group(1), names)
        return _synthetic(value, node)

    def convert(self, op: str, kind: Kind, args: Sequence[tuple[str, SNode, SNode]]) -> tuple[dict[str, object], dict[str, Pos]]:
        ctx = self.ctx
        by_name = kind.arg_by_name
        values: dict[str, object] = {}
        where: dict[str, Pos] = {}
        for key, kn, vn in args:
            arg = by_name.get(key)
            if arg is None:
                names = sorted(by_name)
                raise ctx.err(kn, f"'{op}' has no argument '{key}'",
                              _suggest(key, names) or (f"its arguments: {', '.join(names)}"
                                                        if names else f"'{op}' takes no arguments"))  # fmt: skip
            values[arg.field] = self.convert_arg(op, arg, vn)
            where[arg.field] = ctx.pos(vn)
            if arg.field in ("in_channels", "in_features"):
                where["in"] = ctx.pos(vn)
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
                raise ctx.err(node, f"{what} must be a size" + (f" or one of {', '.join(options)}"
                              if options else "") + f", got '{v}'", _suggest(v, options))  # fmt: skip
            return v
        return expect_ints(ctx, node, what, 0)

    def build(self, op: str, args: Sequence[tuple[str, SNode, SNode]], at: SNode) -> tuple[Any, dict[str, Pos]]:
        ctx = self.ctx
        kind = KINDS[op]
        own, where = self.convert(op, kind, args)
        defaults, _ = self.convert(op, kind, self.defaults_for(op))
        values: dict[str, object] = {**kind.fixed, **defaults, **own}
        for arg in kind.args:
            if arg.required and arg.field not in values:
                raise ctx.err(at, f"'{op}' needs '{arg.names[0]}' ({arg.doc})",
                              f"write '{op}: {{{arg.names[0]}: ...}}'" + (
                                  f" or '{op}: N'" if kind.scalar == arg.field else ""))  # fmt: skip
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
            raise self.ctx.err(at, f"duplicate name '{full}'", "names must be unique")
        self.ctx.tick(at)
        node = Node(full, op, layer, inputs, self.ctx.pos(at), where)
        self.shapes[full] = infer_shape(node, [self.shapes[i] for i in inputs], self.producers)
        self.nodes.append(node)
        self.producers[full] = node
        return full

    # -- references and merges --
    def ref(self, scope: Scope, node: SNode) -> str:
        ctx = self.ctx
        v = scalar(ctx, node)
        if isinstance(v, int) and not isinstance(v, bool):
            if v >= 0:
                raise ctx.err(node, f"a relative reference must be negative (-1 = previous), got {v}")
            if -v > len(scope.history):
                raise ctx.err(node, f"reference {v} goes back past the first item "
                              f"(only {len(scope.history)} before it)")  # fmt: skip
            return scope.history[v]
        if not isinstance(v, str):
            raise ctx.err(node, f"a reference must be a name, 'prev', 'input' or -N, got {_describe(node)}")
        if v == "prev":
            return scope.last()
        if v == "input":
            return scope.input
        if v in scope.names:
            return scope.names[v]
        known = [*scope.names, "prev", "input"]
        raise ctx.err(node, f"unknown reference '{v}'",
                      _suggest(v, known) or f"names in scope: {', '.join(known)}")  # fmt: skip

    def merge(self, scope: Scope, op: str, kn: SNode, vn: SNode | None, full: str, src: str) -> str:
        ctx = self.ctx
        if vn is None or not isinstance(vn, yaml.SequenceNode):
            raise ctx.err(vn or kn, f"'{op}' takes a list of references, as in '{op}: [a, b]'")
        refs = tuple(self.ref(scope, n) for n in sequence(ctx, vn, op))
        if len(refs) < 2:
            raise ctx.err(vn, f"'{op}' needs at least two inputs")
        layer = KINDS[op].cls()
        return self.emit_merge(scope, full, op, layer, refs, kn)

    def emit_merge(self, scope: Scope, full: str, op: str, layer: Any, refs: tuple[str, ...], at: SNode) -> str:
        try:
            return self.emit(scope, full, op, layer, refs, at, {})
        except CnnCalcError as err:
            parts = []
            for r in refs:
                p = self.producers.get(r)
                line = f", line {p.pos.line}" if p is not None and p.pos is not None else ""
                parts.append(f"{fmt_shape(self.shapes[r])} from '{r}'{line}")
            err.message += "; inputs: " + "; ".join(parts)
            raise

    # -- structures --
    def sub_scope(self, parent: Scope, prefix: str, src: str) -> Scope:
        return Scope(prefix, src, parent.params, self.shapes[src][0])

    def residual(self, scope: Scope, kn: SNode, vn: SNode | None, name: str | None, src: str) -> str:
        ctx = self.ctx
        if vn is None:
            raise ctx.err(kn, "'residual' needs a 'body'")
        fields = {k: (k2, v2) for k, k2, v2 in mapping(ctx, vn, "'residual'")}
        for k, (k2, _) in fields.items():
            if k not in ("body", "shortcut", "merge"):
                raise ctx.err(k2, f"'residual' has no key '{k}'",
                              _suggest(k, ["body", "shortcut", "merge"]))  # fmt: skip
        if "body" not in fields:
            raise ctx.err(kn, "'residual' needs a 'body'")
        merge = self.choice(fields["merge"][1], "merge", ("add", "concat")) if "merge" in fields else "add"
        self.stack.append("residual")
        body_items = sequence(ctx, fields["body"][1], "'body'")
        # body layers live in the enclosing scope, like the layers of a torchvision block
        inner = Scope(scope.prefix, src, scope.params, self.shapes[src][0],
                      scope.names, [], scope.counters, scope.reserved)  # fmt: skip
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
            sub = Scope(f"{scope.prefix}{scope.auto('shortcut')}.", src, scope.params,
                        self.shapes[src][0])  # fmt: skip
            items = sequence(ctx, sc_node, "'shortcut'")
            self.reserve(sub, items)
            self.expand_items(sub, items)
            short = sub.last()
        else:
            if sc_node is not None:
                mode = self.choice(sc_node, "shortcut", ("auto", "identity", "optional"))
            short = self.shortcut(scope, mode, merge, src, body_out, sc_node or kn)
        if short is None:
            return body_out
        full = scope.prefix + (name or scope.auto(merge))
        layer = KINDS[merge].cls()
        return self.emit_merge(scope, full, merge, layer, (short, body_out), kn)

    def shortcut(self, scope: Scope, mode: str, merge: str, src: str, body: str, at: SNode) -> str | None:
        x, y = self.shapes[src], self.shapes[body]
        same = x == y if merge == "add" else x[1:] == y[1:]
        if mode == "identity" or merge == "concat":
            if mode == "identity" and not same:
                raise self.ctx.err(at, f"shortcut: identity, but the body changes the shape "
                                   f"from {fmt_shape(x)} to {fmt_shape(y)}",
                                   "use 'shortcut: auto' for a 1×1 projection")  # fmt: skip
            return src
        if same:
            return src
        if mode == "optional":
            return None
        if len(x) != len(y) or len(x) < 2:
            raise self.ctx.err(at, f"shortcut: auto cannot project {fmt_shape(x)} to {fmt_shape(y)}")
        strides = []
        for i, o in zip(x[1:], y[1:]):
            # a 1×1 conv with stride s gives floor((i−1)/s)+1 = o
            s = next((s for s in range(1, i + 1) if (i - 1) // s + 1 == o), None)
            if s is None or o > i:
                raise self.ctx.err(at, f"shortcut: auto needs a whole stride from {fmt_shape(x)} "
                                   f"to {fmt_shape(y)}", "give the shortcut layers explicitly")  # fmt: skip
            strides.append(s)
        conv = Conv(out_channels=y[0], kernel_size=(1,), stride=tuple(strides), bias=False)
        sub = Scope(f"{scope.prefix}{scope.auto('shortcut')}.", src, {}, x[0])
        a = self.emit(sub, "conv", "conv", conv, (src,), at, {})
        return self.emit(sub, "bn", "bn", BatchNorm(), (a,), at, {})

    def parallel(self, scope: Scope, kn: SNode, vn: SNode | None, name: str | None, src: str) -> str:
        ctx = self.ctx
        if vn is None:
            raise ctx.err(kn, "'parallel' needs 'branches'")
        fields = {k: (k2, v2) for k, k2, v2 in mapping(ctx, vn, "'parallel'")}
        for k, (k2, _) in fields.items():
            if k not in ("branches", "merge"):
                raise ctx.err(k2, f"'parallel' has no key '{k}'", _suggest(k, ["branches", "merge"]))
        if "branches" not in fields:
            raise ctx.err(kn, "'parallel' needs 'branches'")
        merge = self.choice(fields["merge"][1], "merge", ("concat", "add")) if "merge" in fields else "concat"
        outs = []
        branches = sequence(ctx, fields["branches"][1], "'branches'")
        if len(branches) < 2:
            raise ctx.err(fields["branches"][1], "'parallel' needs at least two branches")
        self.stack.append("parallel")
        for i, bnode in enumerate(branches, 1):
            sub = Scope(f"{scope.prefix}{scope.auto('branch')}.", src, scope.params,
                        self.shapes[src][0])  # fmt: skip
            items = sequence(ctx, bnode, f"branch {i}")
            self.reserve(sub, items)
            self.expand_items(sub, items)
            outs.append(sub.last())
        self.stack.pop()
        full = scope.prefix + (name or scope.auto(merge))
        return self.emit_merge(scope, full, merge, KINDS[merge].cls(), tuple(outs), kn)

    def call_block(
        self, scope: Scope, op: str, kn: SNode, vn: SNode | None, full: str, src: str, first: SNode | None
    ) -> str:
        ctx = self.ctx
        block = self.blocks[op]
        if op in self.stack:
            chain = " → ".join([*(s for s in self.stack if s in self.blocks), op])
            raise ctx.err(kn, f"block '{op}' calls itself ({chain})", "blocks cannot recurse")
        given: dict[str, SNode] = {}
        entries: list[tuple[str, SNode, SNode]] = []
        if vn is not None and not (isinstance(vn, yaml.ScalarNode) and vn.value == ""):
            entries = mapping(ctx, vn, f"arguments of block '{op}'")
        if first is not None:
            entries = [*entries, *mapping(ctx, first, "'first'")]
        for key, akn, avn in entries:
            if key not in block.params:
                declared = list(block.params)
                raise ctx.err(akn, f"block '{op}' has no parameter '{key}'",
                              _suggest(key, declared) or f"its parameters: {', '.join(declared) or 'none'}")  # fmt: skip
            given[key] = self.subst(scope, avn)
        params: dict[str, SNode] = {}
        for key, default in block.params.items():
            if key in given:
                params[key] = given[key]
            elif default is None:
                raise ctx.err(kn, f"block '{op}' needs parameter '{key}'",
                              f"write '{op}: {{{key}: ...}}' (declared at line {block.pos.line})")  # fmt: skip
            else:
                params[key] = default
        inner = Scope(full + ".", src, params, self.shapes[src][0])
        items = sequence(ctx, block.layers, f"layers of block '{op}'")
        self.stack.append(op)
        self.reserve(inner, items)
        self.expand_items(inner, items)
        self.stack.pop()
        return inner.last()


def load_source(src: Source) -> Network:
    return Loader(src).load(compose(src))


def load(path: str | Path) -> Network:
    """Load a network file (`-` reads stdin)."""
    return load_source(read_source(path))


def load_text(text: str, name: str = "<text>") -> Network:
    return load_source(Source(name, text))


def iter_ops() -> Iterator[tuple[str, Kind]]:
    yield from KINDS.items()
