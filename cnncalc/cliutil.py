"""What every command shares: the one catch site for errors, the consoles, plain output."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import typer

from cnncalc.errors import CnnCalcError, ExitStatus

F = TypeVar("F", bound=Callable[..., Any])


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def fail(err: CnnCalcError) -> NoReturn:
    sys.stderr.write(err.render() + "\n")
    raise typer.Exit(ExitStatus.BAD_INPUT)


def guarded(fn: F) -> F:
    """The one catch site: user errors exit 2 with a message, anything else is a bug (exit 3)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CnnCalcError as err:
            fail(err)
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
