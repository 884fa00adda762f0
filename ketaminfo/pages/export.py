"""Write the whole knowledge base as a small static reference (Markdown or HTML).

One page per topic and condition, a timeline, a glossary, a sources page
with working links, and an index; pages link to each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..kb.library import KnowledgeBase
from . import views
from .document import Item, Page
from .output import EXPORT_FORMATS


def pages(kb: KnowledgeBase) -> Iterator[tuple[str, Page]]:
    """(file stem, page) for every page of the export, one at a time: each
    page is drawn, written and dropped before the next is made, so a large
    knowledge base never holds all its pages in memory at once."""
    yield "index", views.index_page(kb)
    for topic in kb.topics:
        yield f"topic-{topic.id}", views.topic_page(kb, topic)
    for condition in kb.conditions:
        yield f"condition-{condition.id}", views.condition_page(kb, condition)
    yield "timeline", views.timeline_page(kb, list(kb.events))
    yield "glossary", views.glossary_page(kb)
    yield "sources", views.source_list(kb)


def export(kb: KnowledgeBase, folder: Path, fmt: str) -> list[Path]:
    """Write every page into *folder* (created if needed); return the files written."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {EXPORT_FORMATS}")
    suffix = ".md" if fmt == "markdown" else ".html"
    folder.mkdir(parents=True, exist_ok=True)

    def link(item: Item) -> str | None:
        if item.target is None:
            return None
        kind, entry_id = item.target
        if kind in ("topic", "condition"):
            return f"{kind}-{entry_id}{suffix}"
        if kind == "event":
            return f"timeline{suffix}#{views.anchor('event', entry_id)}"
        if kind == "term":
            return f"glossary{suffix}#{views.anchor('term', entry_id)}"
        if kind == "source":
            return f"sources{suffix}#{views.anchor('source', entry_id)}"
        return f"{entry_id}{suffix}"  # another page of the export

    nav = [(label, f"{stem}{suffix}") for label, stem in
           (("Index", "index"), ("Timeline", "timeline"), ("Glossary", "glossary"), ("Sources", "sources"))]
    written = []
    for stem, page in pages(kb):
        if fmt == "markdown":
            from .markdown import render as render_markdown

            text = render_markdown(page, link)
        else:
            from .html import render as render_html

            text = render_html(page, link, nav)
        path = folder / f"{stem}{suffix}"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
