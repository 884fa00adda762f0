"""The terminal: its size, its encoding, and writing to it safely.

Standard output carries pages; standard error carries messages (``say``),
each line escaped (see ``ketaminfo.safetext``) and fitted to the stream's
encoding. An output that fails (a closed pipe, a full disk) ends the run
quietly or with one message, never a traceback (``output_failed``).
"""

from __future__ import annotations

import os
import sys

from ..safetext import visible

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from typing import IO

MIN_WIDTH = 20
MAX_WIDTH, MAX_HEIGHT = 1000, 10_000  # wider is no use to anyone, and costs time and memory


def terminal_size() -> tuple[int, int]:
    """Columns (at least 20) and lines; COLUMNS and LINES win, a bad value is ignored.

    The same rules as shutil.get_terminal_size, without importing shutil
    (about 5 ms, on every run).
    """
    try:
        measured = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
        columns, lines = measured.columns, measured.lines
    except (AttributeError, ValueError, OSError):
        columns, lines = 80, 24
    columns = _positive(os.environ.get("COLUMNS")) or columns or 80
    lines = _positive(os.environ.get("LINES")) or lines or 24
    return min(MAX_WIDTH, max(MIN_WIDTH, columns)), min(MAX_HEIGHT, max(1, lines))


def _positive(value: str | None) -> int:
    """A positive whole number written in ASCII digits, else 0 (so ``²``,
    ``٣`` or ``1e9`` are ignored like any other bad value)."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 9:
        return 0
    return int(value)


def encodes(text: str, encoding: str | None) -> bool:
    try:
        text.encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def interactive(out: IO[str]) -> bool:
    """A terminal that can move the cursor (for a pager or a layout): not a pipe, not TERM=dumb."""
    return isatty(out) and os.environ.get("TERM") != "dumb"


def isatty(out: IO[str]) -> bool:
    isatty = getattr(out, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


# Characters outside ASCII that pages use, with ASCII stand-ins for outputs
# that cannot encode them (LANG=C, PYTHONIOENCODING=ascii).
_ASCII = str.maketrans(
    {
        "·": "-", "•": "*", "…": "...", "–": "-", "—": "--", "‘": "'", "’": "'",
        "“": '"', "”": '"', "≤": "<=", "≥": ">=", "×": "x", "→": "->", "©": "(c)",
        "─": "-", "━": "=", "│": "|", "┃": "|", "┌": "+", "┐": "+", "└": "+", "┘": "+",
        "├": "+", "┤": "+", "┬": "+", "┴": "+", "┼": "+", "╭": "+", "╮": "+", "╰": "+",
        "╯": "+", "═": "=", "║": "|", "╸": "-", "╺": "-", "▪": "*",
    }
)


def fit_encoding(text: str, encoding: str | None) -> str:
    """*text*, with stand-ins for whatever *encoding* cannot represent."""
    if not encoding:
        return text
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        pass
    import unicodedata

    text = text.translate(_ASCII)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    try:
        return text.encode(encoding, errors="replace").decode(encoding)
    except LookupError:
        return text.encode("ascii", errors="replace").decode("ascii")


def reader_gone(exc: OSError) -> bool:
    """Whether *exc* means nobody reads standard output any more (``| head``
    closed the pipe, or stdout was closed). If so, point stdout at devnull, so
    the interpreter's final flush cannot fail again, and let the caller stop
    quietly."""
    import errno

    if exc.errno not in (errno.EPIPE, errno.EBADF):
        return False
    silence_stdout()
    return True


def say(text: str) -> None:
    """Write *text* (a message, a hint, a note) to standard error, every
    control or format character escaped and every character the terminal
    cannot show replaced; an error writing it is ignored."""
    lines = "".join(visible(line) + "\n" for line in text.splitlines())
    try:
        sys.stderr.write(fit_encoding(lines, getattr(sys.stderr, "encoding", None)))
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def write_out(text: str) -> None:
    """Write *text* to standard output, with stand-ins for characters its
    encoding cannot represent (see ``fit_encoding``)."""
    write_whole(sys.stdout, fit_encoding(text, getattr(sys.stdout, "encoding", None)))


def write_whole(out: IO[str], text: str) -> None:
    """Write *text* to *out* to the very end, and flush.

    A text stream can lose the end of a long page: unbuffered (``python
    -u``, PYTHONUNBUFFERED), a write to a pipe that a signal cuts short
    (Ctrl-Z, then ``fg``, while a slow reader has the pipe full) writes the
    first part, drops the rest and reports success. So the text is encoded
    here and handed to the binary stream below until every byte is taken:
    a short write is continued, a full non-blocking pipe waited on."""
    buffer = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None)
    if buffer is None or not encoding or os.linesep != "\n":  # no bytes below, or newlines to translate
        out.write(text)
        out.flush()
        return
    out.flush()  # anything written before goes first
    data = memoryview(text.encode(encoding, getattr(out, "errors", None) or "strict"))
    while data:
        try:
            written = buffer.write(data) or 0  # None: a raw non-blocking stream took nothing
        except BlockingIOError as exc:  # a full non-blocking pipe: part of it may have been taken
            written = exc.characters_written
        if not written:
            _wait_writable(buffer)
        data = data[written:]
    while True:
        try:
            buffer.flush()
            return
        except BlockingIOError:
            _wait_writable(buffer)


def _wait_writable(stream: object) -> None:
    """Wait until *stream* (a non-blocking pipe that was full) can take more."""
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return
    import select

    select.select([], [fd], [])


def output_failed(exc: OSError) -> int | None:
    """The exit status for an error writing the output, or None if *exc* is
    not one: 0 when the reader has gone (``| head``), 1 with a message when
    the output cannot be written (a full disk)."""
    import errno

    if reader_gone(exc):
        return 0
    if exc.errno not in (errno.ENOSPC, errno.EIO, errno.EFBIG, getattr(errno, "EDQUOT", -1)):
        return None
    silence_stdout()
    try:
        sys.stderr.write(f"Error: cannot write the output: {exc.strerror}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return 1


def reopen_closed() -> None:
    """Give each standard stream that was closed when the program started
    (``>&-``; Python then sets it to None) a place that discards what is
    written: devnull, on the same descriptor, so no file opened later can
    take that number and receive a page. The command then runs as usual:
    ``validate`` still answers by its exit status, ``export`` still writes
    its files."""
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is not None:
            continue
        try:
            os.fstat(fd)
        except OSError:  # closed: put devnull there
            try:
                found = os.open(os.devnull, os.O_RDWR)
            except OSError:
                continue
            if found != fd:
                os.dup2(found, fd)
                os.close(found)
        setattr(sys, name, open(fd, "r" if fd == 0 else "w", encoding="utf-8", errors="replace", closefd=False))


def silence_stdout() -> None:
    """Point standard output at devnull, so that nothing more (the
    interpreter's final flush included) can fail writing to it."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    except OSError:
        pass
