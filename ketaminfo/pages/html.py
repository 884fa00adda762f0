"""HTML pages for an exported knowledge base. All text is escaped."""

from __future__ import annotations

import re
from html import escape

from .document import (
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

_URL = re.compile(r"https?://\S+")
STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
nav{font-size:.9rem;margin-bottom:1rem}nav a{margin-right:.8rem}
.subtitle{color:#666}.tag{font-size:.85rem;color:#555;font-style:italic}
.tag-overstated,.tag-contradicted,.tag-articles-only{color:#a40000;font-weight:bold}.tag-supported{color:#1a6b1a}
.cite{font-size:.8rem;vertical-align:super}.cite a{text-decoration:none}
.note{background:#fff6dd;border-left:3px solid #e0a800;padding:.2rem .5rem;margin:.3rem 0}
.crisis{border:2px solid #c00;padding:.5rem 1rem;background:#fff0f0}
.detail{color:#555;font-size:.92rem}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.2rem .6rem;text-align:left}
footer{margin-top:2rem;border-top:1px solid #ccc;color:#666;font-size:.9rem}
"""


def _callout(callout: Callout) -> str:
    return f'<p class="crisis" role="alert"><strong>Crisis help.</strong> {escape(callout.text)}</p>'


def render(page: Page, link: Callable[[Item], str | None], nav: list[tuple[str, str]]) -> str:
    """A whole HTML document for *page*; *link* gives an item's href, *nav* the menu."""
    return "".join(render_chunks(page, link, nav))


def render_chunks(page: Page, link: Callable[[Item], str | None], nav: list[tuple[str, str]]) -> Iterator[str]:
    """``render``, a piece at a time, drawn as the page's blocks are made."""
    callouts, blocks = leading(page.blocks)
    menu = "".join(f'<a href="{escape(href)}">{escape(label)}</a>' for label, href in nav)
    heading = "\n".join([*map(_callout, callouts), f"<h1>{escape(page.title)}</h1>"])  # crisis help above the title
    yield (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(page.title)} · ketaminfo</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<nav>{menu}</nav>\n<main>\n{heading}"
    )
    if page.subtitle:
        yield f'\n<p class="subtitle">{escape(page.subtitle)}</p>'
    for part in grouped(blocks):
        if isinstance(part, (list, Run)):
            yield "\n<ul>"
            pieces: list[str] = []
            for item in part.items if isinstance(part, Run) else part:
                pieces.append(_item(item, link))
                if len(pieces) >= 64:
                    yield "".join(pieces)
                    pieces = []
            yield "".join(pieces) + "</ul>"
        elif isinstance(part, Heading):
            yield f"\n<h2>{escape(part.text)}</h2>"
        elif isinstance(part, Paragraph):
            yield f"\n<p>{_text(part.text)}{_cite(part.markers)}</p>"
        elif isinstance(part, Callout):
            yield "\n" + _callout(part)
        elif isinstance(part, Table):
            head = "".join(f"<th>{escape(h)}</th>" for h in part.headers)
            rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in part.rows)
            yield f"\n<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    dated = f"<p>{escape(page.dated)}</p>" if page.dated else ""
    yield f"\n</main>\n<footer><p>{escape(page.notice)}</p>{dated}</footer>\n</body>\n</html>\n"


def _text(text: str) -> str:
    return "".join(f"<mark>{escape(p)}</mark>" if marked else escape(p) for p, marked in highlights(text))


def _linked(text: str) -> str:
    """Escaped *text* with its web addresses made into links."""
    out, last = [], 0
    for match in _URL.finditer(text):
        url = match.group(0)
        out += [escape(text[last : match.start()]), f'<a href="{escape(url)}">{escape(url)}</a>']
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _cite(markers: tuple[int, ...]) -> str:
    if not markers:
        return ""
    links = "".join(f'<a href="#cite-{n}">[{n}]</a>' for n in markers)
    return f' <span class="cite">{links}</span>'


def _item(item: Item, link: Callable[[Item], str | None]) -> str:
    anchor = f' id="{escape(item.anchor)}"' if item.anchor else ""
    text = _text(item.text)
    href = link(item)
    if href:
        text = f'<a href="{escape(href)}">{text}</a>'
    label = f"<strong>{escape(item.label)}</strong> " if item.label else ""
    kind = f" tag-{escape(item.tag_key)}" if item.tag_key else ""  # a vocabulary key: letters and dashes
    tag = f' <span class="tag{kind}">({escape(item.tag)})</span>' if item.tag else ""
    details = "".join(f'<div class="detail">{_linked(d)}</div>' for d in item.details)
    context = f'<div class="detail">{escape(item.context)}</div>' if item.context else ""
    note = ""
    if item.note:
        note = f'<div class="note"><strong>{escape(item.note_label)}:</strong> {escape(item.note)}{_cite(item.note_markers)}</div>'
    return f"<li{anchor}>{label}{text}{tag}{_cite(item.markers)}{details}{context}{note}</li>"
