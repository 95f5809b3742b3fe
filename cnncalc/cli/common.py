"""The one pipeline every command goes through: read (a file, `-`, a directory, a glob) -> load
-> analyse -> warnings (stderr, and `::warning` under GitHub) -> render -> write (stdout, or a
file replaced atomically). Also the one catch site for errors, the language, the consoles and
saving the output as SVG/HTML.

Heavy modules (rich, the loader, the engine) are imported where they are used, so that
`cnncalc --help` stays fast.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
import typer.core

from cnncalc.cli.files import save
from cnncalc.engine import DTYPE_BYTES
from cnncalc.errors import CnnCalcError, ExitStatus, Source

if TYPE_CHECKING:
    from cnncalc.engine import Network, Report
    from cnncalc.loader.ultralytics import YoloOptions

F = TypeVar("F", bound=Callable[..., Any])

#: options several commands share
LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang", metavar="LANG", help="Language: en or zh (default: $CNNCALC_LANG, else en)."
    ),
]
SvgOpt = Annotated[
    str | None, typer.Option("--svg", metavar="FILE", help="Also save the output as SVG.")
]
FileArg = Annotated[
    str, typer.Argument(metavar="FILE", help="Network YAML file ('-' reads stdin).")
]
HtmlOpt = Annotated[
    str | None, typer.Option("--html", metavar="FILE", help="Also save the output as HTML.")
]
InputOpt = Annotated[
    str | None,
    typer.Option(
        "--input",
        metavar="SHAPE",
        help="Input shape instead of the file's, per sample: 3x320x320.",
    ),
]
BatchOpt = Annotated[
    int | None,
    typer.Option("--batch", min=1, metavar="N", help="Batch size instead of the file's."),
]
DtypeOpt = Annotated[
    str | None,
    typer.Option(
        "--dtype",
        metavar="DTYPE",
        help=f"Element type instead of the file's: {', '.join(DTYPE_BYTES)}.",
    ),
]
# --- commands and their help ------------------------------------------------------------------


class Command(typer.core.TyperCommand):
    """A command whose usage line names its arguments as its help does (`FILE`, not Typer's
    `{FILE}` for a required argument)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [
            p[1:-1] if p.startswith("{") and p.endswith("}") else p
            for p in super().collect_usage_pieces(ctx)
        ]


def examples(*lines: str) -> str:
    """A command's `Examples:` section (an epilog Click prints as written, not re-wrapped);
    tests run every line."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


# --- the language -------------------------------------------------------------------------------


def choose(option: str | None, env: str | None) -> str:
    """The language: the option, else the environment (`CNNCALC_LANG`), else English.
    `zh_CN.UTF-8` and `zh-TW` count as `zh`; anything else unknown is an error."""
    from cnncalc.messages import DEFAULT, ENV, LANGS

    for value, where in ((option, "--lang"), (env, ENV)):
        if not value:
            continue
        lang = re.split(r"[-_.@]", value.strip().lower(), maxsplit=1)[0]
        if lang not in LANGS:
            raise CnnCalcError("E0006", name=value, where=where, langs=", ".join(LANGS))
        return lang
    return DEFAULT


def language(option: str | None) -> str:
    """`--lang`, else `CNNCALC_LANG`, else English (a user error when unknown)."""
    from cnncalc.messages import ENV

    return choose(option, os.environ.get(ENV))


# --- reading ------------------------------------------------------------------------------------

YAML_SUFFIXES = (".yaml", ".yml")
_GLOB_CHARS = frozenset("*?[")


#: top-level keys only a network file has (`name:`, `cnncalc:` and the like also start CI files)
NETWORK_KEYS = frozenset({"input", "channels", "layers", "blocks", "backbone", "ultralytics"})
_TOP_KEY = re.compile(r"""^(?:["']?)([A-Za-z_][\w-]*)["']?[ \t]*:(?:[ \t]|$)""", re.M)
#: how much of a file the sniffing reads: the top-level keys of a network come early
_SNIFF_BYTES = 1 << 20


def looks_like_network(path: str) -> bool:
    """Whether a YAML file found in a directory or by a glob is a network, judged cheaply from
    its top-level keys (a workflow or a config has none of `NETWORK_KEYS`). A file that cannot
    be read, or a flow mapping (`{input: …}`), counts as a network: loading it reports it."""
    from cnncalc.loader.source import open_to_read

    try:
        with open_to_read(path) as fh:  # a FIFO in the tree reads as empty, never blocks
            head = fh.read(_SNIFF_BYTES).decode("utf-8", "replace")
    except OSError:
        return True
    if head.lstrip("\ufeff \t\r\n").startswith("{"):
        return True
    return any(m.group(1) in NETWORK_KEYS for m in _TOP_KEY.finditer(head))


def expand_paths(
    patterns: Sequence[str], skipped: Callable[[str], None] | None = None
) -> list[str]:
    """Files as given, globs (`models/**/*.yaml`, for shells that do not expand them) and
    directories (their YAML files, hidden directories skipped), each file once, in order.
    A file found by a directory walk or a glob that is not a network (`looks_like_network`) is
    left out and passed to `skipped`; a file named explicitly is always kept."""

    out: list[str] = []
    for pattern in patterns:
        path = Path(pattern)
        plain = not (path.is_dir() or _GLOB_CHARS & set(pattern))
        if pattern in ("-", "") or path.is_file() or plain:  # '' is no directory (Path('') is .)
            out.append(pattern)  # a missing file is reported when it is read
            continue
        if path.is_dir():
            found = sorted(_walk(pattern))
            if not found:
                raise CnnCalcError("E0001", path=pattern)
        else:
            found = sorted(_glob(pattern))
            if not found:
                raise CnnCalcError("E0002", pattern=pattern)
        networks = [p for p in found if looks_like_network(p)]
        if not networks:
            raise CnnCalcError("E0010", path=pattern, count=len(found))
        if skipped is not None:
            for p in found:
                if p not in networks:
                    skipped(p)
        out.extend(networks)
    return list(dict.fromkeys(out))


def _walk(top: str, suffixes: tuple[str, ...] | None = YAML_SUFFIXES) -> Iterator[str]:
    """The files under `top` (with `suffixes`; hidden directories skipped), following symbolic
    links to directories once each: a link back to a directory already searched is skipped,
    with a note, so a loop in the tree cannot make the walk endless."""
    seen: set[tuple[int, int]] = set()
    for root, dirs, files in os.walk(top, followlinks=True):
        st = os.stat(root)
        if (st.st_dev, st.st_ino) in seen:
            dirs[:] = []
            _skipped(root)
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            full = os.path.join(root, name)
            if (suffixes is None or Path(name).suffix in suffixes) and os.path.isfile(full):
                yield full


def _skipped(path: str) -> None:
    from cnncalc.errors import Msg
    from cnncalc.messages import label

    text = Msg("W0021", path=path).text("en")
    to_stderr(label("note") + label("colon") + text + "\n")


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regular expression over `/`-separated paths: `**/` any directories, `*`
    and `?` within one name (never a leading dot), `[...]` a character class."""
    import fnmatch

    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append(r"(?:[^/.][^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(r"(?:[^/.][^/]*(?:/[^/.][^/]*)*)?")
            i += 2
        elif pattern[i] == "*":
            out.append(r"[^/]*" if i and pattern[i - 1] != "/" else r"(?:[^/.][^/]*)?")
            i += 1
        elif pattern[i] == "?":
            out.append(r"[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            out.append(fnmatch.translate(pattern[i : end + 1])[4:-3])
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def _glob(pattern: str) -> list[str]:
    """The files a glob matches (`**` any number of directories), walking from the part
    before the first wildcard, each directory once: a symbolic-link loop is skipped (with a
    note) instead of walked forever."""
    import glob

    if "**" not in pattern:  # one level per wildcard: no recursion, no loop to follow
        return glob.glob(pattern)
    cut = min(pattern.find(c) for c in "*?[" if c in pattern)
    top = pattern[:cut].rsplit("/", 1)[0] if "/" in pattern[:cut] else ""
    regex = _glob_regex(pattern)
    walked = _walk(top or ".", None)
    found = (p if top else os.path.relpath(p, ".") for p in walked)
    return [p for p in found if regex.fullmatch(p)]


def read(path: str) -> Source:
    """A network file's text (`-`: stdin)."""
    from cnncalc.loader import read_source

    return read_source(path)


# --- loading, analysing, warning ----------------------------------------------------------------


def input_option(text: str) -> tuple[int, ...]:
    """`--input 3x320x320`: the one size grammar of the format (`cnncalc.loader.split_sizes`),
    channels first, per sample, every size at least 1."""
    from cnncalc.loader import split_sizes

    shape = split_sizes(text)
    if not shape or len(shape) > 4 or min(shape) < 1:
        raise CnnCalcError("E0011", text=text)
    if max(shape) > INT_MAX:  # as `input:` in a file: PyTorch's sizes are int64
        raise CnnCalcError("E0022", option="--input", value=text, limit=f"{INT_MAX:,}")
    return shape


def override(
    net: Network, input_shape: str | None, batch: int | None, dtype: str | None
) -> Network:
    """The network with the command line's `--input`, `--batch` and `--dtype` in place of the
    file's: shapes are inferred again from the new input, as if the file had said it."""

    if batch is not None or dtype is not None:
        from cnncalc.analysis.budget import configure

        net = configure(net, batch, dtype)
    if input_shape is not None and net.front != "ultralytics":  # (built for that image)
        shape = input_option(input_shape)
        if len(shape) == 4 and not any(getattr(n.layer, "rank", None) == 4 for n in net.nodes):
            # as `input:` in a file (E0363): most likely a batch in front of a 2-D image
            from cnncalc.render.text import fmt_shape

            rest = "x".join(str(v) for v in shape[1:])
            raise CnnCalcError("E0012", shape=fmt_shape(shape), rest=rest, batch=shape[0])
        net = dataclasses.replace(net, input_shape=shape)
    return net


@dataclass(frozen=True)
class Analysed:
    """One network through the pipeline: its text and its report."""

    source: Source
    report: Report


def on_github() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def github_path() -> Callable[[str], str]:
    """Paths as GitHub resolves them against the repository root."""
    from cnncalc.render.ci import annotation_path

    cwd, workspace = os.getcwd(), os.environ.get("GITHUB_WORKSPACE")
    return lambda path: annotation_path(path, cwd, workspace)


@dataclass(frozen=True)
class Run:
    """What one command invocation shares: the language, and whether diagnostics also become
    GitHub workflow commands (on stdout, where the runner reads them)."""

    lang: str = "en"
    github: bool = False
    path_for: Callable[[str], str] = field(default=str)

    def analyse(
        self,
        path: str,
        batch: int | None = None,
        dtype: str | None = None,
        input_shape: str | None = None,
        yolo: YoloOptions | None = None,
    ) -> Analysed:
        """Read, load and analyse `path`, and report its warnings."""
        from cnncalc.cli.yolo import scaled

        path, yolo = scaled(self, path, yolo)
        return self.analyse_source(read(path), batch, dtype, input_shape, yolo)

    def analyse_source(
        self,
        src: Source,
        batch: int | None = None,
        dtype: str | None = None,
        input_shape: str | None = None,
        yolo: YoloOptions | None = None,
    ) -> Analysed:
        """Load and analyse `src`, with `--input`/`--batch`/`--dtype` in place of the file's,
        and report its warnings."""
        from cnncalc.engine import analyze_network
        from cnncalc.loader.source import OnnxSource

        asked = yolo
        if isinstance(src, OnnxSource):  # inferred again by ONNX for another input
            from cnncalc.loader.onnx import load_onnx

            shape = None if input_shape is None else input_option(input_shape)
            net = load_onnx(src, shape)
            input_shape = None
        else:
            from cnncalc.loader import load_source

            if input_shape is not None:  # an Ultralytics file is built for that image
                from cnncalc.cli.yolo import with_input

                yolo = with_input(yolo, input_option(input_shape))
            net = load_source(src, yolo)
        if asked is not None and net.front != "ultralytics":
            from cnncalc.cli.yolo import given

            self.note("W0014", options=given(asked), path=src.name)
        net = override(net, input_shape, batch, dtype)
        report = analyze_network(net)
        self.warn(report.warnings)
        return Analysed(src, report)

    def warn(self, warnings: Sequence[CnnCalcError]) -> None:
        """Warnings to stderr in the run's language (and as annotations under GitHub)."""
        for w in warnings:
            to_stderr(w.render(self.lang) + "\n")
        self.annotate(warnings)

    @contextlib.contextmanager
    def annotating(self) -> Iterator[None]:
        """An error raised inside also becomes an annotation (under GitHub) on its way out."""
        try:
            yield
        except CnnCalcError as err:
            self.annotate([err])
            raise

    def annotate(self, diagnostics: Sequence[CnnCalcError]) -> None:
        """Errors and warnings as workflow commands, under GitHub."""
        if self.github and diagnostics:
            from cnncalc.render.ci import diagnostic_annotation

            write("".join(diagnostic_annotation(d, self.path_for) for d in diagnostics))

    def note(self, code: str, **args: object) -> None:
        """A `note:` line on stderr: something the user may want to know, not a problem."""
        from cnncalc.errors import Msg
        from cnncalc.messages import label

        text = Msg(code, **args).text(self.lang)
        to_stderr(label("note", self.lang) + label("colon", self.lang) + text + "\n")

    def error(self, err: CnnCalcError) -> None:
        """An error reported without stopping the command (`lint` goes on to the next file)."""
        to_stderr(err.render(self.lang) + "\n")


# --- writing ------------------------------------------------------------------------------------


def write(text: str) -> None:
    """Requested output goes to stdout, and only there, with no raw control character (JSON,
    CSV, Markdown and workflow commands escape their own; this is the last line of defence).
    A closed or full stdout is a user error (exit 2), never a silent success."""
    from cnncalc.messages.escape import visible_lines

    out = sys.stdout
    if out is None:
        raise CnnCalcError("E0020")
    try:
        out.write(visible_lines(text))
        out.flush()
    except (OSError, ValueError) as err:
        drop_stdout()
        raise CnnCalcError("E0021", reason=_reason(err)) from None


def drop_stdout() -> None:
    """After stdout failed, point it at the null device, so the interpreter's last flush of
    what is still buffered does not fail again (and turn exit 2 into 120)."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError):
        return err.strerror or type(err).__name__
    return str(err)


#: the most a command writes to stderr: diagnostics past it are dropped, with a note saying so
MAX_STDERR = 64 * 1024
_stderr_used: ContextVar[int] = ContextVar("cnncalc_stderr_used", default=0)


def reset_stderr() -> None:
    """A new command: its stderr budget starts again (`MAX_STDERR`)."""
    _stderr_used.set(0)


def to_stderr(text: str) -> None:
    """Messages go to stderr, control characters visible, at most `MAX_STDERR` bytes in all
    (a megabyte line quoted in every diagnostic does not flood a CI log); a closed or broken
    stderr loses the message but not the exit status."""
    from cnncalc.errors import Msg
    from cnncalc.messages.escape import visible_lines

    used = _stderr_used.get()
    if used >= MAX_STDERR:
        return
    text = visible_lines(text)
    size = len(text.encode("utf-8", "replace"))
    if used + size > MAX_STDERR:
        cut = Msg("W0020", limit=f"{MAX_STDERR // 1024} KiB").text("en")
        room = max(0, MAX_STDERR - used - 200)
        text = text.encode("utf-8", "replace")[:room].decode("utf-8", "ignore") + "\n" + cut + "\n"
        size = MAX_STDERR
    _stderr_used.set(used + size)
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(text)
        sys.stderr.flush()


#: the recording console and its targets while `--svg`/`--html` is in force
_RECORDING: ContextVar[tuple[Any, list[tuple[str, str]]] | None] = ContextVar(
    "cnncalc_recording", default=None
)


@functools.cache
def _safe_console_class() -> Any:
    """Rich's console that never reads markup or emoji codes in text (`[/oops]` in a name is
    text, not a closing tag) and shows control characters visibly in every segment it
    renders, recorded ones (SVG, HTML) included."""
    from rich.console import Console
    from rich.segment import Segment

    from cnncalc.messages.escape import visible_lines

    class SafeConsole(Console):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(markup=False, emoji=False, highlight=False, **kwargs)
            self._rendering = False  # Rich renders nested renderables through `render` too

        def render(self, renderable: Any, options: Any = None) -> Any:
            if self._rendering:  # the outermost call shows every segment once
                yield from super().render(renderable, options)
                return
            self._rendering = True
            try:
                for seg in super().render(renderable, options):
                    if seg.control is None and visible_lines(seg.text) is not seg.text:
                        yield Segment(visible_lines(seg.text), seg.style)
                    else:
                        yield seg
            finally:
                self._rendering = False

    return SafeConsole


def console(stderr: bool = False) -> Any:
    """A console for output; while `--svg`/`--html` is in force, the one that records it."""
    recording = _RECORDING.get()
    if not stderr and recording is not None:
        return recording[0]
    return _safe_console_class()(stderr=stderr, soft_wrap=False)


def show(renderable: Any) -> None:
    """Print a Rich renderable to stdout (or the recording): on a terminal fitted to its width;
    piped or redirected, never cut at the width; in both, no line ends in a space."""
    from cnncalc.render.page import Trimmed

    out = console()
    out.print(Trimmed(renderable), crop=out.is_terminal)


def record(ctx: typer.Context, svg: str | None, html: str | None, title: str = "cnncalc") -> None:
    """Record what `console()` prints from now on, and save it as SVG and/or HTML (Rich's
    recording console) when `ctx` closes, if the command printed anything."""
    if not svg and not html:
        return
    recording = _RECORDING.get()
    if recording is None:
        recording = (_safe_console_class()(record=True, soft_wrap=False), [])
        _RECORDING.set(recording)

        def close() -> None:
            _RECORDING.set(None)
            _save_recording(recording[0], recording[1], title)

        ctx.call_on_close(close)
    recording[1].extend((kind, path) for kind, path in (("svg", svg), ("html", html)) if path)


#: the longest output `--svg` draws: Rich's SVG export takes about 40 µs and 2 KB a line (the
#: 140,000 lines of `explain` at the layer limit: 5 s and 420 MB); `--html` has no such limit
SVG_LINES = 20_000


def _save_recording(rec: Any, targets: list[tuple[str, str]], title: str) -> None:
    from cnncalc.messages.escape import visible

    lines = rec.export_text(clear=False)
    if not lines.strip():
        return  # the command failed before printing: leave no empty picture behind
    count = lines.count("\n")
    if count > SVG_LINES and any(kind == "svg" for kind, _ in targets):  # before any file
        fail(CnnCalcError("E0013", lines=f"{count:,}", limit=f"{SVG_LINES:,}"))
    title = visible(title)  # the file's path: XML 1.0 takes no control character
    for kind, path in targets:
        if kind == "svg":
            text = rec.export_svg(title=title, clear=False)
        else:
            text = rec.export_html(clear=False)
        try:
            save(path, text)
        except CnnCalcError as err:
            fail(err)


def table_only(fmt: str, svg: str | None, html: str | None) -> None:
    """`--svg`/`--html` save the table output: an error with any other format."""
    if (svg or html) and fmt != "table":
        raise CnnCalcError("E0003", fmt=fmt)


# --- the catch site -----------------------------------------------------------------------------


def fail(err: CnnCalcError, lang: str | None = None) -> NoReturn:
    try:
        code = language(lang)
    except CnnCalcError:
        code = "en"
    to_stderr(err.render(code) + "\n")
    raise typer.Exit(ExitStatus.BAD_INPUT)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Loading and analysing allocate many small objects and make no reference cycles; with
    the cycle collector on, its passes over everything alive make large networks superlinear.
    Only the command line pauses it, for the one command it runs (a library call never
    changes the process's state)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: the largest integer an option takes: PyTorch's sizes are int64 (as `batch:` in a file)
INT_MAX = 2**63 - 1


def _check_ints(kwargs: dict[str, Any]) -> None:
    """Integer options as large as the file's own integers may be, and no larger (a
    4,000-digit `--in` would only make slow bignums and unprintable numbers)."""
    for key, value in kwargs.items():
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT_MAX:
            option = "--" + key.rstrip("_").replace("_", "-")
            raise CnnCalcError("E0022", option=option, value=_shown(value), limit=f"{INT_MAX:,}")


def _shown(value: int) -> str:
    """A too-large integer as an error quotes it: its digits, or past 60 of them its
    scientific form (no int-to-text limit, no page of digits)."""
    from cnncalc.messages.numbers import sci

    return str(value) if abs(value) < 10**60 else sci(value)


def guarded(fn: F) -> F:
    """The one catch site: user errors exit 2 with a message in the chosen language, anything
    else is a bug (exit 3)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        reset_stderr()
        try:
            if sys.stdout is None:  # `>&-`: nothing would be written, and saying so matters
                raise CnnCalcError("E0020")
            _check_ints(kwargs)
            with gc_paused():
                return fn(*args, **kwargs)
        except CnnCalcError as err:
            lang = kwargs.get("lang")
            fail(err, lang if isinstance(lang, str) else None)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except OSError as err:  # stdout full or gone while Rich printed: not a bug, exit 2
            drop_stdout()
            fail(CnnCalcError("E0021", reason=_reason(err)))
        except Exception as err:  # noqa: BLE001 - the last line of defence
            to_stderr(
                f"internal error: {type(err).__name__}: {err}\n"
                "this is a bug in cnncalc; please report it with the input that caused it\n"
            )
            raise typer.Exit(ExitStatus.INTERNAL) from None

    return wrapper  # type: ignore[return-value]
