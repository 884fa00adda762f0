"""The knowledge base's entries as plain, immutable data.

Nothing here reads files or prints; ``schema`` builds these objects from YAML
and ``kb`` answers questions about them. Entries are named tuples
(``ketaminfo.records``) rather than dataclasses: defining a dataclass costs
about a millisecond at every start, a record a seventieth of that, and
tuples go to and from the cache's JSON rows as they are.
"""

from __future__ import annotations

from ..records import record

# What names are compared without: whitespace (every character str.isspace
# finds, as the regular expression \s does; a test checks the list), dashes,
# underscores, apostrophes and punctuation. A table, not a regular
# expression: compiling one costs a fifth of a millisecond at every start.
SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
          "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_SEPARATORS = str.maketrans("", "", SPACES + "-_'’.,/()")


def normalise(name: str) -> str:
    """The form names are compared in: case, spaces, dashes and punctuation ignored."""
    return name.casefold().translate(_SEPARATORS)


# Controlled vocabularies: the key is what a YAML file says, the value is what a
# reader sees. Their order is the order of strength, strongest first.

SOURCE_KINDS: dict[str, str] = {
    "article": "popular article",
    "study": "peer-reviewed study",
    "review": "review or consensus",
    "regulatory": "regulatory record",
    "book": "book",
    "news": "news report",
}

EVIDENCE_LEVELS: dict[str, str] = {
    "established": "established",
    "trials": "randomized trials",
    "early": "early evidence",
    "hypothesis": "hypothesis",
    "articles-only": "articles only",
}

EVIDENCE_MEANING: dict[str, str] = {
    "established": "settled by regulators, consistent trials or standard references",
    "trials": "supported by randomized controlled trials, with limits",
    "early": "small, open-label, animal or mixed studies",
    "hypothesis": "a proposed explanation that is not yet shown",
    "articles-only": "said by the popular articles; not checked against research",
}

CONDITION_STATUSES: dict[str, str] = {
    "approved": "approved by a regulator",
    "randomized-trials": "supported by randomized trials",
    "early": "early or mixed evidence",
    "not-supported": "not supported by trials",
}

class EntryType(record("EntryType", "section kind attribute command")):
    """One kind of entry, named the ways each layer names it."""

    __slots__ = ()
    # section: str - the YAML section and the store's section: "topics"
    # kind: str - one entry, as searches, JSON and messages call it: "topic"
    # attribute: str - the KnowledgeBase index: kb.topics
    # command: str - the command that shows one: ketaminfo topic NAME


# Every kind of entry, in the order search results rank (the one registry the
# store's sections, the command line's lookups and completion derive from).
ENTRY_TYPES = (
    EntryType("topics", "topic", "topics", "topic"),
    EntryType("conditions", "condition", "conditions", "conditions"),
    EntryType("timeline", "event", "event_index", "timeline"),
    EntryType("glossary", "term", "terms", "glossary"),
    EntryType("sources", "source", "sources", "sources"),
)
ENTRY_KINDS = tuple(t.kind for t in ENTRY_TYPES)
BY_SECTION = {t.section: t for t in ENTRY_TYPES}
BY_KIND = {t.kind: t for t in ENTRY_TYPES}

# Marks around the words a search matched, in snippets (knowledge-base text
# cannot hold control characters, KB013, so they never clash with content).
MATCH_START, MATCH_END = "\x02", "\x03"

EVENT_CATEGORIES: dict[str, str] = {
    "discovery": "discovery",
    "clinical-use": "clinical use",
    "regulation": "regulation",
    "research": "research",
    "culture": "culture",
}


class Source(record("Source", "id title kind authors year journal publisher doi pmid url note reviewed",
                    defaults=((), None, None, None, None, None, None, None, None))):
    __slots__ = ()
    # id: str
    # title: str
    # kind: str
    # authors: tuple[str, ...]
    # year: int | None
    # journal: str | None
    # publisher: str | None
    # doi: str | None
    # pmid: str | None
    # url: str | None
    # note: str | None
    # reviewed: str | None - YYYY-MM-DD: when the entry was last checked against the source

    @property
    def link(self) -> str | None:
        """The best address to read the source at: DOI, then PubMed, then URL."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return self.url


class About(record("About", "as_of note", defaults=(None,))):
    """Facts about the knowledge base itself: the date its content is current to."""

    __slots__ = ()
    # as_of: str - YYYY-MM-DD
    # note: str | None


class Synonyms(record("Synonyms", "words means")):
    """Words a reader may use (``words``) and what the knowledge base calls
    the same thing (``means``): a question with "addictive" also looks for
    "misuse" and "dependence"."""

    __slots__ = ()
    # words: tuple[str, ...]
    # means: tuple[str, ...]


class Note(record("Note", "text sources")):
    """A correction or sharpening shown beside a claim, with its own sources."""

    __slots__ = ()
    # text: str
    # sources: tuple[str, ...]


class Claim(record("Claim", "text evidence sources correction", defaults=(None,))):
    """One statement, the sources that make it, and how strong its evidence is."""

    __slots__ = ()
    # text: str
    # evidence: str
    # sources: tuple[str, ...]
    # correction: Note | None

    def cited(self) -> tuple[str, ...]:
        """Every source id this claim cites, its correction's included, in order."""
        extra = self.correction.sources if self.correction else ()
        return tuple(dict.fromkeys(self.sources + extra))


class Topic(record("Topic", "id title summary points aliases related crisis_help questions",
                   defaults=((), (), False, ()))):
    __slots__ = ()
    # id: str
    # title: str
    # summary: str
    # points: tuple[Claim, ...]
    # aliases: tuple[str, ...]
    # related: tuple[str, ...]
    # crisis_help: bool
    # questions: tuple[str, ...] - what readers ask that this page answers, in their words

    kind = "topic"

    @property
    def name(self) -> str:
        return self.title


class EvidenceStatus(record("EvidenceStatus", "status summary sources")):
    __slots__ = ()
    # status: str
    # summary: str
    # sources: tuple[str, ...]

    @property
    def label(self) -> str:
        return CONDITION_STATUSES[self.status]


class Condition(record("Condition", "id name category evidence summary points aliases related crisis_help questions",
                       defaults=((), (), False, ()))):
    __slots__ = ()
    # id: str
    # name: str
    # category: str
    # evidence: EvidenceStatus
    # summary: str
    # points: tuple[Claim, ...]
    # aliases: tuple[str, ...]
    # related: tuple[str, ...]
    # crisis_help: bool
    # questions: tuple[str, ...] - what readers ask that this page answers, in their words

    kind = "condition"

    @property
    def title(self) -> str:
        return self.name


class EventDate(record("EventDate", "start month day end text", defaults=(0, 0, 0, ""))):
    """A date as precise as is honest: a year, a month, a day, a decade or a span.

    ``start`` and ``end`` are inclusive years; ``month`` and ``day`` are set
    only when known (0 otherwise). Tuple order sorts by first year, then by
    month and day, so a decade or a bare year comes before dates within it.
    """

    __slots__ = ()
    # start: int
    # month: int
    # day: int
    # end: int
    # text: str

    def overlaps(self, first: int | None, last: int | None) -> bool:
        return (first is None or self.end >= first) and (last is None or self.start <= last)

    @property
    def decade(self) -> int:
        return self.start - self.start % 10


class Event(record("Event", "id date title description category sources related",
                   defaults=((),))):
    __slots__ = ()
    # id: str
    # date: EventDate
    # title: str
    # description: str
    # category: str
    # sources: tuple[str, ...]
    # related: tuple[str, ...]

    kind = "event"

    @property
    def name(self) -> str:
        return self.title


class Term(record("Term", "id term definition sources aliases related", defaults=((), ()))):
    __slots__ = ()
    # id: str
    # term: str
    # definition: str
    # sources: tuple[str, ...]
    # aliases: tuple[str, ...]
    # related: tuple[str, ...]

    kind = "term"

    @property
    def title(self) -> str:
        return self.term


# Crisis help -------------------------------------------------------------------

CRISIS_KINDS: dict[str, str] = {
    "intent": "intent to end one's life",
    "passive-wish": "not wanting to be alive",
    "burden": "feeling a burden",
    "self-harm": "self-harm",
    "plan": "a plan, a method or a goodbye",
    "overdose": "overdose",
    "lethal-dose": "asking for a lethal amount",
    "topic": "suicide as a subject",
}


class PhraseWords(record("PhraseWords", "id words typos unlike", defaults=(False, ()))):
    """A named class of words and phrases that crisis phrases use (``<id>``)."""

    __slots__ = ()
    # id: str
    # words: tuple[str, ...]
    # typos: bool - its longer words are also recognised with a one-letter typo
    # unlike: tuple[str, ...] - real words never to be read as such a typo

    kind = "crisis words"


class CrisisSignal(record("CrisisSignal", "id kind says phrases examples near unless withhold",
                          defaults=((), (), False))):
    """Words that call for crisis help, written as phrases (see ``phrases``)."""

    __slots__ = ()
    # id: str
    # kind: str - one of CRISIS_KINDS
    # says: str - what the phrases recognise, for reviewers
    # phrases: tuple[str, ...]
    # examples: tuple[str, ...] - each must match one of the phrases
    # near: tuple[str, ...] - calm sentences sharing words, which must match no crisis phrase
    # unless: tuple[str, ...] - phrases that, overlapping a match, cancel it ("take my life back")
    # withhold: bool - the words ask for a harmful amount: no answer is given, only help


# Claims people meet ------------------------------------------------------------------

VERDICTS: dict[str, str] = {
    "supported": "supported",
    "overstated": "overstated",
    "contradicted": "contradicted",
    "unsupported": "unsupported",
    "unknown": "unknown",
    "not-a-claim": "not a claim",
}
VERDICT_MEANING: dict[str, str] = {
    "supported": "the record says this",
    "overstated": "a real finding stretched: a bigger number, more certainty, wider scope, or animal work told as human",
    "contradicted": "the record says otherwise",
    "unsupported": "checkable, but the record has no good evidence either way",
    "unknown": "the knowledge base has nothing on this",
    "not-a-claim": "navigation, a call to action, or a clinic describing itself",
}


class Figure(record("Figure", "unit most within")):
    """How a claim's number is judged: a figure in *unit* above *most* keeps
    the claim's verdict; one at or below it gets the verdict *within*."""

    __slots__ = ()
    # unit: str - "percent"
    # most: int - the highest figure the record supports
    # within: str - the verdict of a figure the record supports


class ClaimMet(record("ClaimMet", "id says verdict phrases record evidence sources related unless figure examples near",
                      defaults=(None, None, (), (), (), None, (), ()))):
    """A claim people meet on clinic pages, in ads and posts, and the record's verdict on it."""

    __slots__ = ()
    # id: str
    # says: str - the claim, in plain words
    # verdict: str - one of VERDICTS
    # phrases: tuple[str, ...] - the ways it is put (see ``phrases``)
    # record: str | None - what the record says, in the knowledge base's words
    # evidence: str | None - an evidence level of the record
    # sources: tuple[str, ...]
    # related: tuple[str, ...] - pages to read next
    # unless: tuple[str, ...] - phrases that, anywhere in the sentence, make it another claim
    # figure: Figure | None
    # examples: tuple[str, ...] - each must match one of the phrases
    # near: tuple[str, ...] - sentences like it that are another claim: none may match

    kind = "claim people meet"
