"""Block parameters: `$param` and `${expr}`, evaluated by an AST whitelist (never `eval`) with
bounded arithmetic: an expression is short, and no value in it grows past `MAX_MAGNITUDE`."""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import yaml

from cnncalc.errors import Msg
from cnncalc.layers import INT_MAX
from cnncalc.loader.nodes import STR, SNode
from cnncalc.loader.values import Ctx, ExprNode, listed, scalar, suggest

_EXPR = re.compile(r"^\$\{(.*)\}$", re.S)
_PARAM = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")
#: an expression's length in characters and in syntax-tree nodes: real ones are a few dozen
#: (`make_divisible(cin * t, 8)` is 27 characters, 9 nodes); the bounds keep parsing and
#: evaluating one to microseconds and its messages short
MAX_EXPR_CHARS = 1_000
MAX_EXPR_NODES = 256
#: every value inside an expression (constants, parameters, each intermediate result) stays
#: within ±10^30, so no product or division builds a big number (`int(1e308) * …`); sizes
#: themselves end at 2^63 − 1
MAX_MAGNITUDE = 10**30


class ExprError(ValueError):
    """Why an expression has no value, as a message, with a hint when the reason has one."""

    def __init__(self, reason: Msg, hint: Msg | None = None) -> None:
        super().__init__(reason.code)
        self.reason = reason
        self.hint = hint


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
        raise ExprError(Msg("N0239", digits=digits), Msg("H0239"))
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
_COMPARE: Mapping[type, Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
#: what a construct outside the whitelist is called in a message
_CONSTRUCTS: Mapping[type, str] = {
    ast.Compare: "N0252",
    ast.BoolOp: "N0253",
    ast.Constant: "N0254",
    ast.Attribute: "N0255",
    ast.Subscript: "N0256",
    ast.IfExp: "N0257",
    ast.Lambda: "N0258",
    ast.JoinedStr: "N0265",
    ast.ListComp: "N0266",
    ast.SetComp: "N0266",
    ast.DictComp: "N0266",
    ast.GeneratorExp: "N0266",
    ast.List: "N0267",
    ast.Tuple: "N0267",
    ast.Set: "N0267",
    ast.Dict: "N0267",
    ast.NamedExpr: "N0268",
}
_SYMBOLS: Mapping[type, str] = {
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Not: "not",
    ast.Invert: "~",
}


def _construct(n: ast.AST) -> Msg:
    """What kind of construct `n` is, for the message that refuses it."""
    if isinstance(n, (ast.BinOp, ast.UnaryOp)):
        return Msg("N0250", op=_SYMBOLS.get(type(n.op), type(n.op).__name__))
    if isinstance(n, ast.Call):
        if isinstance(n.func, ast.Name) and n.func.id in _FUNCS:
            return Msg("N0260")  # a whitelisted function with keywords or *args
        return Msg("N0251", name=ast.unparse(n.func))
    return Msg(_CONSTRUCTS.get(type(n), "N0259"))


def _not_allowed(n: ast.AST) -> ExprError:
    try:
        shown = f"'{ast.unparse(n)}'"
        construct = _construct(n)
    except (RecursionError, ValueError):  # pragma: no cover - absurdly deep node
        shown, construct = "'…'", Msg("N0259")
    return ExprError(Msg("N0238", shown=shown, construct=construct))


def _bounded(v: Any, n: ast.AST) -> Any:
    """`v`, the value of `n`, when it is within ±`MAX_MAGNITUDE` (else the expression stops
    here, before a bigger number is built from it)."""
    if -MAX_MAGNITUDE <= v <= MAX_MAGNITUDE:  # every value is a number: the whitelist's
        return v
    if isinstance(v, float) and math.isnan(v):
        raise ExprError(Msg("N0240"), Msg("H0240"))
    shown = ast.unparse(n) if not isinstance(n, ast.Expression) else "…"
    raise ExprError(Msg("N0264", shown=shown), Msg("H0264"))


def _name(n: ast.Name, names: Mapping[str, object]) -> Any:
    if n.id not in names:
        known = list(names)
        close = suggest(n.id, known[:1000])  # difflib over a hostile number of names is slow
        hint = Msg("H0233")
        if close is not None:
            raise ExprError(Msg("N0233", name=n.id, close=close, known=", ".join(known)), hint)
        raise ExprError(Msg("N0234", name=n.id, known=", ".join(known)), hint)
    value = names[n.id]
    if not isinstance(value, (int, float)):  # a boolean counts as 0 or 1, as in Python
        shown: object = Msg("N0236") if value is None else f"{value!r}"
        raise ExprError(Msg("N0235", name=n.id, shown=shown), Msg("H0235"))
    return value


def _ev(n: ast.AST, names: Mapping[str, object]) -> Any:
    return _bounded(_value(n, names), n)


def _value(n: ast.AST, names: Mapping[str, object]) -> Any:
    if isinstance(n, ast.Expression):
        return _ev(n.body, names)
    if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)):
        if isinstance(n.value, bool):
            raise ExprError(Msg("N0232"), Msg("H0232"))
        return n.value
    if isinstance(n, ast.Name):
        return _name(n, names)
    if isinstance(n, ast.BinOp) and type(n.op) in _BINOPS:
        left, right = _ev(n.left, names), _ev(n.right, names)
        if isinstance(n.op, (ast.Div, ast.FloorDiv, ast.Mod)) and right == 0:
            raise ExprError(Msg("N0237"), Msg("H0237"))
        return _BINOPS[type(n.op)](left, right)
    if isinstance(n, ast.Compare) and all(type(o) in _COMPARE for o in n.ops):
        values = [_ev(n.left, names), *(_ev(c, names) for c in n.comparators)]
        return all(_COMPARE[type(o)](a, b) for o, a, b in zip(n.ops, values, values[1:]))
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
        v = _ev(n.operand, names)
        return -v if isinstance(n.op, ast.USub) else v
    if (
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Name)
        and n.func.id in _FUNCS
        and not n.keywords
        and not any(isinstance(a, ast.Starred) for a in n.args)
    ):
        return _FUNCS[n.func.id](*(_ev(a, names) for a in n.args))
    raise _not_allowed(n)


@functools.lru_cache(maxsize=4096)
def parse(expr: str) -> tuple[ast.Expression, tuple[str, ...]]:
    """The syntax tree of `expr` and the names it uses (a block called many times parses each
    expression once), within `MAX_EXPR_CHARS` and `MAX_EXPR_NODES`; raises `ExprError`."""
    if len(expr) > MAX_EXPR_CHARS:
        raise ExprError(Msg("N0262", n=f"{len(expr):,}", limit=f"{MAX_EXPR_CHARS:,}"),
                        Msg("H0262"))  # fmt: skip
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError:
        raise ExprError(Msg("N0230", expr=expr)) from None
    except (RecursionError, MemoryError):
        raise ExprError(Msg("N0231"), Msg("H0262")) from None
    names: list[str] = []
    todo: list[ast.AST] = [tree.body]
    count = 0
    while todo:  # (ast.walk is general and slow: this knows the few nodes allowed)
        n = todo.pop()
        count += 1
        if count > MAX_EXPR_NODES:
            raise ExprError(Msg("N0263", limit=MAX_EXPR_NODES), Msg("H0262"))
        if isinstance(n, ast.BinOp):
            todo += (n.left, n.right)
        elif isinstance(n, ast.UnaryOp):
            todo.append(n.operand)
        elif isinstance(n, ast.Call):
            todo += (n.func, *n.args, *(k.value for k in n.keywords))
        elif isinstance(n, ast.Name):
            names.append(n.id)
    return tree, tuple(names)


def names_in(expr: str) -> tuple[str, ...]:
    """The names an expression uses (none when it does not parse: evaluating it says why)."""
    try:
        return parse(expr)[1]
    except ExprError:
        return ()


def evaluate(expr: str, names: Mapping[str, object]) -> object:
    """Evaluate `expr` with an AST whitelist (no `eval`); raises `ExprError` with a reason."""
    tree = parse(expr)[0]
    try:
        return _ev(tree, names)
    except ExprError:
        raise
    except ZeroDivisionError:  # 5 // 0.0 is caught above; make_divisible(v, 0) here
        raise ExprError(Msg("N0237"), Msg("H0237")) from None
    except (OverflowError, ValueError):  # int(inf), int(nan), min() of nothing
        raise ExprError(Msg("N0240"), Msg("H0240")) from None
    except (TypeError, ArithmeticError):  # int(1, 2), round(1, 2, 3), a number of the wrong kind
        raise ExprError(Msg("N0241"), Msg("H0241")) from None
    except (RecursionError, MemoryError):  # pragma: no cover - bounded by MAX_EXPR_NODES
        raise ExprError(Msg("N0231"), Msg("H0262")) from None


def _expr_value(ctx: Ctx, node: SNode, expr: str, names: Mapping[str, object]) -> SNode:
    """`${expr}` as a plain scalar node holding its value; a whole float (128.0) becomes 128."""
    try:
        value = evaluate(expr, names)
    except ExprError as err:
        raise ctx.err(node, "E0230", err.hint, expr=expr, reason=err.reason) from None
    if isinstance(value, bool):  # a comparison, for `if:`
        text = "true" if value else "false"
    elif isinstance(value, float):
        if not math.isfinite(value):  # pragma: no cover - every value is within ±10^30
            raise ctx.err(node, "E0231", expr=expr, v=value)
        text = str(int(value)) if value.is_integer() and abs(value) <= INT_MAX else repr(value)
    elif isinstance(value, int) and abs(value) > INT_MAX:
        raise ctx.err(node, "E0232", expr=expr, max=f"{INT_MAX:,}")
    else:
        text = str(value)
    return ExprNode(text, node, expr)


def synthetic(value: object, like: SNode) -> SNode:
    """A scalar node holding a computed value (`cin`), located where it was written."""
    return yaml.ScalarNode(STR, str(value), like.start_mark, like.end_mark)


class _Names(Mapping[str, object]):
    """`cin` and the parameters in scope as an expression sees them: each one read when the
    expression names it, so an expression costs what it uses, not what the block declares."""

    def __init__(self, ctx: Ctx, params: Mapping[str, SNode], cin: int) -> None:
        self.ctx = ctx
        self.params = params
        self.cin = cin

    def __contains__(self, key: object) -> bool:
        return key == "cin" or key in self.params

    def __getitem__(self, key: str) -> object:
        if key == "cin":
            return self.cin
        node = self.params[key]
        return scalar(self.ctx, node) if isinstance(node, yaml.ScalarNode) else node.tag

    def __iter__(self) -> Iterator[str]:
        yield "cin"
        yield from self.params

    def __len__(self) -> int:
        return len(self.params) + 1


class _Call:
    """What the views of one call's parameters share."""

    __slots__ = ("cin", "ctx", "declared", "index", "values")

    def __init__(self, ctx: Ctx, declared: Mapping[str, SNode | None],
                 given: Mapping[str, SNode], cin: int) -> None:  # fmt: skip
        self.ctx = ctx
        self.declared = declared
        self.cin = cin
        self.values: dict[str, SNode] = dict(given)
        self.index = {key: i for i, key in enumerate(declared)}


class CallParams(Mapping[str, SNode]):
    """The parameters of one block call: those it gives, and each default computed when it is
    first used (from `cin` and the parameters declared before it). A call costs what it uses:
    a block declaring thousands of parameters is not re-read at every call or expression.
    (Required parameters are checked by the caller, before.)"""

    __slots__ = ("call", "limit")

    def __init__(self, ctx: Ctx, declared: Mapping[str, SNode | None],
                 given: Mapping[str, SNode], cin: int) -> None:  # fmt: skip
        self.call = _Call(ctx, declared, given, cin)
        self.limit = len(declared)  # the first `limit` declared parameters are visible

    @property
    def cin(self) -> int:
        return self.call.cin

    def _before(self, key: str) -> CallParams:
        """The parameters the default of `key` sees: those declared before it."""
        view = CallParams.__new__(CallParams)
        view.call = self.call
        view.limit = self.call.index[key]
        return view

    def __contains__(self, key: object) -> bool:
        i = self.call.index.get(key) if isinstance(key, str) else None
        return i is not None and i < self.limit

    def __getitem__(self, key: str) -> SNode:
        if key not in self:
            raise KeyError(key)
        values = self.call.values
        if key not in values:
            self._resolve(key)
        return values[key]

    def _resolve(self, key: str) -> None:
        """Compute the default of `key` after the defaults it uses, without recursion: a chain
        of defaults, each using the one before, is as long as the block's declaration."""
        call = self.call
        todo = [(key, False)]
        while todo:
            k, ready = todo.pop()
            if k in call.values:
                continue
            default = call.declared[k]
            assert default is not None  # a required parameter is given, or the call refused
            before = self._before(k)
            if ready:
                call.values[k] = subst(call.ctx, before, call.cin, default)
                continue
            todo.append((k, True))
            todo += ((d, False) for d in _uses(default) if d in before and d not in call.values)

    def __iter__(self) -> Iterator[str]:
        return (key for key, i in self.call.index.items() if i < self.limit)

    def __len__(self) -> int:
        return self.limit


def _uses(node: SNode) -> Iterable[str]:
    """The parameters a value names (`$p`, the names in `${…}`, inside a list too)."""
    if isinstance(node, yaml.SequenceNode):
        return [name for item in node.value for name in _uses(item)]
    if not isinstance(node, yaml.ScalarNode) or not node.value.startswith("$"):
        return []
    m = _PARAM.match(node.value)
    if m is not None:
        return [m.group(1)]
    m = _EXPR.match(node.value)
    return names_in(m.group(1)) if m is not None else ()


def subst(ctx: Ctx, params: Mapping[str, SNode], cin: int, node: SNode) -> SNode:
    """Resolve `$p` and `${expr}` against the block parameters in scope and `cin`."""
    if isinstance(node, yaml.SequenceNode):
        if any(isinstance(n, yaml.ScalarNode) and n.value.startswith("$") for n in node.value):
            items = [subst(ctx, params, cin, n) for n in node.value]
            return yaml.SequenceNode(node.tag, items, node.start_mark, node.end_mark)
        return node
    if not isinstance(node, yaml.ScalarNode) or not node.value.startswith("$"):
        return node  # quoted "${…}" too: inside { } an expression needs quotes
    m = _PARAM.match(node.value)
    if m is not None:
        key = m.group(1)
        if key == "cin":
            return synthetic(cin, node)
        if key not in params:
            known = [*params, "cin"]
            hint = listed(suggest(key, known[:1000]), Msg("N0261", names=", ".join(known)))
            raise ctx.err(node, "E0233", hint, key=key)
        return params[key]
    m = _EXPR.match(node.value)
    if m is None:
        raise ctx.err(node, "E0234", v=node.value)
    return _expr_value(ctx, node, m.group(1), _Names(ctx, params, cin))
