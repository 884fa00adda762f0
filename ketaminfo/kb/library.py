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

from ..errors import NotFound
from .model import Condition, Event, Source, Term, Topic, normalise

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections import Counter
    from collections.abc import Iterable
    from collections.abc import Iterator
    from typing import Any, TypeVar

    from .store import EventFilter, Store

    T = TypeVar("T", Topic, Condition, Term, Source, Event)


class Index:
    """Entries of one kind, findable by id, title and alias.

    Entries are read from the store when first asked for and kept; listing
    or iterating reads them all, a lookup only the one it finds."""

    def __init__(self, store: Store, section: str):
        from .store import SECTIONS

        self.kind = SECTIONS[section]
        self._store = store
        self._section = section
        self._found: dict[str, T | None] = {}
        self._all: tuple[T, ...] | None = None

    def __iter__(self):
        if self._all is None:
            self._all = tuple(self._store.entries(self._section))
            self._found.update((e.id, e) for e in self._all)
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all) if self._all is not None else self._store.count(self._section)

    def __getitem__(self, entry_id: str) -> T:
        """The entry with exactly this id; ``KeyError`` if there is none."""
        if entry_id not in self._found:
            self._found[entry_id] = self._store.entry(self._section, entry_id)
        found = self._found[entry_id]
        if found is None:
            raise KeyError(entry_id)
        return found

    def many(self, entry_ids: Iterable[str]) -> dict[str, T]:
        """The entries with these ids (those that exist), read in one query
        rather than one each: a long timeline cites thousands of sources."""
        wanted = [i for i in dict.fromkeys(entry_ids) if i not in self._found]
        if wanted:
            found = self._store.entries_by_id(self._section, wanted)
            self._found.update((i, found.get(i)) for i in wanted)
        return {i: e for i in dict.fromkeys(entry_ids) if (e := self._found.get(i)) is not None}

    def each(self) -> Iterator[T]:
        """Every entry, in knowledge-base order, read a few hundred at a time
        and not kept (iterating the index keeps them all)."""
        return self._store.each(self._section)

    def each_of(self, entry_ids: Iterable[str]) -> Iterator[T]:
        """The entries with these ids, in that order, read a few hundred at a
        time and not kept (``KeyError`` for an id that names none)."""
        from .store import BATCH

        wanted = list(entry_ids)
        for n in range(0, len(wanted), BATCH):
            chunk = wanted[n : n + BATCH]
            found = self._store.entries_by_id(self._section, chunk)
            for entry_id in chunk:
                yield found[entry_id]

    def __contains__(self, entry_id: object) -> bool:
        try:
            self[entry_id]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def ids(self) -> list[str]:
        """Every id, in knowledge-base order, without reading the entries."""
        return self._store.ids(self._section)

    def get(self, name: str) -> T:
        """The entry *name* resolves to; ``NotFound`` with suggestions otherwise."""
        found = self.key_of(normalise(name))
        if found is None:
            raise NotFound(self.kind, name, self.suggest(name))
        return self[found]

    def key_of(self, normalised: str) -> str | None:
        """The id an already normalised name resolves to, if any."""
        return self._store.named(self._section, normalised)

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Ids of the entries whose names are closest to *name*."""
        import difflib  # only when something was not found

        key = normalise(name)
        names = self._store.names(self._section)
        close = difflib.get_close_matches(key, names, n=limit * 2, cutoff=0.6)
        ids = dict.fromkeys(names[k] for k in close)
        if not ids and len(key) >= 3:  # a fragment: "depress" -> every depression page
            ids = dict.fromkeys(v for k, v in names.items() if key in k)
        return list(ids)[:limit]


class Timeline:
    """Events some filters select (``store.EventFilter``), oldest first: how
    many there are, and how many and how long their dates are in each
    decade, are known without reading them; iterating reads them a few
    hundred at a time, so a timeline of any length is shown in the same
    memory."""

    def __init__(self, store: Store, where: EventFilter):
        self._store, self.where = store, where
        self._decades: dict[int, tuple[int, int]] | None = None

    def decades(self) -> dict[int, tuple[int, int]]:
        """(events, the length of the longest date as written) by decade (1970 for the 1970s)."""
        if self._decades is None:
            self._decades = self._store.event_decades(self.where)
        return self._decades

    def __len__(self) -> int:
        return sum(count for count, _ in self.decades().values())

    def __iter__(self) -> Iterator[Event]:
        return self._store.events(self.where)


class KnowledgeBase:
    """Validated entries and the questions the commands ask of them.

    Built on a ``store.Store``: ``load`` gives one read from the cache or
    built in memory from the YAML."""

    def __init__(self, store: Store):
        self.store = store
        self.sources: Index[Source] = Index(store, "sources")
        self.topics: Index[Topic] = Index(store, "topics")
        self.conditions: Index[Condition] = Index(store, "conditions")
        self.terms: Index[Term] = Index(store, "glossary")
        self.event_index: Index[Event] = Index(store, "timeline")

    @property
    def as_of(self) -> str | None:
        """The date (YYYY-MM-DD) the knowledge base's content is current to, if it says."""
        return self.store.meta("as_of")

    @property
    def events(self) -> tuple[Event, ...]:
        """Every event, oldest first (ties by id)."""
        return tuple(self.event_index)

    # Lookups -------------------------------------------------------------

    def topic(self, name: str) -> Topic:
        return self._get(self.topics, name)

    def condition(self, name: str) -> Condition:
        return self._get(self.conditions, name)

    def source(self, name: str) -> Source:
        return self._get(self.sources, name)

    def term(self, name: str) -> Term:
        return self._get(self.terms, name)

    def event(self, name: str) -> Event:
        """An event by its id."""
        return self._get(self.event_index, name)

    def _get(self, index: Index, name: str) -> Any:
        """*index*'s entry called *name*; ``NotFound`` that also says which
        entries of other kinds the name names ("ptsd" is a condition)."""
        try:
            return index.get(name)
        except NotFound as exc:
            exc.elsewhere = sorted(self.store.named_anywhere(normalise(name)))
            raise

    def entry(self, entry_id: str) -> Topic | Condition | Event | Term | None:
        """Any linkable entry by exact id (used to follow ``related`` links)."""
        for index in (self.topics, self.conditions, self.terms, self.event_index):
            if entry_id in index:
                return index[entry_id]
        return None

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
        return list(self.events_where(start, end, category, linked_to))

    def events_where(
        self,
        start: int | None = None,
        end: int | None = None,
        category: str | None = None,
        linked_to: Topic | Condition | None = None,
    ) -> Timeline:
        """``timeline``'s events, counted and read from the store as they are
        gone through (see ``Timeline``) rather than all held."""
        from .store import EventFilter

        page = (linked_to.id, linked_to.related) if linked_to is not None else (None, None)
        return Timeline(self.store, EventFilter(start, end, category, *page))

    def linked_events(self, page: Topic | Condition) -> set[str]:
        """Ids of events linked to *page*, whichever side names the other in ``related``."""
        return {e.id for e in self.events_where(linked_to=page)}

    def search(self, query: str, kind: str | None = None, limit: int = 10) -> list:
        """Ranked full-text matches (see ``ketaminfo.kb.search``)."""
        from .search import search

        return search(self, query, kind, limit)

    def ask(self, question: str, limit: int = 5) -> Any:
        """The statements that best answer *question* (see ``ketaminfo.kb.ask``)."""
        from .ask import ask

        return ask(self, question, limit)

    def suggest_any(self, name: str, limit: int = 3) -> list[str]:
        """The closest topic, condition and term names to *name*, for hints."""
        found: list[str] = []
        for index in (self.topics, self.conditions, self.terms):
            found += index.suggest(name, limit)
        return found[:limit]

    def citation_counts(self, source_ids: list[str] | None = None) -> Counter[str]:
        """How many statements cite each source id (a claim and its correction
        count once); of *source_ids* only (at most ``store.BATCH``), if given."""
        from collections import Counter

        return Counter(self.store.citation_counts(source_ids))

    def source_order(self) -> list[str]:
        """Every source id, as the sources page lists them (by kind, year, id)."""
        return self.store.source_order()

    def forget(self) -> None:
        """Drop the entries read so far (for a long run of pages, each read anew)."""
        for index in (self.sources, self.topics, self.conditions, self.terms, self.event_index):
            index._found, index._all = {}, None

    def citing(self, source_id: str) -> list[tuple[str, str, str]]:
        """(kind, id, statement) for every statement that cites *source_id*, in page order."""
        return [tuple(row) for row in self.store.citing(source_id)]  # type: ignore[misc]


def load(
    path: str | os.PathLike[str] | None = None, mode: str | None = None, *, cache: bool = True
) -> KnowledgeBase:
    """Read, validate and index the knowledge base.

    *path* is a directory of YAML files; without it, ``$KETAMINFO_DATA`` or
    the bundled knowledge base is used. *mode* ``overlay`` lays the directory
    over the bundled knowledge base; ``replace`` (the default) uses it alone.
    A knowledge base whose files have not changed since it last validated is
    read from the cache (see ``ketaminfo.kb.cache``) unless *cache* is false.
    Raises ``KnowledgeBaseError`` listing every problem.
    """
    from .files import data_layers
    from .loading import from_cache, parse, read_layers
    from .store import Store

    roots = data_layers(path, mode)
    found = from_cache(roots) if cache else None
    return KnowledgeBase(found if found is not None else Store(parse(*read_layers(roots))))
