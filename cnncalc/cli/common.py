"""What every command shares: the one catch site for errors, the consoles, plain output,
the language, and saving a report as SVG/HTML."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from cnncalc.errors import CnnCalcError, ExitStatus

F = TypeVar("F", bound=Callable[..., Any])

#: options several commands share
LangOpt = Annotated[
    str | None,
    typer.Option("--lang", help="Language: en or zh (default: $CNNCALC_LANG, else en)."),
]
SvgOpt = Annotated[
    str | None, typer.Option("--svg", metavar="FILE", help="Also save the output as SVG.")
]
HtmlOpt = Annotated[
    str | None, typer.Option("--html", metavar="FILE", help="Also save the output as HTML.")
]


#: the recording console and its targets while `--svg`/`--html` is in force
_RECORDING: ContextVar[tuple[Any, list[tuple[str, str]]] | None] = ContextVar(
    "cnncalc_recording", default=None
)


def console(stderr: bool = False) -> Any:
    """A console for output; while `--svg`/`--html` is in force, the one that records it."""
    from rich.console import Console

    recording = _RECORDING.get()
    if not stderr and recording is not None:
        return recording[0]
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def record(ctx: typer.Context, svg: str | None, html: str | None, title: str = "cnncalc") -> None:
    """Record what `console()` prints from now on, and save it as SVG and/or HTML (Rich's
    recording console) when `ctx` closes, if the command printed anything."""
    if not svg and not html:
        return
    recording = _RECORDING.get()
    if recording is None:
        from rich.console import Console

        recording = (Console(record=True, highlight=False, soft_wrap=False), [])
        _RECORDING.set(recording)

        def close() -> None:
            _RECORDING.set(None)
            _save(recording[0], recording[1], title)

        ctx.call_on_close(close)
    recording[1].extend((kind, path) for kind, path in (("svg", svg), ("html", html)) if path)


def _save(rec: Any, targets: list[tuple[str, str]], title: str) -> None:
    if not rec.export_text(clear=False).strip():
        return  # the command failed before printing: leave no empty picture behind
    for kind, path in targets:
        try:
            if kind == "svg":
                rec.save_svg(path, title=title, clear=False)
            else:
                rec.save_html(path, clear=False)
        except OSError as err:
            fail(CnnCalcError(f"{path}: cannot write: {err.strerror}"))


def language(option: str | None) -> str:
    """`--lang`, else `CNNCALC_LANG`, else English (a user error when unknown)."""
    from cnncalc.messages import ENV, choose

    return choose(option, os.environ.get(ENV))


def fail(err: CnnCalcError, lang: str | None = None) -> NoReturn:
    from cnncalc.messages import render_error

    try:
        code = language(lang)
    except CnnCalcError:
        code = "en"
    sys.stderr.write(render_error(err, code) + "\n")
    raise typer.Exit(ExitStatus.BAD_INPUT)


def guarded(fn: F) -> F:
    """The one catch site: user errors exit 2 with a message, anything else is a bug (exit 3)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CnnCalcError as err:
            lang = kwargs.get("lang")
            fail(err, lang if isinstance(lang, str) else None)
        except (typer.Exit, typer.Abort, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as err:  # noqa: BLE001 - the last line of defence
            sys.stderr.write(
                f"internal error: {type(err).__name__}: {err}\n"
                "this is a bug in cnncalc; please report it with the input that caused it\n"
            )
            raise typer.Exit(ExitStatus.INTERNAL) from None

    return wrapper  # type: ignore[return-value]


def write(text: str) -> None:
    """Requested output goes to stdout, and only there."""
    sys.stdout.write(text)
    sys.stdout.flush()
