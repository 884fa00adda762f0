"""Draw pages for people and programs.

``emit`` picks the format (styled on a terminal, plain when piped, or what
--format asks for), honours --color, NO_COLOR, FORCE_COLOR and TERM=dumb,
falls back to ASCII where the output cannot encode a character, sends long
pages through a pager on a terminal, and can save the styled rendering as
SVG or HTML. Rich is imported only when styled output or a picture is wanted.
"""

from __future__ import annotations

import os
import sys

from ..records import record
from .terminal import (
    encodes,
    fit_encoding,
    interactive,
    isatty,
    terminal_size,
)

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import IO

    from .document import Page

__all__ = ["COLORS", "EXPORT_FORMATS", "FORMATS", "Output", "emit"]

FORMATS = ("rich", "plain", "json", "markdown")
COLORS = ("auto", "always", "never")
EXPORT_FORMATS = ("markdown", "html")  # for `ketaminfo export` (see ketaminfo.export)
DEFAULT_PAGER = "less"


class Output(record("Output", "format color pager svg html",
                    defaults=(None, "auto", True, None, None))):
    """How to show a page; the defaults suit a person at a terminal."""

    __slots__ = ()
    # format: str | None - None: rich on a terminal, plain otherwise
    # color: str
    # pager: bool
    # svg: Path | None
    # html: Path | None


def emit(page: Page, options: Output = Output(), stream: IO[str] | None = None) -> None:
    """Render *page* as *options* ask and write it to *stream* (stdout by
    default), as it is drawn: a long page is written a piece at a time (and
    a reader that stops early, ``| head``, stops the drawing)."""
    out = stream if stream is not None else sys.stdout
    if options.svg or options.html:
        save_pictures(page, options)
    fmt = resolve_format(options, out)
    width, height = terminal_size()
    encoding = getattr(out, "encoding", None)
    chunks = render(page, fmt, width, use_color(options, out) if fmt == "rich" else False, encoding)
    if fmt != "json" and options.pager and interactive(out):
        ahead, more = _lines_ahead(chunks, height - 1)
        if more:  # longer than the screen
            if run_pager(ahead + list(chunks), encoding or "utf-8"):
                return
            chunks = render(page, fmt, width, use_color(options, out) if fmt == "rich" else False, encoding)
        else:
            chunks = iter(ahead)
    for chunk in chunks:
        out.write(chunk)
    out.flush()


def render(page: Page, fmt: str, width: int, color: bool, encoding: str | None) -> Iterator[str]:
    """*page* drawn in the format *fmt*, a piece at a time, each with
    stand-ins for what *encoding* cannot represent."""
    if fmt == "json":
        from .jsonout import render as render_json

        text = render_json(page)
        if not encodes(text, encoding):  # keep every value: \u escapes, not stand-ins
            text = render_json(page, ascii_only=True)
        yield fit_encoding(text, encoding)
        return
    if fmt == "markdown":
        from .markdown import render_chunks
    else:  # plain, and styled: the plain layout with colour
        from .text import render_chunks as layout

        def render_chunks(page: Page) -> Iterator[str]:
            return layout(page, width, color)

    for chunk in render_chunks(page):
        yield fit_encoding(chunk, encoding)


def _lines_ahead(chunks: Iterator[str], lines: int) -> tuple[list[str], bool]:
    """The first chunks, until they hold more than *lines* lines or the page
    ends; and whether they hold more."""
    ahead, count = [], 0
    for chunk in chunks:
        ahead.append(chunk)
        count += chunk.count("\n")
        if count > lines:
            return ahead, True
    return ahead, False


def resolve_format(options: Output, out: IO[str]) -> str:
    if options.format is not None:
        return options.format
    if options.color == "always":
        return "rich"
    if options.color == "never":
        return "rich" if interactive(out) else "plain"
    if os.environ.get("FORCE_COLOR"):
        return "rich"
    if os.environ.get("TERM") == "dumb":
        return "plain"
    return "rich" if isatty(out) else "plain"


def use_color(options: Output, out: IO[str]) -> bool:
    """Whether styled output may use colour and other escape codes."""
    if options.color != "auto":
        return options.color == "always"
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return isatty(out)


def run_pager(text: str | Iterable[str], encoding: str) -> bool:
    """Show *text* (or its pieces, as they come) through the user's pager, as
    git does; False if that failed.

    KETAMINFO_PAGER, then PAGER, then ``less``, with LESS=FRX unless LESS is
    set (quit if one screen, keep colours, do not clear the screen), and R
    added to a LESS without it, so colours show as colours. While the pager
    runs, Ctrl-C belongs to it.
    """
    import subprocess

    command = os.environ.get("KETAMINFO_PAGER") or os.environ.get("PAGER") or DEFAULT_PAGER
    if command.strip() in ("", "cat"):
        return False
    env = dict(os.environ)
    less = env.get("LESS")
    if less is None:
        env["LESS"] = "FRX"
    elif "R" not in less and "r" not in less:  # as git does: colour codes shown as colour, not as ESC[...
        env["LESS"] = less + "R"
    try:
        pager = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    assert pager.stdin is not None
    try:
        for piece in [text] if isinstance(text, str) else text:
            pager.stdin.write(piece.encode(encoding, errors="replace"))
        pager.stdin.close()
    except BrokenPipeError:  # the reader quit before the end: fine
        pass
    except OSError:
        return False
    while True:
        try:
            status = pager.wait()
            break
        except KeyboardInterrupt:
            continue
    # Anything but success (126/127: the shell could not run the command; a
    # pager that failed) may have shown nothing: print the page instead.
    return status == 0


def save_pictures(page: Page, options: Output) -> None:
    """Save the styled terminal rendering of *page* as SVG and/or HTML."""
    from ..errors import UsageError
    from ..safetext import visible
    from .styled import record

    console = record(page, terminal_size()[0])
    for path, text in ((options.svg, lambda: console.export_svg(title=page.title, clear=False)),
                       (options.html, lambda: console.export_html(clear=False))):
        if path is None:
            continue
        try:
            path.write_text(text(), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {visible(str(path))}: {exc.strerror}") from None
