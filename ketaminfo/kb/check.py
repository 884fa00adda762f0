"""Judge a page people meet, sentence by sentence, against the record.

``check`` cuts a page (plain text, Markdown or HTML; see ``sentences``) into
sentences and gives each one verdict from a fixed vocabulary (``VERDICTS``):
the verdict of the claim people meet (``claims-met`` in the knowledge base)
that the sentence states, or ``not-a-claim`` for a question or a fragment,
or ``unknown`` when no catalogued claim matches. It never guesses: a true
sentence wrongly flagged costs more trust than an honest "unknown".

A sentence matching several claims states the one whose words cover most
of it. A claim with a ``figure`` is judged on the percentage the sentence
gives: above what the record supports, the claim's verdict; at or below
it, the figure's own.
"""

from __future__ import annotations

import re

from ..records import record

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from .library import KnowledgeBase
    from .model import ClaimMet
    from .phrases import Matcher
    from .store import Store

MAX_BYTES = 2 * 1024 * 1024  # the largest page checked (a page, not a book): the same as one knowledge-base file
# "70%", "85-90 %", "70 percent", "up to 90 per cent"
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)")
_RANGE = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*(?:-|–|—|to)\s*(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CONTROLS = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x08\x0b-\x1f\x7f]")
MIN_CLAIM_WORDS = 4  # fewer words and no catalogued claim: a heading, a button, a menu item
# Which of several claims a sentence states decides its verdict: a problem first.
SEVERITY = {"contradicted": 4, "overstated": 3, "unsupported": 2, "supported": 1, "not-a-claim": 0}


class Judged(record("Judged", "line text verdict claim related")):
    """One sentence and its verdict: the claim people meet it states (None
    for unknown and not-a-claim), and for an unknown sentence the pages it
    names, as reading, not as a verdict."""

    __slots__ = ()
    # line: int
    # text: str
    # verdict: str
    # claim: ClaimMet | None
    # related: tuple[tuple[str, str], ...] - (kind, id)


class Report(record("Report", "name sentences counts")):
    __slots__ = ()
    # name: str - the file as the reader named it ("-" for standard input)
    # sentences: list[Judged]
    # counts: dict[str, int] - sentences by verdict


def check(kb: KnowledgeBase, text: str, name: str = "-", form: str | None = None) -> Report:
    """Every sentence of *text* with its verdict (see the module)."""
    from .model import VERDICTS
    from .sentences import sentences

    every = claims(kb.store)
    judged = []
    for sentence in sentences(text, form):
        verdict, claim = judge(kb, sentence.text, every)
        if verdict == "unknown" and sentence.heading:  # a title or a section's name, stating nothing
            verdict = "not-a-claim"
        related = kb.named_in(sentence.text) if verdict == "unknown" else ()
        judged.append(Judged(sentence.line, sentence.text, verdict, claim, tuple(related)))
    counts = dict.fromkeys(VERDICTS, 0)
    for item in judged:
        counts[item.verdict] += 1
    return Report(name, judged, counts)


def judge(kb: KnowledgeBase, text: str, claims: Claims | None = None) -> tuple[str, ClaimMet | None]:
    """The verdict on one sentence, and the claim people meet it states.
    *claims* (``claims``) serve a whole page; without them, only the
    phrases the sentence's words can start are read."""
    text = _CONTROLS.sub("", text)  # judged as a reader sees it: colour codes and controls are no words
    if claims is None:
        claims = _claims(kb.store, text)
    found = claims.matcher.spans(text)
    if found:
        about = claims.about

        def weight(name: str) -> tuple[int, int, int]:
            # A sentence stating a problem is flagged even if it also states
            # something true; among claims of one weight, the longest match,
            # then the one the catalogue puts first.
            verdict, position = about.get(name, ("", 0))
            return SEVERITY.get(verdict, 0), found[name], -position

        best = max(found, key=weight)
        claim = claims.entry(best) if best in about else None
        if claim is not None:
            return _verdict(claim, text), (claim if claim.verdict != "not-a-claim" else None)
    if text.rstrip().endswith("?") or len(_WORD.findall(text)) < MIN_CLAIM_WORDS:
        return "not-a-claim", None  # a question, a heading, a button
    return "unknown", None


def stated(kb: KnowledgeBase, question: str) -> tuple[str, ClaimMet] | None:
    """The claim people meet that a question states ("is it true ketamine
    isn't addictive?") and its verdict, or None."""
    verdict, claim = judge(kb, question.rstrip(" ?") + ".")
    return (verdict, claim) if claim is not None else None


def _verdict(claim: ClaimMet, text: str) -> str:
    figure = claim.figure
    if figure is None:
        return claim.verdict
    numbers = [float(n) for pair in _RANGE.findall(text) for n in pair] + [float(n) for n in _PERCENT.findall(text)]
    if not numbers:
        return claim.verdict
    return claim.verdict if max(numbers) > int(figure.most) else figure.within


class Claims:
    """The claims people meet as a judge needs them: a matcher of their
    phrases, each claim's verdict and place in the catalogue (``about``), and
    its entry, read when first needed."""

    def __init__(self, store: Store, matcher: Matcher, about: dict[str, tuple[str, int]]) -> None:
        self.matcher, self.about = matcher, about
        self._store = store
        self._entries: dict[str, ClaimMet | None] = {}

    def entry(self, claim_id: str) -> ClaimMet | None:
        if claim_id not in self._entries:
            self._entries[claim_id] = self._store.entry("claims-met", claim_id)
        return self._entries[claim_id]


def claims(store: Store) -> Claims:
    """Every claim people meet, for judging a page of sentences."""
    return _claims(store, None)


def _claims(store: Store, text: str | None) -> Claims:
    """The claims whose phrases can start with a word of *text* (all of them
    when *text* is None): a question is matched against a few phrases, not
    against a catalogue that may be thousands of claims long."""
    base = getattr(store, "_claim_base", None)
    if base is None:
        from .phrases import CLAIM_GAP, matcher

        kept = store.meta_value("claims-met") or {"classes": {}, "typo_words": [], "unlike": [], "phrases": []}
        base = matcher(kept, anywhere=True, gap=CLAIM_GAP)  # the word classes, no phrases
        store._claim_base = base  # type: ignore[attr-defined]
    if text is None:
        rows = store.claim_phrases()
    else:
        from .phrases import LEET, words

        tokens = {*words(text), *base.tokens(text)}
        tokens |= {token.translate(LEET) for token in tokens}
        rows = store.claim_phrases({*tokens, *(t[:n] + "*" for t in tokens for n in range(1, len(t) + 1))})
    about = {claim: (verdict, position) for _, claim, verdict, position, _, _ in rows}
    return Claims(store, base.with_first_words((w, c, lead, unless) for w, c, _, _, lead, unless in rows), about)
