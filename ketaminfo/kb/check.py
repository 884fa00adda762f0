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
from collections import namedtuple

from .sentences import sentences

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


class Judged(namedtuple("Judged", "line text verdict claim related")):
    """One sentence and its verdict: the claim people meet it states (None
    for unknown and not-a-claim), and for an unknown sentence the pages it
    names, as reading, not as a verdict."""

    __slots__ = ()
    # line: int
    # text: str
    # verdict: str
    # claim: ClaimMet | None
    # related: tuple[tuple[str, str], ...] - (kind, id)


class Report(namedtuple("Report", "name sentences counts")):
    __slots__ = ()
    # name: str - the file as the reader named it ("-" for standard input)
    # sentences: list[Judged]
    # counts: dict[str, int] - sentences by verdict


def check(kb: KnowledgeBase, text: str, name: str = "-", form: str | None = None) -> Report:
    """Every sentence of *text* with its verdict (see the module)."""
    from .model import VERDICTS

    claims = _claims(kb.store)
    judged = []
    for sentence in sentences(text, form):
        verdict, claim = judge(kb, sentence.text, claims)
        if verdict == "unknown" and sentence.heading:  # a title or a section's name, stating nothing
            verdict = "not-a-claim"
        related = kb.named_in(sentence.text) if verdict == "unknown" else ()
        judged.append(Judged(sentence.line, sentence.text, verdict, claim, tuple(related)))
    counts = dict.fromkeys(VERDICTS, 0)
    for item in judged:
        counts[item.verdict] += 1
    return Report(name, judged, counts)


def judge(kb: KnowledgeBase, text: str, claims: tuple[Matcher, dict[str, ClaimMet]] | None = None,
          ) -> tuple[str, ClaimMet | None]:
    """The verdict on one sentence, and the claim people meet it states."""
    matcher, by_id = claims if claims is not None else _claims(kb.store)
    text = _CONTROLS.sub("", text)  # judged as a reader sees it: colour codes and controls are no words
    found = matcher.spans(text)
    if found:
        order = list(by_id)

        def weight(name: str) -> tuple[int, int, int]:
            # A sentence stating a problem is flagged even if it also states
            # something true; among claims of one weight, the longest match.
            claim = by_id.get(name)
            return (SEVERITY.get(claim.verdict, 0) if claim else 0, found[name], -order.index(name) if claim else 0)

        best = max(found, key=weight)
        claim = by_id.get(best)
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


def _claims(store: Store) -> tuple[Matcher, dict[str, ClaimMet]]:
    """The store's claims people meet and their compiled phrases, read once per run."""
    found = getattr(store, "_claims_met", None)
    if found is None:
        from .phrases import CLAIM_GAP, matcher

        kept = store.meta_value("claims-met") or {"classes": {}, "typo_words": [], "unlike": [], "phrases": []}
        found = matcher(kept, anywhere=True, gap=CLAIM_GAP), {c.id: c for c in store.entries("claims-met")}
        store._claims_met = found  # type: ignore[attr-defined]
    return found
