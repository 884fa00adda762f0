"""The checks across files, for a knowledge base read one file at a time.

``schema`` reads each file on its own; what one file cannot know (ids used
twice, names two entries share, references to entries in other files, a
second ``about`` section, one layer laid over another) is decided here, once
every file is read. ``Merged`` keeps what those checks need of each entry,
its ``Outline`` (id, place, references, names and questions, not its text),
in a private temporary database rather than in memory, and the ids in
memory: a knowledge base of hundreds of thousands of entries is checked in a
few tens of megabytes, while its entries go on to the store as they are
read. The entries of the phrase sections (``phrase-words``, ``crisis``,
``claims-met``), whose checks need every phrase and example, are kept whole,
in private temporary files (``Kept``), and read back one at a time.

The problems are found in the order the whole knowledge base gives them:
reading, then each layer's files, then overlays, then the checks across
files, so the same files give the same problems (and the same first
``schema.MAX_PROBLEMS`` of them) however they are read.
"""

from __future__ import annotations

import difflib
import marshal
import unicodedata
from sys import intern

from .. import records
from ..errors import KnowledgeBaseError, Problem
from ..safetext import quoted
from .model import EvidenceStatus, normalise
from .schema import ABOUT_SECTION, SECTIONS, record
from .store import KEPT

try:  # SQLite's C module alone: the sqlite3 package adds date adapters, whose datetime import costs a millisecond
    import _sqlite3 as sqlite3
except ImportError:  # pragma: no cover - a Python that builds sqlite3 another way
    import sqlite3

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from .schema import FileEntries

    Packed = tuple[str, tuple[str, int, int], str | None, bytes]

SECTION_LIST = list(SECTIONS)
SECTION_NUMBER = {name: n for n, name in enumerate(SECTION_LIST)}
ADD, REPLACE, DROP = "add", "replace", "drop"
_SHIFT = 40  # an outline's key: its section's number above this many bits, its index below


class Outline(records.record("Outline", "id place cited related title aliases date questions")):
    """What the checks across files need of an entry: its id, where it was
    read, what it cites and links to, its names (of pages and terms), the
    questions it answers (of pages) and its date (of events, which the
    store puts in order); not its text."""

    __slots__ = ()
    # id: str
    # place: tuple[str, int, int] - (file, line, column)
    # cited: tuple[str, ...] - every source id it cites, repeats included
    # related: tuple[str, ...]
    # title: str | None - of topics, conditions and terms (the names the checks compare)
    # aliases: tuple[str, ...]
    # date: str | None - events only: a text that sorts as the event's date does (``date_key``)
    # questions: tuple[str, ...] - topics and conditions only


def outline(section: str, obj: Any, place: tuple[str, int, int]) -> Outline:
    """*obj*'s ``Outline``. Ids are interned: an id cited a hundred times in
    a file is then one string, not a hundred."""
    if section == "sources":
        return Outline(intern(obj.id), place, (), (), None, (), None, ())
    cited = tuple(map(intern, _cited(obj)))
    related = tuple(map(intern, getattr(obj, "related", ())))
    if section == "timeline":
        return Outline(intern(obj.id), place, cited, related, None, (), date_key(obj.date), ())
    if section in KEPT:  # not pages: named by nothing
        return Outline(intern(obj.id), place, cited, related, None, (), None, ())
    return Outline(intern(obj.id), place, cited, related, obj.title, obj.aliases, None, getattr(obj, "questions", ()))


def packed(entry: Outline) -> Packed:
    """*entry* as plain data, to send between processes and to keep: (id,
    place, date, the outline marshalled)."""
    return entry.id, entry.place, entry.date, marshal.dumps(tuple(entry))


def date_key(date: Any) -> str:
    """A text that sorts as ``model.EventDate`` tuples do: each number at a
    fixed width (years have four digits), then the date as written."""
    return f"{date.start:04d}{date.month:02d}{date.day:02d}{date.end:04d}{date.text}"


class Kept:
    """The entries of one phrase section, as laid over each other, kept in a
    private temporary file rather than in memory (a knowledge base of one's
    own may hold tens of thousands of claims): ``put`` as they are read,
    then iterate, from any thread, for (entry, place) in order."""

    def __init__(self, section: str) -> None:
        import tempfile

        self.section = section
        self._file = tempfile.TemporaryFile()
        self._end = 0
        self._at: dict[int, tuple[int, int, tuple[str, int, int]]] = {}  # index -> (offset, length, place)

    def put(self, index: int, row: str, place: tuple[str, int, int]) -> None:
        data = row.encode("utf-8")
        self._file.write(data)
        self._at[index] = (self._end, len(data), place)  # a later entry of the same index replaces it
        self._end += len(data)

    def __len__(self) -> int:
        return len(self._at)

    def __iter__(self) -> Iterator[tuple[Any, tuple[str, int, int]]]:
        import os

        from .store import decode

        self._file.flush()
        descriptor = self._file.fileno()
        for index in sorted(self._at):
            offset, length, place = self._at[index]
            yield decode(self.section, os.pread(descriptor, length, offset).decode("utf-8")), place

    def entries(self) -> Iterator[Any]:
        return (entry for entry, _ in self)

    def close(self) -> None:
        self._file.close()


class Merged:
    """A knowledge base as it is read, file by file and layer by layer: each
    entry laid over what came before (``add``), the problems of each file
    taken in (``add_file``), and everything checked at the end (``finish``)."""

    def __init__(self, problems: list[Problem] | None = None) -> None:
        self.read = problems if problems is not None else []  # files that cannot be read (filled as they are)
        self.layers: list[tuple[list[Problem], list[Problem]]] = []  # (composing, converting) per layer
        self.overlaid: list[Problem] = []  # ids an upper layer reuses in another section
        self.counts = dict.fromkeys(SECTIONS, 0)  # entries in each section so far
        # Where each id is used: (section number, index), or a list of them once used twice.
        self.ids: dict[str, Any] = {}
        self.broken: set[str] = set()
        self.about: Any = None
        # The entries of the phrase sections, whole, with where each was read (see ``check_phrases``).
        self.kept: dict[str, Kept] = {name: Kept(name) for name in KEPT}
        self.failed = False  # a problem is certain: what is read need not be kept
        self._base: dict[str, int] = {}
        self._layer_about: tuple[Any, str] | None = None
        self._overlay: dict[str, list[Problem]] = {}
        self._waiting: list[tuple[int, str | None, str, bytes]] = []
        self._outlines = sqlite3.connect("", isolation_level=None)  # private, temporary: kept on disk, not in memory
        self._outlines.executescript("""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE outlines (key INTEGER PRIMARY KEY, sort TEXT, id TEXT NOT NULL, outline BLOB NOT NULL);
            BEGIN;
        """)

    def close(self) -> None:
        self._outlines.close()
        for kept in self.kept.values():
            kept.close()

    def start_layer(self) -> None:
        """Lay the files that follow over everything read so far."""
        self._finish_layer()
        self.layers.append(([], []))
        self._base = dict(self.counts)
        self._layer_about = None
        self._overlay = {name: [] for name in SECTIONS}

    def end(self) -> None:
        """Say every file is read: the last layer's about section stands."""
        self._finish_layer()

    def _finish_layer(self) -> None:
        for problems in self._overlay.values():
            for problem in problems:
                record(self.overlaid, problem)
        self._overlay = {}
        if self._layer_about is not None:  # the upper layer's date is the one that describes the whole
            self.about = self._layer_about[0]

    def add_file(self, found: FileEntries) -> None:
        """Take in *found*'s problems, about section and broken ids (its
        entries go through ``add``, one by one)."""
        composing, converting = self.layers[-1]
        composing += found.composing
        problems = list(found.before)
        if found.about is not None:
            about, about_problems, (name, line, column) = found.about
            if self._layer_about is not None:
                first = self._layer_about[1]
                about_problems = [Problem(name, line, column, "KB006",
                                          f"section {ABOUT_SECTION!r} is already given in {first}; give it once")]
            elif about is not None:
                self._layer_about = (about, name)
            problems += about_problems
            problems += found.after
        for problem in problems:
            record(converting, problem)
        self.broken.update(found.broken)
        self.failed = self.failed or bool(self.read or composing or converting)

    def add(self, section: str, entry: Packed, row: str | None = None) -> tuple[str, int]:
        """Lay *entry* (an outline, ``packed``) over what is read so far:
        (ADD, its index) for a new entry; (REPLACE, the index it takes) for
        one whose id a lower layer uses in the same section (it wins, in that
        entry's place); (DROP, -1) for an id a lower layer uses in another
        section (a problem). An entry of a phrase section is kept *whole*
        as well (its stored *row*)."""
        action, index = self._add(section, entry)
        if section in KEPT and action != DROP and row is not None:
            self.kept[section].put(index, row, entry[1])
        return action, index

    def phrases(self) -> dict[str, Kept]:
        """The entries of each phrase section (``store.KEPT``), as laid over
        each other: each ``Kept`` gives them in order, read back from disk."""
        return self.kept

    def _add(self, section: str, entry: Packed) -> tuple[str, int]:
        entry_id = entry[0]
        number = SECTION_NUMBER[section]
        used = self.ids.get(entry_id)
        if used is not None and len(self.layers) > 1:
            lower = [(s, i) for s, i in _places(used) if i < self._base[SECTION_LIST[s]]]
            same = [i for s, i in lower if s == number]
            if same:
                self._keep(number, max(same), entry)
                return REPLACE, max(same)
            if lower:
                home = SECTION_LIST[max(s for s, _ in lower)]
                name, line, column = entry[1]
                record(self._overlay[section], Problem(name, line, column, "KB014",
                       f"id already names a {home[:-1]} in the knowledge base below", entry_id))
                self.failed = True
                return DROP, -1
        index = self.counts[section]
        self.counts[section] = index + 1
        self._keep(number, index, entry)
        if used is None:
            self.ids[entry_id] = (number, index)
        else:  # the same id twice: a duplicate (KB014) once every file is read
            self.ids[entry_id] = [*_places(used), (number, index)]
            self.failed = True
        return ADD, index

    def _keep(self, number: int, index: int, entry: Packed) -> None:
        entry_id, _place, date, data = entry
        self._waiting.append(((number << _SHIFT) + index, date, entry_id, data))
        if len(self._waiting) >= 2000:
            self._write()

    def _write(self) -> None:
        self._outlines.executemany("INSERT OR REPLACE INTO outlines VALUES (?, ?, ?, ?)", self._waiting)
        self._waiting.clear()

    def outlines(self, section: str) -> Iterator[Outline]:
        """Every entry of *section* in knowledge-base order, as read back."""
        self._write()
        number = SECTION_NUMBER[section]
        found = self._outlines.execute("SELECT outline FROM outlines WHERE key >= ? AND key < ? ORDER BY key",
                                       (number << _SHIFT, (number + 1) << _SHIFT))
        for (data,) in found:
            yield Outline._make(marshal.loads(data))

    def events(self) -> Iterator[str]:
        """Every event's id, oldest first (ties by id)."""
        self._write()
        number = SECTION_NUMBER["timeline"]
        found = self._outlines.execute("SELECT id FROM outlines WHERE key >= ? AND key < ? ORDER BY sort, id",
                                       (number << _SHIFT, (number + 1) << _SHIFT))
        return (entry_id for (entry_id,) in found)

    def _outline(self, number: int, index: int) -> Outline:
        self._write()
        (data,) = self._outlines.execute("SELECT outline FROM outlines WHERE key = ?",
                                         ((number << _SHIFT) + index,)).fetchone()
        return Outline._make(marshal.loads(data))

    def finish(self, keep: Callable[[int, Any, Any], object] | None = None) -> None:
        """Check ids, names and references across everything read; raise one
        KnowledgeBaseError listing every problem, in file order. *keep* is
        given each claim people meet with its compiled phrases as they are
        checked (see ``check_phrases``)."""
        self._finish_layer()
        problems = list(self.read)
        for composing, converting in self.layers:
            for problem in composing + converting:
                record(problems, problem)
        for problem in self.overlaid:
            record(problems, problem)
        self._check(problems)
        check_phrases(self.kept, problems, keep)
        if problems:
            problems.sort(key=lambda p: (p.file, p.line or 0, p.column or 0))
            raise KnowledgeBaseError(problems)

    def _check(self, problems: list[Problem]) -> None:
        """Ids unique across the knowledge base; names unambiguous; every
        cited or related id exists."""

        def report(obj: Outline, code: str, message: str) -> None:
            name, line, column = obj.place
            record(problems, Problem(name, line, column, code, message, obj.id))

        twice = sorted(
            (place, min(places))
            for places in self.ids.values() if type(places) is list
            for place in places if place != min(places)
        )
        for (number, index), first in twice:
            first_file, first_line, _ = self._outline(*first).place
            report(self._outline(number, index), "KB014", f"duplicate id; first used at {first_file}:{first_line}")
        for section in ("topics", "conditions", "glossary"):
            names: dict[str, tuple[int, str]] = {}  # skeleton -> (index, id) of the entry that first has it
            for index, obj in enumerate(self.outlines(section)):
                for name in dict.fromkeys((obj.id, obj.title, *obj.aliases)):
                    other = names.setdefault(skeleton(name), (index, obj.id))
                    if other[0] != index and other[1] != obj.id:  # a duplicate id is KB014's
                        report(obj, "KB017", f"name or alias {quoted(name)} also names {other[1]!r}")
            del names
        # Each question a page answers, once. The pages' questions (a large
        # knowledge base asks millions) are grouped in a private database by
        # a 64-bit hash of their skeleton; only questions whose hashes meet
        # are read again and compared.
        db = sqlite3.connect("", isolation_level=None)
        db.executescript("""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE asked (key INTEGER NOT NULL, section INTEGER NOT NULL, position INTEGER NOT NULL,
                                n INTEGER NOT NULL);
            BEGIN;
        """)
        for section in ("topics", "conditions"):
            number = SECTION_NUMBER[section]
            batch: list[tuple[int, int, int, int]] = []
            for index, obj in enumerate(self.outlines(section)):
                batch += [(hash(skeleton(q.rstrip("?!. "))), number, index, n) for n, q in enumerate(obj.questions)]
                if len(batch) >= 5000:
                    db.executemany("INSERT INTO asked VALUES (?, ?, ?, ?)", batch)
                    batch = []
            db.executemany("INSERT INTO asked VALUES (?, ?, ?, ?)", batch)
        meeting = db.execute("""
            SELECT a.key, a.section, a.position, a.n FROM asked AS a
            JOIN (SELECT key FROM asked GROUP BY key HAVING count(*) > 1) USING (key)
            ORDER BY a.rowid""").fetchall()
        db.close()
        first: dict[str, tuple[int, int, str]] = {}  # skeleton -> (section, position, id) of the page first asking it
        for _, number, index, n in meeting:
            obj = self._outline(number, index)
            question = obj.questions[n]
            other = first.setdefault(skeleton(question.rstrip("?!. ")), (number, index, obj.id))
            if other[:2] != (number, index):
                report(obj, "KB022", f"question {quoted(question)} is also one {other[2]!r} answers; "
                                     "give it to the page that answers it")
        broken = self.broken
        source_ids = {s.id for s in self.outlines("sources")}
        hints: _Hints | None = None
        for section in SECTION_LIST:
            if section == "sources":
                continue
            for obj in self.outlines(section):
                for ref in obj.cited:
                    if ref not in source_ids and ref not in broken:
                        hints = hints or _Hints(source_ids | broken)
                        hint = hints.near(ref)
                        extra = f" (did you mean {hint!r}?)" if hint else ""
                        report(obj, "KB015", f"cites unknown source {quoted(ref)}{extra}")
                for ref in obj.related:
                    if ref not in broken and (ref not in self.ids or ref in source_ids):
                        report(obj, "KB016", f"related id {quoted(ref)} names no topic, condition, event or term")


def check_phrases(kept: dict[str, Kept], problems: list[Problem],
                  keep: Callable[[int, Any, Any], object] | None = None) -> None:
    """Every phrase of the crisis and claims-met sections can be read
    (KB019); every example is matched by its entry's phrases (KB020); no
    ``near`` sentence is matched (KB021): for crisis, by any crisis phrase;
    for a claim people meet, by that claim. A claim with a verdict on the
    record gives the record and its sources (KB023). *kept* holds each
    phrase section's entries, with where each was read. The crisis section
    is checked as a whole; the claims one at a time, each against its own
    phrases, so that time and memory grow with the catalogue, not its square.
    Each claim whose phrases can be read goes to *keep* as (its position in
    the catalogue, the claim, the ``Matcher`` of its phrases): the store
    keeps them as compiled here, not compiled a second time."""
    from .phrases import CLAIM_GAP, GAP, Matcher, PhraseError, classes, compiler

    known = classes((c.id, c.words, c.typos, c.unlike) for c in kept["phrase-words"].entries())

    def report(obj: Any, place: tuple[str, int, int], code: str, message: str) -> None:
        name, line, column = place
        record(problems, Problem(name, line, column, code, message, obj.id))

    compile_once = compiler(known)  # each distinct phrase compiled once

    def compiled(group: Any, place: tuple[str, int, int]) -> list[Any] | None:
        """The group's phrases, compiled with its exceptions; None (and
        KB019) if one cannot be read."""
        unless: list[Any] = []
        phrases: list[Any] = []
        readable = True
        for kind, phrase in [*(("exception", p) for p in group.unless), *(("phrase", p) for p in group.phrases)]:
            try:
                slots = compile_once(phrase)
            except PhraseError as exc:
                report(group, place, "KB019", f"{kind} {quoted(phrase)} {exc}")
                readable = False
                continue
            if kind == "exception":
                unless.append(slots)
            else:
                phrases.append(slots)
        exceptions = tuple(unless)  # one tuple shared by the group's phrases
        return [(group.id, slots, exceptions) for slots in phrases] if readable else None

    def examples(group: Any, place: tuple[str, int, int], own: Matcher, calm_against: Matcher, crisis: bool) -> None:
        for example in group.examples:
            if not own.find(example):
                report(group, place, "KB020", f"example {quoted(example)} is matched by none of its phrases")
        for calm in group.near:
            found = calm_against.find(calm)
            if found:
                what = "crisis phrases of" if crisis else "the phrases of"
                report(group, place, "KB021", f"{'calm' if crisis else 'near'} sentence "
                                              f"{quoted(calm)} is matched by {what} {found[0]!r}")

    # Crisis: a calm sentence may be matched by no phrase of any group.
    groups = list(kept["crisis"])
    own_phrases = [compiled(group, place) for group, place in groups]
    everything = Matcher([p for phrases in own_phrases if phrases for p in phrases], known, False, GAP)
    for (group, place), phrases in zip(groups, own_phrases):
        if phrases is not None:  # its examples say nothing until its phrases can be read
            examples(group, place, everything.only(phrases), everything, True)
    # Claims people meet: each against its own phrases.
    base = Matcher((), known, True, CLAIM_GAP)
    for position, (group, place) in enumerate(kept["claims-met"]):
        phrases = compiled(group, place)
        if group.verdict not in ("unknown", "not-a-claim") and not (group.record and group.sources):
            report(group, place, "KB023", f"a claim judged {group.verdict!r} needs the record's answer (record) "
                                          "and its sources")
        if phrases is not None:
            own = base.only(phrases)
            examples(group, place, own, own, False)
            if keep is not None:
                keep(position, group, own)


def _places(used: Any) -> list[tuple[int, int]]:
    return used if type(used) is list else [used]


class _Hints:
    """ "Did you mean" for unknown references, in bounded time: only ids of a
    similar length with the same first letter are compared, and only the
    first ``MAX_HINTS`` unknown references get a hint (a file of 10,000 typos
    must not take minutes to report)."""

    MAX_HINTS = 50

    def __init__(self, ids: set[str]):
        self.by_start: dict[str, list[str]] = {}
        for known in ids:
            self.by_start.setdefault(known[:1], []).append(known)
        self.given = 0

    def near(self, ref: str) -> str | None:
        if self.given >= self.MAX_HINTS:
            return None
        self.given += 1
        candidates = [k for k in self.by_start.get(ref[:1], ()) if abs(len(k) - len(ref)) <= 3]
        found = difflib.get_close_matches(ref, candidates[:5000], n=1)
        return found[0] if found else None


def skeleton(name: str) -> str:
    """The form in which two names count as the same for KB017: ``normalise``d
    after NFKC (fullwidth and compatibility forms) and with letters that look
    Latin written as Latin (Cyrillic "а", Greek "ο"), so a look-alike cannot
    pass as a second, different name."""
    if name.isascii():  # NFKC and the look-alikes leave ASCII as it is (most names and questions are)
        return normalise(name)
    folded = normalise(unicodedata.normalize("NFKC", name))
    return folded.translate(_CONFUSABLES)


# Letters of other scripts that are drawn like Latin letters (lower case; the
# names are case-folded first).
_CONFUSABLES = str.maketrans(
    "аеорсухіјѕԁԛԝɡһӏꮃꭰαβεικνορτυχϲϳ",
    "aeopcyxijsdqwghlwdabeiknoptuxcj",
)


def _cited(obj: Any) -> list[str]:
    refs: list[str] = list(getattr(obj, "sources", ()))
    for claim in getattr(obj, "points", ()):
        refs.extend(claim.cited())
    status = getattr(obj, "evidence", None)
    if isinstance(status, EvidenceStatus):
        refs.extend(status.sources)
    return refs
