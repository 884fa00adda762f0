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
    write_whole,
)

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import IO

    from .document import Page

__all__ = ["COLORS", "EXPORT_FORMATS", "FORMATS", "Output", "emit"]

FORMATS = ("rich", "plain", "json", "markdown", "html")
COLORS = ("auto", "always", "never")
EXPORT_FORMATS = ("markdown", "html")  # for `ketaminfo export` (see ketaminfo.export)
DEFAULT_PAGER = "less"


class Output(record("Output", "format color pager svg html crisis",
                    defaults=(None, "auto", True, None, None, False))):
    """How to show a page; the defaults suit a person at a terminal."""

    __slots__ = ()
    # format: str | None - None: rich on a terminal, plain otherwise
    # color: str
    # pager: bool
    # svg: Path | None
    # html: Path | None
    # crisis: bool - the reader's words call for crisis help: it leads the page


def emit(page: Page, options: Output = Output(), stream: IO[str] | None = None) -> None:
    """Render *page* as *options* ask and write it to *stream* (stdout by
    default), as it is drawn: a long page is written a piece at a time (and
    a reader that stops early, ``| head``, stops the drawing), each piece to
    the end, even when a write is cut short."""
    out = stream if stream is not None else sys.stdout
    if options.crisis:
        from .document import with_crisis_help

        with_crisis_help(page)
    if options.svg or options.html:
        save_pictures(page, options)
    fmt = resolve_format(options, out)
    width, height = terminal_size()
    encoding = getattr(out, "encoding", None)
    color = use_color(options, out) if fmt == "rich" else False
    links = use_links(options, out) if fmt == "rich" else False
    chunks = render(page, fmt, width, color, encoding, links)
    if fmt != "json" and options.pager and interactive(out):
        ahead, more = _lines_ahead(chunks, height - 1)
        if more:  # longer than the screen
            if run_pager(ahead + list(chunks), encoding or "utf-8"):
                return
            chunks = render(page, fmt, width, color, encoding, links)
        else:
            chunks = iter(ahead)
    for chunk in chunks:
        write_whole(out, chunk)
    out.flush()


def render(page: Page, fmt: str, width: int, color: bool, encoding: str | None, links: bool = False
           ) -> Iterator[str]:
    """*page* drawn in the format *fmt*, a piece at a time, each with
    stand-ins for what *encoding* cannot represent; with *links*, styled
    text makes web addresses terminal hyperlinks."""
    if fmt == "json":
        from .jsonout import render as render_json

        text = render_json(page)
        if not encodes(text, encoding):  # keep every value: \u escapes, not stand-ins
            text = render_json(page, ascii_only=True)
        yield fit_encoding(text, encoding)
        return
    if fmt == "html":  # a web page of its own: no links out, no menu
        from .html import render_chunks as web_page

        def render_chunks(page: Page) -> Iterator[str]:
            return web_page(page, lambda item: None, [])
    elif fmt == "markdown":
        from .markdown import render_chunks
    else:  # plain, and styled: the plain layout with colour (and hyperlinks)
        from .text import render_chunks as layout

        def render_chunks(page: Page) -> Iterator[str]:
            return layout(page, width, color, links)

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
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":  # NO_COLOR wins over FORCE_COLOR
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return isatty(out)


LINKS_ENV = "KETAMINFO_HYPERLINKS"
_OFF, _ON = ("never", "0", "no", "off", "false"), ("always", "1", "yes", "on", "true")


def use_links(options: Output, out: IO[str]) -> bool:
    """Whether styled output may make web addresses terminal hyperlinks
    (OSC 8): only on a terminal (never into a pipe or a file), not with
    ``--color never``, not where ``KETAMINFO_HYPERLINKS`` says never, and by
    default not on the terminals known to print the codes as text (the
    Linux console, GNU screen, Emacs). Terminals that do not know them
    ignore them: the address is the text either way."""
    if options.color == "never" or not interactive(out):
        return False
    setting = os.environ.get(LINKS_ENV, "").strip().lower()
    if setting in _OFF:
        return False
    if setting in _ON:
        return True
    term = os.environ.get("TERM", "")
    if term == "linux" or os.environ.get("INSIDE_EMACS"):
        return False
    return not (term.startswith("screen") and not os.environ.get("TMUX"))


LINKS_LESS = 581  # the oldest less trusted to pass hyperlinks through with -R (590 does)


def pager_takes_links(command: str) -> bool:
    """Whether the pager *command* shows hyperlinks as links rather than as
    codes: a ``less`` new enough to pass them through (asked once, only when
    a page with links is about to be paged)."""
    import shlex
    import subprocess

    try:
        words = shlex.split(command)
    except ValueError:
        return False
    if not words or os.path.basename(words[0]) != "less":
        return False
    try:
        found = subprocess.run([words[0], "--version"], capture_output=True, text=True, timeout=5, check=False).stdout
        version = int(found.split()[1])
    except (OSError, ValueError, IndexError, subprocess.SubprocessError):
        return False
    return version >= LINKS_LESS


def run_pager(text: str | Iterable[str], encoding: str) -> bool:
    """Show *text* (or its pieces, as they come) through the user's pager, as
    git does; False if that failed.

    The first of KETAMINFO_PAGER and PAGER that is set, else ``less``, with
    LESS=FRX unless LESS is set (quit if one screen, keep colours, do not
    clear the screen), and R added to a LESS without it, so colours show as
    colours. A pager set to nothing (``PAGER=``) or to ``cat`` means no
    pager, as git reads GIT_PAGER and PAGER. While the pager runs, Ctrl-C
    belongs to it.
    """
    import subprocess

    command = os.environ.get("KETAMINFO_PAGER")
    if command is None:
        command = os.environ.get("PAGER")
    if command is None:
        command = DEFAULT_PAGER
    if command.strip() in ("", "cat"):
        return False
    pieces = [text] if isinstance(text, str) else list(text)
    if any("\x1b]8;" in piece for piece in pieces) and not pager_takes_links(command):
        from .text import without_links

        pieces = [without_links(piece) for piece in pieces]
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
        for piece in pieces:
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
    from ..safetext import shown
    from .saving import save
    from .styled import record

    console = record(page, terminal_size()[0])
    for path, text in ((options.svg, lambda: console.export_svg(title=page.title, clear=False)),
                       (options.html, lambda: console.export_html(clear=False))):
        if path is None:
            continue
        try:
            save(path, text())  # whole, and never through a link
        except OSError as exc:
            raise UsageError(f"cannot write {shown(str(path))}: {exc.strerror or exc}") from None
