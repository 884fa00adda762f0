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
    from collections.abc import Iterable, Iterator
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

    def __init__(self, store: Store, bundled: bool = False):
        self.store = store
        self.bundled = bundled  # read from the bundled knowledge base alone
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
        """A source by id or title, or by its number in ``numbered_sources``
        (``9``: the ninth; an id that is a number wins)."""
        try:
            return self._get(self.sources, name)
        except NotFound:
            number = name.strip()
            if number.isascii() and number.isdigit() and 1 <= int(number) <= len(self.sources):
                return self.sources[self.source_order()[int(number) - 1]]
            raise

    def numbered_sources(self) -> list[Source]:
        """Every source in the order ``ketaminfo sources`` numbers them: by
        kind (popular articles, then studies, reviews, regulatory records,
        books, news), each kind oldest first, undated ones last, ties by id
        (``source_order``)."""
        order = self.source_order()
        found = self.sources.many(order)
        return [found[i] for i in order]

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

    def named(self, name: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """Every entry *name* names, of any kind, as (kind, id): those with the
        strongest claim to the name, then the others. An id is the strongest
        claim, then a title, then an alias; ids are unique, so an exact id
        always names one entry. Each list is in the order of ``ENTRY_KINDS``."""
        from .model import BY_KIND, ENTRY_KINDS

        key = normalise(name)
        claims: list[tuple[int, int, str, str]] = []
        for kind, entry_id in self.store.named_anywhere(key):
            if normalise(entry_id) == key:
                strength = 0
            else:
                entry = getattr(self, BY_KIND[kind].attribute)[entry_id]
                strength = 1 if normalise(entry.title) == key else 2
            claims.append((strength, ENTRY_KINDS.index(kind), kind, entry_id))
        claims.sort()
        best = claims[0][0] if claims else 0
        return ([(k, i) for s, _, k, i in claims if s == best], [(k, i) for s, _, k, i in claims if s != best])

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
        category: str | Iterable[str] | None = None,
        linked_to: Topic | Condition | None = None,
    ) -> list[Event]:
        """Events overlapping the years *start*..*end* (inclusive), oldest first,
        optionally only those of a *category* (one, or any of several) or
        linked to one page."""
        return list(self.events_where(start, end, category, linked_to))

    def events_where(
        self,
        start: int | None = None,
        end: int | None = None,
        category: str | Iterable[str] | None = None,
        linked_to: Topic | Condition | None = None,
    ) -> Timeline:
        """``timeline``'s events, counted and read from the store as they are
        gone through (see ``Timeline``) rather than all held."""
        from .store import EventFilter

        categories = None if category is None else (category,) if isinstance(category, str) else tuple(category)
        page = (linked_to.id, linked_to.related) if linked_to is not None else (None, None)
        return Timeline(self.store, EventFilter(start, end, categories or None, *page))

    def linked_events(self, page: Topic | Condition) -> set[str]:
        """Ids of events linked to *page*, whichever side names the other in ``related``."""
        return {e.id for e in self.events_where(linked_to=page)}

    def suggest_any(self, name: str, limit: int = 3) -> list[str]:
        """The closest topic, condition and term names to *name*, for hints."""
        found: list[str] = []
        for index in (self.topics, self.conditions, self.terms):
            found += index.suggest(name, limit)
        return found[:limit]

    def named_in(self, text: str) -> list[tuple[str, str]]:
        """(kind, id) of the pages and glossary terms *text* names, by an
        id, title or alias of one to three words."""
        from .phrases import words

        return [found for found, _ in named_spans(self.store, words(text))]

    def citation_counts(self, source_ids: list[str] | None = None) -> Counter[str]:
        """How many statements cite each source id (a claim and its correction
        count once); of *source_ids* only (at most ``store.BATCH``), if given."""
        from collections import Counter

        return Counter(self.store.citation_counts(source_ids))

    def source_order(self) -> list[str]:
        """Every source id, in the order ``numbered_sources`` gives them."""
        return self.store.source_order()

    def source_kinds(self) -> dict[str, int]:
        """How many sources there are of each kind (of those there are)."""
        return self.store.source_kinds()

    def forget(self) -> None:
        """Drop the entries read so far (for a long run of pages, each read anew)."""
        for index in (self.sources, self.topics, self.conditions, self.terms, self.event_index):
            index._found, index._all = {}, None

    def citing(self, source_id: str) -> list[tuple[str, str, str, str]]:
        """(kind, id, statement, role) for every statement that cites *source_id*,
        in page order; role is "supports", or "corrects" when the source is cited
        only in the correction beside a claim (the statement is then the
        correction)."""
        return [tuple(row) for row in self.store.citing(source_id)]  # type: ignore[misc]


def named_spans(store: Store, tokens: list[str]) -> list[tuple[tuple[str, str], set[str]]]:
    """((kind, id), words naming it) of the pages and glossary terms that a
    run of one to three of *tokens* names, by an id, title or alias."""
    spans: dict[str, set[str]] = {}
    for n in (1, 2, 3):
        for i in range(len(tokens) - n + 1):
            spans.setdefault(normalise(" ".join(tokens[i : i + n])), set()).update(tokens[i : i + n])
    spans.pop("", None)
    found: dict[tuple[str, str], set[str]] = {}
    names = list(spans)
    kinds = {"topics": "topic", "conditions": "condition", "glossary": "term"}
    for n in range(0, len(names), 500):  # below SQLite's limit on parameters
        chunk = names[n : n + 500]
        rows = store.rows(f"SELECT section, name, id FROM names WHERE name IN ({', '.join('?' * len(chunk))}) "
                          "AND section IN ('topics', 'conditions', 'glossary')", chunk)
        for section, name, entry_id in rows:
            found.setdefault((kinds[section], entry_id), set()).update(spans[name])
    return list(found.items())


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
    from .files import bundled_data, data_layers
    from .loading import from_cache, parse, read_layers
    from .store import Store

    roots = data_layers(path, mode)
    found = from_cache(roots) if cache else None
    store = found if found is not None else Store(parse(*read_layers(roots)))
    return KnowledgeBase(store, bundled=roots == [bundled_data()])
