"""Python source text laid out as ruff format (Black's style) lays it out, for the code the
PyTorch exporter writes: an expression is an atom or a bracketed list of expressions, and a
statement that does not fit the line is split at its brackets, the last first.

Only the shapes the exporter writes are covered: assignments and returns of calls, lists and
tuples, and `def` lines; `tests/test_export_pytorch.py` runs `ruff format --check` on the result.
"""

from __future__ import annotations

from dataclasses import dataclass

LINE = 88
INDENT = "    "


@dataclass(frozen=True)
class Br:
    """`head` `open` items `close` `tail`: a call (`nn.Conv2d(3, 64)`), a list (`[a, b]`), a
    tuple or a `def` line (`def f(` … `) -> None:`)."""

    head: str
    items: tuple[Code, ...]
    open: str = "("
    close: str = ")"
    tail: str = ""


Code = str | Br


def call(head: str, *items: Code, tail: str = "") -> Br:
    return Br(head, tuple(items), tail=tail)


def flat(code: Code) -> str:
    """The expression on one line."""
    if isinstance(code, str):
        return code
    inner = ", ".join(flat(i) for i in code.items)
    if code.open == "(" and not code.head and len(code.items) == 1:
        inner += ","  # a one-element tuple
    return f"{code.head}{code.open}{inner}{code.close}{code.tail}"


def lines(code: Code, indent: str, prefix: str = "", suffix: str = "") -> list[str]:
    """The statement `prefix + code + suffix` at `indent`, split as ruff format splits it."""
    one = f"{indent}{prefix}{flat(code)}{suffix}"
    if len(one) <= LINE or isinstance(code, str) or not code.items:
        return [one]
    inner = indent + INDENT
    first = f"{indent}{prefix}{code.head}{code.open}"
    last = f"{indent}{code.close}{code.tail}{suffix}"
    tuple1 = code.open == "(" and not code.head and len(code.items) == 1
    body = ", ".join(flat(i) for i in code.items) + ("," if tuple1 else "")
    if len(inner + body) <= LINE:
        return [first, inner + body, last]
    if len(code.items) == 1 and not tuple1:
        return [first, *lines(code.items[0], inner), last]
    out = [first]
    for item in code.items:
        out += lines(item, inner, "", ",")
    out.append(last)
    return out


def py_str(text: str) -> str:
    """`text` as a Python string literal, quoted as ruff format quotes it (double quotes,
    unless that needs more escapes than single ones)."""
    body = text.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    if '"' in text and "'" not in text:
        return "'" + text.encode("unicode_escape").decode("ascii") + "'"
    return f'"{body}"'


def py_value(value: object) -> str:
    """A constructor argument's value as Python source."""
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return f'float("{value}")'
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(py_value(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(py_value(v) for v in value) + "]"
    return repr(value)
