"""Block parameters: `$param` and `${expr}`, evaluated by an AST whitelist (never `eval`) with
bounded arithmetic."""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from cnncalc.errors import Msg
from cnncalc.layers import INT_MAX
from cnncalc.loader.nodes import STR, SNode
from cnncalc.loader.values import Ctx, ExprNode, listed, scalar, suggest

_EXPR = re.compile(r"^\$\{(.*)\}$", re.S)
_PARAM = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")


class ExprError(ValueError):
    """Why an expression has no value, as a message."""

    def __init__(self, reason: Msg) -> None:
        super().__init__(reason.code)
        self.reason = reason


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
        raise ExprError(Msg("N0239", digits=digits))
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


def _name(n: ast.Name, names: Mapping[str, object]) -> Any:
    if n.id not in names:
        known = ", ".join(names)
        close = suggest(n.id, list(names))
        if close is not None:
            raise ExprError(Msg("N0233", name=n.id, close=close, known=known))
        raise ExprError(Msg("N0234", name=n.id, known=known))
    value = names[n.id]
    if not isinstance(value, (int, float)):  # a boolean counts as 0 or 1, as in Python
        shown: object = Msg("N0236") if value is None else f"{value!r}"
        raise ExprError(Msg("N0235", name=n.id, shown=shown))
    return value


def _ev(n: ast.AST, names: Mapping[str, object]) -> Any:
    if isinstance(n, ast.Expression):
        return _ev(n.body, names)
    if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)):
        if isinstance(n.value, bool):
            raise ExprError(Msg("N0232"))
        return n.value
    if isinstance(n, ast.Name):
        return _name(n, names)
    if isinstance(n, ast.BinOp) and type(n.op) in _BINOPS:
        left, right = _ev(n.left, names), _ev(n.right, names)
        if isinstance(n.op, (ast.Div, ast.FloorDiv, ast.Mod)) and right == 0:
            raise ExprError(Msg("N0237"))
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


def evaluate(expr: str, names: Mapping[str, object]) -> object:
    """Evaluate `expr` with an AST whitelist (no `eval`); raises `ExprError` with a reason."""
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError:
        raise ExprError(Msg("N0230", expr=expr)) from None
    except (RecursionError, MemoryError):
        raise ExprError(Msg("N0231")) from None
    try:
        return _ev(tree, names)
    except ExprError:
        raise
    except ZeroDivisionError:
        raise ExprError(Msg("N0237")) from None
    except (OverflowError, ValueError):  # int(inf), int(nan), 10.0 ** 400, min() of nothing
        raise ExprError(Msg("N0240")) from None
    except (TypeError, ArithmeticError):  # int(1, 2), round(1, 2, 3), a number of the wrong kind
        raise ExprError(Msg("N0241")) from None
    except (RecursionError, MemoryError):
        raise ExprError(Msg("N0231")) from None


def _expr_value(ctx: Ctx, node: SNode, expr: str, names: Mapping[str, object]) -> SNode:
    """`${expr}` as a plain scalar node holding its value; a whole float (128.0) becomes 128."""
    try:
        value = evaluate(expr, names)
    except ExprError as err:
        raise ctx.err(node, "E0230", expr=expr, reason=err.reason) from None
    if isinstance(value, bool):  # a comparison, for `if:`
        text = "true" if value else "false"
    elif isinstance(value, float):
        if not math.isfinite(value):
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
            hint = listed(suggest(key, known), Msg("N0261", names=", ".join(known)))
            raise ctx.err(node, "E0233", hint, key=key)
        return params[key]
    m = _EXPR.match(node.value)
    if m is None:
        raise ctx.err(node, "E0234", v=node.value)
    names: dict[str, object] = {"cin": cin}
    for key, pnode in params.items():
        names[key] = scalar(ctx, pnode) if isinstance(pnode, yaml.ScalarNode) else pnode.tag
    return _expr_value(ctx, node, m.group(1), names)
