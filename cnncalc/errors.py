"""Errors and source positions: every user mistake becomes a located `CnnCalcError`."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

#: what YAML counts as a line break (so line numbers agree with PyYAML's and libyaml's marks;
#: `str.splitlines` also breaks at \v, \f and \x1c-\x1e, which YAML does not)
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


class ExitStatus(enum.IntEnum):
    """Process exit statuses shared by every command."""

    OK = 0
    FINDINGS = 1
    BAD_INPUT = 2
    INTERNAL = 3


@dataclass(frozen=True)
class Source:
    """The text of one input, kept so that messages can quote it."""

    name: str
    text: str

    def line(self, number: int) -> str:
        """Line `number` (1-based) as YAML counts lines, or '' past the end."""
        if number < 1:
            return ""
        lines = _LINE_BREAK.split(self.text, maxsplit=number)
        return lines[number - 1] if number <= len(lines) else ""

    def lines(self) -> list[str]:
        """The lines of the text as YAML counts them."""
        return _LINE_BREAK.split(self.text)

    def pos(self, index: int) -> Pos:
        """The position of character `index` of the text."""
        before = self.text[:index]
        starts = [m.end() for m in _LINE_BREAK.finditer(before)]
        return Pos(self, len(starts) + 1, index - (starts[-1] if starts else 0) + 1)


@dataclass(frozen=True)
class Pos:
    """A 1-based line and column inside a `Source`; line 0 means the file as a whole."""

    source: Source
    line: int
    col: int

    def __str__(self) -> str:
        if self.line < 1:
            return self.source.name
        return f"{self.source.name}:{self.line}:{self.col}"


def _width(text: str) -> int:
    """Terminal columns: wide (CJK) characters take two, so the caret lines up under them."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class CnnCalcError(Exception):
    """Any mistake in the user's input. The CLI prints it and exits with status 2."""

    def __init__(self, message: str, pos: Pos | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.hint = hint
        #: context lines printed after the quoted source ("in block 'basic' called at ...")
        self.notes: list[str] = []

    def located(self, pos: Pos | None) -> CnnCalcError:
        """Attach a position if the error has none yet (the innermost position wins)."""
        if self.pos is None and pos is not None:
            self.pos = pos
        return self

    def note(self, text: str) -> CnnCalcError:
        """Add a context line (outermost last)."""
        self.notes.append(text)
        return self

    #: how the diagnostic is labelled; a `CnnCalcWarning` is reported without failing
    severity = "error"

    def render(self) -> str:
        """Format as a compiler diagnostic: location, message, quoted line with a caret, notes,
        hint."""
        if self.pos is None:
            out = [f"{self.severity}: {self.message}"]
        else:
            out = [f"{self.pos}: {self.severity}: {self.message}"]
            text = self.pos.source.line(self.pos.line)
            if text.strip():
                shown = text.expandtabs(1)  # one column per character, so the caret lines up
                out.append(f"  {self.pos.line:>4} | {shown}")
                out.append("       | " + " " * _width(shown[: self.pos.col - 1]) + "^")
        out.extend(f"note: {n}" for n in self.notes)
        if self.hint:
            out.append(f"hint: {self.hint}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.render()


class CnnCalcWarning(CnnCalcError):
    """Something worth a look that does not stop the analysis (a misaligned merge)."""

    severity = "warning"


class SpecError(CnnCalcError):
    """The file is not a valid network description (syntax, types, unknown names)."""


class ShapeError(CnnCalcError):
    """The network is well formed but its shapes do not work out."""


class LayerArgError(CnnCalcError):
    """A layer's arguments are inconsistent; `arg` names the offending argument, if one."""

    def __init__(self, message: str, arg: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, None, hint)
        self.arg = arg
