"""Errors and source positions: every user mistake becomes a located `CnnCalcError`."""

from __future__ import annotations

import enum
from dataclasses import dataclass


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
        lines = self.text.splitlines()
        return lines[number - 1] if 1 <= number <= len(lines) else ""


@dataclass(frozen=True)
class Pos:
    """A 1-based line and column inside a `Source`."""

    source: Source
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.source.name}:{self.line}:{self.col}"


class CnnCalcError(Exception):
    """Any mistake in the user's input. The CLI prints it and exits with status 2."""

    def __init__(self, message: str, pos: Pos | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.hint = hint

    def located(self, pos: Pos | None) -> CnnCalcError:
        """Attach a position if the error has none yet (the innermost position wins)."""
        if self.pos is None and pos is not None:
            self.pos = pos
        return self

    def render(self) -> str:
        """Format as a compiler diagnostic: location, message, quoted line with a caret, hint."""
        if self.pos is None:
            out = [f"error: {self.message}"]
        else:
            out = [f"{self.pos}: error: {self.message}"]
            text = self.pos.source.line(self.pos.line)
            if text.strip():
                shown = text.expandtabs(1)
                out.append(f"  {self.pos.line:>4} | {shown}")
                out.append("       | " + " " * (self.pos.col - 1) + "^")
        if self.hint:
            out.append(f"hint: {self.hint}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.render()


class SpecError(CnnCalcError):
    """The file is not a valid network description (syntax, types, unknown names)."""


class ShapeError(CnnCalcError):
    """The network is well formed but its shapes do not work out."""


class LayerArgError(CnnCalcError):
    """A layer's arguments are inconsistent; `arg` names the offending argument, if one."""

    def __init__(self, message: str, arg: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, None, hint)
        self.arg = arg
