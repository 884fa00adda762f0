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
from collections import namedtuple

from .document import Page
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
    from typing import IO

__all__ = ["COLORS", "EXPORT_FORMATS", "FORMATS", "Output", "Page", "emit"]

FORMATS = ("rich", "plain", "json", "markdown")
COLORS = ("auto", "always", "never")
EXPORT_FORMATS = ("markdown", "html")  # for `ketaminfo export` (see ketaminfo.export)
DEFAULT_PAGER = "less"


class Output(namedtuple("Output", "format color pager svg html crisis",
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
    """Render *page* as *options* ask and write it to *stream* (stdout by default)."""
    out = stream if stream is not None else sys.stdout
    if options.crisis:
        from .document import with_crisis_help

        with_crisis_help(page)
    if options.svg or options.html:
        save_pictures(page, options)
    fmt = resolve_format(options, out)
    width, height = terminal_size()
    encoding = getattr(out, "encoding", None)
    if fmt == "json":
        from .jsonout import render as render_json

        text = render_json(page)
        if not encodes(text, encoding):  # keep every value: \u escapes, not stand-ins
            text = render_json(page, ascii_only=True)
    elif fmt == "markdown":
        from .markdown import render as render_markdown

        text = render_markdown(page)
    elif fmt == "plain":
        from .text import render as render_plain

        text = render_plain(page, width)
    else:
        from .styled import render_to_string

        text = render_to_string(page, width, color=use_color(options, out))
    text = fit_encoding(text, encoding)
    if fmt != "json" and options.pager and interactive(out) and text.count("\n") > height - 1:
        if run_pager(text, encoding or "utf-8"):
            return
    write_whole(out, text)  # to the end, even when a write is cut short


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


def run_pager(text: str, encoding: str) -> bool:
    """Show *text* through the user's pager, as git does; False if that failed.

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
        pager.stdin.write(text.encode(encoding, errors="replace"))
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
