"""Text of the knowledge base as words, and the full-text indexes built from it.

Both the store (which builds the indexes once, with the rest of a knowledge
base) and the queries that read them (``search``, ``ask``) need to read text
the same way, so that lives here, below them both: how a question or a
statement is cut into words, which words say nothing of what a question is
about, how synonym phrases join, and what each FTS5 table holds.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from typing import Any

MAX_NGRAM = 3  # the longest synonym phrase looked up ("side effects")

QUESTIONS_TABLE = (
    "CREATE VIRTUAL TABLE questions USING fts5("
    "page_kind UNINDEXED, page_id UNINDEXED, terms UNINDEXED, type UNINDEXED, text, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)
ANSWERS_TABLE = (
    "CREATE VIRTUAL TABLE answers USING fts5("
    "kind UNINDEXED, page_kind UNINDEXED, page_id UNINDEXED, seq UNINDEXED, text, names, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
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
    """Every word ``words`` finds in *texts*: each distinct raw token is
    cleaned once, rather than every occurrence (a large knowledge base holds
    millions of words but tens of thousands of distinct ones)."""
    raw = set(_WORD.findall("\n".join(texts).casefold()))
    cleaned = {w.strip("'’-").replace("’", "'") for w in raw}
    cleaned.discard("")
    return cleaned


def _spaced(name: str) -> str:
    return name.replace("-", " ")


def _documents(sections: dict[str, Any]) -> Iterator[tuple[str, str, str, int, str, str]]:
    """(kind, page kind, page id, seq, text, names) for every answering statement."""
    for section, page_kind in (("topics", "topic"), ("conditions", "condition")):
        for page in sections[section]:
            names = " ".join([page.title, _spaced(page.id), *page.aliases])
            if page_kind == "condition":
                yield "evidence", page_kind, page.id, -1, page.evidence.summary, names
            for seq, claim in enumerate(page.points):
                yield "claim", page_kind, page.id, seq, claim.text, names
                if claim.correction:
                    yield "correction", page_kind, page.id, seq, claim.correction.text, names
    for event in sections["timeline"]:
        yield "event", "event", event.id, 0, f"{event.title}. {event.description}", event.title
    for term in sections["glossary"]:
        yield "term", "term", term.id, 0, term.definition, " ".join([term.term, _spaced(term.id), *term.aliases])


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


def _page_questions(sections: dict[str, Any], keys: set[str]) -> Iterator[tuple[str, str, int, str, str]]:
    """(page kind, page id, number of words that count, kind of question,
    text) for every question a page says it answers, and its title and
    aliases (which are no kind of question)."""
    for section, page_kind in (("topics", "topic"), ("conditions", "condition")):
        for page in sections[section]:
            names = {page.title, *page.aliases}
            for text in dict.fromkeys((*page.questions, *names)):
                tokens = words(text)
                terms = set(question_terms(tokens, keys))
                if terms:
                    kind = "" if text in names and text not in page.questions else question_kind(tokens)
                    yield page_kind, page.id, len(terms), kind, text


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
    """*tokens* with the phrases in *keys* joined into one term."""
    keys = keys if isinstance(keys, (set, frozenset)) else set(keys)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(MAX_NGRAM, len(tokens) - i), 1, -1):
            phrase = " ".join(tokens[i : i + n])
            if phrase in keys:
                out.append(phrase)
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def index_answers(db: sqlite3.Connection, sections: dict[str, Any], synonyms: list[tuple[str, str]],
                  schema: str = "main") -> None:
    """Create the answer index, the index of the questions pages answer and
    the vocabulary (for spelling correction) in the database *schema* of *db*."""
    db.execute(QUESTIONS_TABLE.replace("TABLE questions", f"TABLE {schema}.questions"))
    keys = {key for key, _ in synonyms if " " in key}
    db.executemany(f"INSERT INTO {schema}.questions VALUES (?, ?, ?, ?, ?)", _page_questions(sections, keys))
    db.execute(ANSWERS_TABLE.replace("TABLE answers", f"TABLE {schema}.answers"))
    documents = list(_documents(sections))
    db.executemany(f"INSERT INTO {schema}.answers VALUES (?, ?, ?, ?, ?, ?)", documents)
    vocabulary = vocabulary_of(part for doc in documents for part in doc[4:])
    vocabulary |= {w for key, _ in synonyms for w in key.split()}
    db.execute(f"CREATE TABLE {schema}.vocabulary (word TEXT PRIMARY KEY, length INTEGER NOT NULL) WITHOUT ROWID")
    db.execute(f"CREATE INDEX {schema}.vocabulary_by_length ON vocabulary (length)")
    db.executemany(f"INSERT INTO {schema}.vocabulary VALUES (?, ?)", ((w, len(w)) for w in vocabulary))


# The search index ----------------------------------------------------------

DOCUMENTS_TABLE = (
    "CREATE VIRTUAL TABLE {name} USING fts5("
    "kind UNINDEXED, id UNINDEXED, title UNINDEXED, names, body, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)


def index_documents(db: sqlite3.Connection, sections: dict[str, list], schema: str = "main") -> None:
    """Create the full-text index of *sections* (validated entries) in the
    database *schema* of *db*."""
    db.execute(DOCUMENTS_TABLE.format(name=f"{schema}.documents"))
    db.executemany(f"INSERT INTO {schema}.documents VALUES (?, ?, ?, ?, ?)", _search_documents(sections))


def _search_documents(sections: dict[str, list]) -> Iterator[tuple[str, str, str, str, str]]:
    """(kind, id, title, searchable title, body) for every entry."""
    for topic in sections["topics"]:
        yield "topic", topic.id, topic.title, _join(topic.title, topic.id, *topic.aliases), _page_body(topic)
    for condition in sections["conditions"]:
        title = condition.name
        body = " ".join([condition.category, condition.evidence.summary, _page_body(condition)])
        yield "condition", condition.id, title, _join(title, condition.id, *condition.aliases), body
    for event in sections["timeline"]:
        body = " ".join([event.date.text, event.description])
        yield "event", event.id, event.title, _join(event.title, event.id), body
    for term in sections["glossary"]:
        yield "term", term.id, term.term, _join(term.term, term.id, *term.aliases), term.definition
    for source in sections["sources"]:
        body = " ".join(filter(None, [*source.authors, source.journal, source.publisher, source.note]))
        yield "source", source.id, source.title, _join(source.title, source.id), body


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
