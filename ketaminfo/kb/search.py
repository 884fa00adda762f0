"""Full-text search over every kind of entry, with SQLite's FTS5.

FTS5 gives stemming (porter: "receptor" finds "receptors"), phrases
("nasal spray"), prefixes (neuro*), boolean operators and bm25 ranking. The
index is built once, the first time a search needs it (``store.build_index``),
and kept in the cache, so a search reads the index rather than the entries. Titles, ids and aliases weigh ten times the body text,
so the page about a thing ranks above pages that mention it.
"""

from __future__ import annotations

import re

from ..errors import UsageError
from ..records import record
from ..safetext import argument, quoted
from .model import ENTRY_KINDS as KINDS
from .model import MATCH_END, MATCH_START, normalise
from .textindex import DOCUMENTS_TABLE

try:  # SQLite's C module alone: the sqlite3 package adds date adapters, whose datetime import costs a millisecond
    import _sqlite3 as sqlite3
except ImportError:  # pragma: no cover - a Python that builds sqlite3 another way
    import sqlite3

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:

    from .library import KnowledgeBase

TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0

# One query token: a quoted phrase, a parenthesis, or a run of other characters.
_TOKEN = re.compile(r'"[^"]*"|[()]|[^\s()"]+')
# A word FTS5 reads bare: ASCII letters, digits and _, or anything beyond ASCII
# (written as "not ASCII punctuation": the range \u0080-\U0010ffff itself
# takes about 3 ms to compile, on every search).
_BAREWORD = re.compile(r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]+\*?")
_OPERATORS = {"AND", "OR", "NOT"}
# FTS5's cost grows with the square of the terms in a query; no real search
# needs more than this many words.
MAX_WORDS = 32


class Hit(record("Hit", "kind id title snippet")):
    __slots__ = ()
    # kind: str
    # id: str
    # title: str
    # snippet: str


class Hits(list):
    """Search results, best first. ``all_words`` is False when no entry held
    every word and entries holding any of them were ranked instead."""

    all_words: bool = True
    dropped: int = 0  # words past MAX_WORDS (or repeated) that were not searched


def fts_query(query: str) -> str:
    """Make *query* safe for FTS5 while keeping its syntax.

    Phrases in double quotes, prefixes (neuro*), AND/OR/NOT, NEAR(...) and
    parentheses pass through; any other word that FTS5 could not read bare
    (treatment-resistant, 5-HT, 0.5mg) becomes a quoted phrase.
    """
    if query.count('"') % 2:
        raise UsageError("the query has an unclosed double quote")
    tokens = []
    for token in _TOKEN.findall(query):
        if token.startswith('"') or token in "()" or token in _OPERATORS or token == "NEAR" or _BAREWORD.fullmatch(token):
            tokens.append(token)
        else:
            star = "*" if token.endswith("*") else ""
            tokens.append('"' + token.rstrip("*").replace('"', '""') + '"' + star)
    return " ".join(tokens)


def search(kb: KnowledgeBase, query: str, kind: str | None = None, limit: int = 10) -> Hits:
    """The entries matching *query*, best first.

    Words must all appear; when no entry holds them all (and the query uses
    no operators), entries holding any of them are ranked instead, and the
    result's ``all_words`` is False. Ranking: an entry named exactly by the
    query (id, title or alias) first; then entries whose names match before
    those that only mention the words; then topics, conditions, terms,
    events and sources in that order; then bm25. Raises ``UsageError`` for a
    query FTS5 cannot read.
    """
    if kind is not None and kind not in KINDS:
        raise UsageError(f"kind {kind!r} is not one of: {', '.join(KINDS)}")
    query, dropped = _bounded(argument(query))  # bytes that were not UTF-8 cannot reach SQLite
    match = fts_query(query)
    if not match.strip():
        raise UsageError("the query is empty")
    _check(query, match)
    kb.store.searchable()
    hits = Hits(_ranked(kb, query, match, kind, limit))
    if not hits:
        words = _plain_words(match)
        any_word = " OR ".join(words)
        if len(words) > 1 and _readable(any_word):
            hits = Hits(_ranked(kb, query, any_word, kind, limit))
            hits.all_words = False
    hits.dropped = dropped
    return hits


def _bounded(query: str) -> tuple[str, int]:
    """*query* with repeated words dropped and at most MAX_WORDS kept, and
    how many words were left out. A query using operators or brackets is
    refused rather than cut, since cutting it would change its meaning."""
    tokens = _TOKEN.findall(query)
    if len(tokens) <= MAX_WORDS:
        return query, 0
    if any(t in _OPERATORS or t in ("(", ")", "NEAR") for t in tokens):
        raise UsageError(f"the query has {len(tokens)} words and operators; at most {MAX_WORDS} are allowed")
    kept = list(dict.fromkeys(tokens))[:MAX_WORDS]
    return " ".join(kept), len(tokens) - len(kept)


def _plain_words(match: str) -> list[str]:
    """The words of an FTS query with no operators, brackets or phrases of
    the user's own; [] when it has any (then the user meant that syntax)."""
    tokens = _TOKEN.findall(match)
    if any(t in _OPERATORS or t in ("(", ")", "NEAR") for t in tokens):
        return []
    return list(dict.fromkeys(t for t in tokens if t not in ("and", "or", "not")))


def lowercase_operators(query: str) -> list[str]:
    """Words of *query* that look like AND/OR/NOT written in lower case."""
    outside_quotes = re.sub(r'"[^"]*"', " ", query)
    return [w for w in outside_quotes.split() if w in ("and", "or", "not")]


def _ranked(kb: KnowledgeBase, query: str, match: str, kind: str | None, limit: int) -> list[Hit]:
    """The best *limit* rows, as ``search`` ranks them. SQLite ranks each
    tier (ORDER BY ... LIMIT), so however many entries match, only the rows
    shown are read: exact names first, then matches in names, then the rest."""
    store = kb.store
    weights = f"bm25(documents, 0, 0, 0, {TITLE_WEIGHT}, {BODY_WEIGHT})"
    order = "CASE kind " + " ".join(f"WHEN '{k}' THEN {n}" for n, k in enumerate(KINDS)) + " END"
    # (The + keeps SQLite from asking FTS5 for each of those rows one by one.)
    names = "+rowid {} (SELECT rowid FROM documents WHERE documents MATCH ?)"
    exact = store.named_anywhere(normalise(query.replace('"', "").rstrip("*")))
    if kind is not None:
        exact = {(k, i) for k, i in exact if k == kind}

    def tier(in_names: bool, count: int | None, ids: list[str] = ()) -> list[tuple[int, str, str]]:
        where = " AND " + names.format("IN" if in_names else "NOT IN")
        where += (" AND kind = ?" if kind else "") + (f" AND id IN ({', '.join('?' * len(ids))})" if ids else "")
        bound = " LIMIT ?" if count is not None else ""
        parameters = (match, f"names : ({match})", *([kind] if kind else []), *ids, *([count] if count is not None else []))
        return store.rows(f"SELECT rowid, kind, id FROM documents WHERE documents MATCH ?{where} "
                          f"ORDER BY {order}, {weights}, rowid{bound}", parameters)

    best: list[int] = []
    if exact:
        ids = sorted({i for _, i in exact})
        best += [r[0] for in_names in (True, False) for r in tier(in_names, None, ids) if (r[1], r[2]) in exact]
    for in_names in (True, False):
        if len(best) >= limit:
            break
        best += [r[0] for r in tier(in_names, limit + len(exact)) if (r[1], r[2]) not in exact]
    best = best[:limit]
    # Snippets cost more than matching, so only the rows shown get one.
    shown = {
        r[0]: Hit(*r[1:])
        for r in store.rows(
            "SELECT rowid, kind, id, title, snippet(documents, 4, ?, ?, '…', 14) FROM documents "
            f"WHERE documents MATCH ? AND rowid IN ({', '.join('?' * len(best))})",
            (MATCH_START, MATCH_END, match, *best),
        )
    }
    return [shown[r] for r in best]


def _check(query: str, match: str) -> None:
    """Raise ``UsageError`` if FTS5 cannot read *match*."""
    if not _readable(match):
        raise UsageError(
            f"cannot read the query {quoted(query)}: a word such as AND, OR, NOT or NEAR needs words "
            "on both sides, and brackets must pair up"
        )


def _readable(match: str) -> bool:
    """Whether FTS5 can read *match*, tried on an empty table so that a bad
    query is never mistaken for a damaged database."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute(DOCUMENTS_TABLE.format(name="empty"))
        db.execute("SELECT id FROM empty WHERE empty MATCH ?", (match,)).fetchall()
        db.execute("SELECT id FROM empty WHERE empty MATCH ?", (f"names : ({match})",)).fetchall()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        db.close()
