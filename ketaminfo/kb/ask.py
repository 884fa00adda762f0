"""Answer a question in plain words with the claims that answer it.

People arrive with questions ("is ketamine addictive?", "can I drive after
spravato?"), not page ids. ``ask`` finds the statements that answer one:
every claim, correction, condition evidence summary, event and glossary
definition is a document of its own in an FTS5 index (``answers``), built
once, beside the search index, each pointing back to the page it sits on.

Understanding a question needs no network and no model:

* function words ("is", "can", "after") and the drug's own name are dropped;
* stemming (porter) lets "addictive" match "addiction";
* synonyms come from the knowledge base itself: its ``synonyms`` section
  ("addictive" also looks for "misuse" and "dependence") and its glossary
  (a term's aliases stand for each other: "Spravato" finds "esketamine");
  a page's names and aliases are indexed with each of its statements;
* a word found nowhere in the knowledge base is corrected to the closest
  word that is ("adictive" becomes "addictive"), and the correction is
  reported;
* statements holding every word rank first, by bm25; when none holds them
  all, statements holding any of them are ranked instead.
"""

from __future__ import annotations

import re

from ..errors import NothingFound
from ..records import record
from ..safetext import argument, quoted

try:  # SQLite's C module alone: the sqlite3 package adds date adapters, whose datetime import costs a millisecond
    import _sqlite3 as sqlite3
except ImportError:  # pragma: no cover - a Python that builds sqlite3 another way
    import sqlite3

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

    from .library import KnowledgeBase

# Weights of the two indexed columns: the statement itself, and the names of
# the page it sits on (so "addictive", an alias of the misuse page, lifts
# every statement there).
TEXT_WEIGHT, NAMES_WEIGHT = 1.0, 0.6
# How much each kind of statement's bm25 score counts. A glossary definition
# or a timeline entry is short, which bm25 rewards, but a claim on a page
# answers a question better than a definition of one of its words.
KIND_FACTOR = {"claim": 1.0, "correction": 1.0, "evidence": 1.0, "event": 0.5, "term": 0.5}
# A question about when something happened is best answered by the timeline.
WHEN = re.compile(r"^\s*(when|what year|in what year|since when)\b|\bwhat date\b", re.IGNORECASE)
WHEN_EVENT_FACTOR = 2.0
MAX_TERMS = 12  # a question longer than this is cut: bm25 cost grows with terms
MAX_NGRAM = 3  # the longest synonym phrase looked up ("side effects")

FTS_TABLE = (
    "CREATE VIRTUAL TABLE answers USING fts5("
    "kind UNINDEXED, page_kind UNINDEXED, page_id UNINDEXED, seq UNINDEXED, text, names, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)
# Words that carry no meaning in a question, and the drug's name, which every
# statement is about whether or not it says so.
STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "cannot", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "get", "gets", "getting", "give", "given", "go", "going", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "like", "may", "me", "might", "more", "most", "much", "must", "my", "myself", "need", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours", "out", "over", "own", "really", "same", "she", "should", "so", "some", "such", "take", "taking", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "get", "ok", "okay", "please", "tell", "know", "want", "true", "really", "actually", "anything", "something", "say", "says", "said", "use", "used", "using", "help", "helps", "helped", "work", "works", "worked", "ketamine", "ketamines", "ketamine's"]
)
CRISIS_WORDS = re.compile(
    r"\b(suicid\w*|self[- ]?harm\w*|kill(ing)? (my|him|her|them)sel\w*|end(ing)? (my|it all)|want(ing)? to die)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w][\w'’-]*", re.UNICODE)


class Answer(record("Answer", "kind page_kind page_id seq")):
    """Where an answering statement sits: the page and, on a page with
    points, which point (``seq``; -1 for a condition's evidence status)."""

    __slots__ = ()
    # kind: str - claim, correction, evidence, event, term
    # page_kind: str
    # page_id: str
    # seq: int


class Answers(record("Answers", "question answers corrections all_words crisis")):
    __slots__ = ()
    # question: str
    # answers: list[Answer]
    # corrections: list[tuple[str, str]] - (typed, used)
    # all_words: bool - False when no statement held every word and any-word ranking was used
    # crisis: bool - the question is about suicide or self-harm


# Building the index ---------------------------------------------------------


def words(text: str) -> list[str]:
    """The words of *text*, lower-cased, as a question or a statement is read."""
    return [w.strip("'’-").replace("’", "'") for w in _WORD.findall(text.casefold()) if w.strip("'’-")]


def vocabulary_of(texts: Iterable[str]) -> set[str]:
    """Every word ``words`` finds in *texts*: split where no word can go
    (what the pattern of ``words`` takes, and no more), then each distinct
    token cleaned once, rather than every occurrence (a large knowledge base
    holds millions of words but tens of thousands of distinct ones)."""
    raw = set("\n".join(texts).casefold().translate(_WORD_CHARACTERS).split())
    cleaned = {w.strip("'’-").replace("’", "'") for w in raw}
    cleaned.discard("")
    return cleaned


class _WordTable(dict):
    """A ``str.translate`` table: a character ``_WORD`` can take (a word
    character, as the regular expression \\w has it, or ' ’ -) stays, any
    other becomes a space; each character is looked at once."""

    def __missing__(self, code: int) -> int:
        ch = chr(code)
        self[code] = kept = code if ch.isalnum() or ch in "_'’-" else 32
        return kept


_WORD_CHARACTERS = _WordTable()


def _spaced(name: str) -> str:
    return name.replace("-", " ")


def statements(section: str, entry: Any) -> list[tuple[str, str, str, int, str, str]]:
    """(kind, page kind, page id, seq, text, names) for every statement of
    *entry* that can answer a question."""
    if section in ("topics", "conditions"):
        page_kind = BY_SECTION_KIND[section]
        names = " ".join([entry.title, _spaced(entry.id), *entry.aliases])
        found = [("evidence", page_kind, entry.id, -1, entry.evidence.summary, names)] if section == "conditions" else []
        for seq, claim in enumerate(entry.points):
            found.append(("claim", page_kind, entry.id, seq, claim.text, names))
            if claim.correction:
                found.append(("correction", page_kind, entry.id, seq, claim.correction.text, names))
        return found
    if section == "timeline":
        return [("event", "event", entry.id, 0, f"{entry.title}. {entry.description}", entry.title)]
    if section == "glossary":
        return [("term", "term", entry.id, 0, entry.definition, " ".join([entry.term, _spaced(entry.id), *entry.aliases]))]
    return []


BY_SECTION_KIND = {"topics": "topic", "conditions": "condition"}


def synonym_pairs(groups: Iterable[Any], terms: Iterable[tuple[str, ...]]) -> Iterator[tuple[str, str]]:
    """(what a reader may type, what to look for as well), normalised, from
    the synonym *groups* and the glossary *terms* (each a term's name and
    aliases)."""
    for group in groups:
        for word in group.words:
            for meant in group.means:
                yield _key(word), meant
    for term in terms:  # a term and its aliases stand for each other
        names = list(dict.fromkeys(term))
        keys = [_key(name) for name in names]
        for key in keys:
            for other, other_key in zip(names, keys):
                if other_key != key:
                    yield key, other


def _key(phrase: str) -> str:
    return " ".join(words(phrase))


def create_answers(db: sqlite3.Connection, schema: str = "main") -> None:
    """Create the (empty) answer index in the database *schema* of *db*."""
    from .search import large_buffer

    db.execute(FTS_TABLE.replace("TABLE answers", f"TABLE {schema}.answers"))
    large_buffer(db, schema, "answers")


def create_vocabulary(db: sqlite3.Connection, vocabulary: set[str], synonyms: list[tuple[str, str]],
                      schema: str = "main") -> None:
    """Keep *vocabulary* (every word of the answers, ``vocabulary_of``) and
    the words readers may type (*synonyms*), for spelling correction."""
    vocabulary = vocabulary | {w for key, _ in synonyms for w in key.split()}
    db.execute(f"CREATE TABLE {schema}.vocabulary (word TEXT PRIMARY KEY, length INTEGER NOT NULL) WITHOUT ROWID")
    db.execute(f"CREATE INDEX {schema}.vocabulary_by_length ON vocabulary (length)")
    db.executemany(f"INSERT INTO {schema}.vocabulary VALUES (?, ?)", ((w, len(w)) for w in sorted(vocabulary)))


# Answering ------------------------------------------------------------------


def ask(kb: KnowledgeBase, question: str, limit: int = 5) -> Answers:
    """The statements that best answer *question*, best first.

    Raises ``NothingFound`` when the question has no word to look for, or
    nothing in the knowledge base matches any of its words."""
    store = kb.store
    store.searchable()
    question = argument(question)  # bytes that were not UTF-8 cannot reach SQLite
    tokens = words(question)[: MAX_TERMS * MAX_NGRAM]
    crisis = bool(CRISIS_WORDS.search(question))
    terms = _phrases(store, tokens)
    content = [t for t in terms if t not in STOPWORDS]
    if not content:  # "what is ketamine?": look for the drug after all
        content = [t for t in terms if t in ("ketamine", "ketamines", "ketamine's")]
    if not content:
        raise NothingFound(
            f"No words to look for in {quoted(question)}.",
            hint="Ask with a few words that name what you want to know, e.g. ketaminfo ask is ketamine addictive",
        )
    content = list(dict.fromkeys(content))[:MAX_TERMS]
    content, corrections = _correct(store, content)
    groups = [_group(term, _alternatives(store, term)) for term in content]
    rows = _ranked(store, groups, events_first=bool(WHEN.search(question)))
    all_words = bool(rows) and rows[0][0] == len(groups)
    if not rows:
        raise NothingFound(
            f"Nothing in the knowledge base answers {quoted(question)}.",
            hint="Try other words, or browse: ketaminfo topic --list",
        )
    answers: list[Answer] = []
    seen: set[tuple[str, str, int]] = set()
    for _covered, _score, kind, page_kind, page_id, seq in rows:
        where = (page_kind, page_id, int(seq))
        if where in seen:  # a claim and its correction are one answer
            continue
        seen.add(where)
        answers.append(Answer("claim" if kind == "correction" else kind, page_kind, page_id, int(seq)))
        if len(answers) == limit:
            break
    return Answers(question, answers, corrections, all_words, crisis)


def _phrases(store: Any, tokens: list[str]) -> list[str]:
    """*tokens* with known synonym phrases ("side effects") joined into one term."""
    candidates = {" ".join(tokens[i : i + n]) for n in range(2, MAX_NGRAM + 1) for i in range(len(tokens) - n + 1)}
    known = _known_keys(store, candidates)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(MAX_NGRAM, len(tokens) - i), 1, -1):
            phrase = " ".join(tokens[i : i + n])
            if phrase in known:
                out.append(phrase)
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _known_keys(store: Any, candidates: Iterable[str]) -> set[str]:
    candidates = list(candidates)
    if not candidates:
        return set()
    marks = ", ".join("?" * len(candidates))
    return {k for (k,) in store.rows(f"SELECT DISTINCT key FROM synonyms WHERE key IN ({marks})", candidates)}


def _alternatives(store: Any, term: str) -> list[str]:
    return [alt for (alt,) in store.rows("SELECT alternative FROM synonyms WHERE key = ?", (term,))]


def _correct(store: Any, terms: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Each term, or the closest word of the knowledge base where the term is
    in none of it (a typo); and the corrections made."""
    out, corrections = [], []
    for term in terms:
        if " " in term or _known(store, term) or not term.isalpha() or len(term) < 4:
            out.append(term)
            continue
        import difflib  # only for a word the knowledge base does not have

        near = [w for (w,) in store.rows(
            "SELECT word FROM vocabulary WHERE length BETWEEN ? AND ?", (len(term) - 2, len(term) + 2)
        )]
        close = difflib.get_close_matches(term, near, n=1, cutoff=0.8)
        if close:
            corrections.append((term, close[0]))
            out.append(close[0])
        else:
            out.append(term)
    return out, corrections


def _known(store: Any, word: str) -> bool:
    found = store.rows("SELECT 1 FROM vocabulary WHERE word = ? UNION ALL SELECT 1 FROM synonyms WHERE key = ? LIMIT 1", (word, word))
    return bool(found)


def _group(term: str, alternatives: list[str]) -> str:
    options = dict.fromkeys(q for q in (_quoted(o) for o in [term, *alternatives]) if q != '""')
    return "(" + " OR ".join(options) + ")"


def _quoted(phrase: str) -> str:
    """A word or phrase as an FTS5 string: never read as syntax."""
    return '"' + " ".join(words(phrase)).replace('"', '""') + '"'


def _ranked(store: Any, groups: list[str], events_first: bool = False) -> list[tuple[int, float, str, str, str, int]]:
    """Statements holding any of *groups*: those holding the most groups
    first (all of them, when some do), then by bm25 weighted by kind.

    Rows are (groups held, weighted score, kind, page kind, page id, seq)."""
    weights = f"bm25(answers, 0, 0, 0, 0, {TEXT_WEIGHT}, {NAMES_WEIGHT})"
    found = store.rows(
        f"SELECT rowid, kind, page_kind, page_id, seq, {weights} AS score FROM answers "
        "WHERE answers MATCH ? ORDER BY score LIMIT 200",
        (" OR ".join(groups),),
    )
    if not found:
        return []
    held = dict.fromkeys((row[0] for row in found), 0)
    if len(groups) > 1:
        marks = ", ".join("?" * len(held))
        for group in groups:
            sql = f"SELECT rowid FROM answers WHERE answers MATCH ? AND rowid IN ({marks})"
            for (rowid,) in store.rows(sql, (group, *held)):
                held[rowid] += 1
    else:
        held = dict.fromkeys(held, 1)
    factors = {**KIND_FACTOR, "event": WHEN_EVENT_FACTOR} if events_first else KIND_FACTOR
    ranked = [(held[r[0]], r[5] * factors.get(r[1], 1.0), *r[1:5]) for r in found]
    ranked.sort(key=lambda r: (-r[0], r[1]))
    return ranked
