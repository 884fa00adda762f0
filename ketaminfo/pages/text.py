"""Plain text: for pipes, files and terminals without styling. No escape codes."""

from __future__ import annotations

import textwrap

from .document import (
    Block,
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

MIN_WIDTH = 20
BULLET = "- "


def render(page: Page, width: int) -> str:
    """The whole page as text lines no wider than *width* (at least 20)."""
    width = max(MIN_WIDTH, width)
    lines: list[str] = _wrap(page.title, width)
    lines.append("=" * min(len(page.title), width))
    if page.subtitle:
        lines += _wrap(page.subtitle, width)
    previous: object = None
    for part in grouped(page.blocks):
        if isinstance(part, list):
            if not isinstance(previous, Heading):
                lines.append("")
            lines += _items(part, width)
        else:
            lines += _block(part, width)
        previous = part
    lines.append("")
    lines += _wrap(page.notice, width)
    if page.dated:
        lines += _wrap(page.dated, width)
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    text = "".join(f"*{piece}*" if marked else piece for piece, marked in highlights(text))
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _block(block: Block, width: int) -> list[str]:
    if isinstance(block, Heading):
        return ["", *_wrap(block.text, width), "-" * min(len(block.text), width)]
    if isinstance(block, Paragraph):
        text = block.text + (" " + markers_text(block.markers) if block.markers else "")
        return ["", *_wrap(text, width)]
    if isinstance(block, Callout):
        rule = "!" * width
        return ["", rule, *_wrap(block.text, width, "! ", "! "), rule]
    if isinstance(block, Table):
        return ["", *_table(block, width)]
    raise TypeError(f"cannot render {block!r}")  # pragma: no cover


def _items(items: list[Item], width: int) -> list[str]:
    """A run of items; labelled ones share one label column."""
    labels = [len(it.label) for it in items if it.label]
    label_width = min(max(labels), width // 3) if labels else 0
    lines: list[str] = []
    for item in items:
        if item.label is not None:
            indent = 2 + label_width + 2
            label = item.label.ljust(label_width)
            first = f"  {label}  "
            if len(item.label) > label_width:  # too long to share the column
                lines += _wrap(item.label, width, "  ", "  ")
                first = " " * indent
        else:
            indent = 2 + len(BULLET)
            first = "  " + BULLET
        rest = " " * indent
        body = [item.text, *item.details]
        if item.markers:
            body[-1] += " " + markers_text(item.markers)
        if item.tag:
            body[0] += f" ({item.tag})"
        lines += _wrap(body[0], width, first, rest)
        for detail in body[1:]:
            lines += _wrap(detail, width, rest, rest)
        if item.context:
            lines += _wrap(item.context, width, rest, rest)
        if item.note:
            note = f"Correction: {item.note}"
            if item.note_markers:
                note += " " + markers_text(item.note_markers)
            lines += _wrap(note, width, rest + "! ", rest + "  ")
    return lines


def _table(table: Table, width: int) -> list[str]:
    """Columns sized to their content, narrowed (never below their longest
    word) until they fit; a table that cannot fit becomes a list of records."""
    gap = 2
    columns = range(len(table.headers))
    cells = [[table.headers[c], *(row[c] for row in table.rows)] for c in columns]
    sizes = [max(len(cell) for cell in col) for col in cells]
    floors = [max(len(word) for cell in col for word in cell.split() or [""]) for col in cells]
    available = width - gap * (len(sizes) - 1)
    if sum(floors) > available:
        return _records(table, width)
    while sum(sizes) > available:
        widest = max((c for c in columns if sizes[c] > floors[c]), key=lambda c: sizes[c])
        sizes[widest] -= 1
    lines = _row(table.headers, sizes, gap)
    lines.append((" " * gap).join("-" * s for s in sizes).rstrip())
    for row in table.rows:
        lines += _row(row, sizes, gap)
    return lines


def _row(cells: tuple[str, ...], sizes: list[int], gap: int) -> list[str]:
    wrapped = [textwrap.wrap(cell, size, break_on_hyphens=False) or [""] for cell, size in zip(cells, sizes)]
    height = max(len(w) for w in wrapped)
    out = []
    for line in range(height):
        parts = [(w[line] if line < len(w) else "").ljust(size) for w, size in zip(wrapped, sizes)]
        out.append((" " * gap).join(parts).rstrip())
    return out


def _records(table: Table, width: int) -> list[str]:
    """A table too wide for the screen, as one block of "Header: value" lines per row."""
    lines: list[str] = []
    for row in table.rows:
        if lines:
            lines.append("")
        for header, cell in zip(table.headers, row):
            lines += _wrap(f"{header}: {cell}", width, "", "  ")
    return lines
