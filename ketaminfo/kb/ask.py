"""Answer a question in plain words with the claims that answer it.

People arrive with questions ("is ketamine addictive?", "can I drive after
spravato?"), not page ids. ``ask`` finds the statements that answer one:
every claim, correction, condition evidence summary, event and glossary
definition is a document of its own in an FTS5 index (``answers``), built
once, beside the search index, each pointing back to the page it sits on.

Understanding a question needs no network and no model:

* function words ("is", "can", "after") and the drug's own name are dropped
  (whether the words call for crisis help is asked apart, of ``crisis``, by
  everything that takes a reader's words);
* stemming (porter) lets "addictive" match "addiction";
* synonyms come from the knowledge base itself: its ``synonyms`` section
  ("addictive" also looks for "misuse" and "dependence") and its glossary
  (a term's aliases stand for each other: "Spravato" finds "esketamine");
  a page's names and aliases are indexed with each of its statements;
* a word found nowhere in the knowledge base (its statements, the
  questions its pages answer, its synonyms) is corrected to the closest word
  of its statements or synonyms, when one slip of the fingers apart
  ("adictive" becomes "addictive"; two slips in a long word), and the
  correction is reported; a word further from any is left as typed ("beer"
  is not "better");
* each page says which questions it answers, in readers' words (its
  ``questions``, and its title and aliases); when the question is close to
  one of those (most of the words of each shared, synonyms counted), the
  statements on that page come first, condition evidence first, then the
  page's statements holding the question's words, then the rest of the
  page in order. A pronoun ("how does it work") means ketamine;
* otherwise, and after those, statements holding every word rank first, by
  bm25; when none holds them all, statements holding any of them.
"""

from __future__ import annotations

import re

from ..errors import NothingFound
from ..records import record
from ..safetext import argument, quoted
from .library import named_spans
from .store import MAX_RANKED
from .textindex import (
    _ASKING,
    FUNCTION_WORDS,
    MAX_NGRAM,
    PhraseKeys,
    join_phrases,
    question_kind,
    words,
)

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
# How much each sign that a question is about an entry counts: coming close
# to a question the page says it answers (times the closeness, 0 to 1); naming
# the entry; asking what it is ("what is REMS?"); the entry's best statement
# holding the question's words (times the share held), with a little for
# ranking early among the statements by bm25.
QUESTION_WEIGHT, NAME_WEIGHT, DEFINED_WEIGHT, STATEMENT_WEIGHT, RANK_WEIGHT = 3.0, 0.3, 3.0, 0.5, 0.3
WHEN_EVENT_WEIGHT = 2.0  # a "when" question and an event holding all its words
LEAD_SCORE = 1.0  # an entry scoring less does not lead the answers
# What closeness to a page's question counts for when the two ask different
# kinds of thing ("how long" against "what"), or the page's words are a name.
OTHER_KIND, NAME_ONLY = 0.75, 0.9
# A second entry leads too when it scores this close to the best.
SECOND_PAGE = 0.9
# How much the words of all of a page's questions count, as a share of
# belief among the pages (0 to 1): each page's chance of the reader's words
# among its questions' words (each word smoothed by PAGE_WORDS_SMOOTHING,
# so one missing word does not rule a page out), spread by PAGE_WORDS_SPREAD
# (the larger, the more evenly belief goes to pages close behind the best).
PAGE_WORDS_WEIGHT, PAGE_WORDS_SPREAD, PAGE_WORDS_SMOOTHING = 2.0, 3.0, 0.1
# The words left out of that reading: words that say nothing of what a
# question is about, but not those that set it in a frame, which pages'
# questions use unevenly ("with" and "before" on the interactions page,
# "after" on the driving page, "while" on the pregnancy page).
FRAME_WORDS = frozenset(["with", "while", "during", "after", "before"])
PAGE_IGNORED = (FUNCTION_WORDS - FRAME_WORDS) | _ASKING
# What a word found only through a synonym counts for, against the word itself.
SYNONYM_WEIGHT = 0.6
# Words that carry no meaning in a question, and the drug's name, which every
# statement is about whether or not it says so.
STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "cannot", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "get", "gets", "getting", "give", "given", "go", "going", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "like", "may", "me", "might", "more", "most", "much", "must", "my", "myself", "need", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours", "out", "over", "own", "really", "same", "she", "should", "so", "some", "such", "take", "taking", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "get", "ok", "okay", "please", "tell", "know", "want", "true", "really", "actually", "anything", "something", "say", "says", "said", "use", "used", "using", "help", "helps", "helped", "work", "works", "worked", "ketamine", "ketamines", "ketamine's"]
)


class Answer(record("Answer", "kind page_kind page_id seq")):
    """Where an answering statement sits: the page and, on a page with
    points, which point (``seq``; -1 for a condition's evidence status)."""

    __slots__ = ()
    # kind: str - claim, correction, evidence, event, term
    # page_kind: str
    # page_id: str
    # seq: int


class Answers(record("Answers", "question answers corrections all_words")):
    __slots__ = ()
    # question: str
    # answers: list[Answer]
    # corrections: list[tuple[str, str]] - (typed, used)
    # all_words: bool - False when no statement held every word and any-word ranking was used


# Answering ------------------------------------------------------------------


def ask(kb: KnowledgeBase, question: str, limit: int = 5) -> Answers:
    """The statements that best answer *question*, best first.

    Raises ``NothingFound`` when the question has no word to look for, or
    nothing in the knowledge base matches any of its words."""
    store = kb.store
    store.searchable()
    question = argument(question)  # bytes that were not UTF-8 cannot reach SQLite
    tokens = words(question)[: MAX_TERMS * MAX_NGRAM]
    terms = _phrases(store, tokens)
    content = [t for t in terms if t not in STOPWORDS]
    drug_only = not content
    if drug_only:  # "what is ketamine?": look for the drug after all
        content = [t for t in terms if t in ("ketamine", "ketamines", "ketamine's")]
    content, corrections = _correct(store, list(dict.fromkeys(content))[:MAX_TERMS])
    alternatives = _remembered(store)  # each word's synonyms, looked up once for the three readings below
    matches, weights = _question_matches(store, terms, dict(corrections), question_kind(tokens), alternatives)
    likely = _likely_pages(store, terms, dict(corrections), alternatives)
    if not content and not matches:
        raise NothingFound(
            f"No words to look for in {quoted(question)}.",
            hint="Ask with a few words that name what you want to know, e.g. ketaminfo ask is ketamine addictive",
        )
    groups = [_group(term, alternatives(term)) for term in content]
    rows = _ranked(store, groups, events_first=bool(WHEN.search(question))) if groups else []
    pages = _lead_pages(store, tokens, matches, weights, [] if drug_only else groups, [] if drug_only else rows,
                        when=bool(WHEN.search(question)), likely=likely)
    all_words = (bool(rows) and rows[0][0] == len(groups)) or (drug_only and bool(pages))
    if not rows and not pages:
        raise NothingFound(
            f"Nothing in the knowledge base answers {quoted(question)}.",
            hint="Try other words, or browse: ketaminfo topic --list",
        )
    answers: list[Answer] = []
    seen: set[tuple[str, str, int]] = set()
    for kind, page_kind, page_id, seq in _page_first(store, pages, [] if drug_only else rows):
        where = (page_kind, page_id, int(seq))
        if where in seen:  # a claim and its correction are one answer
            continue
        seen.add(where)
        answers.append(Answer("claim" if kind == "correction" else kind, page_kind, page_id, int(seq)))
        if len(answers) == limit:
            break
    return Answers(question, answers, corrections, all_words)


def _question_matches(store: Any, terms: list[str], corrected: dict[str, str], kind: str = "",
                      alternatives: Any = None) -> tuple[list[tuple[float, str, str]], dict[str, float]]:
    """(closeness, page kind, page id) of the pages whose questions share
    words with the reader's, closest first (closeness from 0 to 1); and how
    much each of the reader's words counts (the rarer among the questions,
    the more).

    Closeness balances how much of the reader's question a page's question
    covers (each word weighed by how rare it is among the questions, a word
    found only through a synonym counting for less) with how much of the
    page's question the reader's covers."""
    import math

    asked = list(dict.fromkeys(corrected.get(t, t) for t in terms if t not in FUNCTION_WORDS))[:MAX_TERMS]
    if all(term in _ASKING for term in asked):  # "what is it?" asks about nothing yet
        return [], {}
    alternatives = alternatives or _remembered(store)
    groups = [(_quoted(term), _group(term, alternatives(term))) for term in asked]
    # The questions are numbered from 1 as they are indexed: the last number
    # is their count, found without counting them.
    total = (store.rows("SELECT rowid FROM questions ORDER BY rowid DESC LIMIT 1") or [(0,)])[0][0]
    weights = {}
    matching = 0
    for term, (_, group) in zip(asked, groups):
        count = store.rows("SELECT count(*) FROM questions WHERE questions MATCH ?", (group,))[0][0]
        weights[term] = math.log((total + 1) / (count + 0.5))
        matching += count
    query = " OR ".join(group for _, group in groups)
    if matching <= MAX_RANKED:
        found = store.rows(
            "SELECT rowid, page_kind, page_id, terms, type, bm25(questions) FROM questions WHERE questions MATCH ? "
            "ORDER BY bm25(questions) LIMIT 100", (query,))
    else:  # a very large knowledge base: ranked among the first questions holding each word
        found = _ranked_rows(store, "questions", "page_kind, page_id, terms, type",
                             store.ranked_among("questions", query, (1.0,), 100, [g for _, g in groups]))
    if not found:
        return [], weights
    held = dict.fromkeys((row[0] for row in found), 0.0)
    shared = dict.fromkeys(held, 0.0)
    marks = ", ".join("?" * len(held))
    asked_weight = sum(weights.values())
    within = _within_phrases(store, marks, held)
    matched = store.matching_among("questions", held, [query for pair in groups for query in pair])
    for n, (term, (direct, group)) in enumerate(zip(asked, groups)):
        weight = weights[term]
        exact = matched[2 * n]
        for rowid in matched[2 * n + 1]:
            # "high" in "does it get you high?" is a part of "high blood
            # pressure", not the whole: it covers its share of the phrase.
            part = 1.0 / within[rowid].get(term, 1)
            held[rowid] += weight * (1.0 if rowid in exact else SYNONYM_WEIGHT) * part
            shared[rowid] += part
    best: dict[tuple[str, str], tuple[float, float]] = {}
    for rowid, page_kind, page_id, count, asks, score in found:
        covered = held[rowid] / asked_weight if asked_weight else 0.0  # of the reader's question
        covering = min(1.0, shared[rowid] / int(count))  # of the page's question
        closeness = 2 * covered * covering / (covered + covering) if covered + covering else 0.0
        if asks != kind:  # "does it work?" is not "how does it work?"; a name asks nothing
            closeness *= OTHER_KIND if asks else NAME_ONLY
        key = (page_kind, page_id)
        if key not in best or (closeness, -score) > best[key]:
            best[key] = (closeness, -score)
    ranked = sorted(((c, s, k) for k, (c, s) in best.items()), reverse=True)
    return [(c, *key) for c, _, key in ranked], weights


def _lead_pages(store: Any, tokens: list[str], matches: list[tuple[float, str, str]], weights: dict[str, float],
                groups: list[str], rows: list[Any], when: bool = False,
                likely: dict[tuple[str, str], float] | None = None) -> list[tuple[float, str, str]]:
    """(score, kind, id) of the entries the question is most about, best
    first: the pages whose questions come close to it (*matches*), the
    pages whose questions' words are most like its words (*likely*), the
    entries it names (as much as the name is of the question, by the
    *weights* of its words; the entry a "what is X" question asks about most
    of all), and the pages whose statements hold its words (*rows*)."""
    scores: dict[tuple[str, str], float] = {}

    def add(key: tuple[str, str], value: float) -> None:
        scores[key] = scores.get(key, 0.0) + value

    for closeness, page_kind, page_id in matches:
        add((page_kind, page_id), QUESTION_WEIGHT * closeness)
    defined = _defined(store, tokens)
    believed: dict[tuple[str, str], float] = {}
    if defined is None:  # "what are NMDA receptors?" asks about the entry it names, whatever pages' questions say
        for key, belief in (likely or {}).items():
            believed[key] = PAGE_WORDS_WEIGHT * belief
            add(key, believed[key])
    total = sum(weights.values())
    for found, span in named_spans(store, tokens):
        named = sum(w for term, w in weights.items() if set(term.split()) <= span)
        add(found, DEFINED_WEIGHT if found == defined else NAME_WEIGHT * (named / total if total else 1.0))
    first: dict[tuple[str, str], tuple[int, int]] = {}
    for rank, (held, _score, _kind, page_kind, page_id, _seq) in enumerate(rows):
        first.setdefault((page_kind, page_id), (held, rank))
    for key, (held, rank) in first.items():
        add(key, STATEMENT_WEIGHT * held / max(len(groups), 1) + RANK_WEIGHT / (1 + rank))
        if when and key[0] == "event" and held == len(groups):  # "when was it approved?": the timeline knows
            add(key, WHEN_EVENT_WEIGHT)
    # The pages' questions' words weigh between entries that lead on other
    # signs; they make none lead alone ("i want to kill myself" shares
    # "myself" with "can i drive myself home", and nothing else).
    ranked = sorted(((score, *key) for key, score in scores.items()), reverse=True)
    return [entry for entry in ranked if entry[0] - believed.get(entry[1:], 0.0) >= LEAD_SCORE]


def _likely_pages(store: Any, terms: list[str], corrected: dict[str, str],
                  alternatives: Any = None) -> dict[tuple[str, str], float]:
    """How much each page is believed to be what the question asks about,
    from the words of all the questions the page says it answers and its
    names (a naive Bayes reading: for each page, the chance of the reader's
    words among its questions' words, a word found only through a synonym
    counting for less), as shares of 1 among the pages holding any of the
    reader's words. Each word is counted among at most ``MAX_RANKED``
    questions, so a very large knowledge base costs a bounded time."""
    import math

    alternatives = alternatives or _remembered(store)
    asked = list(dict.fromkeys(corrected.get(t, t) for t in terms if t not in PAGE_IGNORED))[:MAX_TERMS]
    parts = []
    for term in asked:
        parts.append((_quoted(term), 1.0))
        others = [alt for alt in alternatives(term) if _quoted(alt) not in ('""', _quoted(term))]
        if others:
            parts.append(("(" + " OR ".join(dict.fromkeys(_quoted(a) for a in others)) + ")", SYNONYM_WEIGHT))
    counts: list[tuple[dict[tuple[str, str], int], float]] = []
    for query, weight in parts:
        found = store.rows("SELECT page_kind, page_id, count(*) FROM (SELECT page_kind, page_id FROM questions "
                           f"WHERE questions MATCH ? LIMIT {MAX_RANKED}) GROUP BY page_kind, page_id", (query,))
        counts.append(({(kind, page): n for kind, page, n in found}, weight))
    pages = {key for found, _ in counts for key in found}
    if not pages:
        return {}
    sizes: dict[tuple[str, str], int] = {}
    ids = sorted({page for _, page in pages})
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for page_id, page_kind, size in store.rows(
                f"SELECT page_id, page_kind, words FROM idx.page_words WHERE page_id IN ({', '.join('?' * len(chunk))})",
                chunk):
            if type(size) is int and size >= 0:  # the kept index is read as untrusted as the rest of the cache
                sizes[(page_kind, page_id)] = size
    kept = store.rows("SELECT value FROM idx.meta WHERE name = 'question_words'")
    value = str(kept[0][0]) if kept else ""
    distinct = int(value) if value.isascii() and value.isdigit() and 0 < len(value) <= 12 else max(len(sizes), 1)
    smoothing = PAGE_WORDS_SMOOTHING
    chances = {page: sum(weight * math.log((found.get(page, 0) + smoothing) / (sizes.get(page, 0) + smoothing * distinct))
                         for found, weight in counts) for page in pages}
    best = max(chances.values())
    shares = {page: math.exp((chance - best) / PAGE_WORDS_SPREAD) for page, chance in chances.items()}
    total = sum(shares.values())
    return {page: share / total for page, share in shares.items()}


_DEFINE = re.compile(r"^(?:(?:so|ok|okay|and|but|then)\s+)?"
                     r"(?:what(?:\s+(?:exactly|exact|actually|really))?(?:'s|\s+is|\s+are|s)|define|meaning of|explain)\s+"
                     r"(?:exactly\s+|exact\s+|actually\s+|really\s+)?(?:an?\s+|the\s+)?(.+?)\??$")


_OF_THE_DRUG = re.compile(r"\s+(?:of|for|with|in|on|from|by)\s+(?:the\s+)?(?:ketamine|esketamine|spravato|it|this drug|the drug)$")


def _defined(store: Any, tokens: list[str]) -> tuple[str, str] | None:
    """The entry a "what is X" question asks about, when X names one."""
    from .model import normalise

    found = _DEFINE.match(" ".join(tokens))
    if not found:
        return None
    asked = found.group(1)
    # "what is off-label use of ketamine?" asks what off-label use is
    names = [asked] + ([_OF_THE_DRUG.sub("", asked)] if _OF_THE_DRUG.search(asked) else [])
    names += [name[:-1] for name in names if name.endswith("s") and not name.endswith("ss")]  # "what are NMDA receptors"
    rows = []
    for name in names:
        rows = store.rows("SELECT section, id FROM names WHERE name = ? AND section IN ('glossary', 'topics', "
                          "'conditions') ORDER BY section = 'glossary' DESC", (normalise(name),))
        if rows:
            break
    if not rows:
        return None
    section, entry_id = rows[0]
    return ({"topics": "topic", "conditions": "condition", "glossary": "term"}[section], entry_id)


def _page_first(store: Any, pages: list[tuple[float, str, str]], rows: list[Any]) -> Iterator[tuple[str, str, str, int]]:
    """(kind, page kind, page id, seq) of the answers in order: the
    statements of the entries the question is most about first (see
    ``ask``), then the rest of *rows*."""
    lead: list[list[tuple[str, str, str, int]]] = []
    for _score, page_kind, page_id in pages[:2]:
        matched = [(r[2], r[3], r[4], int(r[5])) for r in rows if (r[3], r[4]) == (page_kind, page_id)]
        weak: set[int] = set()
        if page_kind in ("topic", "condition"):
            # Its statements as the answer index numbers them (see
            # ``textindex``): a condition's evidence (-1), then each claim;
            # read from the page itself, which is one indexed row.
            from .model import BY_KIND

            page = store.entry(BY_KIND[page_kind].section, page_id)
            points = page.points if page else ()
            rest = ([("evidence", page_kind, page_id, -1)] if page and page_kind == "condition" else [])
            rest += [("claim", page_kind, page_id, seq) for seq in range(len(points))]
            # What only the popular articles say comes after what the record says.
            weak = {n for n, claim in enumerate(points) if claim.evidence == "articles-only"}
        else:  # a glossary term or an event: one statement
            rest = [({"term": "term", "event": "event"}[page_kind], page_kind, page_id, 0)]
        evidence = [r for r in rest if r[3] < 0]
        ordered = list(dict.fromkeys(evidence + matched + [r for r in rest if r[3] >= 0]))
        lead.append(sorted(ordered, key=lambda r: r[3] in weak))
    if len(lead) == 2 and pages[1][0] >= pages[0][0] * SECOND_PAGE:  # two as close: the best of each first
        first, second = lead
        yield from first[:2]
        yield from second[:1]
        yield from first[2:]
        yield from second[1:]
    elif lead:
        yield from lead[0]
    # Then statements holding the words, those on pages the leading entry
    # links to first: they are about the same thing.
    related = set(_related(store, pages[0][1], pages[0][2])) if pages else set()
    ordered = sorted(rows, key=lambda r: r[4] not in related)
    for row in ordered:
        yield row[2], row[3], row[4], int(row[5])


def _related(store: Any, kind: str, entry_id: str) -> tuple[str, ...]:
    """The ids an entry's ``related`` list links to."""
    from .model import BY_KIND

    entry = store.entry(BY_KIND[kind].section, entry_id)
    return tuple(getattr(entry, "related", ()) or ())


def _ranked_rows(store: Any, table: str, columns: str, ranked: list[tuple[int, float]]) -> list[Any]:
    """The rows (rowid, *columns*, score) of *table* for (rowid, score) pairs, in their order."""
    if not ranked:
        return []
    found = {row[0]: row for row in store.rows(
        f"SELECT rowid, {columns} FROM {table} WHERE rowid IN ({', '.join('?' * len(ranked))})",
        [rowid for rowid, _ in ranked])}
    return [(*found[rowid], score) for rowid, score in ranked if rowid in found]


def _within_phrases(store: Any, marks: str, rowids: dict[int, float]) -> dict[int, dict[str, int]]:
    """For each page question (by rowid), the words it uses only inside a
    synonym phrase ("high" in "high blood pressure"), with the length of
    that phrase."""
    texts = {rowid: words(text) for rowid, text in
             store.rows(f"SELECT rowid, text FROM questions WHERE rowid IN ({marks})", tuple(rowids))}
    candidates = {" ".join(tokens[i : i + n]) for tokens in texts.values()
                  for n in range(2, MAX_NGRAM + 1) for i in range(len(tokens) - n + 1)}
    keys = PhraseKeys(_known_keys(store, candidates))  # looked up once for every question
    out: dict[int, dict[str, int]] = {}
    for rowid, tokens in texts.items():
        joined = join_phrases(tokens, keys)
        alone = {t for t in joined if " " not in t}
        out[rowid] = {w: len(t.split()) for t in joined if " " in t for w in t.split() if w not in alone}
    for rowid in rowids:
        out.setdefault(rowid, {})
    return out


def _phrases(store: Any, tokens: list[str]) -> list[str]:
    """*tokens* with known synonym phrases ("side effects") joined into one term."""
    candidates = {" ".join(tokens[i : i + n]) for n in range(2, MAX_NGRAM + 1) for i in range(len(tokens) - n + 1)}
    return join_phrases(tokens, _known_keys(store, candidates))


def _known_keys(store: Any, candidates: Iterable[str]) -> set[str]:
    candidates = list(candidates)
    if not candidates:
        return set()
    marks = ", ".join("?" * len(candidates))
    return {k for (k,) in store.rows(f"SELECT DISTINCT key FROM synonyms WHERE key IN ({marks})", candidates)}


def _alternatives(store: Any, term: str) -> list[str]:
    return [alt for (alt,) in store.rows("SELECT alternative FROM synonyms WHERE key = ?", (term,))]


def _remembered(store: Any) -> Any:
    """``_alternatives`` of *store*, each term looked up once."""
    found: dict[str, list[str]] = {}

    def alternatives(term: str) -> list[str]:
        if term not in found:
            found[term] = _alternatives(store, term)
        return found[term]

    return alternatives


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
        close = [w for w in difflib.get_close_matches(term, near, n=3, cutoff=0.8) if _slip(term, w)]
        if close:
            corrections.append((term, close[0]))
            out.append(close[0])
        else:
            out.append(term)
    return out, corrections


def _slip(typed: str, word: str) -> bool:
    """Whether *typed* could be *word* mistyped: the same first letter and one
    slip of the fingers (a letter missed, added, changed, or two swapped), or
    two in a word of eight letters or more. A word that differs by more is
    more likely another word ("beer" is not "better", "right" not "eight")."""
    if typed[:1] != word[:1]:
        return False
    allowed = 2 if len(word) >= 8 else 1
    if abs(len(typed) - len(word)) > allowed:
        return False
    # edit distance with swaps of neighbours (optimal string alignment)
    before, row = None, list(range(len(word) + 1))
    for i, a in enumerate(typed, 1):
        current = [i]
        for j, b in enumerate(word, 1):
            cost = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a != b))
            if before is not None and i > 1 and j > 1 and a == word[j - 2] and typed[i - 2] == b:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        before, row = row, current
    return row[-1] <= allowed


def _known(store: Any, word: str) -> bool:
    """Whether the knowledge base has *word*: as written in a statement or a
    synonym, or in a question a page answers ("is it right for me"), where
    the index reads forms of a word as one ("rights", "right")."""
    found = store.rows("SELECT 1 FROM vocabulary WHERE word = ? UNION ALL SELECT 1 FROM synonyms WHERE key = ? LIMIT 1", (word, word))
    return bool(found) or bool(store.rows("SELECT 1 FROM questions WHERE questions MATCH ? LIMIT 1", (_quoted(word),)))


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
    query = " OR ".join(groups)
    matching = store.rows(f"SELECT count(*) FROM (SELECT 1 FROM answers WHERE answers MATCH ? LIMIT {MAX_RANKED + 1})",
                          (query,))[0][0]
    if matching <= MAX_RANKED:
        found = store.rows(
            f"SELECT rowid, kind, page_kind, page_id, seq, {weights} AS score FROM answers "
            "WHERE answers MATCH ? ORDER BY score LIMIT 200", (query,))
    else:  # a very large knowledge base: ranked among the first statements holding each word
        found = _ranked_rows(store, "answers", "kind, page_kind, page_id, seq",
                             store.ranked_among("answers", query, (TEXT_WEIGHT, NAMES_WEIGHT), 200, groups))
    if not found:
        return []
    held = dict.fromkeys((row[0] for row in found), 0)
    direct = dict.fromkeys(held, 0)  # groups held by the reader's own word, not only a synonym
    owns = [group[1 : group.index(" OR ")] if " OR " in group else group[1:-1] for group in groups]
    matched = store.matching_among("answers", held, [*groups, *owns])
    for n in range(len(groups)):
        for rowid in matched[n] if len(groups) > 1 else held:
            held[rowid] += 1
        for rowid in matched[len(groups) + n]:
            direct[rowid] += 1
    factors = {**KIND_FACTOR, "event": WHEN_EVENT_FACTOR} if events_first else KIND_FACTOR
    scored = {r[0]: (held[r[0]], direct[r[0]], r[5] * factors.get(r[1], 1.0)) for r in found}
    found = sorted(found, key=lambda r: (-scored[r[0]][0], -scored[r[0]][1], scored[r[0]][2]))
    return [(scored[r[0]][0], scored[r[0]][2], *r[1:5]) for r in found]
