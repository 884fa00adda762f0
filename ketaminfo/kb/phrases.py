"""A small language for the ways people phrase something, and a matcher.

The knowledge base writes the words that call for crisis help (and the ways
a claim is put) as phrases rather than regular expressions: a phrase can be
read and reviewed by anyone, cannot run away on a long text, and compiles to
word-by-word matching that costs one pass over the words of a page.

A text is read as words: case folded, apostrophes dropped ("I'm" is "im",
"don't" is "dont"), any other punctuation a space. A phrase is words and:

    word*       any word starting so (at least four letters before the *)
    (a|b c)     one of these (each may be several words, or a <class>)
    [a|b c]     one of these, or nothing
    <class>     one of a class's words or phrases (classes are named lists)
    ...         up to a few other words (``GAP``, or what the matcher is given)

Classes marked ``typos`` also match their words of ``TYPO_LENGTH`` letters
or more when misspelt by one letter (one added, dropped, changed, or two
swapped), except for the real words a class lists as ``unlike`` them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import namedtuple

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

GAP = 3  # words that "..." may stand for in crisis phrases
CLAIM_GAP = 8  # and in the phrases of claims people meet, which are put at more length
TYPO_LENGTH = 6  # the shortest word a one-letter typo is recognised in
PREFIX_LENGTH = 4  # the shortest stem before a *
MAX_WORD = 40  # a longer "word" (a path, a hash) is no typo of any word: never corrected
MAX_PHRASE = 300  # characters in one phrase
MAX_ALTERNATIVES = 400  # alternatives in one choice
MAX_SLOTS, MAX_GAPS = 16, 2  # so that matching one phrase stays cheap on any text

# Digits written for letters ("su1c1de", "unal1ve"), read back as letters in a
# word that also holds letters, when that spelling is one a phrase knows.
LEET = str.maketrans("013457@$", "oieastas")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_SYNTAX = re.compile(r"\(|\)|\[|\]|\||<[^<>\s]*>|\.\.\.|[^\s()\[\]|<>]+")


class PhraseError(ValueError):
    """A phrase that does not follow the language above."""


# Inside a word, "!" and "|" stand for "i" ("su!c!de"), and "*", "." and "_"
# hide a letter ("s*icide"; the typo rule reads what is left).
_MASKS = re.compile(r"(?<=[^\W\d_])([!|]|[*._])(?=[^\W\d_])")


def words(text: str) -> list[str]:
    """*text* as the words phrases are matched against ("70%" is "70 percent")."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES).replace("%", " percent ")
    text = _MASKS.sub(lambda m: "i" if m.group(1) in "!|" else "", text)
    return [w.replace("'", "") for w in _WORD.findall(text)]


# A compiled phrase is a tuple of slots. A slot is GAP_SLOT or
# (optional, alternatives); an alternative is a tuple of word specs; a spec is
# a word, or a stem ending in "*".
GAP_SLOT = "..."


class Classes(namedtuple("Classes", "alternatives typo_words unlike")):
    """Named word classes, compiled: ``alternatives`` maps a class id to its
    alternatives (tuples of words); ``typo_words`` are the words recognised
    with a typo, ``unlike`` the real words never read as one of their typos."""

    __slots__ = ()
    # alternatives: dict[str, tuple[tuple[str, ...], ...]]
    # typo_words: frozenset[str]
    # unlike: frozenset[str]


def classes(entries: Iterable[tuple[str, Iterable[str], bool, Iterable[str]]]) -> Classes:
    """Compile (id, words, typos, unlike) class entries."""
    alternatives: dict[str, tuple[tuple[str, ...], ...]] = {}
    typo_words: set[str] = set()
    unlike: set[str] = set()
    for class_id, class_words, typos, not_typos in entries:
        alts = tuple(dict.fromkeys(found for w in class_words if (found := tuple(words(w)))))
        alternatives[class_id] = tuple(dict.fromkeys(alternatives.get(class_id, ()) + alts))
        if typos:
            typo_words.update(a[0] for a in alts if len(a) == 1 and len(a[0]) >= TYPO_LENGTH)
        unlike.update(w for phrase in not_typos for w in words(phrase))
    return Classes(alternatives, frozenset(typo_words), frozenset(unlike))


def compile_phrase(phrase: str, known: Classes) -> tuple[object, ...]:
    """The slots of *phrase*; ``PhraseError`` saying what is wrong with it.

    Classes stay named in the slots (``<want>``): a matcher looks their words
    up when it meets them, so a compiled phrase is small to keep and load."""
    if len(phrase) > MAX_PHRASE:
        raise PhraseError(f"is longer than {MAX_PHRASE} characters")
    tokens = _SYNTAX.findall(phrase)
    if "".join(tokens) != "".join(phrase.split()):
        raise PhraseError("holds characters the phrase language does not use (letters, digits, ( ) [ ] | < > * ...)")
    slots: list[object] = []
    n = 0
    while n < len(tokens):
        token = tokens[n]
        if token in ("(", "["):
            close = ")" if token == "(" else "]"
            try:
                end = tokens.index(close, n + 1)
            except ValueError:
                raise PhraseError(f"{token!r} is not closed by {close!r}") from None
            inner = tokens[n + 1 : end]
            if any(t in ("(", "[", ")", "]") for t in inner):
                raise PhraseError("brackets cannot be nested: write the choices out")
            slots.append((token == "[", _alternatives(inner, known)))
            n = end + 1
        elif token in (")", "]", "|"):
            raise PhraseError(f"{token!r} outside a choice")
        elif token == GAP_SLOT:
            if slots and slots[-1] == GAP_SLOT:
                raise PhraseError("two '...' in a row")
            slots.append(GAP_SLOT)
            n += 1
        else:
            slots.append((False, _alternatives([token], known)))
            n += 1
    if len(slots) > MAX_SLOTS or slots.count(GAP_SLOT) > MAX_GAPS:
        raise PhraseError(f"has more than {MAX_SLOTS} parts or {MAX_GAPS} '...'")
    if all(s == GAP_SLOT or s[0] for s in slots):  # type: ignore[index]
        raise PhraseError("needs at least one word that is not optional")
    return tuple(slots)


def _alternatives(tokens: list[str], known: Classes) -> tuple[tuple[str, ...], ...]:
    groups: list[list[str]] = [[]]
    for token in tokens:
        if token == "|":
            groups.append([])
        else:
            groups[-1].append(token)
    if len(groups) > MAX_ALTERNATIVES:
        raise PhraseError(f"more than {MAX_ALTERNATIVES} alternatives in one choice")
    out: list[tuple[str, ...]] = []
    for group in groups:
        if not group:
            raise PhraseError("an empty choice (two '|' together, or '|' at an end)")
        alt: tuple[str, ...] = ()
        for token in group:
            if token == GAP_SLOT:
                raise PhraseError("'...' cannot stand inside a choice")
            if token.startswith("<"):
                if token[1:-1] not in known.alternatives:
                    raise PhraseError(f"unknown class {token}")
                alt += (token,)
            else:
                alt += _spec(token)
        out.append(alt)
    return tuple(dict.fromkeys(out))


def _spec(token: str) -> tuple[str, ...]:
    if token.endswith("*"):
        stem = words(token[:-1])
        if len(stem) != 1 or len(stem[0]) < PREFIX_LENGTH:
            raise PhraseError(f"{token!r}: a * needs at least {PREFIX_LENGTH} letters before it")
        return (stem[0] + "*",)
    found = tuple(words(token))
    if not found:
        raise PhraseError(f"{token!r} is not a word")
    return found


# Matching -------------------------------------------------------------------


class Matcher:
    """Finds many named phrases in a text, in one pass over its words.

    *phrases* are (name, compiled phrase, compiled exceptions) triples: a
    match of the phrase counts unless one of its exceptions matches words
    that overlap it. *known* gives the classes the phrases name. Compiled
    phrases and classes may come back from JSON (lists for tuples)."""

    def __init__(self, phrases: Iterable[tuple[object, tuple[object, ...], tuple[tuple[object, ...], ...]]],
                 known: Classes, anywhere: bool = False, gap: int = GAP, starts: dict | None = None):
        self._anywhere = anywhere  # an exception anywhere in the text cancels, not only one overlapping
        self._gap = gap
        # Each class's alternatives by their first word, so a class is tried
        # only where its words are.
        self._classes = {
            f"<{name}>": _by_first(alts) for name, alts in known.alternatives.items()
        }
        self._unlike = frozenset(known.unlike)
        self._exact: dict[str, list[tuple[object, tuple[object, ...], tuple]]] = {}
        self._stems: list[tuple[str, object, tuple[object, ...], tuple]] = []
        if starts is None:
            self._index(phrases)
        else:  # the first words were found when the phrases were compiled (``starts``)
            rows = list(phrases)
            self._exact = _Starts(rows, starts["words"])
            for stem, n in starts["stems"]:
                name, slots, unless = rows[n]
                self._stems.append((stem, name, _lead(slots), unless))
        self._typo_words = frozenset(known.typo_words)
        self._typo_index: dict[str, list[str]] = {}
        for word in known.typo_words:
            for key in (word, *_deletions(word)):
                self._typo_index.setdefault(key, []).append(word)
        self._fixed: dict[str, str] = {}
        self._typos: dict[str, str] = {}  # shared with the matchers made from this one

    def first_words(self) -> Iterator[tuple[str, object, tuple[object, ...], tuple]]:
        """(first word, name, phrase, exceptions) for every word a phrase can
        start with; a stem's ends with "*". (See ``with_first_words``.)"""
        for word, entries in self._exact.items():
            for name, lead, unless in entries:
                yield word, name, lead, unless
        for stem, name, lead, unless in self._stems:
            yield stem + "*", name, lead, unless

    def with_first_words(self, rows: Iterable[tuple[str, object, tuple[object, ...], tuple]]) -> Matcher:
        """A matcher of the phrases in *rows* (as ``first_words`` gives them),
        sharing this one's classes and typo index."""
        other = self._blank()
        for word, name, lead, unless in rows:
            other._add(word, name, lead, unless)
        return other

    def tokens(self, text: str) -> list[str]:
        """The words of *text* as phrases are matched against them (typos and
        digits for letters read as the words they spell)."""
        return [self._corrected(token) for token in words(text)]

    def only(self, phrases: Iterable[tuple[object, tuple[object, ...], tuple[tuple[object, ...], ...]]]) -> Matcher:
        """A matcher of *phrases* alone, sharing this one's classes and typo
        index (made once, not once per matcher)."""
        other = self._blank()
        other._index(phrases)
        return other

    def _blank(self) -> Matcher:
        """A matcher of no phrases sharing this one's classes, typo index and typo corrections."""
        other = Matcher.__new__(Matcher)
        other.__dict__.update(self.__dict__)
        other._exact, other._stems, other._fixed = {}, [], {}  # corrections of digits for letters depend on the phrases
        return other

    def _add(self, first: str, name: object, lead: tuple[object, ...], unless: tuple) -> None:
        """Index one phrase (*lead*, its leading optional slots dropped) under one word it can start with."""
        if first.endswith("*"):
            self._stems.append((first[:-1], name, lead, unless))
        else:
            self._exact.setdefault(first, []).append((name, lead, unless))

    def _index(self, phrases: Iterable[tuple[object, tuple[object, ...], tuple[tuple[object, ...], ...]]]) -> None:
        for name, slots, unless in phrases:
            lead = _lead(slots)
            for first in self._first_words(lead[0][1]):  # type: ignore[index]
                self._add(first, name, lead, unless)

    def _first_words(self, alternatives: tuple[tuple[str, ...], ...]) -> list[str]:
        out = []
        for alt in alternatives:
            if alt[0] in self._classes:
                out += self._classes[alt[0]]
            else:
                out.append(alt[0])
        return out

    def find(self, text: str) -> list[object]:
        """The names of every phrase found in *text*, each once, in the
        order they were found."""
        return list(self.spans(text))

    def spans(self, text: str) -> dict[object, int]:
        """The names of the phrases found in *text*, with how many of its
        words the longest match of each covers, in the order found."""
        tokens = self.tokens(text)
        found: dict[object, int] = {}
        for i, token in enumerate(tokens):
            for name, slots, unless in self._candidates(token):
                end = self._match(tokens, i, slots, 0)
                if end >= 0 and end - i > found.get(name, 0) and not self._vetoed(tokens, i, end, unless):
                    found[name] = end - i
        return found

    def _candidates(self, token: str):
        yield from self._exact.get(token, ())
        for stem, name, slots, unless in self._stems:
            if token.startswith(stem):
                yield name, slots, unless

    def _corrected(self, token: str) -> str:
        """*token*, or the word it spells with digits for letters, or the
        typo-checked word it is a one-letter typo of."""
        fixed = self._fixed.get(token)
        if fixed is None:
            word = token
            if not token.isalpha() and not token.isdigit():
                plain = token.translate(LEET)
                if plain.isalpha() and (plain in self._exact or plain in self._typo_words or self._stem_of(plain)):
                    word = plain
            fixed = self._fixed[token] = self._typo_of(word)
        return fixed

    def _typo_of(self, token: str) -> str:
        """The typo-checked word *token* is a one-letter typo of, or *token*.
        This depends on the word classes alone, so matchers made by ``only``
        and ``with_first_words`` share what is found."""
        fixed = self._typos.get(token)
        if fixed is None:
            fixed = token
            if TYPO_LENGTH - 1 <= len(token) <= MAX_WORD and token not in self._unlike and token not in self._typo_words:
                for key in (token, *_deletions(token)):
                    word = next((w for w in self._typo_index.get(key, ()) if _one_typo(token, w)), None)
                    if word is not None:
                        fixed = word
                        break
            self._typos[token] = fixed
        return fixed

    def _stem_of(self, token: str) -> bool:
        return any(token.startswith(stem) for stem, *_ in self._stems)

    def _match(self, tokens: list[str], i: int, slots: tuple[object, ...], k: int) -> int:
        """Where a match of ``slots[k:]`` starting at ``tokens[i]`` ends, or -1."""
        if k == len(slots):
            return i
        slot = slots[k]
        if slot == GAP_SLOT:
            for j in range(i, min(i + self._gap, len(tokens)) + 1):
                end = self._match(tokens, j, slots, k + 1)
                if end >= 0:
                    return end
            return -1
        optional, alternatives = slot  # type: ignore[misc]
        for alt in alternatives:
            for j in self._ends(tokens, i, alt, 0):
                end = self._match(tokens, j, slots, k + 1)
                if end >= 0:
                    return end
        return self._match(tokens, i, slots, k + 1) if optional else -1

    def _ends(self, tokens: list[str], i: int, alt: tuple[str, ...], n: int):
        """Every position where the specs ``alt[n:]`` matched from ``tokens[i]`` end."""
        if n == len(alt):
            yield i
            return
        if i >= len(tokens):
            return
        spec, token = alt[n], tokens[i]
        if spec in self._classes:
            for words_ in self._classes[spec].get(token, ()):
                j = i + len(words_)
                if tokens[i:j] == words_:
                    yield from self._ends(tokens, j, alt, n + 1)
        elif token == spec or (spec[-1] == "*" and token.startswith(spec[:-1])):
            yield from self._ends(tokens, i + 1, alt, n + 1)

    def _vetoed(self, tokens: list[str], start: int, end: int, unless: tuple[tuple[object, ...], ...]) -> bool:
        """Whether an exception matches words overlapping ``tokens[start:end]``."""
        for slots in unless:
            lead = _lead(slots)
            if self._anywhere:
                if any(self._match(tokens, i, lead, 0) >= 0 for i in range(len(tokens))):
                    return True
                continue
            for i in range(max(0, start - MAX_SLOTS - self._gap * MAX_GAPS), end):
                if self._match(tokens, i, lead, 0) > start:
                    return True
        return False


def _by_first(alternatives: Iterable[Iterable[str]]) -> dict[str, list[list[str]]]:
    index: dict[str, list[list[str]]] = {}
    for alt in alternatives:
        alt = list(alt)  # compared with slices of the text's word list
        index.setdefault(alt[0], []).append(alt)
    return index


class _Starts(dict):
    """The phrases by the words they can start with, each word's filled in
    when first asked for: a short text needs a few of them, and making
    them all would cost more than reading it (hundreds of phrases, some
    starting with any word of a class)."""

    def __init__(self, rows: list, words: dict[str, list[int]]):
        super().__init__()
        self._rows = rows  # (name, phrase, exceptions)
        self._words = words  # word -> numbers of the phrases it starts, in order

    def get(self, word: str, default: object = None) -> object:  # type: ignore[override]
        found = dict.get(self, word)
        if found is None:
            numbers = self._words.get(word)
            if numbers is None:
                return default
            found = self[word] = [(name, _lead(slots), unless) for name, slots, unless in
                                  (self._rows[n] for n in numbers)]
        return found

    def __contains__(self, word: object) -> bool:
        return word in self._words or dict.__contains__(self, word)

    def items(self):  # type: ignore[override]
        for word in self._words:
            self.get(word)
        return dict.items(self)


def _lead(slots: tuple[object, ...]) -> tuple[object, ...]:
    """*slots* without the optional slots and gaps before the first required
    slot (they never decide whether a phrase matches)."""
    n = 0
    while slots[n] == GAP_SLOT or slots[n][0]:  # type: ignore[index]
        n += 1
    return slots[n:]


def _deletions(word: str) -> list[str]:
    return [word[:n] + word[n + 1 :] for n in range(len(word))]


def _one_typo(a: str, b: str) -> bool:
    """Whether *a* and *b* differ by one added, dropped or changed letter, or
    two neighbours swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [n for n in range(len(a)) if a[n] != b[n]]
        if len(diffs) == 1:
            return True
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:n] + long[n + 1 :] == short for n in range(len(long)))


# Keeping compiled phrases -----------------------------------------------------


def compiler(known: Classes, most: int = 50_000) -> Callable[[str], tuple[object, ...]]:
    """``compile_phrase`` with *known*, each distinct phrase compiled once (a
    cache of at most *most* phrases, not a copy of every phrase). A phrase
    that cannot be read raises its ``PhraseError`` each time it is asked for."""
    made: dict[str, tuple[object, ...] | PhraseError] = {}

    def compile_once(phrase: str) -> tuple[object, ...]:
        slots = made.get(phrase)
        if slots is None:
            if len(made) >= most:
                made.clear()
            try:
                slots = made[phrase] = compile_phrase(phrase, known)
            except PhraseError as exc:
                slots = made[phrase] = exc
        if isinstance(slots, PhraseError):
            raise slots
        return slots

    return compile_once


def compiled(class_entries: Iterable[tuple[str, Iterable[str], bool, Iterable[str]]],
             groups: Iterable[tuple[str, Iterable[str], Iterable[str]]]) -> dict[str, object]:
    """Classes and named phrase groups ((name, phrases, exceptions)),
    compiled into plain data to keep (JSON) and give to ``matcher``.
    Assumes the phrases validated (``PhraseError`` otherwise)."""
    known = classes(class_entries)
    phrases, exceptions = [], {}
    compile_once = compiler(known)
    for name, group, unless in groups:
        if unless:  # kept once per group, not with each of its phrases
            exceptions[name] = [compile_once(p) for p in unless]
        phrases += [[name, compile_once(p)] for p in group]
    # The words each phrase can start with, found once here rather than by
    # every run that reads the phrases back (see ``Matcher``).
    expand = Matcher((), known)._first_words
    words: dict[str, list[int]] = {}
    stems: list[list[object]] = []
    for n, (_, slots) in enumerate(phrases):
        for first in expand(_lead(slots)[0][1]):  # type: ignore[index]
            if first.endswith("*"):
                stems.append([first[:-1], n])
            else:
                words.setdefault(first, []).append(n)
    return {
        "classes": {name: [list(alt) for alt in alts] for name, alts in known.alternatives.items()},
        "typo_words": sorted(known.typo_words),
        "unlike": sorted(known.unlike),
        "phrases": phrases,
        "unless": exceptions,
        "starts": {"words": words, "stems": stems},
    }


def matcher(kept: dict[str, object], anywhere: bool = False, gap: int = GAP) -> Matcher:
    """The matcher of phrases ``compiled`` earlier (and read back from JSON)."""
    known = Classes(kept["classes"], kept["typo_words"], kept["unlike"])  # type: ignore[arg-type]
    unless: dict = kept.get("unless", {})  # type: ignore[assignment]
    phrases = [(name, slots, unless.get(name, ())) for name, slots in kept["phrases"]]  # type: ignore[union-attr]
    return Matcher(phrases, known, anywhere, gap, _starts(kept.get("starts"), len(phrases)))


def _starts(kept: object, count: int) -> dict | None:
    """The first words kept with compiled phrases, if they have the form
    ``compiled`` gives them and name only those phrases (a cache is read as
    untrusted: else the phrases are indexed afresh)."""
    if not isinstance(kept, dict):
        return None
    words, stems = kept.get("words"), kept.get("stems")
    if not isinstance(words, dict) or not isinstance(stems, list):
        return None
    for stem in stems:
        if not (isinstance(stem, list) and len(stem) == 2 and isinstance(stem[0], str) and type(stem[1]) is int
                and 0 <= stem[1] < count):
            return None
    if not all(type(numbers) is list for numbers in words.values()):
        return None
    flat = [n for numbers in words.values() for n in numbers]
    if not set(map(type, flat)) <= {int} or (flat and (min(flat) < 0 or max(flat) >= count)):
        return None
    return {"words": words, "stems": stems}
