"""Write the whole knowledge base as a small static reference (Markdown or HTML).

One page per topic and condition, a timeline, a glossary, a sources page
with working links, and an index; pages link to each other.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..kb.library import KnowledgeBase
from . import views
from .document import Item, Page
from .output import EXPORT_FORMATS
from .saving import save

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
    the folder's ``MANIFEST``) is never overwritten unless *force*. Nothing
    is ever written through a link, the manifest included: without *force*
    a link where a page or the manifest goes is refused; with it, the link
    itself is replaced."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {EXPORT_FORMATS}")
    suffix = ".md" if fmt == "markdown" else ".html"
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"{stem}{suffix}" for stem in stems(kb)]
    ours = _check_targets(folder, names, force)

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

    # The manifest first, naming every page about to be written: an export
    # cut short (Ctrl-C, a full disk, a kill) can then be run again as it was.
    save(folder / MANIFEST, "".join(f"{name}\n" for name in sorted(ours | set(names))))
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
        save(folder / f"{stem}{suffix}", chunks)  # whole or not at all; a link replaced, never followed
        written.append(folder / f"{stem}{suffix}")
        kb.forget()  # each page reads what it shows anew: nothing piles up from page to page
    return written


MANIFEST = ".ketaminfo-export"  # the files exports wrote into a folder, one name a line
MAX_MANIFEST = 16 * 1024 * 1024  # bytes of a manifest read: far more than any export's names


def stems(kb: KnowledgeBase) -> list[str]:
    """The file stems an export writes, in the order ``pages`` makes them."""
    return ["index", *(f"topic-{i}" for i in kb.topics.ids()), *(f"condition-{i}" for i in kb.conditions.ids()),
            "timeline", "glossary", "sources"]


def _manifest(folder: Path) -> set[str]:
    """The names in *folder*'s manifest; none if it is missing, unreadable,
    or not a regular file (a link is never followed, a pipe never waited on)."""
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(folder / MANIFEST, flags)
    except OSError:
        return set()
    try:
        with open(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return set()
            return set(handle.read(MAX_MANIFEST).decode("utf-8").split())
    except (OSError, UnicodeDecodeError):
        return set()


def _check_targets(folder: Path, names: list[str], force: bool) -> set[str]:
    """The names earlier exports wrote into *folder*; a usage error, unless
    *force*, if writing *names* would replace anything else (a file not in
    the manifest, a link) or the manifest is not a regular file."""
    ours = _manifest(folder)
    if force:
        return ours
    from ..errors import UsageError
    from ..safetext import shown

    clashes = [n for n in names if (folder / n).is_symlink() or ((folder / n).exists() and n not in ours)]
    manifest = folder / MANIFEST
    if manifest.is_symlink() or (manifest.exists() and not manifest.is_file()):
        clashes.insert(0, MANIFEST)
    if clashes:
        raise UsageError(
            f"{len(clashes)} file(s) in {shown(str(folder))} were not written by ketaminfo export "
            f"(first: {shown(clashes[0])}); nothing was written",
            hint="Choose an empty folder, or add --force to replace them (links are replaced, never followed).",
        )
    return ours
