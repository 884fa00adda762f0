"""Markdown (CommonMark with GitHub tables), for notes and documents.

Every piece of knowledge-base text is escaped, so `*`, `_`, `[1]` or `<b>`
in the data show literally instead of becoming formatting or links; the
citation markers ketaminfo adds link to the numbered Sources on the page.
"""

from __future__ import annotations

import re

from .document import (
    MATCH_END,
    MATCH_START,
    Callout,
    Heading,
    Item,
    Page,
    Paragraph,
    Run,
    Table,
    grouped,
    highlights,
    leading,
)

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# A web address made only of the characters a URL may hold unescaped (RFC
# 3986), so an autolink <...> can never close early or carry HTML; anything
# else in the text (a stray "<") ends the address. Search marks inside an
# address are allowed here and dropped from the link (see ``_linked``).
_URL = re.compile(f"https?://[A-Za-z0-9\\-._~:/?#@!$&'()*+,;=%{MATCH_START}{MATCH_END}]+")
_NO_MARKS = str.maketrans("", "", MATCH_START + MATCH_END)
# Characters that can start formatting, a link, an entity or HTML anywhere in a line.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
# Text that would open a block (heading, quote, list) at the start of a line.
_BLOCK_START = re.compile(r"^(?:([#>+-])|(\d+)([.)]))")


def escape(text: str) -> str:
    """*text* with every character escaped that Markdown would read as markup."""
    out = []
    for piece, marked in highlights(text):
        piece = _SPECIAL.sub(r"\\\1", piece)
        out.append(f"**{piece}**" if marked else piece)
    return "".join(out)


def _linked(text: str) -> str:
    """Escaped *text* with its web addresses as autolinks."""
    out, last = [], 0
    for match in _URL.finditer(text):
        out += [escape(text[last : match.start()]), f"<{match.group(0).translate(_NO_MARKS)}>"]
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _block(text: str) -> str:
    """Escaped *text* that is safe at the start of a line, too."""
    return _BLOCK_START.sub(
        lambda m: "\\" + m[1] if m[1] else m[2] + "\\" + m[3], escape(text)
    )


def render(page: Page, link: Callable[[Item], str | None] | None = None) -> str:
    """*page* as Markdown; *link* may turn an item into a link target (export)."""
    return "".join(render_chunks(page, link))


def render_chunks(page: Page, link: Callable[[Item], str | None] | None = None) -> Iterator[str]:
    """``render``, a few hundred lines at a time, drawn as the page's blocks are made."""
    callouts, blocks = leading(page.blocks)
    lines = [f"> **Crisis help.** {escape(callout.text)}\n" for callout in callouts]
    lines += [f"# {escape(page.title)}", ""]
    if page.subtitle:
        lines += [f"*{escape(page.subtitle)}*", ""]
    for part in grouped(blocks):
        if isinstance(part, (list, Run)):
            for item in part.items if isinstance(part, Run) else part:
                lines.append(_item(item, link))
                if len(lines) >= 256:
                    yield "\n".join(lines) + "\n"
                    lines = []
            lines.append("")
        elif isinstance(part, Heading):
            lines += [f"## {escape(part.text)}", ""]
        elif isinstance(part, Paragraph):
            text = _block(part.text) + _cite(part.markers)
            lines += [f"*{text}*" if part.quiet else text, ""]
        elif isinstance(part, Callout):
            lines += [f"> **Crisis help.** {escape(part.text)}", ""]
        elif isinstance(part, Table):
            lines += [_row(part.headers), "|" + "|".join(" --- " for _ in part.headers) + "|"]
            lines += [_row(row) for row in part.rows]
            lines.append("")
    lines += ["---", "", f"*{escape(page.notice)}*", ""]
    if page.dated:
        lines += [f"*{escape(page.dated)}*", ""]
    yield "\n".join(lines)


def _cite(markers: tuple[int, ...]) -> str:
    """Citation markers, each a link to its entry in the page's Sources
    (``cite-N``, the anchor every numbered source carries)."""
    return " " + "".join(f"[\\[{n}\\]](#cite-{n})" for n in markers) if markers else ""


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(escape(cell) for cell in cells) + " |"


def _item(item: Item, link: Callable[[Item], str | None] | None) -> str:
    text = _block(item.text)  # "- # x" would make the item a heading
    target = link(item) if link else None
    if target:
        text = f"[{text}]({target})"
    head = f"**{escape(item.label)}** " if item.label else ""
    anchor = f'<a id="{item.anchor}"></a>' if item.anchor else ""
    line = f"- {anchor}{head}{text}"
    if item.tag:
        line += f" *({escape(item.tag)})*"
    for detail in item.details:
        line += f"  \n  {_linked(detail)}"
    line += _cite(item.markers)
    if item.context:
        line += f"  \n  *{escape(item.context)}*"
    if item.note:
        line += f"  \n  **{escape(item.note_label)}:** {escape(item.note)}{_cite(item.note_markers)}"
    return line
