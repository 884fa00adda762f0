"""Styled terminal output, and pictures of it.

A styled page is the plain layout with colour (``text.render`` with
*color*): no framework to import on the lookup path. Rich is used only to
save a picture of that page (``--export-svg``, ``--export-html``), reading
the same escape codes back.
"""

from __future__ import annotations

from .document import Page
from .text import TAG_STYLES, render

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["TAG_STYLES", "record", "render_to_string"]


def render_to_string(page: Page, width: int, *, color: bool, links: bool = False) -> str:
    """The styled page, with colour codes only when *color* is true and
    hyperlinks only when *links* is."""
    return render(page, width, color=color, links=links)


def record(page: Page, width: int) -> Console:
    """A recording Rich console that has drawn the styled *page*, for SVG
    and HTML export. Page text is read as text only: no markup, no emoji."""
    import io

    from rich.console import Console
    from rich.text import Text

    console = Console(
        file=io.StringIO(), width=width, force_terminal=True, color_system="standard", markup=False,
        emoji=False, highlight=False, record=True, legacy_windows=False,
    )
    for line in render_to_string(page, width, color=True).splitlines():
        console.print(Text.from_ansi(line), overflow="ignore", crop=False, no_wrap=True)
    return console
