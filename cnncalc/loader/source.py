"""Reading a network's text: files and stdin, UTF-8 decoding, the characters YAML rejects, the
size limits every later stage keeps to."""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cnncalc.errors import Msg, Pos, Source, SpecError

#: YAML values in a file, aliases counted by what they stand for: 100,000 scalars compose in
#: about 0.5 s and 60 MB, and no value is read more than a few times after that
MAX_NODES = 100_000
#: layers after expansion (`CNNCALC_MAX_LAYERS` raises it), checked from multiplied counts
#: before anything is expanded. Any accepted input must finish in < 5 s and < 500 MB on a
#: small CI machine: the slowest command per layer, `explain`, takes about 0.5 ms a layer,
#: `params` about 0.1 ms (docs/format.md, "Limits", has the measurements)
MAX_LAYERS = 5_000
MAX_LAYERS_ENV = "CNNCALC_MAX_LAYERS"
#: receptive-field numbers (size, jump, centre, in input pixels): strides multiply the jump, so
#: 5,000 layers of stride 10^6 would carry 30,000-digit numbers through every later layer (and
#: every printout); a real network's field is a few thousand pixels
MAX_RF_DIGITS = 10_000
MAX_RF = 10**MAX_RF_DIGITS
MAX_RF_TEXT = f"10^{MAX_RF_DIGITS}"
MAX_DEPTH = 64  # nesting of block calls and structures
MAX_NOTES = 8  # "in block … called at …" lines on one error
#: an item's `name:`: each layer's full name repeats it, once per copy of a `repeat:`, in every
#: report row; 5,000 copies of a 100,000-character name were 1 GB of JSON and 5 GB of memory
MAX_NAME = 200
MAX_YAML_DEPTH = 200  # nesting of YAML collections (the composer recurses per level)
MAX_BYTES = 16 * 2**20  # input size; CNNCALC_MAX_BYTES raises it
MAX_BYTES_ENV = "CNNCALC_MAX_BYTES"


#: an ONNX file's size limit: its weights are usually inside it (CNNCALC_MAX_BYTES changes it too)
MAX_ONNX_BYTES = 2**30
ONNX_SUFFIX = ".onnx"


@dataclass(frozen=True)
class OnnxSource(Source):
    """An ONNX file: its bytes (the text is empty; messages name the file, or a node in it)."""

    data: bytes = b""


def is_onnx(path: str | Path) -> bool:
    """Whether a path names an ONNX file (by its suffix, as every ONNX tool does)."""
    return str(path).lower().endswith(ONNX_SUFFIX)


def _env_limit(name: str, default: int) -> int:
    """A limit from the environment when it holds a positive number, else `default`."""
    value = os.environ.get(name, "")
    ok = value.isascii() and value.isdigit() and 0 < len(value) < 19 and int(value) > 0
    return int(value) if ok else default


def max_bytes() -> int:
    """The input size limit: `CNNCALC_MAX_BYTES` when it is a positive number, else 16 MiB."""
    return _env_limit(MAX_BYTES_ENV, MAX_BYTES)


def max_layers() -> int:
    """The layer limit: `CNNCALC_MAX_LAYERS` when it is a positive number, else 5,000."""
    return _env_limit(MAX_LAYERS_ENV, MAX_LAYERS)


#: what YAML 1.1 accepts in a stream (everything else is a control character or a surrogate)
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_COMMENT = re.compile(r"(?:^|[ \t])#")
#: invisible format characters (zero-width spaces, a BOM past the start, direction marks) and
#: spaces other than U+0020, which the two YAML parsers treat differently
_INVISIBLE = re.compile(
    "[\u00a0\u00ad\u1680\u180e\u2000-\u200f\u202a-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff]"
)


def char_name(ch: str) -> Msg:
    """`U+0445 CYRILLIC SMALL LETTER HA` — how messages name a character."""
    name = unicodedata.name(ch, "")
    if name:
        return Msg("N0110", code=f"U+{ord(ch):04X}", name=name)
    cat = unicodedata.category(ch)
    kind = {"Cc": "N0112", "Cs": "N0113"}.get(cat, "N0114")
    return Msg("N0111", code=f"U+{ord(ch):04X}", kind=Msg(kind))


def open_to_read(path: str | Path) -> BinaryIO:
    """A file opened for reading that never waits for a writer: a FIFO nobody writes to reads
    as empty instead of blocking forever (a mistyped path, a glob or a directory walk must not
    hang a CI job); a pipe with a writer (`<(…)`) and every regular file read as usual."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        os.set_blocking(fd, True)  # reads wait for data again, now that the open did not
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_source(path: str | Path) -> Source:
    """Read a file (or `-` for stdin) as UTF-8, with located errors for the usual failures."""
    name = str(path)
    if not name.isprintable():  # a control character in a name would garble the diagnostic
        name = repr(name)[1:-1]
    whole = Pos(Source(name, ""), 0, 0)  # "file: error: …", no line
    onnx = name != "-" and is_onnx(name)
    limit = _env_limit(MAX_BYTES_ENV, MAX_ONNX_BYTES) if onnx else max_bytes()
    try:
        if name == "-":
            if sys.stdin is None:  # `<&-`
                raise SpecError("E0158", Pos(Source("<stdin>", ""), 0, 0))
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open_to_read(path) as fh:  # never more than the limit: /dev/zero ends too
                data = fh.read(limit + 1)
    except FileNotFoundError:
        raise SpecError("E0101", whole) from None
    except IsADirectoryError:
        raise SpecError("E0102", whole) from None
    except OSError as err:
        raise SpecError("E0103", whole, reason=str(err.strerror or err)) from None
    except ValueError as err:  # a NUL byte in the path
        raise SpecError("E0104", whole, reason=str(err)) from None
    if len(data) > limit:
        raise SpecError("E0156", whole, limit=f"{limit:,}")
    if onnx:
        return OnnxSource(name, "", data)
    return decode_source("<stdin>" if name == "-" else name, data)


def _wide_encoding(data: bytes) -> str | None:
    """UTF-32 or UTF-16, with or without a byte-order mark (YAML text starts with an ASCII
    character, so the zero bytes around the first one tell the width), else None."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = data[:4]
    if len(head) == 4 and (head[1:] == b"\0\0\0" or head[:3] == b"\0\0\0"):
        return "UTF-32"
    if len(head) >= 2 and (head[0] == 0) != (head[1] == 0):
        return "UTF-16"
    return None


def decode_source(name: str, data: bytes) -> Source:
    """Bytes as a `Source`: UTF-8 (a BOM dropped), else a located error."""
    encoding = _wide_encoding(data)
    if encoding is not None:
        code = "E0105" if encoding == "UTF-16" else "E0159"
        raise SpecError(code, Pos(Source(name, ""), 1, 1), encoding=encoding)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        good = data[: err.start].decode("utf-8")  # valid up to the bad byte, by definition
        rest = data[err.start :].split(b"\n", 1)[0].decode("utf-8", "replace")
        src = Source(name, good + rest)
        pos = src.pos(len(good))
        byte = f"0x{data[err.start]:02x}"
        raise SpecError("E0106", pos, byte=byte, line=pos.line, col=pos.col) from None
    return Source(name, text.removeprefix("\ufeff"))


def check_text(src: Source) -> None:
    """Characters YAML rejects, and tabs in indentation, reported before the parser sees them
    (the two parsers word these differently and libyaml counts bytes, not characters)."""
    bad = _NON_PRINTABLE.search(src.text)
    if bad is not None:
        raise SpecError("E0107", src.pos(bad.start()), char=char_name(bad.group()))
    hidden = _INVISIBLE.search(src.text, 1 if src.text.startswith("\ufeff") else 0)
    if hidden is not None:  # copied from a web page or a word processor; invisible in editors
        ch = hidden.group()
        code = "E0108" if unicodedata.category(ch) == "Zs" else "E0109"
        raise SpecError(code, src.pos(hidden.start()), char=char_name(ch))
    for n, line in enumerate(src.lines(), 1):
        if line.startswith("%"):
            raise SpecError("E0110", Pos(src, n, 1))
        if "\t" not in line:
            continue
        comment = _COMMENT.search(line)
        code = line[: comment.end() - 1] if comment else line  # a tab before '#' still counts
        if "\t" not in code:
            continue
        indent = len(code) - len(code.lstrip(" \t"))
        tab = code.index("\t")
        # libyaml accepts some tabs past the indentation and the pure parser none: say so once
        raise SpecError("E0111" if tab < indent else "E0112", Pos(src, n, tab + 1))
