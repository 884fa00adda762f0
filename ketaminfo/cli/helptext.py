"""Help screens, kept once Typer has drawn them.

Typer draws a help screen for the width of the terminal; drawing it means
importing Typer (about 50 ms). The app hands each screen it draws to
``remember``, which keeps it in the cache folder under the command, the
width and a key of the code that declares the command line; the fast path
then shows ``cached`` screens without Typer. The text is Typer's own, so
the two can never differ.
"""

from __future__ import annotations

import os
import sys

MAX_CONTENT_WIDTH = 100  # the app's context_settings["max_content_width"]


def width() -> int:
    """The width Typer's help formatter will use: the terminal's columns as
    ``shutil.get_terminal_size`` finds them, capped, less a margin."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return max(min(columns, MAX_CONTENT_WIDTH) - 2, 50)


def _name(command: str) -> str:
    """The cache note for *command*'s help at this width and this code."""
    from .. import __version__

    here = os.path.dirname(os.path.realpath(__file__))
    parts = [__version__]
    for path in (os.path.join(here, "app.py"), os.path.join(os.path.dirname(here), "kb", "model.py")):
        st = os.stat(path)
        parts.append(f"{st.st_size}:{st.st_mtime_ns}")
    from hashlib import blake2b

    key = blake2b("\0".join(parts).encode(), digest_size=8).hexdigest()
    return f"note-help-{key}-{width()}-{command or 'ketaminfo'}"


def cached(command: str) -> str | None:
    """The help screen of *command* ("" for the program), if kept."""
    from ..kb import cache

    try:
        return cache.read_note(_name(command))
    except OSError:
        return None


def remember(command: str, text: str) -> None:
    from ..kb import cache

    try:
        cache.write_note(_name(command), text)
    except OSError:
        pass
