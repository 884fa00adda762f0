"""What an article can be cited for, checked mechanically.

A statement that cites a popular article must be something that article
says. Meaning cannot be checked by a program, but two kinds of detail can:
every number (a year, a dose, a count) and every name (a capitalised word or
an acronym after the first word of a sentence) in such a statement must also
stand in each article it cites. A statement that needs a detail only the
research record gives must cite the record alone, and say what the articles
say in a statement of its own.

``tests/data/articles.json`` holds, for each article, only those two lists
(its numbers and its capitalised words, lower-cased), derived from the
article texts with ``index_article``; a test rebuilds it from the texts
beside the repository, when they are there, and checks it has not drifted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?s?(?![\w])|(?<![\w.])\d+s\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’-][A-Za-z0-9]+)*")
_SENTENCE_END = re.compile(r"[.!?:;]\s*$")


def numbers(text: str) -> set[str]:
    """The numbers in *text*, as written but without thousands separators
    (``8,341`` is ``8341``; ``1960s`` stays ``1960s``)."""
    return {m.group(0).replace(",", "") for m in _NUMBER.finditer(text)}


def names(text: str) -> set[str]:
    """Capitalised words and acronyms in *text* that do not open a sentence,
    lower-cased (``Parke-Davis``, ``NMDA``, ``Vietnam``)."""
    found = set()
    for match in _WORD.finditer(text):
        word = match.group(0)
        if not any(c.isupper() for c in word):
            continue
        before = text[: match.start()].rstrip("\"'“‘( ")
        if not before or _SENTENCE_END.search(before):
            continue  # the first word of a sentence is capitalised anyway
        found.add(word.lower())
    return found


def index_article(text: str) -> dict[str, list[str]]:
    """The details an article can support: its numbers and every word it
    ever capitalises (lower-cased), sorted."""
    capitalised = {w.lower() for w in _WORD.findall(text) if any(c.isupper() for c in w)}
    return {"numbers": sorted(numbers(text)), "names": sorted(capitalised)}


def unsupported(text: str, articles: Iterable[dict[str, list[str]]]) -> list[str]:
    """Numbers and names in *text* that some cited article does not contain."""
    missing: list[str] = []
    for article in articles:
        have_numbers, have_names = set(article["numbers"]), set(article["names"])
        missing += sorted(numbers(text) - have_numbers)
        missing += sorted(names(text) - have_names)
    return sorted(set(missing))
