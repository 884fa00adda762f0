"""Styled terminal output through Rich.

All page text is wrapped in ``Text`` objects and the console is created with
markup, emoji and highlighting off, so data is always shown literally.
"""

from __future__ import annotations

import io
from typing import IO

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.rule import Rule
from rich.segment import Segment
from rich.text import Text

from .document import (
    Callout,
    Heading,
    Item,
    Page,
    Paragraph,
    Table,
    grouped,
    highlights,
    markers_text,
)

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
    "not-supported": "red",
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
            out.append(_Items(part))
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
    if page.dated:
        out.append(Text(page.dated, style="dim"))
    return out


class _Items:
    """Items as a hanging-indent list: the labels in a bold column, each text
    wrapped beside its label.

    It lays the items out as a two-column ``Table.grid`` would (a column as
    wide as the widest label, one space, then the text, as wide as the widest
    text line allows) without the table's measuring passes or its import,
    which cost more than the rest of a page's rendering."""

    def __init__(self, items: list[Item]):
        self.rows = [(Text(" " + (i.label if i.label is not None else "•"), style="bold"), _item_text(i)) for i in items]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        label_width = max(label.cell_len for label, _ in self.rows)
        widest = max(cell_len(line) for _, text in self.rows for line in text.plain.split("\n"))
        text_width = min(widest, width - label_width - 1)
        bold = console.get_style("bold")
        stacked = text_width < min(widest, max(12, width // 3))  # too narrow beside the labels
        if stacked:  # each label on its own line, its text indented below it
            text_width, label_width = min(widest, width - 3), min(label_width, width)
        indent = Segment(" " * (3 if stacked else label_width + 1), bold)
        for label, text in self.rows:
            labels = console.render_lines(label, options.update(width=label_width, height=None), style=bold, pad=True)
            lines = console.render_lines(text, options.update(width=text_width, height=None, overflow="fold"), pad=True)
            if stacked:
                for line in labels:
                    yield from line
                    yield Segment.line()
            for n, line in enumerate(lines):
                if stacked or n:
                    yield indent
                else:
                    yield from labels[0]
                    yield Segment(" ", bold)
                yield from line
                yield Segment.line()


def _item_text(item: Item) -> Text:
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
    if item.context:
        body.append("\n" + item.context, style="dim")
    if item.note:
        body.append("\n! Correction: " + item.note, style="yellow")
        if item.note_markers:
            body.append(" " + markers_text(item.note_markers), style="dim")
    return body


def _table(table: Table) -> RenderableType:
    from rich import box
    from rich.table import Table as RichTable  # only pages with a table need it

    rich_table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for header in table.headers:
        rich_table.add_column(Text(header), overflow="fold")
    for row in table.rows:
        rich_table.add_row(*(Text(cell) for cell in row))
    return rich_table
