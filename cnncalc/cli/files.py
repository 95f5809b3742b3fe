"""Writing report files (`--svg`, `--html`, `--junit-xml`, the GitHub step summary): whole or
not at all, and never by replacing what is not a plain file.

A regular file (or a new one) is written to a temporary file in the same directory and renamed
over the target, so a reader never sees half a report; the target keeps its permissions. The
path is followed through symbolic links first, so a link stays a link and its target gets the
report. Anything else at the path — a device such as `/dev/null` or `/dev/full`, a FIFO, a
directory — is written to directly (or refused by the system): renaming over it would put a
plain file in place of a device node.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from cnncalc.errors import CnnCalcError


def save(path: str | Path, text: str, option: str | None = None) -> None:
    """Write `text` to `path` as described above. `option` names the flag in errors. As on
    stdout, no raw control character (each format escapes its own; this is the last line of
    defence)."""
    from cnncalc.messages.escape import visible_lines

    data = visible_lines(text).encode("utf-8")
    try:
        real = Path(os.path.realpath(path))
        try:
            mode: int | None = os.stat(real).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and not stat.S_ISREG(mode):
            _write_in_place(real, data)
        else:
            _replace(real, data, mode)
    except OSError as err:
        reason = err.strerror or str(err)
        if option is None:
            raise CnnCalcError("E0004", path=str(path), reason=reason) from None
        raise CnnCalcError("E0005", option=option, path=str(path), reason=reason) from None


def _replace(target: Path, data: bytes, mode: int | None) -> None:
    """A temporary file beside `target`, renamed over it; the old file's permissions, or a new
    file's usual ones (0666 less the umask), not mkstemp's 0600."""
    if mode is None:
        umask = os.umask(0o022)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), stat.S_IMODE(mode))
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_in_place(target: Path, data: bytes) -> None:
    """Write to a device or FIFO as it is. Opened without waiting, so a FIFO nobody reads is an
    error (ENXIO) instead of a hang; a directory is refused by the open (EISDIR)."""
    fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def append_whole(path: str, text: str) -> None:
    """Append `text` to `path` in one `write(2)` on a file opened for appending (O_APPEND):
    the block lands whole after what is there, or not at all, never half of it."""
    data = text.encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        done = os.write(fd, data)
        if done != len(data):  # a short write (disk full): take the partial block back
            size = os.fstat(fd).st_size
            os.ftruncate(fd, size - done)
            raise OSError(28, os.strerror(28))
    finally:
        os.close(fd)
