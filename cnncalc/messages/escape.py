"""Making user text safe to show: control characters written visibly, long lines cut.

Standard library only, below `errors` so that every diagnostic (its arguments, its file name and
its quoted source line) and every render sink share the one step. A control character from a
file or an option never reaches a terminal, a Markdown page, an XML report or a CI log raw:
`\\x1b` is shown as the four characters `\\x1b`, a line break inside a name as `\\n`.
"""

from __future__ import annotations

import re

#: C0 and C1 controls, DEL, and the bidirectional overrides and isolates (which reorder what a
#: terminal or a web page shows: "Trojan Source"); line separators U+2028/U+2029 too
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]"
)
#: the same, but keeping line breaks and tabs (whole outputs, where lines are meant)
_CONTROL_IN_TEXT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _show(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """One value (a name, a path, an argument) with every control character written visibly:
    `"a\\x1b[31mb"` -> `a\\x1b[31mb` with a literal backslash; a line break becomes `\\n`."""
    return _CONTROL.sub(_show, text) if _CONTROL.search(text) else text


def visible_lines(text: str) -> str:
    """A whole output: line breaks and tabs kept, every other control character visible."""
    return _CONTROL_IN_TEXT.sub(_show, text) if _CONTROL_IN_TEXT.search(text) else text


def has_control(text: str) -> int:
    """The index of the first control character in `text`, or -1."""
    m = _CONTROL.search(text)
    return -1 if m is None else m.start()


#: columns of a quoted source line shown around the caret
QUOTE_WIDTH = 200


def clip(line: str, col: int, width: int = QUOTE_WIDTH) -> tuple[str, int]:
    """At most `width` characters of `line` around column `col` (1-based), with `…` where it
    was cut, and the caret's new column: a one-megabyte line is quoted as 200 columns."""
    if len(line) <= width:
        return line, col
    start = max(0, min(col - 1 - width // 2, len(line) - width))
    end = start + width
    head = "…" if start > 0 else ""
    tail = "…" if end < len(line) else ""
    return head + line[start:end] + tail, col - start + len(head)
