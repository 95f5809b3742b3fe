"""The application's Click layer: usage errors (an unknown option or command, a value that is not
a number, a missing argument) reported as every bad input is, coded and with a hint, exit 2.

Click would print its own uncoded `Error:` line; the Typer group here catches it instead and
renders it through the one diagnostic format (`errors.CnnCalcError`, `cli.common.to_stderr`).
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import typer
import typer.core

from cnncalc.cli.common import drop_stdout, language, reset_stderr, to_stderr
from cnncalc.errors import CnnCalcError, ExitStatus

#: Click's exceptions, reached through the one Typer exports (Typer imports Click, or from 0.28
#: vendors it): BadParameter -> UsageError -> ClickException
_UsageError: type[Exception] = typer.BadParameter.__mro__[1]
_ClickException: type[Exception] = typer.BadParameter.__mro__[2]


class Group(typer.core.TyperGroup):
    """The application, whose usage errors (an unknown option or command, a value that is not
    a number, a missing argument) are reported as every bad input is: coded, with a hint, in
    the chosen language, exit 2, instead of Click's uncoded `Error:` line."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        reset_stderr()
        try:
            if sys.stdout is None:  # `>&-`: not even --help or --version has anywhere to go
                raise CnnCalcError("E0020")
            status = super().main(*args, **kwargs)
        except CnnCalcError as err:  # stdout closed or full under --help or --version
            stream_error(err)
        except OSError as err:  # Click's help written to a full or broken stdout
            stream_error(CnnCalcError("E0021", reason=err.strerror or type(err).__name__))
        except _ClickException as err:
            if not isinstance(err, _UsageError) or type(err).__name__ == "NoArgsIsHelpError":
                err.show()  # type: ignore[attr-defined]  # help for a bare `cnncalc`
                sys.exit(err.exit_code)  # type: ignore[attr-defined]
            usage_error(err)
        except typer.Abort:  # end of input at a prompt (cnncalc asks none): no bug, no output
            sys.exit(ExitStatus.BAD_INPUT)
        sys.exit(status if isinstance(status, int) else 0)


def stream_error(err: CnnCalcError) -> NoReturn:
    """Stdout could not take the help or the version (the commands report this themselves,
    `cli.common.guarded`): the message on stderr, exit 2, and stdout pointed at the null
    device so the interpreter's last flush does not fail again."""
    drop_stdout()
    to_stderr(err.render(_env_language()) + "\n")
    sys.exit(ExitStatus.BAD_INPUT)


def _env_language() -> str:
    """The language of the environment (`--lang` is not known before the command parses)."""
    try:
        return language(None)
    except CnnCalcError:
        return "en"


def usage_error(err: Exception) -> NoReturn:
    """A Click usage error as a coded diagnostic (what Click says, and the usage line), in the
    language of the environment (the command line did not parse, so `--lang` is unknown)."""
    ctx = getattr(err, "ctx", None)
    command = ctx.command_path if ctx is not None else "cnncalc"
    usage = ctx.get_usage().removeprefix("Usage: ") if ctx is not None else f"{command} …"
    message = err.format_message().rstrip(".")  # type: ignore[attr-defined]
    lang = _env_language()
    diagnostic = CnnCalcError("E0023", message=message, usage=usage, command=command)
    to_stderr(diagnostic.render(lang) + "\n")
    sys.exit(ExitStatus.BAD_INPUT)
