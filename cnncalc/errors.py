"""Errors and source positions: every user mistake becomes a located `CnnCalcError`."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from cnncalc.messages import has, label, message
from cnncalc.messages.escape import clip, visible

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
        name = visible(self.source.name) or "''"  # an empty path still shows where the error is
        if self.line < 1:
            return name
        return f"{name}:{self.line}:{self.col}"


def columns(text: str) -> int:
    """The terminal columns `text` takes: wide (CJK) characters take two (a caret lines up
    under them; wrapped Chinese text stays inside its width)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def quote(text: str, line: int, col: int) -> list[str]:
    """A source line and a caret under column `col`: at most ~200 columns around the caret,
    control characters written visibly (the caret still lines up under the character)."""
    text, col = clip(text.expandtabs(1), col)  # one column per character, so the caret lines up
    before = visible(text[: col - 1])
    return [
        f"  {line:>4} | {before}{visible(text[col - 1 :])}",
        "       | " + " " * columns(before) + "^",
    ]


#: what a message code looks like: E… errors, W… warnings, H… shared hints, N… shared notes
CODE = re.compile(r"^[EWHN][0-9]{4}$")


class Msg:
    """A message by code: `Msg("E0412", arg="padding", stride=2)`, rendered in any language.
    An argument that is itself a `Msg` is rendered in the same language."""

    __slots__ = ("args", "code")

    def __init__(self, code: str, /, **args: object) -> None:
        self.code = code
        self.args = args

    def text(self, lang: str = "en") -> str:
        """The message in `lang`."""
        return message(self.code, lang, self.args)

    def __repr__(self) -> str:
        return f"Msg({self.code!r}, **{self.args!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.code, self.args) == (other.code, other.args)

    __hash__ = None  # type: ignore[assignment]


class CnnCalcError(Exception):
    """Any mistake in the user's input: a code, a position and the message's arguments.
    The CLI renders it in the chosen language at its one catch site and exits with status 2.

    `CnnCalcError("E0412", pos, stride=2)` is the error whose text is the catalogue's `E0412`;
    its hint is the catalogue's `E0412.hint` (when there is one) filled with the same
    arguments, unless `hint=Msg(...)` names another."""

    #: how the diagnostic is labelled; a `CnnCalcWarning` is reported without failing
    severity = "error"

    def __init__(
        self,
        code: str,
        pos: Pos | None = None,
        /,
        *,
        hint: Msg | None = None,
        **args: object,
    ) -> None:
        assert CODE.match(code), code  # every diagnostic is a catalogue code
        super().__init__(code)
        self.code = code
        self.pos = pos
        self.args_ = args
        self._hint = hint
        #: context lines printed after the quoted source ("in block 'basic' called at ...")
        self.notes: list[Msg] = []

    @property
    def message(self) -> str:
        """The message in English."""
        return self.text("en")

    @property
    def hint(self) -> str | None:
        """The hint in English, if any."""
        return self.hint_text("en")

    def text(self, lang: str = "en") -> str:
        """The message (without position or hint) in `lang`."""
        return Msg(self.code, **self.args_).text(lang)

    def hint_text(self, lang: str = "en") -> str | None:
        """The hint in `lang`: the one given, else the catalogue's `CODE.hint`, else None."""
        hint = self._hint
        if isinstance(hint, Msg):
            return hint.text(lang)
        if has(self.code + ".hint"):
            return Msg(self.code + ".hint", **self.args_).text(lang)
        return None

    def located(self, pos: Pos | None) -> CnnCalcError:
        """Attach a position if the error has none yet (the innermost position wins)."""
        if self.pos is None and pos is not None:
            self.pos = pos
        return self

    def note(self, code: str | Msg, /, **args: object) -> CnnCalcError:
        """Add a context line (outermost last)."""
        self.notes.append(code if isinstance(code, Msg) else Msg(code, **args))
        return self

    def render(self, lang: str = "en") -> str:
        """Format as a compiler diagnostic in `lang`: location, severity and code, message,
        the quoted line with a caret, notes, hint."""
        head = f"{label(self.severity, lang)}[{self.code}]{label('colon', lang)}{self.text(lang)}"
        if self.pos is None:
            out = [head]
        else:
            out = [f"{self.pos}: {head}"]
            text = self.pos.source.line(self.pos.line)
            if text.strip():
                out.extend(quote(text, self.pos.line, self.pos.col))
        note = label("note", lang) + label("colon", lang)
        out.extend(note + n.text(lang) for n in self.notes)
        hint = self.hint_text(lang)
        if hint:
            out.append(label("hint", lang) + label("colon", lang) + hint)
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
    """A layer's arguments are inconsistent; `arg` names the offending argument, if one.
    Layers know no names or positions: the engine locates the error at the node."""

    def __init__(
        self,
        code: str,
        /,
        arg: str | None = None,
        *,
        hint: Msg | None = None,
        **args: object,
    ) -> None:
        super().__init__(code, None, hint=hint, **args)
        self.arg = arg
