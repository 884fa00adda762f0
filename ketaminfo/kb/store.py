"""The validated knowledge base as an indexed SQLite database.

A knowledge base is written into one SQLite database as it is read and
checked (``Builder``), kept in the cache folder once it validates (see
``cache``) or, when there is none, in a private temporary file:

* ``entries``: one row per entry (the model's tuple as JSON), by section and
  id, with its position so listings keep the knowledge base's order (events:
  oldest first);
* ``names``: every id, title and alias in ``model.normalise``'d form, for
  lookups, exact-name ranking and "did you mean";
* ``citations``: each statement that cites a source, and whether the source
  supports it or is cited in its correction, for source pages;
* ``synonyms``: the words readers use and what to look for as well (``ask``);
* ``events``: each event's years, category, date and links, so a timeline
  is counted and filtered without reading its events;
* ``meta``: facts about the knowledge base, the compiled phrases of its
  ``crisis`` section and the word classes of its ``claims-met`` phrases (those
  sections' entries, and the ``phrase-words`` they use, are kept as entries
  too, but named by nothing);
* ``claim_phrases`` and ``claim_words``: each compiled phrase of the claims
  people meet, and the words it can start with, so a question is matched
  against the few phrases its words can start, not against all of them.

The full-text indexes (``documents`` for ``search``; ``answers``,
``questions`` and the ``vocabulary`` for ``ask``) cost more to build than all the rest, and a
lookup never needs them, so they live in a second database, built the first
time a search or a question needs it and kept beside the first (see
``Store.searchable``). A lookup then reads a handful of rows however large
the knowledge base is, and search runs on an index built once. Reading a database never trusts it
further than it must: one whose bookkeeping does not match is not opened, and
one that turns out to be damaged part-way is replaced by a fresh
build from the YAML (``recover``), so a bad cache file can slow a run down
but never change or break its output.
"""

from __future__ import annotations

from ..records import record
from ..safetext import argument, clean
from .model import (
    ENTRY_TYPES,
    SOURCE_KINDS,
    Claim,
    ClaimMet,
    Condition,
    CrisisSignal,
    Event,
    EventDate,
    EvidenceStatus,
    Figure,
    Note,
    PhraseWords,
    Source,
    Term,
    Topic,
    normalise,
)

try:  # SQLite's C module alone: the sqlite3 package adds date adapters, whose datetime import costs a millisecond
    import _sqlite3 as sqlite3
except ImportError:  # pragma: no cover - a Python that builds sqlite3 another way
    import sqlite3

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

FORMAT = "12"  # the layout below; a change makes older databases unreadable, not wrong
QUERY_SECONDS = 2.0  # no query on a cache file may take longer (they take milliseconds)
BATCH = 500  # entries read at a time when going through many (and ids in one query: below SQLite's limit)
SECTIONS = {t.section: t.kind for t in sorted(ENTRY_TYPES, key=lambda t: t.section != "sources")}  # sources first
# Sections kept as entries but not pages: nothing is looked up by their names.
KEPT = ("phrase-words", "crisis", "claims-met")

# Entries are a table with row ids (rows of a kilobyte or more sit badly in
# a table clustered on their key), written in the order they are read; its
# index by id is made once they are in (or before a second layer, whose
# entries may replace some), rather than kept up to date as they come.
_BY_ID = "CREATE UNIQUE INDEX IF NOT EXISTS entries_by_id ON entries (section, id)"
# Pages of 16 KiB: an entry of a few kilobytes sits on one page rather than
# running over into others (a large build is a tenth faster, its file smaller).
PAGE_SIZE = 16384
_SCHEMA = f"""
PRAGMA page_size = {PAGE_SIZE};
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (section TEXT NOT NULL, id TEXT NOT NULL, position INTEGER NOT NULL, row TEXT NOT NULL);
CREATE TABLE names (section TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL,
    PRIMARY KEY (section, name)) WITHOUT ROWID;
CREATE TABLE citations (source TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
    id TEXT NOT NULL, statement TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE synonyms (key TEXT NOT NULL, alternative TEXT NOT NULL, PRIMARY KEY (key, alternative)) WITHOUT ROWID;
CREATE TABLE events (position INTEGER PRIMARY KEY, id TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,
    category TEXT NOT NULL, date TEXT NOT NULL, related TEXT NOT NULL);
CREATE TABLE claim_phrases (phrase INTEGER PRIMARY KEY, words TEXT NOT NULL, claim TEXT NOT NULL,
    verdict TEXT NOT NULL, position INTEGER NOT NULL, lead TEXT NOT NULL, unless TEXT NOT NULL);
CREATE TABLE claim_words (word TEXT NOT NULL, phrase INTEGER NOT NULL, PRIMARY KEY (word, phrase)) WITHOUT ROWID;
"""
# Citations go straight into their table as entries are read, numbered by
# section, entry and statement (``seq``: a number made of the three, not a
# count); an event's number is its place in the file until the timeline is
# put in order at the end. What else needs the whole knowledge base is kept
# aside until then: every name (the first entry to claim a name keeps it),
# the words a glossary term stands for and each event's facts, each with the
# serial number of the entry (``Builder.put``), and which entries of a lower
# layer were replaced (what they put is left out, or taken out).
_STAGING = """
CREATE TEMP TABLE named (section TEXT NOT NULL, id TEXT NOT NULL, serial INTEGER NOT NULL,
    position INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TEMP TABLE pairs (section TEXT NOT NULL, id TEXT NOT NULL, serial INTEGER NOT NULL,
    key TEXT NOT NULL, alternative TEXT NOT NULL);
CREATE TEMP TABLE facts (section TEXT NOT NULL, id TEXT NOT NULL, serial INTEGER NOT NULL,
    first INTEGER NOT NULL, last INTEGER NOT NULL, category TEXT NOT NULL, date TEXT NOT NULL, related TEXT NOT NULL);
CREATE TEMP TABLE event_order (id TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
CREATE TEMP TABLE replaced (section TEXT NOT NULL, id TEXT NOT NULL, serial INTEGER NOT NULL,
    kind TEXT NOT NULL, citations INTEGER NOT NULL, PRIMARY KEY (section, id)) WITHOUT ROWID;
"""
_KEPT = """NOT EXISTS (SELECT 1 FROM temp.replaced AS r
                  WHERE r.section = {0}.section AND r.id = {0}.id AND r.serial != {0}.serial)"""
_RANK = {"topics": 0, "conditions": 1, "timeline": 2, "glossary": 3}  # of a section's statements, in ``seq``
_FINISH = (
    # The citations of replaced entries: those before their replacement's.
    """DELETE FROM citations WHERE rowid IN (
        SELECT c.rowid FROM temp.replaced AS r JOIN citations AS c ON c.kind = r.kind AND c.id = r.id
        WHERE c.rowid <= r.citations)""",
    f"""UPDATE citations SET seq = ({_RANK["timeline"]} << 56) + (seq & 16777215)
        + ((SELECT o.position FROM temp.event_order AS o WHERE o.id = citations.id) << 24)
    WHERE kind = 'event'""",
    "CREATE UNIQUE INDEX citations_by_source ON citations (source, seq)",
    # Sorted by the table's key: a large table written page after page.
    f"""INSERT OR IGNORE INTO names SELECT section, name, id FROM temp.named AS n WHERE {_KEPT.format("n")}
    ORDER BY section, name, position""",
    f"""INSERT OR IGNORE INTO synonyms SELECT key, alternative FROM temp.pairs AS p WHERE {_KEPT.format("p")}
    ORDER BY key, alternative""",
    # The timeline's facts, by position: counted and filtered without reading the events.
    f"""INSERT INTO events SELECT o.position, f.id, f.first, f.last, f.category, f.date, f.related
    FROM temp.facts AS f JOIN temp.event_order AS o ON o.id = f.id WHERE {_KEPT.format("f")} ORDER BY o.position""",
    "DROP TABLE temp.named",
    "DROP TABLE temp.pairs",
    "DROP TABLE temp.facts",
    "DROP TABLE temp.replaced",
    "DROP TABLE temp.event_order",
    _BY_ID,
    "CREATE UNIQUE INDEX entries_in_order ON entries (section, position)",
    "CREATE INDEX names_by_name ON names (name)",
)
# The most phrases of the claims people meet that one sentence is matched
# against, the first in catalogue order: a sentence whose words could start
# more (a catalogue of tens of thousands of claims) is matched against these.
MAX_CLAIM_PHRASES = 300
# Past this many rows matching a question's words, its best answers are
# ranked among the first this many rows matching each word (``ranked_among``).
MAX_RANKED = 300
BUILD_CACHE_KIB = 32 * 1024  # SQLite's page cache while building (its default, 2 MiB, thrashes at scale)
# The tables of the index database (see ``build_index``).
INDEX_TABLES = ("documents", "answers", "questions", "vocabulary", "page_words")


def encode(section: str, entry: Any) -> tuple[Any, ...]:
    """An entry as the store keeps it, made where it is read (in a worker
    process, for a large knowledge base), as plain data: its row (JSON);
    (source id, statement) for each statement citing a source, in page
    order, and whether the source supports it or corrects it; its id, title
    and aliases, normalised (an event's id only; none for the sections
    named by nothing, ``KEPT``); for a glossary term, its names standing for
    each other (``textindex.synonym_pairs``); and for an event, its facts for
    the ``events`` table (first and last year, category, date as written,
    related ids)."""
    import json

    if section in KEPT:
        names: tuple[str, ...] = ()
    else:
        names = (entry.id,) if section == "timeline" else (entry.id, entry.title, *getattr(entry, "aliases", ()))
    pairs: list[tuple[str, str]] = []
    facts = None
    if section == "glossary":
        from .textindex import synonym_pairs

        pairs = list(synonym_pairs([], [entry]))
    elif section == "timeline":
        date = entry.date
        facts = (date.start, date.end, entry.category, date.text, json.dumps(entry.related, ensure_ascii=False))
    return (json.dumps(entry, ensure_ascii=False), list(_statements(section, entry)),
            [normalise(name) for name in names], pairs, facts)


class Builder:
    """A new database at *path*, written entry by entry while a knowledge
    base is read and checked (``loading.parse``), and finished, with
    everything that needs the whole knowledge base, once it validates.

    Entries come in the order they are read; a later layer's entry may
    replace one of a lower layer (``put``). Names, citations and the
    glossary's synonyms are kept aside and written at the end (see
    ``_STAGING``); the timeline's order comes from ``merge.Merged``."""

    def __init__(self, path: str = "") -> None:
        # check_same_thread: ``finish`` may run in a thread of its own (``loading.parse``).
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.executescript(_SCHEMA + _STAGING)
        self.db.execute(f"PRAGMA cache_size = -{BUILD_CACHE_KIB}")
        self.db.execute("BEGIN")
        self._serial = 0
        self._citations = 0  # rows written to citations
        self._replaced: dict[tuple[str, str], tuple[int, int]] = {}  # (serial, last citation before it)

    def put(self, entries: list[tuple[str, str, str, int, Any]]) -> None:
        """Write (action, section, id, position, ``encode``d entry) for each
        entry: action ``add`` for a new entry, ``replace`` for one that takes
        the place of a lower layer's entry of the same id and section."""
        added, replaced, citations, named, pairs, facts = [], [], [], [], [], []
        for action, section, entry_id, position, (row, cited, names, synonyms, event) in entries:
            self._serial += 1
            serial = self._serial
            if action == "replace":
                replaced.append((row, section, entry_id))
                self._replaced[section, entry_id] = (serial, self._citations + len(citations))
            else:
                added.append((section, entry_id, position, row))
            kind, base = SECTIONS.get(section, section), (_RANK.get(section, 0) << 56) + (position << 24)
            citations += ((source, base + n, kind, entry_id, text, role)
                          for n, (source, text, role) in enumerate(cited))
            named += ((section, entry_id, serial, position, name) for name in names)
            pairs += ((section, entry_id, serial, key, other) for key, other in synonyms)
            if event is not None:
                facts.append((section, entry_id, serial, *event))
        self.db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?)", added)
        self.db.executemany("UPDATE entries SET row = ? WHERE section = ? AND id = ?", replaced)
        self.db.executemany("INSERT INTO citations VALUES (?, ?, ?, ?, ?, ?)", citations)
        self.db.executemany("INSERT INTO temp.named VALUES (?, ?, ?, ?, ?)", named)
        self.db.executemany("INSERT INTO temp.pairs VALUES (?, ?, ?, ?, ?)", pairs)
        self.db.executemany("INSERT INTO temp.facts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", facts)
        self._citations += len(citations)

    def layer(self) -> None:
        """Entries that follow may replace those before: index them by id now."""
        self.db.execute(_BY_ID)

    def synonyms(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO synonyms VALUES (?, ?)", pairs)

    def finish(self, events: Iterable[str], about: Any, phrases: dict[str, list[Any]],
               claims: Iterable[tuple[str, str]], key: str = "") -> sqlite3.Connection:
        """Complete the database once every entry is in: *events*, every
        event's id in the timeline's order (``merge.Merged.events``), the
        *about* section, *phrases*, the entries of the ``KEPT`` sections by
        section (the crisis phrases are compiled and kept), and *claims*,
        the batches of rows of the claims people meet (``ClaimRows``), read
        last."""
        import json

        db = self.db
        meta = [("format", FORMAT), ("key", key)] + ([("as_of", about.as_of)] if about else [])
        crisis = _crisis_phrases(phrases)
        meta.append(("crisis", json.dumps(crisis, ensure_ascii=False)))
        # The claims' phrases are rows (``ClaimRows``); the word classes they
        # use are the crisis phrases' (one phrase-words section), not read twice.
        claim_classes = {name: crisis[name] for name in ("classes", "typo_words", "unlike")}
        meta.append(("claims-met", json.dumps({**claim_classes, "phrases": [], "unless": {}}, ensure_ascii=False)))
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta)
        db.executemany("INSERT INTO temp.event_order VALUES (?, ?)", ((i, n) for n, i in enumerate(events)))
        db.execute(_BY_ID)
        db.execute("""UPDATE entries SET position = (SELECT o.position FROM temp.event_order AS o WHERE o.id = entries.id)
                      WHERE section = 'timeline'""")
        db.executemany("INSERT INTO temp.replaced VALUES (?, ?, ?, ?, ?)",
                       ((s, i, n, SECTIONS.get(s, s), before) for (s, i), (n, before) in self._replaced.items()))
        for statement in _FINISH:
            db.execute(statement)
        for claim_rows, claim_words in claims:  # last: they may still be coming (``ClaimRows``)
            db.execute(_CLAIM_PHRASES, (claim_rows,))
            db.execute(_CLAIM_WORDS, (claim_words,))
        db.execute("COMMIT")
        db.execute("PRAGMA cache_size = -2000")
        return db


def _crisis_phrases(sections: dict[str, Any]) -> dict[str, object]:
    """The crisis phrases, compiled to keep (see ``ketaminfo.kb.crisis``).
    *sections* gives each phrase section's entries (``merge.Kept``)."""
    from .phrases import compiled

    signals = list(_entries(sections, "crisis"))
    kept = compiled(
        ((c.id, c.words, c.typos, c.unlike) for c in _entries(sections, "phrase-words")),
        ((s.id, s.phrases, s.unless) for s in signals),
    )
    kept["signals"] = {s.id: [s.kind, s.withhold] for s in signals}
    return kept


def _private_copy(db: sqlite3.Connection, table: str, rowids: list[int]) -> None:
    """The rows *rowids* of the full-text table *table* (``answers`` or
    ``questions``), copied into a private index ``temp.among`` made afresh."""
    from .textindex import TOKENIZE

    columns = {"answers": "text, names", "questions": "text"}[table]
    db.execute("DROP TABLE IF EXISTS temp.among")
    db.execute(f"CREATE VIRTUAL TABLE temp.among USING fts5({columns}, tokenize = '{TOKENIZE}')")
    for n in range(0, len(rowids), BATCH):
        chunk = rowids[n : n + BATCH]
        db.execute(f"INSERT INTO temp.among (rowid, {columns}) SELECT rowid, {columns} FROM {table} "
                   f"WHERE rowid IN ({', '.join('?' * len(chunk))})", chunk)


def _entries(sections: dict[str, Any], section: str) -> Iterator[Any]:
    found = sections.get(section)
    if found is None:
        return iter(())
    return found.entries() if hasattr(found, "entries") else iter(found)


# A batch of rows of the claims people meet, as one JSON array: stored by
# one statement, in SQLite, with no Python between rows (see ``ClaimRows``).
# Batches are large: the thread storing them waits for the interpreter each
# time it starts a statement (up to the interpreter's switch interval, 5 ms,
# while the checks keep it busy), so it starts few.
CLAIM_BATCH = 5000  # phrases (about 2 MB of rows)
_CLAIM_PHRASES = "INSERT INTO claim_phrases SELECT " + ", ".join(
    f"json_extract(value, '$[{n}]')" for n in range(7)) + " FROM json_each(?)"
_CLAIM_WORDS = "INSERT INTO claim_words SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)"


class ClaimRows:
    """The rows of ``claim_phrases`` and ``claim_words`` (see
    ``ketaminfo.kb.check``), made from each claim people meet as the checks
    compile its phrases (``merge.check_phrases`` gives them to ``add``: a
    catalogue's phrases are compiled once, to check and to keep), and handed
    to *send* as (phrase rows, word rows) about ``CLAIM_BATCH`` phrases at a time,
    so that memory does not grow with the catalogue. ``close`` sends the last.

    Each batch goes as two JSON arrays, each stored by one statement: the
    thread storing them then needs the interpreter once per batch, not once
    per row, while the checks that make them keep it busy."""

    def __init__(self, send: Callable[[tuple[str, str]], object]) -> None:
        self._send = send
        self._number = 0  # of the next phrase
        self._phrases: list[tuple] = []
        self._words: list[tuple] = []

    def add(self, position: int, claim: Any, own: Any) -> None:
        """Keep *claim*, the *position*th of the catalogue, whose phrases
        *own* (a ``phrases.Matcher`` of them alone) matches."""
        import json

        starts: dict[int, tuple[Any, Any, dict[str, None]]] = {}  # a phrase (its lead: one object) -> its first words
        for word, _name, lead, exceptions in own.first_words():
            starts.setdefault(id(lead), (lead, exceptions, {}))[2][word] = None
        dumped: dict[int, str] = {}  # the claim's phrases share their exceptions: written once
        for lead, exceptions, first in starts.values():
            unless = dumped.get(id(exceptions))
            if unless is None:
                unless = dumped[id(exceptions)] = json.dumps(exceptions, ensure_ascii=False)
            self._phrases.append((self._number, " ".join(first), claim.id, claim.verdict, position,
                                  json.dumps(lead, ensure_ascii=False), unless))
            self._words += [(word, self._number) for word in first]
            self._number += 1
        if len(self._phrases) >= CLAIM_BATCH:
            self.close()

    def close(self) -> None:
        """Send the rows not sent yet."""
        import json

        if self._phrases:
            self._send((json.dumps(self._phrases, ensure_ascii=False), json.dumps(self._words, ensure_ascii=False)))
            self._phrases, self._words = [], []


def build_index(db: sqlite3.Connection, sections: Any, synonyms: list[tuple[str, str]],
                schema: str = "main", key: str = "", batches: Iterable[Any] | None = None) -> None:
    """Create the full-text indexes of *sections* (each section's validated
    entries, in order; a ``Store``'s ``Sections`` reads them as they are
    indexed) in the database *schema* of *db* (a new file, or an attached
    in-memory database). Each entry is read once, for every index: the rows
    come in *batches* (``index_batches``), made here unless given."""
    from .textindex import create_answers, create_documents, create_page_words, create_vocabulary

    with db:
        db.execute(f"CREATE TABLE {schema}.meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
        db.executemany(f"INSERT INTO {schema}.meta VALUES (?, ?)", [("format", FORMAT), ("key", key)])
        create_documents(db, schema)
        create_answers(db, schema)
        vocabulary: set[str] = set()
        sizes: dict[tuple[str, str], int] = {}  # the words that count in each page's questions (``ask._likely_pages``)
        for documents, answers, questions, words in index_batches(sections, synonyms) if batches is None else batches:
            db.executemany(f"INSERT INTO {schema}.documents VALUES (?, ?, ?, ?, ?)", documents)
            db.executemany(f"INSERT INTO {schema}.answers VALUES (?, ?, ?, ?, ?, ?)", answers)
            db.executemany(f"INSERT INTO {schema}.questions VALUES (?, ?, ?, ?, ?)", questions)
            vocabulary |= words
            for page_kind, page_id, terms, _kind, _text in questions:
                sizes[page_kind, page_id] = sizes.get((page_kind, page_id), 0) + terms
        create_vocabulary(db, vocabulary, synonyms, schema)
        create_page_words(db, sizes, schema)


def index_batches(sections: Any, synonyms: Iterable[tuple[str, str]]
                  ) -> Iterator[tuple[list[Any], list[Any], list[Any], set[str]]]:
    """The rows of the full-text indexes, ``BATCH`` entries at a time, in
    the order search ranks kinds (each index's rows are numbered in it):
    (search documents, answering statements, the questions pages answer,
    the words of those statements); *synonyms* are the store's."""
    from .textindex import document, page_questions, phrase_keys, statements, vocabulary_of

    keys = phrase_keys(synonyms)
    for section in ("topics", "conditions", "timeline", "glossary", "sources"):
        documents: list[Any] = []
        answers: list[Any] = []
        questions: list[Any] = []
        for entry in sections[section]:
            documents.append(document(section, entry))
            answers += statements(section, entry)
            questions += page_questions(section, entry, keys)
            if len(documents) >= BATCH:
                yield documents, answers, questions, vocabulary_of([text for answer in answers for text in answer[4:]])
                documents, answers, questions = [], [], []
        yield documents, answers, questions, vocabulary_of([text for answer in answers for text in answer[4:]])


# A knowledge base of at least this many entries has its index rows made by
# a second process, while this one writes them (and FTS5 indexes them).
PARALLEL_ENTRIES = 5000


def build_index_file(path: str, key: str, store: Store) -> None:
    """Write the index database of *store* (whose content key is *key*) at *path*."""
    db = sqlite3.connect(path)
    try:
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        batches = _made_apart(store) if _apart(store) else None
        build_index(db, store.sections(), store.synonyms(), key=key, batches=batches)
    finally:
        db.close()


def _apart(store: Store) -> bool:
    import sys

    if store.path is None or not sys.platform.startswith("linux"):  # fork is the platform's default only there
        return False
    return sum(store.count(section) for section in SECTIONS) >= PARALLEL_ENTRIES


def _made_apart(store: Store) -> Iterator[tuple[list[Any], list[Any], list[Any], set[str]]]:
    """``index_batches`` of *store*, made by a forked process that opens the
    store's file afresh and sends them back a few batches ahead."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue(4)
    worker = context.Process(target=_make_batches, args=(store.path, store.meta("key") or "", queue), daemon=True)
    worker.start()
    try:
        while True:
            batch = queue.get()
            if batch is None:
                return
            if isinstance(batch, str):  # the worker could not read the store: damage, for the caller to deal with
                raise sqlite3.DatabaseError(batch)
            yield batch
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join()


def _make_batches(path: str, key: str, queue: Any) -> None:
    try:
        store = Store.open(path, key)
        if store is None:
            raise sqlite3.DatabaseError("the store cannot be opened")
        for batch in index_batches(store.sections(), store.synonyms()):
            queue.put(batch)
        queue.put(None)
    except Exception as exc:  # told to the parent, which raises it there
        queue.put(f"{type(exc).__name__}: {exc}")


def _uri(path: str) -> str:
    """A read-only, immutable URI for the database file at *path*: cache
    files are never changed once written, so SQLite needs no locks, and a
    read-only cache folder works."""
    return "file:" + path.replace("%", "%25").replace("?", "%3f").replace("#", "%23") + "?mode=ro&immutable=1"


def _sound(db: sqlite3.Connection, schema: str, key: str, tables: tuple[str, ...]) -> bool:
    """Whether the database *schema* of *db* holds knowledge base *key* in
    this layout: no views or triggers (a cache file is data, never code),
    each of *tables* a table, the format and key as expected."""
    master = f"{schema}.sqlite_master"
    code = db.execute(f"SELECT count(*) FROM {master} WHERE type IN ('view', 'trigger')").fetchone()[0]
    marks = ", ".join("?" * len(tables))
    kinds = dict(db.execute(f"SELECT name, type FROM {master} WHERE name IN ({marks})", tables))
    if code or len(kinds) != len(tables) or set(kinds.values()) != {"table"}:
        return False
    meta = dict(db.execute(f"SELECT name, value FROM {schema}.meta"))
    return meta.get("format") == FORMAT and meta.get("key") == key


def _bound(db: sqlite3.Connection) -> list[float]:
    """Interrupt any statement on *db* that runs past ``QUERY_SECONDS`` from
    the time in the list returned, which ``Store._run`` sets as each query
    starts. (A trace callback would set it for every statement, but FTS5
    runs statements of its own for each row it ranks, and calling back
    into Python for each doubled the time of a search of many rows.)"""
    from time import monotonic

    started = [monotonic()]

    def too_long() -> int:
        return 1 if monotonic() - started[0] > QUERY_SECONDS else 0

    db.set_progress_handler(too_long, 100_000)  # a check every few milliseconds
    return started


def _statements(section: str, entry: Any) -> Iterator[tuple[str, str, str]]:
    """(source id, statement, role) for every statement of *entry* that
    cites a source, in page order. A source a claim cites is one that
    "supports" it; one cited only in the claim's correction "corrects" it (and
    the statement is the correction's text): reading it as support would turn
    a study that refutes an overclaim into its evidence."""
    if section in ("topics", "conditions"):
        for claim in entry.points:
            for source in dict.fromkeys(claim.sources):
                yield source, claim.text, SUPPORTS
            if claim.correction:
                for source in dict.fromkeys(claim.correction.sources):
                    if source not in claim.sources:
                        yield source, claim.correction.text, CORRECTS
        if section == "conditions":
            for source in dict.fromkeys(entry.evidence.sources):
                yield source, entry.evidence.summary, SUPPORTS
    elif section == "timeline":
        for source in dict.fromkeys(entry.sources):
            yield source, entry.title, SUPPORTS
    elif section == "glossary":
        for source in dict.fromkeys(entry.sources):
            yield source, entry.definition, SUPPORTS


SUPPORTS, CORRECTS = "supports", "corrects"


class EventFilter(record("EventFilter", "first last category page related", defaults=(None,) * 5)):
    """Which events a timeline shows: those overlapping the years *first* to
    *last*, of any of the categories *category* (a tuple), linked to the page
    *page* (its id; *related*: the ids it names), each None for no limit."""

    __slots__ = ()

    def sql(self) -> tuple[str, tuple[Any, ...]]:
        """A condition on the ``events`` table (as ``v``), and its parameters."""
        terms, parameters = ["1"], []
        if self.first is not None:
            terms.append("v.last >= ?")
            parameters.append(self.first)
        if self.last is not None:
            terms.append("v.first <= ?")
            parameters.append(self.last)
        if self.category is not None:
            terms.append(f"v.category IN ({', '.join('?' * len(self.category))})")
            parameters += self.category
        if self.page is not None:  # either side may name the other
            related = tuple(self.related or ())
            terms.append(f"(v.id IN ({', '.join('?' * len(related))}) "
                         "OR EXISTS (SELECT 1 FROM json_each(v.related) WHERE value = ?))")
            parameters += [*related, self.page]
        return " AND ".join(terms), tuple(parameters)


class Sections:
    """A store's entries by section (``sections["topics"]``), read from the
    store each time a section is gone through, never kept."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getitem__(self, section: str) -> Iterator[Any]:
        return self._store.each(section)


class Store:
    """Read access to a built database. Every query goes through ``rows``,
    which swaps a damaged database for ``recover()``'s fresh one and retries."""

    def __init__(
        self,
        db: sqlite3.Connection,
        recover: Callable[[], sqlite3.Connection] | None = None,
        index: Callable[[Store], str | None] | None = None,
        clock: list[float] | None = None,
    ):
        self._db = db
        self._recover = recover
        self._index = index  # gives the path of a kept index database, if the store has a home
        self._searchable = False
        self._clock = clock  # when the current query started, for a cache file's time limit (``_bound``)
        self._among: tuple[str, frozenset[int]] | None = None  # the table and rows of ``temp.among`` now
        self.path: str | None = None  # the file, for a store opened from one

    @classmethod
    def open(cls, path: str, key: str, recover: Callable[[], sqlite3.Connection] | None = None) -> Store | None:
        """The database at *path* if it holds knowledge base *key*, else None.

        Opened read-only and immutable: cache files are never changed once
        written (a new knowledge base gets a new file), so SQLite needs no
        locks, and a read-only cache folder works. A cache file is untrusted
        data: one holding views or triggers is refused, and every query is
        cut off after ``QUERY_SECONDS`` (a planted recursive query cannot
        hang a lookup)."""
        try:
            db = sqlite3.connect(_uri(path), uri=True)
        except (sqlite3.Error, UnicodeError):
            return None
        try:
            db.execute("PRAGMA trusted_schema = OFF")  # a cache file is data, never code
            clock = _bound(db)
            if _sound(db, "main", key, ("meta", "entries", "names", "citations", "synonyms", "events", "claim_phrases",
                                        "claim_words")):
                found = cls(db, recover, clock=clock)
                found.path = path
                return found
        except sqlite3.Error:
            pass
        db.close()
        return None

    def close(self) -> None:
        self._db.close()

    # Full-text indexes -----------------------------------------------------

    def searchable(self) -> None:
        """Make the full-text indexes queryable: attach the kept index
        database (built and kept first if need be), or build them in memory."""
        if self._searchable:
            return
        self._run(self._attach)
        self._searchable = True

    def _attach(self, db: sqlite3.Connection) -> None:
        if db.execute("SELECT 1 FROM pragma_database_list WHERE name = 'idx'").fetchone():
            return
        path = self._index(self) if self._index is not None else None
        key = self.meta("key") or ""
        if path is not None:
            db.execute("ATTACH DATABASE ? AS idx", (_uri(path),))
            if _sound(db, "idx", key, ("meta", *INDEX_TABLES)):
                return
            db.execute("DETACH DATABASE idx")
        db.execute("ATTACH DATABASE ':memory:' AS idx")
        build_index(db, self.sections(), self.synonyms(), "idx", key)

    def sections(self) -> Sections:
        """Every entry, by section, in knowledge-base order, each section
        read as it is gone through (see ``Sections``)."""
        return Sections(self)

    def synonyms(self) -> list[tuple[str, str]]:
        return [tuple(row) for row in self.rows("SELECT key, alternative FROM synonyms")]  # type: ignore[misc]

    def rows(self, sql: str, parameters: Iterable[Any] = ()) -> list[Any]:
        """The rows of a query; text in them is re-checked as it is read back."""
        values = tuple(argument(p) if isinstance(p, str) else p for p in parameters)
        return self._run(lambda db: _checked(db.execute(sql, values).fetchall()))

    def _run(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        if self._clock is not None:  # the query starts now (see ``_bound``)
            from time import monotonic

            self._clock[0] = monotonic()
        try:
            return work(self._db)
        except sqlite3.DatabaseError:
            if not self.recover():
                raise
            return work(self._db)

    def recover(self) -> bool:
        """Read the knowledge base's files again into a fresh database, once,
        after damage was found in the kept one; False when that is not
        possible (the database was built from the files in this run)."""
        if self._recover is None:
            return False
        self._db.close()
        self._db, self._recover, self._index, self._clock = self._recover(), None, None, None
        self._among = None
        self.__dict__.pop("_crisis", None)  # what was read from the damaged database (``crisis``)
        if self._searchable:  # the indexes went with the damaged database: build them afresh
            self._searchable = False
            self.searchable()
        return True

    def meta(self, name: str) -> str | None:
        """A fact about the knowledge base (``as_of``), or None."""
        found = self.rows("SELECT value FROM meta WHERE name = ?", (name,))
        return found[0][0] if found else None

    def _copy_among(self, db: sqlite3.Connection, table: str, rowids: list[int]) -> None:
        """``_private_copy``, remembering which rows of which table ``temp.among`` holds."""
        self._among = None
        _private_copy(db, table, rowids)
        self._among = (table, frozenset(rowids))

    def matching_among(self, table: str, rowids: Iterable[int], queries: list[str]) -> list[set[int]]:
        """For each full-text query, which of the rows *rowids* of *table*
        (``answers`` or ``questions``) it matches. Asked of the whole index,
        each query would be matched against every row first and the few
        wanted picked out after; here the rows are copied into a small
        private index and the queries run there."""
        rowids = list(rowids)
        wanted = frozenset(rowids)

        def work(db: sqlite3.Connection) -> list[set[int]]:
            # The rows ``ranked_among`` just copied hold these: ask them there.
            if self._among is None or self._among[0] != table or not wanted <= self._among[1]:
                self._copy_among(db, table, rowids)
            return [{rowid for (rowid,) in db.execute("SELECT rowid FROM temp.among WHERE among MATCH ?",
                                                       (argument(query),)) if rowid in wanted} for query in queries]

        return self._run(work)

    def ranked_among(self, table: str, query: str, weights: tuple[float, ...], limit: int,
                     per_word: list[str]) -> list[tuple[int, float]]:
        """(rowid, bm25 score) of the best *limit* rows of *table* matching
        *query*, ranked among the first ``MAX_RANKED`` rows that match each
        of the queries *per_word*, in a small private index, rather than
        among every row that matches: what a very large knowledge base costs
        a question stays bounded (the scores are relative to those rows)."""
        def work(db: sqlite3.Connection) -> list[tuple[int, float]]:
            rowids: dict[int, None] = {}
            for word in per_word:
                rowids.update(dict.fromkeys(r for (r,) in db.execute(
                    f"SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT {MAX_RANKED}", (argument(word),))))
            self._copy_among(db, table, list(rowids))
            score = f"bm25(among, {', '.join(str(w) for w in weights)})"
            return db.execute(f"SELECT rowid, {score} AS score FROM temp.among WHERE among MATCH ? "
                              f"ORDER BY score LIMIT {int(limit)}", (argument(query),)).fetchall()

        return self._run(work)

    def claim_phrases(self, starting: Iterable[str] | None = None) -> list[tuple[str, str, str, int, Any, Any]]:
        """(first word, claim id, verdict, position, phrase, exceptions) of
        the compiled phrases of the claims people meet, for each word a
        phrase can start with: every phrase, or those that can start with one
        of the words *starting* (a stem's first word ends with "*")."""
        sql = "SELECT phrase, words, claim, verdict, position, lead, unless FROM claim_phrases"
        if starting is None:
            found = self.rows(sql)
        else:
            wanted = list(dict.fromkeys(starting))
            found, seen = [], set()
            for n in range(0, len(wanted), BATCH):
                chunk = wanted[n : n + BATCH]
                where = (f" WHERE phrase IN (SELECT phrase FROM claim_words WHERE word IN ({', '.join('?' * len(chunk))}) "
                         f"ORDER BY phrase LIMIT {MAX_CLAIM_PHRASES})")
                found += [row for row in self.rows(sql + where, chunk) if row[0] not in seen]
                seen.update(row[0] for row in found)
        try:
            return [(word, claim, verdict, position, lead, unless)
                    for _, first, claim, verdict, position, lead_text, unless_text in found
                    for lead, unless in [(_json_value(lead_text), _json_value(unless_text))]
                    for word in first.split(" ")]
        except ValueError as exc:
            raise sqlite3.DatabaseError(f"a stored claim phrase does not decode: {exc}") from None

    def meta_value(self, name: str) -> Any:
        """A value kept as JSON in ``meta`` (the compiled phrases), or None;
        read with the scanner rows are read with, not the json package."""
        text = self.meta(name)
        try:
            return None if text is None else _json_value(text)
        except ValueError as exc:
            raise sqlite3.DatabaseError(f"the stored {name} does not decode: {exc}") from None

    # Entries ------------------------------------------------------------

    def entry(self, section: str, entry_id: str) -> Any | None:
        def work(db: sqlite3.Connection) -> Any | None:
            found = db.execute("SELECT row FROM entries WHERE section = ? AND id = ?", (section, entry_id)).fetchone()
            return decode(section, found[0]) if found else None

        return self._run(work)

    def entries(self, section: str) -> list[Any]:
        def work(db: sqlite3.Connection) -> list[Any]:
            found = db.execute("SELECT row FROM entries WHERE section = ? ORDER BY position", (section,))
            return [decode(section, row) for (row,) in found]

        return self._run(work)

    def each(self, section: str) -> Iterator[Any]:
        """The entries of *section* in order, read ``BATCH`` at a time, so
        that going through all of them holds only those few."""
        sql = "SELECT position, row FROM entries WHERE position > ? AND section = ? ORDER BY position LIMIT ?"
        return self._paged(section, sql, (section,))

    def _paged(self, section: str, sql: str, parameters: tuple[Any, ...]) -> Iterator[Any]:
        """The (position, row) pairs *sql* selects after a position (its first
        parameter; then *parameters*, then how many), decoded as entries of
        *section*, ``BATCH`` at a time."""
        last = -1
        while True:
            def work(db: sqlite3.Connection) -> list[tuple[int, Any]]:
                return [(n, decode(section, row)) for n, row in db.execute(sql, (last, *parameters, BATCH))]

            found = self._run(work)
            for _, entry in found:
                yield entry
            if len(found) < BATCH:
                return
            last = found[-1][0]

    # The timeline ----------------------------------------------------------

    def events(self, where: EventFilter) -> Iterator[Event]:
        """The events *where* selects, oldest first, read ``BATCH`` at a time."""
        condition, parameters = where.sql()
        sql = ("SELECT v.position, e.row FROM events AS v JOIN entries AS e ON e.section = 'timeline' "
               f"AND e.position = v.position WHERE v.position > ? AND {condition} ORDER BY v.position LIMIT ?")
        return self._paged("timeline", sql, parameters)

    def event_decades(self, where: EventFilter) -> dict[int, tuple[int, int]]:
        """For each decade (1970 for the 1970s) with events *where* selects:
        how many, and the length of the longest date as written."""
        condition, parameters = where.sql()
        found = self.rows(f"SELECT first - first % 10, count(*), max(length(date)) FROM events AS v "
                          f"WHERE {condition} GROUP BY 1", parameters)
        return {decade: (count, widest) for decade, count, widest in found}

    def entries_by_id(self, section: str, entry_ids: list[str]) -> dict[str, Any]:
        """The entries of *section* with these ids, by id (in chunks of
        ``BATCH``, below SQLite's limit on parameters)."""

        def work(db: sqlite3.Connection) -> dict[str, Any]:
            found = {}
            for n in range(0, len(entry_ids), BATCH):
                chunk = entry_ids[n : n + BATCH]
                sql = f"SELECT id, row FROM entries WHERE section = ? AND id IN ({', '.join('?' * len(chunk))})"
                found.update((i, decode(section, row)) for i, row in db.execute(sql, (section, *chunk)))
            return found

        return self._run(work)

    def ids(self, section: str) -> list[str]:
        return [i for (i,) in self.rows("SELECT id FROM entries WHERE section = ? ORDER BY position", (section,))]

    def count(self, section: str) -> int:
        return self.rows("SELECT count(*) FROM entries WHERE section = ?", (section,))[0][0]

    # Names --------------------------------------------------------------

    def named(self, section: str, name: str) -> str | None:
        """The id a normalised *name* resolves to in *section*."""
        found = self.rows("SELECT id FROM names WHERE section = ? AND name = ?", (section, name))
        return found[0][0] if found else None

    def names(self, section: str) -> dict[str, str]:
        """Every normalised name in *section* and the id it resolves to."""
        return dict(self.rows("SELECT name, id FROM names WHERE section = ?", (section,)))

    def named_anywhere(self, name: str) -> set[tuple[str, str]]:
        """(kind, id) of every entry, of any section, that a normalised *name* names."""
        return {(SECTIONS[s], i) for s, i in self.rows("SELECT section, id FROM names WHERE name = ?", (name,))}

    # Citations ----------------------------------------------------------

    def citing(self, source_id: str) -> list[tuple[str, str, str, str]]:
        return self.rows("SELECT kind, id, statement, role FROM citations WHERE source = ? ORDER BY seq", (source_id,))

    def citation_counts(self, source_ids: list[str] | None = None) -> dict[str, int]:
        """How many statements cite each source (of *source_ids*, at most
        ``BATCH`` of them, or of all)."""
        if source_ids is None:
            return dict(self.rows("SELECT source, count(*) FROM citations GROUP BY source"))
        marks = ", ".join("?" * len(source_ids))
        return dict(self.rows(f"SELECT source, count(*) FROM citations WHERE source IN ({marks}) GROUP BY source",
                              source_ids))

    def source_kinds(self) -> dict[str, int]:
        """How many sources there are of each kind (of those there are)."""
        return dict(self.rows("SELECT json_extract(row, '$[2]'), count(*) FROM entries WHERE section = 'sources' "
                              "GROUP BY 1"))

    def source_order(self) -> list[str]:
        """Every source's id, as the sources page numbers them: by kind (in
        the order of ``model.SOURCE_KINDS``), each kind oldest first,
        undated ones last, ties by id."""
        kinds = " ".join(f"WHEN '{kind}' THEN {n}" for n, kind in enumerate(SOURCE_KINDS))
        return [i for (i,) in self.rows(
            f"SELECT id FROM entries WHERE section = 'sources' ORDER BY CASE json_extract(row, '$[2]') {kinds} END, "
            "json_extract(row, '$[4]') IS NULL, coalesce(json_extract(row, '$[4]'), 0), id"
        )]


# Decoding: JSON arrays back into the model's tuples --------------------------


def _claims(rows: list[Any]) -> tuple[Claim, ...]:
    return tuple(
        Claim(text, evidence, tuple(sources), Note(note[0], tuple(note[1])) if note else None)
        for text, evidence, sources, note in rows
    )


def _source(row: list[Any]) -> Source:
    return Source(row[0], row[1], row[2], tuple(row[3]), *row[4:])


def _topic(row: list[Any]) -> Topic:
    id_, title, summary, points, aliases, related, crisis, questions = row
    return Topic(id_, title, summary, _claims(points), tuple(aliases), tuple(related), crisis, tuple(questions))


def _condition(row: list[Any]) -> Condition:
    id_, name, category, status, summary, points, aliases, related, crisis, questions = row
    evidence = EvidenceStatus(status[0], status[1], tuple(status[2]))
    return Condition(id_, name, category, evidence, summary, _claims(points), tuple(aliases), tuple(related), crisis,
                     tuple(questions))


def _event(row: list[Any]) -> Event:
    id_, date, title, description, category, sources, related = row
    return Event(id_, EventDate(*date), title, description, category, tuple(sources), tuple(related))


def _term(row: list[Any]) -> Term:
    id_, term, definition, sources, aliases, related = row
    return Term(id_, term, definition, tuple(sources), tuple(aliases), tuple(related))


def _phrase_words(row: list[Any]) -> PhraseWords:
    id_, words, typos, unlike = row
    return PhraseWords(id_, tuple(words), typos, tuple(unlike))


def _crisis_signal(row: list[Any]) -> CrisisSignal:
    id_, kind, says, phrases, examples, near, unless, withhold = row
    return CrisisSignal(id_, kind, says, tuple(phrases), tuple(examples), tuple(near), tuple(unless), withhold)


def _claim_met(row: list[Any]) -> ClaimMet:
    id_, says, verdict, phrases, record, evidence, sources, related, unless, figure, examples, near = row
    return ClaimMet(id_, says, verdict, tuple(phrases), record, evidence, tuple(sources), tuple(related),
                    tuple(unless), Figure(*figure) if figure else None, tuple(examples), tuple(near))


_DECODERS: dict[str, Callable[[list[Any]], Any]] = {
    "claims-met": _claim_met,
    "phrase-words": _phrase_words,
    "crisis": _crisis_signal,
    "sources": _source,
    "topics": _topic,
    "conditions": _condition,
    "timeline": _event,
    "glossary": _term,
}


def decode(section: str, row: str) -> Any:
    """One stored row back into its entry; a row that does not fit, or holds
    text validation would have refused (an escape sequence, a bidi mark),
    raises ``sqlite3.DatabaseError``, so ``Store`` treats it as damage like
    any other."""
    try:
        value = _json_value(row)
        # Without escapes or objects, the row's strings are its own text:
        # one look at the row does for all of them (and numbers are whole).
        if not (clean(row) if "\\" not in row and "{" not in row else _clean(value)):
            raise ValueError("text that validation refuses")
        return _DECODERS[section](value)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        raise sqlite3.DatabaseError(f"a stored {section} entry does not decode: {exc}") from None


def _no_fractions(text: str) -> Any:
    raise ValueError(f"{text} is not a whole number")


def _json_value(row: str) -> Any:
    """The value *row* holds (JSON: one value, nothing after it)."""
    global _scan
    if _scan is None:
        _scan = _scanner()
    try:
        value, end = _scan(row, 0)
    except StopIteration:
        raise ValueError("not a JSON value") from None
    if end != len(row):
        raise ValueError("more than one JSON value")
    return value


def _scanner() -> Callable[[str, int], tuple[Any, int]]:
    """The C scanner that ``json`` reads JSON with, taking only what
    validation lets through: whole numbers, no NaN or Infinity. Made from
    ``_json`` directly: the json package loads its encoder too, a
    millisecond at every start of a command that writes no JSON."""

    class Reading:
        strict, object_hook, object_pairs_hook, parse_int = True, None, None, int
        parse_float = parse_constant = staticmethod(_no_fractions)

    try:
        from _json import make_scanner
    except ImportError:  # pragma: no cover - a Python without the C module
        from json.scanner import py_make_scanner as make_scanner
    return make_scanner(Reading())


_scan: Callable[[str, int], tuple[Any, int]] | None = None
_MARKS = str.maketrans("", "", "\x02\x03")  # the search-match marks snippet() adds (see ketaminfo.kb.search)


def _checked(rows: list[Any]) -> list[Any]:
    """*rows*, if every text in them is clean; else ``sqlite3.DatabaseError``."""
    for row in rows:
        for cell in row:
            if isinstance(cell, str) and not clean(cell.translate(_MARKS)):
                raise sqlite3.DatabaseError("a stored text holds characters validation refuses")
    return rows


def _clean(value: Any) -> bool:
    """Whether *value* (decoded JSON) holds only clean text, lists, whole
    numbers, booleans and nulls."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            if not clean(item):
                return False
        elif kind is list:
            stack += item
        elif item is not None and kind is not int and kind is not bool:
            return False
    return True
