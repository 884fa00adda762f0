"""The ``ketaminfo`` command's entry point.

Two kinds of request are answered before the command-line framework (typer,
about 50 ms to import) is loaded:

* shell completion, which runs on every TAB (see ``complete``);
* the commonest lookups, ``topic|conditions|glossary|sources NAME`` with the
  output options, which call the very views and renderer the full command
  line calls. Anything else (help, other options, a name that is not found,
  any error) goes to the full command line, which then produces the usual
  messages and exit codes; a test checks both paths print the same bytes.
"""

from __future__ import annotations

import os
import sys

# command -> (name of the KnowledgeBase lookup, name of the view)
LOOKUPS = {
    "topic": ("topic", "topic_page"),
    "conditions": ("condition", "condition_page"),
    "glossary": ("term", "term_page"),
    "sources": ("source", "source_page"),
}


def main() -> None:
    if sys.stdout is None:  # started with standard output closed: nothing to show
        sys.exit(0)
    if os.environ.get("_KETAMINFO_COMPLETE"):
        from .complete import run

        sys.exit(run())
    if not lookup(sys.argv[1:]):
        from .cli import main as cli_main

        cli_main()


def lookup(argv: list[str]) -> bool:
    """Show one entry's page for a plain lookup; False to leave *argv* to the full CLI."""
    options = _parse(argv)
    if options is None:
        return False
    command, name, output = options
    from .errors import KetaminfoError
    from .kb import load

    try:
        kb = load()
        entry = getattr(kb, LOOKUPS[command][0])(name)
    except KetaminfoError:
        return False  # the full command line reports it, with its hints and exit code
    from . import views
    from .render import emit

    page = getattr(views, LOOKUPS[command][1])(kb, entry)
    try:
        emit(page, output)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        if not reader_gone(exc):
            raise
    return True


def reader_gone(exc: OSError) -> bool:
    """Whether *exc* means nobody reads standard output any more (``| head``
    closed the pipe, or stdout was closed). If so, point stdout at devnull, so
    the interpreter's final flush cannot fail again, and let the caller stop
    quietly."""
    import errno

    if exc.errno not in (errno.EPIPE, errno.EBADF):
        return False
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    except OSError:
        pass
    return True


def _parse(argv: list[str]):  # -> tuple[str, str, Output] | None
    """``COMMAND NAME [--format F] [-f F] [--color W] [--no-pager]``, or None."""
    if len(argv) < 2 or argv[0] not in LOOKUPS or argv[1].startswith("-"):
        return None
    from .render import COLORS, FORMATS, Output

    fmt, color, pager = None, "auto", True
    rest = argv[2:]
    while rest:
        option = rest.pop(0)
        if option == "--no-pager":
            pager = False
        elif option in ("--format", "-f") and rest and rest[0] in FORMATS:
            fmt = rest.pop(0)
        elif option == "--color" and rest and rest[0] in COLORS:
            color = rest.pop(0)
        else:
            return None
    return argv[0], argv[1], Output(format=fmt, color=color, pager=pager)
