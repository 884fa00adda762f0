"""Write the whole knowledge base as a small static reference (Markdown or HTML).

One page per topic and condition, a timeline, a glossary, a sources page
with working links, and an index; pages link to each other.
"""

from __future__ import annotations

from pathlib import Path

from ..kb.library import KnowledgeBase
from . import views
from .document import Item, Page
from .output import EXPORT_FORMATS

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Iterator


def pages(kb: KnowledgeBase) -> Iterator[tuple[str, Page]]:
    """(file stem, page) for every page of the export, one at a time: each
    page is drawn, written and dropped before the next is made, and a long
    page (the timeline, the glossary, the sources) is written as it is
    drawn, so a large knowledge base never holds its pages in memory."""
    yield "index", views.index_page(kb)
    for topic in kb.topics.each():
        yield f"topic-{topic.id}", views.topic_page(kb, topic)
    for condition in kb.conditions.each():
        yield f"condition-{condition.id}", views.condition_page(kb, condition)
    yield "timeline", views.timeline_page(kb, kb.events_where())
    yield "glossary", views.glossary_page(kb)
    yield "sources", views.source_list(kb)


def export(kb: KnowledgeBase, folder: Path, fmt: str, force: bool = False) -> list[Path]:
    """Write every page into *folder* (created if needed); return the files written.

    A file already there that an earlier export did not write (it is not in
    the folder's ``MANIFEST``) is never overwritten unless *force*; nor is
    anything written through a link: with *force*, the link itself is
    replaced."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {EXPORT_FORMATS}")
    suffix = ".md" if fmt == "markdown" else ".html"
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"{stem}{suffix}" for stem in stems(kb)]
    _check_targets(folder, names, force)

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
            from .markdown import render_chunks

            chunks = render_chunks(page, link)
        else:
            from .html import render_chunks as render_html

            chunks = render_html(page, link, nav)
        path = folder / f"{stem}{suffix}"
        if path.is_symlink():
            path.unlink()  # replace a link, never write through it
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(chunks)
        written.append(path)
        kb.forget()  # each page reads what it shows anew: nothing piles up from page to page
    (folder / MANIFEST).write_text("".join(f"{name}\n" for name in sorted(_manifest(folder) | set(names))),
                                   encoding="utf-8")
    return written


MANIFEST = ".ketaminfo-export"  # the files exports wrote into a folder, one name a line


def stems(kb: KnowledgeBase) -> list[str]:
    """The file stems an export writes, in the order ``pages`` makes them."""
    return ["index", *(f"topic-{i}" for i in kb.topics.ids()), *(f"condition-{i}" for i in kb.conditions.ids()),
            "timeline", "glossary", "sources"]


def _manifest(folder: Path) -> set[str]:
    try:
        return set((folder / MANIFEST).read_text(encoding="utf-8").split())
    except (OSError, UnicodeDecodeError):
        return set()


def _check_targets(folder: Path, names: list[str], force: bool) -> None:
    if force:
        return
    from ..errors import UsageError
    from ..safetext import visible

    ours = _manifest(folder)
    clashes = [n for n in names if (folder / n).is_symlink() or ((folder / n).exists() and n not in ours)]
    if clashes:
        raise UsageError(
            f"{len(clashes)} file(s) in {visible(str(folder))} were not written by ketaminfo export "
            f"(first: {visible(clashes[0])}); nothing was written",
            hint="Choose an empty folder, or add --force to replace them.",
        )
