"""Styled terminal output through Rich.

All page text is wrapped in ``Text`` objects and the console is created with
markup, emoji and highlighting off, so data is always shown literally.
"""

from __future__ import annotations

import io
from typing import IO

from rich import box
from rich.console import Console, RenderableType
from rich.rule import Rule
from rich.table import Table as RichTable
from rich.text import Text

from .document import Callout, Heading, Item, Page, Paragraph, Table, grouped, highlights, markers_text

TAG_STYLES = {
    # evidence levels
    "established": "bold green",
    "trials": "green",
    "early": "yellow",
    "hypothesis": "magenta",
    "articles-only": "bright_black",
    # condition statuses
    "approved": "bold green",
    "randomized-trials": "green",
    # event categories
    "discovery": "cyan",
    "clinical-use": "blue",
    "regulation": "red",
    "research": "green",
    "culture": "magenta",
}


def make_console(
    file: IO[str] | None = None, width: int | None = None, *, color: bool = True, record: bool = False
) -> Console:
    """A console that never reads page text as markup or emoji codes."""
    return Console(
        file=file,
        width=width,
        force_terminal=color,
        color_system="auto" if color else None,
        markup=False,
        emoji=False,
        highlight=False,
        record=record,
        legacy_windows=False,
    )


def render(page: Page, console: Console) -> None:
    for renderable in renderables(page):
        console.print(renderable)


def render_to_string(page: Page, width: int, *, color: bool) -> str:
    """The styled page as text, with escape codes only when *color* is true."""
    buffer = io.StringIO()
    render(page, make_console(buffer, width, color=color))
    return buffer.getvalue()


def record(page: Page, width: int) -> Console:
    """A recording console that has drawn *page*, for SVG and HTML export."""
    console = make_console(io.StringIO(), width, color=True, record=True)
    render(page, console)
    return console


def renderables(page: Page) -> list[RenderableType]:
    out: list[RenderableType] = [Text(page.title, style="bold")]
    if page.subtitle:
        out.append(Text(page.subtitle, style="dim"))
    for part in grouped(page.blocks):
        if isinstance(part, list):
            out.append(_items(part))
        elif isinstance(part, Heading):
            out.append(Text("\n" + part.text, style="bold cyan"))
        elif isinstance(part, Paragraph):
            text = Text("\n" + part.text, style="dim" if part.quiet else "")
            if part.markers:
                text.append(" " + markers_text(part.markers), style="dim")
            out.append(text)
        elif isinstance(part, Callout):
            from rich.panel import Panel  # only pages with a crisis box need it

            out.append(Text(""))
            out.append(Panel(Text(part.text), title="Crisis help", title_align="left", border_style="bold red"))
        elif isinstance(part, Table):
            out.append(_table(part))
    out.append(Rule(style="dim"))
    out.append(Text(page.notice, style="dim italic"))
    return out


def _items(items: list[Item]) -> RichTable:
    grid = RichTable.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for item in items:
        body = Text(item.text)
        tag = Text("  " + item.tag, style=TAG_STYLES.get(item.tag_key or "", "")) if item.tag else None
        if tag and item.details:
            body.append_text(tag)
        for detail in item.details:
            body.append("\n")
            for piece, marked in highlights(detail):
                body.append(piece, style="bold yellow" if marked else "dim" if item.quiet_details else "")
        if item.markers:
            body.append(" " + markers_text(item.markers), style="dim")
        if tag and not item.details:
            body.append_text(tag)
        if item.note:
            body.append("\n! Correction: " + item.note, style="yellow")
            if item.note_markers:
                body.append(" " + markers_text(item.note_markers), style="dim")
        grid.add_row(Text(" " + (item.label if item.label is not None else "•")), body)
    return grid


def _table(table: Table) -> RichTable:
    rich_table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for header in table.headers:
        rich_table.add_column(Text(header), overflow="fold")
    for row in table.rows:
        rich_table.add_row(*(Text(cell) for cell in row))
    return rich_table
