"""The command line: the ``ketaminfo`` command's one front door.

``main`` reads the command line by the grammar table (``parse``), generated
from the Typer app (``app``), and runs the command (``commands.execute``)
without importing Typer (about 50 ms); help screens Typer has drawn before
come from the cache (``helptext``). Only a line the table cannot read (a
mistake, which Typer then explains; no arguments at all) or a help screen
not yet drawn at this width goes to the Typer app, which runs the same
``commands.execute``. Shell completion (``complete``) answers from the same
table.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from typing import NoReturn


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line *argv* (default: this process's) and exit."""
    import gc

    # A run is short and builds many small objects that are never cycles:
    # the collector only costs time (it doubles the first build at scale).
    gc.disable()
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the command line *argv*; its exit status. Never raises for a
    user's mistake, an output that fails, or Ctrl-C."""
    from ..pages.terminal import output_failed, reopen_closed, silence_stdout

    if sys.stdout is None or sys.stderr is None:  # started with standard output or error closed (>&-):
        reopen_closed()  # run as usual, writing to nowhere; the exit status still says how it went
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        if os.environ.get("_KETAMINFO_COMPLETE"):
            from .complete import run as complete

            return complete()
        return _dispatch(words)
    except KeyboardInterrupt:
        silence_stdout()
        return 130
    except OSError as exc:
        code = output_failed(exc)
        if code is None:
            raise
        return code


def _dispatch(words: list[str]) -> int:
    from .parse import Help, parse

    if not words:  # the program alone: its help, as data (``ketaminfo | less`` works)
        words = ["--help"]
    request = parse(words)
    if isinstance(request, Help):
        from . import helptext

        text = helptext.cached(request.command)
        if text is not None:
            from ..pages.terminal import write_out

            write_out(text + "\n")
            return 0
    elif request is not None:
        from .commands import execute

        return execute(request)
    return _typer(words)


def _typer(words: list[str]) -> int:
    """Let the Typer app read *words* (it explains any mistake)."""
    from .app import app

    try:
        app(args=words, prog_name="ketaminfo")
    except SystemExit as done:
        code = done.code
        code = code if isinstance(code, int) else (0 if code is None else 1)
        if code == 2:  # a mistake, explained on stderr; the words may still call for crisis help
            from .commands import crisis_after_mistake

            crisis_after_mistake(words)
        return code
    return 0
