"""Text of the knowledge base as words, and the full-text indexes built from it.

Both the store (which builds the indexes once, with the rest of a knowledge
base) and the queries that read them (``search``, ``ask``) need to read text
the same way, so that lives here, below them both: how a question or a
statement is cut into words, which words say nothing of what a question is
about, how synonym phrases join, and what each FTS5 table holds of an
entry (``statements``, ``page_questions``, ``document``: the rows are made
one entry at a time, so the store can build the indexes of any number of
entries as it reads them).
"""

from __future__ import annotations

import re

try:  # SQLite's C module alone: the sqlite3 package adds date adapters, whose datetime import costs a millisecond
    import _sqlite3 as sqlite3
except ImportError:  # pragma: no cover - a Python that builds sqlite3 another way
    import sqlite3

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

MAX_NGRAM = 3  # the longest synonym phrase looked up ("side effects")

TOKENIZE = "porter unicode61 remove_diacritics 2"  # how every full-text index reads its text
QUESTIONS_TABLE = (
    "CREATE VIRTUAL TABLE questions USING fts5("
    "page_kind UNINDEXED, page_id UNINDEXED, terms UNINDEXED, type UNINDEXED, text, "
    f"tokenize = '{TOKENIZE}')"
)
ANSWERS_TABLE = (
    "CREATE VIRTUAL TABLE answers USING fts5("
    "kind UNINDEXED, page_kind UNINDEXED, page_id UNINDEXED, seq UNINDEXED, text, names, "
    f"tokenize = '{TOKENIZE}')"
)
# Words that never decide which page a question is about: function words,
# pronouns (which mean ketamine) and the drug's own name. Smaller than
# STOPWORDS, which also drops words such as "work" and "help" that say what
# a question is about but would match statements everywhere; question words
# stay ("how does it work" is not "does it work"), weighed as the common
# words they are.
FUNCTION_WORDS = frozenset(
    ["a", "about", "after", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being", "but", "by", "can",
     "could", "did", "do", "does", "doing", "for", "from", "had", "has", "have", "i", "if", "in", "into", "is",
     "it", "its", "itself", "me", "my", "of", "on", "or", "our", "she", "he", "so", "that", "the", "their", "them",
     "there", "these", "they", "this", "those", "to", "was", "we", "were", "whom", "will", "with", "would", "you",
     "your", "while", "during", "still", "also", "even", "ever", "very", "too", "than", "then", "some", "such", "ketamine", "ketamines", "ketamine's", "please", "tell",
     "know", "want", "really", "actually", "just", "should", "shall", "may", "might", "must", "i'm", "im", "someone",
     "something", "there's", "get", "getting", "got", "ok", "okay", "therapy"]
)
_WORD = re.compile(r"[\w][\w'’-]*", re.UNICODE)


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


PAGE_KINDS = {"topics": "topic", "conditions": "condition"}


def statements(section: str, entry: Any) -> list[tuple[str, str, str, int, str, str]]:
    """(kind, page kind, page id, seq, text, names) for every statement of
    *entry* that can answer a question."""
    if section in PAGE_KINDS:
        page_kind = PAGE_KINDS[section]
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


def synonym_pairs(groups: Iterable[Any], terms: Iterable[Any]) -> Iterator[tuple[str, str]]:
    """(what a reader may type, what to look for as well), normalised, from
    the synonym *groups* and the glossary *terms*."""
    for group in groups:
        for word in group.words:
            for meant in (*group.means, *(w for w in group.words if w != word)):
                yield _key(word), meant
    for term in terms:  # a term and its aliases stand for each other
        names = list(dict.fromkeys([term.term, *term.aliases]))
        keys = [_key(name) for name in names]
        for key in keys:
            for other, other_key in zip(names, keys):
                if other_key != key:
                    yield key, other


def _key(phrase: str) -> str:
    return " ".join(words(phrase))


def page_questions(section: str, page: Any, keys: set[str]) -> list[tuple[str, str, int, str, str]]:
    """(page kind, page id, number of words that count, kind of question,
    text) for every question a page (of *section*) says it answers, and its
    title and aliases (which are no kind of question); *keys*: the synonym
    phrases of more than one word ("side effects"). Nothing for an entry
    that is no page."""
    if section not in PAGE_KINDS:
        return []
    found = []
    names = {page.title, *page.aliases}
    for text in dict.fromkeys((*page.questions, *names)):
        tokens = words(text)
        terms = set(question_terms(tokens, keys))
        if terms:
            kind = "" if text in names and text not in page.questions else question_kind(tokens)
            found.append((PAGE_KINDS[section], page.id, len(terms), kind, text))
    return found


_ASKING = frozenset(["how", "what", "why", "when", "where", "who", "which"])
_HOW = frozenset(["long", "much", "many", "often", "fast", "quickly", "soon", "safe"])


def question_kind(tokens: list[str]) -> str:
    """What a question asks for, from its first words: "how", "how long",
    "what", "why" ..., or "yes-no" ("is it addictive?")."""
    if not tokens:
        return ""
    first = tokens[0]
    if first == "how" and len(tokens) > 1 and tokens[1] in _HOW:
        return f"how {tokens[1]}"
    return first if first in _ASKING else "yes-no"


def question_terms(tokens: list[str], keys: Iterable[str]) -> list[str]:
    """The words of a question that say what it is about, with the synonym
    phrases in *keys* ("side effects") joined into one."""
    return [t for t in join_phrases(tokens, keys) if t not in FUNCTION_WORDS]


def join_phrases(tokens: list[str], keys: Iterable[str]) -> list[str]:
    """*tokens* with the phrases in *keys* joined into one term. Only a
    word that starts a phrase is looked at further (most start none: a
    knowledge base of 100,000 phrases has a few hundred first words)."""
    if not isinstance(keys, PhraseKeys):
        keys = PhraseKeys(keys)
    starts = keys.starts
    if starts.isdisjoint(tokens):
        return list(tokens)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        lengths = range(min(MAX_NGRAM, len(tokens) - i), 1, -1) if tokens[i] in starts else ()
        for n in lengths:
            phrase = " ".join(tokens[i : i + n])
            if phrase in keys:
                out.append(phrase)
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


class PhraseKeys(frozenset):
    """Phrases of more than one word, and the words they start with."""

    __slots__ = ("starts",)

    def __init__(self, phrases: Iterable[str] = ()) -> None:  # the set itself is made by frozenset
        self.starts = frozenset(phrase.split(" ", 1)[0] for phrase in self)


def phrase_keys(synonyms: Iterable[tuple[str, str]]) -> PhraseKeys:
    """The synonym phrases of more than one word, of (key, alternative) pairs."""
    return PhraseKeys(key for key, _ in synonyms if " " in key)


# FTS5 keeps this much of a new index in memory before writing it out (its
# default is 1 MiB): written in a few large pieces, a large index needs few
# merges, which otherwise make building it slower than linear.
BUILD_BUFFER = 40 * 1024 * 1024


def large_buffer(db: sqlite3.Connection, schema: str, table: str) -> None:
    """Give the FTS5 *table* ``BUILD_BUFFER`` (an SQLite without the setting
    builds the index all the same)."""
    try:
        db.execute(f"INSERT INTO {schema}.{table}({table}, rank) VALUES ('hashsize', ?)", (BUILD_BUFFER,))
    except sqlite3.OperationalError:  # pragma: no cover - an SQLite that does not know it
        pass


def create_answers(db: sqlite3.Connection, schema: str = "main") -> None:
    """Create the (empty) answer index and the index of the questions pages
    answer in the database *schema* of *db*."""
    db.execute(QUESTIONS_TABLE.replace("TABLE questions", f"TABLE {schema}.questions"))
    db.execute(ANSWERS_TABLE.replace("TABLE answers", f"TABLE {schema}.answers"))
    large_buffer(db, schema, "answers")
    large_buffer(db, schema, "questions")


def create_vocabulary(db: sqlite3.Connection, vocabulary: set[str], synonyms: list[tuple[str, str]],
                      schema: str = "main") -> None:
    """Keep *vocabulary* (every word of the answers, ``vocabulary_of``) and
    the words readers may type (*synonyms*), for spelling correction."""
    vocabulary = vocabulary | {w for key, _ in synonyms for w in key.split()}
    db.execute(f"CREATE TABLE {schema}.vocabulary (word TEXT PRIMARY KEY, length INTEGER NOT NULL) WITHOUT ROWID")
    db.execute(f"CREATE INDEX {schema}.vocabulary_by_length ON vocabulary (length)")
    db.executemany(f"INSERT INTO {schema}.vocabulary VALUES (?, ?)", ((w, len(w)) for w in sorted(vocabulary)))


def create_page_words(db: sqlite3.Connection, sizes: dict[tuple[str, str], int], schema: str = "main") -> None:
    """Keep how many words that count each page's questions hold (*sizes*),
    and how many distinct words (as the index stems them) all of them hold,
    read from the finished ``questions`` index's own list of terms, for
    weighing a reader's words against each page's questions (``ask``)."""
    db.execute(f"CREATE TABLE {schema}.page_words (page_id TEXT NOT NULL, page_kind TEXT NOT NULL, "
               "words INTEGER NOT NULL, PRIMARY KEY (page_id, page_kind)) WITHOUT ROWID")
    db.executemany(f"INSERT INTO {schema}.page_words VALUES (?, ?, ?)",
                   ((page_id, page_kind, size) for (page_kind, page_id), size in sizes.items()))
    db.execute(f"CREATE VIRTUAL TABLE temp.question_terms USING fts5vocab('{schema}', 'questions', 'row')")
    try:
        (distinct,) = db.execute("SELECT count(*) FROM temp.question_terms").fetchone()
    finally:
        db.execute("DROP TABLE temp.question_terms")
    db.execute(f"INSERT INTO {schema}.meta VALUES ('question_words', ?)", (str(distinct),))


# The search index ----------------------------------------------------------

DOCUMENTS_TABLE = (
    "CREATE VIRTUAL TABLE {name} USING fts5("
    "kind UNINDEXED, id UNINDEXED, title UNINDEXED, names, body, "
    f"tokenize = '{TOKENIZE}')"
)


def create_documents(db: sqlite3.Connection, schema: str = "main") -> None:
    """Create the (empty) search index in the database *schema* of *db*."""
    db.execute(DOCUMENTS_TABLE.format(name=f"{schema}.documents"))
    large_buffer(db, schema, "documents")


def document(section: str, entry: Any) -> tuple[str, str, str, str, str]:
    """(kind, id, title, searchable title, body): what the search index
    holds of an entry of *section* (a page, an event, a term or a source)."""
    if section == "topics":
        return "topic", entry.id, entry.title, _join(entry.title, entry.id, *entry.aliases), _page_body(entry)
    if section == "conditions":
        body = " ".join([entry.category, entry.evidence.summary, _page_body(entry)])
        return "condition", entry.id, entry.name, _join(entry.name, entry.id, *entry.aliases), body
    if section == "timeline":
        return "event", entry.id, entry.title, _join(entry.title, entry.id), " ".join([entry.date.text, entry.description])
    if section == "glossary":
        return "term", entry.id, entry.term, _join(entry.term, entry.id, *entry.aliases), entry.definition
    body = " ".join(filter(None, [*entry.authors, entry.journal, entry.publisher, entry.note]))
    return "source", entry.id, entry.title, _join(entry.title, entry.id), body


def _join(*parts: str) -> str:
    # ids are also indexed with spaces, so "treatment resistance" finds treatment-resistance
    return " ".join(parts) + " " + " ".join(p.replace("-", " ") for p in parts if "-" in p)


def _page_body(page) -> str:
    parts = [page.summary]
    for claim in page.points:
        parts.append(claim.text)
        if claim.correction:
            parts.append(claim.correction.text)
    return " ".join(parts)
