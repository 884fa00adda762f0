"""The library API: load the knowledge base and answer questions about it.

    >>> from ketaminfo.kb import load
    >>> kb = load()
    >>> kb.topic("MoA").title            # ids, titles and aliases all resolve
    >>> kb.timeline(start=2000, category="regulation")

Nothing here prints. Lookups that find nothing raise ``NotFound`` with the
closest names; a bad knowledge base raises ``KnowledgeBaseError``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from .errors import NotFound
from .model import Condition, Event, Source, Term, Topic, normalise

T = TypeVar("T", Topic, Condition, Term, Source)


class Index(Generic[T]):
    """Entries of one kind, findable by id, title and alias."""

    def __init__(self, kind: str, entries: Iterable[T]):
        self.kind = kind
        self.entries: dict[str, T] = {e.id: e for e in entries}
        self._keys: dict[str, str] = {}
        for e in self.entries.values():
            for name in (e.id, e.title, *getattr(e, "aliases", ())):
                self._keys.setdefault(normalise(name), e.id)

    def __iter__(self):
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, name: str) -> T:
        """The entry *name* resolves to; ``NotFound`` with suggestions otherwise."""
        found = self._keys.get(normalise(name))
        if found is None:
            raise NotFound(self.kind, name, self.suggest(name))
        return self.entries[found]

    def key_of(self, normalised: str) -> str | None:
        """The id an already normalised name resolves to, if any."""
        return self._keys.get(normalised)

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Ids of the entries whose names are closest to *name*."""
        import difflib  # only when something was not found

        key = normalise(name)
        close = difflib.get_close_matches(key, self._keys, n=limit * 2, cutoff=0.6)
        ids = dict.fromkeys(self._keys[k] for k in close)
        if not ids and len(key) >= 3:  # a fragment: "depress" -> every depression page
            ids = dict.fromkeys(v for k, v in self._keys.items() if key in k)
        return list(ids)[:limit]


class KnowledgeBase:
    """Validated entries and the questions the commands ask of them."""

    def __init__(
        self,
        sources: Sequence[Source],
        topics: Sequence[Topic],
        conditions: Sequence[Condition],
        events: Sequence[Event],
        terms: Sequence[Term],
    ):
        self.sources = Index("source", sources)
        self.topics = Index("topic", topics)
        self.conditions = Index("condition", conditions)
        self.terms = Index("term", terms)
        self.events: tuple[Event, ...] = tuple(sorted(events, key=lambda e: (e.date, e.id)))
        self._events_by_id = {e.id: e for e in self.events}

    # Lookups -------------------------------------------------------------

    def topic(self, name: str) -> Topic:
        return self.topics.get(name)

    def condition(self, name: str) -> Condition:
        return self.conditions.get(name)

    def source(self, name: str) -> Source:
        return self.sources.get(name)

    def term(self, name: str) -> Term:
        return self.terms.get(name)

    def entry(self, entry_id: str) -> Topic | Condition | Event | Term | None:
        """Any linkable entry by exact id (used to follow ``related`` links)."""
        for index in (self.topics, self.conditions, self.terms):
            if entry_id in index.entries:
                return index.entries[entry_id]
        return self._events_by_id.get(entry_id)

    # Questions -----------------------------------------------------------

    def timeline(
        self,
        start: int | None = None,
        end: int | None = None,
        category: str | None = None,
        linked_to: Topic | Condition | None = None,
    ) -> list[Event]:
        """Events overlapping the years *start*..*end* (inclusive), oldest first,
        optionally only those of one *category* or linked to one page."""
        linked = self.linked_events(linked_to) if linked_to is not None else None
        return [
            e
            for e in self.events
            if e.date.overlaps(start, end)
            and (category is None or e.category == category)
            and (linked is None or e.id in linked)
        ]

    def linked_events(self, page: Topic | Condition) -> set[str]:
        """Ids of events linked to *page*, whichever side names the other in ``related``."""
        return {e.id for e in self.events if page.id in e.related or e.id in page.related}

    def search(self, query: str, kind: str | None = None, limit: int = 10) -> list:
        """Ranked full-text matches (see ``ketaminfo.search``)."""
        from .search import search

        return search(self, query, kind, limit)

    def suggest_any(self, name: str, limit: int = 3) -> list[str]:
        """The closest topic, condition and term names to *name*, for hints."""
        found: list[str] = []
        for index in (self.topics, self.conditions, self.terms):
            found += index.suggest(name, limit)
        return found[:limit]

    def citation_counts(self) -> Counter[str]:
        """How many statements cite each source id (a claim and its correction count once)."""
        counts: Counter[str] = Counter()
        for page in (*self.topics, *self.conditions):
            for claim in page.points:
                counts.update(claim.cited())
        for condition in self.conditions:
            counts.update(condition.evidence.sources)
        for item in (*self.events, *self.terms):
            counts.update(item.sources)
        return counts

    def citing(self, source_id: str) -> list[tuple[str, str, str]]:
        """(kind, id, statement) for every statement that cites *source_id*."""
        found: list[tuple[str, str, str]] = []
        for page in (*self.topics, *self.conditions):
            for claim in page.points:
                if source_id in claim.cited():
                    found.append((page.kind, page.id, claim.text))
            if isinstance(page, Condition) and source_id in page.evidence.sources:
                found.append((page.kind, page.id, page.evidence.summary))
        for item in self.events:
            if source_id in item.sources:
                found.append((item.kind, item.id, item.title))
        for term in self.terms:
            if source_id in term.sources:
                found.append((term.kind, term.id, term.definition))
        return found


def load(
    path: str | os.PathLike[str] | None = None, mode: str | None = None, *, cache: bool = True
) -> KnowledgeBase:
    """Read, validate and index the knowledge base.

    *path* is a directory of YAML files; without it, ``$KETAMINFO_DATA`` or
    the bundled knowledge base is used. *mode* ``overlay`` lays the directory
    over the bundled knowledge base; ``replace`` (the default) uses it alone.
    A knowledge base whose files have not changed since it last validated is
    read from the cache (see ``ketaminfo.cache``) unless *cache* is false.
    Raises ``KnowledgeBaseError`` listing every problem.
    """
    from .loader import data_layers, read_files

    layers, problems = [], []
    for root in data_layers(path, mode):
        files, unreadable = read_files(root)
        layers.append(files)
        problems += unreadable
    cache_key = None
    if cache and not problems:
        from . import cache as store

        cache_key = store.key(layers)
        sections = store.read(cache_key)
        if sections is not None:
            return _index(sections)
    sections = _parse(layers, problems)
    if cache_key is not None:
        store.write(cache_key, sections)
    return _index(sections)


def _parse(layers: list[list[Any]], problems: list[Any]) -> dict[str, list[Any]]:
    """Compose and validate the files of every layer (the slow path)."""
    from .schema import read_entries
    from .yamlsafe import compose_all

    documents = []
    for files in layers:
        composed, bad = compose_all(files)
        documents.append(composed)
        problems += bad
    return read_entries(documents, problems).by_section


def _index(sections: dict[str, list[Any]]) -> KnowledgeBase:
    return KnowledgeBase(
        sources=sections["sources"],
        topics=sections["topics"],
        conditions=sections["conditions"],
        events=sections["timeline"],
        terms=sections["glossary"],
    )
