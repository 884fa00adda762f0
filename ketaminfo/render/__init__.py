"""Draw pages: styled through Rich on a terminal, plain text everywhere else.

Rich is imported only when styled output is wanted, so piped and plain runs
start faster.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import IO

from .document import Page

__all__ = ["Page", "show", "wants_styles"]


def wants_styles(stream: IO[str]) -> bool:
    """Style when writing to a terminal, or when FORCE_COLOR asks for it; never for TERM=dumb."""
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def show(page: Page, stream: IO[str] | None = None) -> None:
    """Write *page* to *stream* (standard output by default) in the fitting style."""
    out = stream if stream is not None else sys.stdout
    if wants_styles(out):
        from .styled import make_console, render

        render(page, make_console(out))
    else:
        from .plain import render as render_plain

        width = shutil.get_terminal_size((80, 24)).columns
        out.write(render_plain(page, width))
    out.flush()
