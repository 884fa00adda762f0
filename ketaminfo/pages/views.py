"""Pages: what each command shows, built from knowledge-base entries.

A view decides content and order (which points, which sources, numbered how)
and returns a ``Page``; it knows nothing about colour, width or format.
"""

from __future__ import annotations


from ..kb.library import KnowledgeBase, Timeline
from ..kb.model import (
    CONDITION_STATUSES,
    EVENT_CATEGORIES,
    EVIDENCE_LEVELS,
    SOURCE_KINDS,
    Claim,
    Condition,
    Event,
    Source,
    Term,
    Topic,
)
from ..safetext import argument, hidden, quoted
from .data import plain, source_data
from .document import (
    CRISIS,
    MATCH_END,
    MATCH_START,
    MEASURE,
    Block,
    Callout,
    Heading,
    Item,
    Made,
    Page,
    Paragraph,
    Run,
    Table,
)

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

MAX_SHOWN = 200  # characters of a query or question repeated as a page title


def shown(text: str) -> str:
    """*text* typed by a user, safe to show in a page title: every hidden
    character (escape sequences, bidi marks, undecodable bytes) becomes
    U+FFFD, and a very long text is cut."""
    text = " ".join(argument(text).split())
    if len(text) > MAX_SHOWN:
        text = text[: MAX_SHOWN - 1] + "…"
    return "".join("\ufffd" if hidden(ch) else ch for ch in text)


def _page(kb: KnowledgeBase, *args: object, **kwargs: object) -> Page:
    """A page dated with the knowledge base it was drawn from."""
    return Page(*args, as_of=kb.as_of, **kwargs)  # type: ignore[arg-type]


def anchor(kind: str, entry_id: str) -> str:
    """The link target of an entry on a shared page (timeline, glossary,
    sources). Prefixed by kind, so no id can clash with another kind's, or
    with the numbered citations (``cite-N``) on the same page."""
    return f"{kind}-{entry_id}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class Citations:
    """Numbers sources in the order a page first cites them: [1], [2], ..."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.numbers: dict[str, int] = {}

    def mark(self, source_ids: Iterable[str]) -> tuple[int, ...]:
        return tuple(sorted(self.numbers.setdefault(s, len(self.numbers) + 1) for s in source_ids))

    def attach(self, page: Page) -> None:
        """Add the numbered Sources section to *page*, and the same sources as data."""
        if not self.numbers:
            return
        page.blocks.append(Heading("Sources"))
        found = self.kb.sources.many(self.numbers)
        for source_id, number in self.numbers.items():
            source = found[source_id]
            page.blocks.append(
                Item(describe(source), label=f"[{number}]", details=source_details(source), anchor=f"cite-{number}")
            )
            page.cite(number, source)

    def section(self, page: Page) -> Iterator[Block]:
        """``attach``, for a page made as it is drawn: the Sources section
        as blocks, its sources read a few hundred at a time once every
        number is given, and never all held (nor as data, until asked)."""
        if not self.numbers:
            return
        yield Heading("Sources")
        yield Run(self._items(), widest=len(f"[{len(self.numbers)}]"))
        page.cite_later(lambda: ((self.numbers[s.id], s) for s in self.kb.sources.each_of(self.numbers)))

    def _items(self) -> Iterator[Item]:
        for source in self.kb.sources.each_of(self.numbers):
            number = self.numbers[source.id]
            yield Item(describe(source), label=f"[{number}]", details=source_details(source), anchor=f"cite-{number}")


def describe(source: Source) -> str:
    """A one-line reference: "Authors (year). Title. Venue." or "Title. Venue (year)."."""
    title = source.title if source.title.endswith((".", "?", "!")) else f"{source.title}."
    venue = source.journal or source.publisher
    if source.authors:
        names = source.authors
        if len(names) > 2 or names[-1] == "et al.":
            who = f"{names[0]} et al."
        else:
            who = " and ".join(names)
        head = f"{who} ({source.year})." if source.year else who if who.endswith(".") else f"{who}."
        return " ".join([head, title, *([f"{venue}."] if venue else [])])
    tail = " ".join(filter(None, [venue, f"({source.year})" if source.year else None]))
    return f"{title} {tail}." if tail else title


def source_details(source: Source) -> tuple[str, ...]:
    line = SOURCE_KINDS[source.kind]
    if source.link:
        line += f" · {source.link}"
    return (line,)


def _claims(points: Iterable[Claim], cite: Citations) -> list[Block]:
    items: list[Block] = []
    for claim in points:
        note = claim.correction
        items.append(
            Item(
                claim.text,
                markers=cite.mark(claim.sources),
                tag=EVIDENCE_LEVELS[claim.evidence],
                tag_key=claim.evidence,
                note=note.text if note else None,
                note_markers=cite.mark(note.sources) if note else (),
            )
        )
    return items


def _related(kb: KnowledgeBase, ids: Iterable[str]) -> list[Block]:
    items: list[Block] = []
    for entry_id in ids:
        entry = kb.entry(entry_id)
        if entry is not None:
            items.append(Item(f"{entry.title} ({entry.id})", label=entry.kind, target=(entry.kind, entry.id)))
    return [Heading("See also"), *items] if items else []


def _also(aliases: tuple[str, ...]) -> str:
    return f" · also: {', '.join(aliases)}" if aliases else ""


def topic_page(kb: KnowledgeBase, topic: Topic) -> Page:
    cite = Citations(kb)
    page = _page(kb, topic.title, f"topic {topic.id}{_also(topic.aliases)}", kind="topic", data=lambda: plain(topic))
    if topic.crisis_help:
        page.blocks.append(Callout(CRISIS))
    page.blocks.append(Paragraph(topic.summary))
    page.blocks.append(Heading("Key points"))
    page.blocks += _claims(topic.points, cite)
    page.blocks += _related(kb, topic.related)
    cite.attach(page)
    return page


def condition_page(kb: KnowledgeBase, condition: Condition) -> Page:
    cite = Citations(kb)
    subtitle = f"condition {condition.id} · {condition.category}{_also(condition.aliases)}"
    page = _page(kb, condition.name, subtitle, kind="condition", data=lambda: plain(condition))
    if condition.crisis_help:
        page.blocks.append(Callout(CRISIS))
    page.blocks.append(Paragraph(condition.summary))
    status = condition.evidence
    page.blocks.append(Heading("Evidence status"))
    page.blocks.append(
        Item(
            status.summary,
            markers=cite.mark(status.sources),
            tag=status.label,
            tag_key=status.status,
        )
    )
    page.blocks.append(Heading("Key points"))
    page.blocks += _claims(condition.points, cite)
    page.blocks += _related(kb, condition.related)
    cite.attach(page)
    return page


def topic_list(kb: KnowledgeBase) -> Page:
    rows = tuple((t.id, t.title, str(len(t.points))) for t in kb.topics)
    def data() -> list[dict[str, object]]:
        return [{"id": t.id, "title": t.title, "aliases": list(t.aliases), "points": len(t.points)} for t in kb.topics]

    subtitle = f"{plural(len(rows), 'topic')} · show one with: ketaminfo topic ID"
    page = _page(kb, "Topics", subtitle, kind="topic-list", data=data)
    page.blocks.append(Table(("Id", "Topic", "Points"), rows))
    return page


def _page_sources(condition: Condition) -> set[str]:
    cited = set(condition.evidence.sources)
    for claim in condition.points:
        cited.update(claim.cited())
    return cited


def condition_list(kb: KnowledgeBase) -> Page:
    rows = tuple(
        (
            c.id,
            c.name,
            c.category,
            CONDITION_STATUSES[c.evidence.status],
            str(len(_page_sources(c))),
        )
        for c in kb.conditions
    )
    def data() -> list[dict[str, object]]:
        return [
            {
                "id": c.id,
                "name": c.name,
                "category": c.category,
                "evidence_status": c.evidence.status,
                "evidence_label": c.evidence.label,
                "sources": len(_page_sources(c)),
            }
            for c in kb.conditions
        ]

    page = _page(
        kb,
        "Conditions",
        f"{plural(len(rows), 'condition')} · show one with: ketaminfo conditions ID",
        kind="condition-list",
        data=data,
    )
    page.blocks.append(Table(("Id", "Condition", "Category", "Evidence", "Sources"), rows))
    return page


def timeline_page(
    kb: KnowledgeBase,
    events: Timeline,
    start: int | None = None,
    end: int | None = None,
    category: str | None = None,
    linked_to: Topic | Condition | None = None,
) -> Page:
    """The events of *events* (``kb.events_where``), by decade: made as it
    is drawn, so a timeline of any length is shown in the same memory."""
    scope = []
    if linked_to is not None:
        scope.append(f"linked to {linked_to.kind} {linked_to.id}")
    if start is not None or end is not None:
        scope.append(f"{start if start is not None else '…'}–{end if end is not None else 'now'}")
    if category:
        scope.append(EVENT_CATEGORIES[category])
    scope.append(plural(len(events), "event"))
    filters = {"from": start, "to": end, "category": category, "linked_to": linked_to.id if linked_to else None}
    def data() -> dict[str, object]:
        return {"filters": filters, "events": plain(list(events))}

    page = _page(kb, "Ketamine timeline", " · ".join(scope), kind="timeline", data=data)

    def blocks() -> Iterator[Block]:
        from itertools import groupby

        cite = Citations(kb)
        widest = events.decades()
        for decade, run in groupby(events, key=lambda event: event.date.decade):
            yield Heading(f"{decade}s")
            yield Run((_event_item(event, cite) for event in run), widest=widest[decade][1])
        yield from cite.section(page)

    page.blocks = Made(blocks)
    return page


def _event_item(event: Event, cite: Citations) -> Item:
    return Item(
        event.title,
        label=event.date.text,
        tag=EVENT_CATEGORIES[event.category],
        tag_key=event.category,
        details=(event.description,),
        quiet_details=False,
        markers=cite.mark(event.sources),
        anchor=anchor("event", event.id),
    )


def event_page(kb: KnowledgeBase, event: Event) -> Page:
    """One event: when, what, its sources, and the pages it belongs with."""
    cite = Citations(kb)
    subtitle = f"event {event.id} · {event.date.text} · {EVENT_CATEGORIES[event.category]}"
    page = _page(kb, event.title, subtitle, kind="event", data=lambda: plain(event))
    page.blocks.append(Paragraph(event.description, markers=cite.mark(event.sources)))
    linked = [e for e in (kb.entry(i) for i in event.related) if e is not None]
    linked += [p for p in (*kb.topics, *kb.conditions) if event.id in p.related and p not in linked]
    page.blocks += _related(kb, [e.id for e in linked])
    cite.attach(page)
    return page


def choice_page(kb: KnowledgeBase, name: str, found: list[tuple[str, str]]) -> Page:
    """The entries one name names, and the command that shows each."""
    from ..kb.model import BY_KIND

    page = _page(kb, f"{shown(name)}: {len(found)} entries", "the name is used by each of these",
                 kind="choice", data=lambda: [{"kind": k, "id": i} for k, i in found])
    for kind, entry_id in found:
        entry = kb.entry(entry_id) if kind != "source" else kb.sources[entry_id]
        title = entry.title if entry is not None else entry_id
        page.blocks.append(Item(f"{title} ({entry_id})", label=kind,
                                details=(f"ketaminfo {BY_KIND[kind].command} {entry_id}",), target=(kind, entry_id)))
    return page


def term_page(kb: KnowledgeBase, term: Term) -> Page:
    cite = Citations(kb)
    page = _page(kb, term.term, f"term {term.id}{_also(term.aliases)}", kind="term", data=lambda: plain(term))
    page.blocks.append(Paragraph(term.definition, markers=cite.mark(term.sources)))
    page.blocks += _related(kb, term.related)
    cite.attach(page)
    return page


def glossary_page(kb: KnowledgeBase) -> Page:
    """Every term with its definition and sources, as one page (for export),
    made as it is drawn."""
    page = _page(kb, "Glossary", plural(len(kb.terms), "term"), kind="glossary",
                 data=lambda: plain(list(kb.terms.each())))

    def blocks() -> Iterator[Block]:
        cite = Citations(kb)
        yield from _run((
            Item(term.definition, label=term.term, markers=cite.mark(term.sources), anchor=anchor("term", term.id))
            for term in kb.terms.each()
        ), MEASURE)
        yield from cite.section(page)

    page.blocks = Made(blocks)
    return page


def index_page(kb: KnowledgeBase) -> Page:
    """The front page of an exported knowledge base, made as it is drawn."""
    page = _page(kb, "ketaminfo: a cited reference on ketamine", kind="index")

    def blocks() -> Iterator[Block]:
        yield Paragraph(
            "Every point names its sources and how strong the evidence is; where a popular "
            "article overstates something, a correction citing the research or regulatory "
            "record stands beside it."
        )
        yield Heading("Topics")
        yield from _run((Item(t.title, target=("topic", t.id)) for t in kb.topics.each()), None)
        yield Heading("Conditions")
        yield from _run((
            Item(c.name, tag=c.evidence.label, tag_key=c.evidence.status, target=("condition", c.id))
            for c in kb.conditions.each()
        ), None)
        yield Heading("More")
        yield Item("Timeline", target=("page", "timeline"))
        yield Item("Glossary", target=("page", "glossary"))
        yield Item("Sources", target=("page", "sources"))

    page.blocks = Made(blocks)
    return page


def _run(items: Iterator[Item], widest: int | None) -> list[Run]:
    """*items* as a ``Run`` (none, if there are no items)."""
    from itertools import chain

    first = next(items, None)
    return [] if first is None else [Run(chain([first], items), widest)]


def term_list(kb: KnowledgeBase) -> Page:
    """Every term, alphabetically, with the first sentence of its definition."""
    terms = sorted(kb.terms, key=lambda t: (t.term.casefold(), t.id))

    def data() -> list[dict[str, object]]:
        return [{"id": t.id, "term": t.term, "aliases": list(t.aliases), "short": short_definition(t.definition)}
                for t in terms]

    subtitle = f"{plural(len(terms), 'term')} · show one, with its sources: ketaminfo glossary TERM"
    page = _page(kb, "Glossary", subtitle, kind="term-list", data=data)
    page.blocks += [
        Item(short_definition(t.definition), label=t.term, details=(f"ketaminfo glossary {t.id}",), target=("term", t.id))
        for t in terms
    ]
    return page


def short_definition(text: str) -> str:
    """The first sentence of a definition (the whole of a short one)."""
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


OPEN_COMMANDS = {
    "topic": "ketaminfo topic ID",
    "condition": "ketaminfo conditions ID",
    "event": "ketaminfo timeline ID",
    "term": "ketaminfo glossary ID",
    "source": "ketaminfo sources ID",
}


def search_page(kb: KnowledgeBase, query: str, hits: list) -> Page:
    results = [
        {"kind": h.kind, "id": h.id, "title": h.title, "snippet": h.snippet.replace(MATCH_START, "").replace(MATCH_END, "")}
        for h in hits
    ]
    page = _page(kb, f"Search: {shown(query)}", plural(len(hits), "result"), kind="search", data={"query": query, "results": results})
    for hit in hits:
        page.blocks.append(
            Item(f"{hit.title} ({hit.id})", label=hit.kind, details=(hit.snippet,), target=(hit.kind, hit.id))
        )
    kinds = dict.fromkeys(hit.kind for hit in hits)
    page.blocks.append(Paragraph("Open one with: " + "; ".join(OPEN_COMMANDS[k] for k in kinds), quiet=True))
    return page


def source_list(kb: KnowledgeBase) -> Page:
    """Every source, by kind, year and id, with how often it is cited: made
    as it is drawn, the sources read a few hundred at a time."""
    ordered = kb.source_order()

    def data() -> list[dict[str, object]]:
        counts = kb.citation_counts()
        return [{**source_data(s), "cited_by": counts[s.id]} for s in kb.sources.each_of(ordered)]

    subtitle = f"{plural(len(ordered), 'source')} · show one with: ketaminfo sources ID"
    page = _page(kb, "Sources", subtitle, kind="source-list", data=data)

    def items() -> Iterator[Item]:
        from ..kb.store import BATCH

        for start in range(0, len(ordered), BATCH):
            batch = ordered[start : start + BATCH]
            counts = kb.citation_counts(batch)
            for number, source in enumerate(kb.sources.each_of(batch), start + 1):
                cited = f"cited by {plural(counts[source.id], 'statement')}"
                yield Item(
                    describe(source),
                    label=f"{number}.",
                    details=(f"{source.id} · {SOURCE_KINDS[source.kind]} · {cited}", *filter(None, [source.link])),
                    anchor=anchor("source", source.id),
                )

    page.blocks = Made(lambda: iter(_run(items(), len(f"{len(ordered)}."))))
    return page


def source_page(kb: KnowledgeBase, source: Source) -> Page:
    citing = kb.citing(source.id)
    data = {
        "source": source_data(source),
        "cited_by": [{"kind": kind, "id": entry_id, "statement": text} for kind, entry_id, text in citing],
    }
    page = _page(kb, source.title, f"source {source.id} · {SOURCE_KINDS[source.kind]}", kind="source", data=data)
    fields = [
        ("Authors", ", ".join(source.authors)),
        ("Year", str(source.year) if source.year else ""),
        ("Journal", source.journal or ""),
        ("Publisher", source.publisher or ""),
        ("DOI", source.doi or ""),
        ("PMID", source.pmid or ""),
        ("Link", source.link or ""),
        ("Note", source.note or ""),
        ("Reviewed", source.reviewed or ""),
    ]
    page.blocks += [Item(value, label=name) for name, value in fields if value]
    page.blocks.append(Heading(f"Cited by {plural(len(citing), 'statement')}"))
    page.blocks += [Item(text, details=(f"{kind} {entry_id}",)) for kind, entry_id, text in citing]
    return page


def answer_page(kb: KnowledgeBase, result) -> Page:
    """The statements that answer a question (``ketaminfo.ask.Answers``), best
    first, each with its evidence, any correction, its page and its sources."""
    cite = Citations(kb)
    answers, items, pages = [], [], {}
    for answer in result.answers:
        text, evidence, tag, tag_key, note, markers, note_markers, title = _answer_parts(kb, answer, cite)
        pages.setdefault((answer.page_kind, answer.page_id), title)
        where = f"on {answer.page_kind} {answer.page_id} ({title})"
        items.append(
            Item(text, markers=markers, tag=tag, tag_key=tag_key, note=note, note_markers=note_markers,
                 target=(answer.page_kind, answer.page_id), context=where)
        )
        answers.append({
            "text": text,
            "evidence": evidence,
            "correction": note,
            "page": {"kind": answer.page_kind, "id": answer.page_id, "title": title},
            "sources": list(dict.fromkeys((*markers, *note_markers))),
        })
    data = {
        "question": result.question,
        "answers": answers,
        "corrections": [{"typed": typed, "used": used} for typed, used in result.corrections],
    }
    subtitle = f"{plural(len(answers), 'answer')}, best first · each with its evidence and sources"
    page = _page(kb, shown(result.question), subtitle, kind="answer", data=data)
    if result.crisis or any(_crisis_page(kb, kind, entry_id) for kind, entry_id in pages):
        page.blocks.append(Callout(CRISIS))
    page.blocks += items
    more = [READ_MORE[kind].format(id=entry_id) for kind, entry_id in list(pages)[:3]]
    page.blocks.append(Paragraph("Read more: " + "; ".join(dict.fromkeys(more)), quiet=True))
    cite.attach(page)
    return page


READ_MORE = {
    "topic": "ketaminfo topic {id}",
    "condition": "ketaminfo conditions {id}",
    "event": "ketaminfo timeline",
    "term": "ketaminfo glossary {id}",
}


def search_notes(query: str, hits) -> list[str]:
    """What a reader should know about how a search was read (for stderr)."""
    from ..kb.search import MAX_WORDS, lowercase_operators

    notes = []
    dropped = getattr(hits, "dropped", 0)
    if dropped:
        notes.append(f"Searched for the first {MAX_WORDS} different words; {dropped} more were left out.")
    if hits and not getattr(hits, "all_words", True):
        notes.append("No entry holds all of those words; showing entries that hold any of them.")
    lower = lowercase_operators(query)
    if lower:
        notes.append(
            f"Searched for {', '.join(quoted(w) for w in dict.fromkeys(lower))} as words; to combine words, "
            "write AND, OR or NOT in capitals (ptsd OR ocd)."
        )
    return notes


def answer_notes(result) -> list[str]:
    """What a reader should know about how a question was read (for stderr)."""
    notes = [f"Read {quoted(typed)} as {quoted(used)}." for typed, used in result.corrections]
    if not result.all_words and result.answers:
        notes.append("No statement holds every word of the question; showing the closest.")
    return notes


def _crisis_page(kb: KnowledgeBase, kind: str, entry_id: str) -> bool:
    index = {"topic": kb.topics, "condition": kb.conditions}.get(kind)
    return bool(index is not None and index[entry_id].crisis_help)


def _answer_parts(kb: KnowledgeBase, answer, cite: Citations):
    """(text, evidence key, tag, tag key, correction, markers, correction markers, page title)."""
    if answer.page_kind in ("topic", "condition"):
        page = kb.topics[answer.page_id] if answer.page_kind == "topic" else kb.conditions[answer.page_id]
        if answer.seq < 0:  # a condition's evidence status
            status = page.evidence
            markers = cite.mark(status.sources)
            return status.summary, status.status, status.label, status.status, None, markers, (), page.title
        claim = page.points[answer.seq]
        note = claim.correction
        markers = cite.mark(claim.sources)
        note_markers = cite.mark(note.sources) if note else ()
        return (claim.text, claim.evidence, EVIDENCE_LEVELS[claim.evidence], claim.evidence,
                note.text if note else None, markers, note_markers, page.title)
    if answer.page_kind == "term":
        term = kb.terms[answer.page_id]
        return term.definition, None, None, None, None, cite.mark(term.sources), (), term.term
    event = kb.entry(answer.page_id)
    text = f"{event.date.text}: {event.title}. {event.description}"
    return text, None, EVENT_CATEGORIES[event.category], event.category, None, cite.mark(event.sources), (), event.title
