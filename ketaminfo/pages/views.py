"""Pages: what each command shows, built from knowledge-base entries.

A view decides content and order (which points, which sources, numbered how)
and returns a ``Page``; it knows nothing about colour, width or format.
"""

from __future__ import annotations

from ..kb.library import KnowledgeBase, Timeline
from ..kb.model import (
    BY_KIND,
    CONDITION_STATUSES,
    ENTRY_KINDS,
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
    READERS_NOTICE,
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

    def ids(self, numbers: Iterable[int]) -> list[str]:
        """The source ids behind citation *numbers*, in that order: pages
        show numbers, JSON gives ids, and the envelope's ``sources`` list
        is the one place that maps one to the other."""
        by_number = {number: source_id for source_id, number in self.numbers.items()}
        return [by_number[n] for n in dict.fromkeys(numbers)]

    def attach(self, page: Page, shown: bool = True) -> None:
        """Add the numbered Sources section to *page* (unless not *shown*: a
        brief page), and the same sources as data (always: JSON is whole)."""
        if not self.numbers:
            return
        if shown:
            page.blocks.append(Heading("Sources"))
        found = self.kb.sources.many(self.numbers)
        for source_id, number in self.numbers.items():
            source = found[source_id]
            if shown:
                page.blocks.append(
                    Item(describe(source), label=f"[{number}]", details=source_details(source), anchor=f"cite-{number}")
                )
            page.cite(number, source)

    def section(self, page: Page, shown: bool = True) -> Iterator[Block]:
        """``attach``, for a page made as it is drawn: the Sources section
        as blocks (none, unless *shown*), its sources read a few hundred at
        a time once every number is given, and never all held (nor as data,
        until asked)."""
        if not self.numbers:
            return
        if shown:
            yield Heading("Sources")
            yield Run(self._items(), widest=len(f"[{len(self.numbers)}]"))
        page.cite_later(lambda: ((self.numbers[s.id], s) for s in self.kb.sources.each_of(self.numbers)))

    def _items(self) -> Iterator[Item]:
        for source in self.kb.sources.each_of(self.numbers):
            number = self.numbers[source.id]
            yield Item(describe(source), label=f"[{number}]", details=source_details(source), anchor=f"cite-{number}")


def _end(page: Page, cite: Citations, related: list[Block], brief: bool, whole: str) -> Page:
    """Finish *page*: its See also and numbered Sources; or, *brief*, neither,
    no citation markers, and a last line naming the command *whole* that
    shows them. The JSON of a page is the same either way."""
    if not brief:
        page.blocks += related
        cite.attach(page)
        return page
    cite.attach(page, shown=False)
    page.blocks = [
        b._replace(markers=(), note_markers=()) if isinstance(b, Item) else
        b._replace(markers=()) if isinstance(b, Paragraph) else b
        for b in page.blocks
    ]
    page.blocks.append(_brief_line(whole))
    return page


def _brief_line(whole: str) -> Paragraph:
    """The last line of a brief page, naming the command *whole* that shows all of it."""
    return Paragraph(f"Brief: sources and related pages left out. All of it: {whole}", quiet=True)


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


def topic_page(kb: KnowledgeBase, topic: Topic, brief: bool = False) -> Page:
    cite = Citations(kb)
    page = _page(kb, topic.title, f"topic {topic.id}{_also(topic.aliases)}", kind="topic", data=lambda: plain(topic))
    if topic.crisis_help:
        page.blocks.append(Callout(CRISIS))
    page.blocks.append(Paragraph(topic.summary))
    page.blocks.append(Heading("Key points"))
    page.blocks += _claims(topic.points, cite)
    return _end(page, cite, _related(kb, topic.related), brief, f"ketaminfo topic {topic.id}")


def condition_page(kb: KnowledgeBase, condition: Condition, brief: bool = False) -> Page:
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
    return _end(page, cite, _related(kb, condition.related), brief, f"ketaminfo conditions {condition.id}")


def topic_list(kb: KnowledgeBase) -> Page:
    rows = tuple((t.id, t.title, str(len(t.points))) for t in kb.topics)
    def data() -> list[dict[str, object]]:
        return [{"id": t.id, "title": t.title, "aliases": list(t.aliases), "points": len(t.points)} for t in kb.topics]

    subtitle = f"{plural(len(rows), 'topic')} · show one with: ketaminfo topic ID"
    page = _page(kb, "Topics", subtitle, kind="topic-list", data=data)
    page.blocks.append(Table(("Id", "Topic", "Points"), rows, ids=(0,)))
    return page


def entry_list(kb: KnowledgeBase, kind: str | None = None) -> Page:
    """Every entry of every kind (or of one *kind*): id, kind and title, kind
    by kind in the order each kind's own list uses."""
    rows = [(e.id, k, e.title) for k in ([kind] if kind else ENTRY_KINDS) for e in _in_list_order(kb, k)]

    def data() -> list[dict[str, str]]:
        return [{"id": i, "kind": k, "title": t} for i, k, t in rows]

    counts = ", ".join(plural(n, k) for k in ENTRY_KINDS if (n := sum(1 for r in rows if r[1] == k)))
    subtitle = f"{counts} · open one with: ketaminfo ID"
    page = _page(kb, "Every entry" if kind is None else f"Every {kind}", subtitle, kind="entry-list", data=data)
    page.blocks.append(Table(("Id", "Kind", "Title"), tuple(rows), ids=(0,)))
    return page


def _in_list_order(kb: KnowledgeBase, kind: str) -> list:
    if kind == "term":
        return sorted(kb.terms, key=lambda t: (t.term.casefold(), t.id))
    if kind == "source":
        return kb.numbered_sources()
    return list(getattr(kb, BY_KIND[kind].attribute))


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
    page.blocks.append(Table(("Id", "Condition", "Category", "Evidence", "Sources"), rows, ids=(0,), optional=(2,)))
    return page


def timeline_page(
    kb: KnowledgeBase,
    events: Timeline,
    start: int | None = None,
    end: int | None = None,
    category: str | Iterable[str] | None = None,
    linked_to: Topic | Condition | None = None,
    brief: bool = False,
) -> Page:
    """The events of *events* (``kb.events_where``), by decade; *brief*, one
    line each (no description). Made as it is drawn, so a timeline of any
    length is shown in the same memory."""
    categories = [category] if isinstance(category, str) else list(category or ())
    scope = []
    if linked_to is not None:
        scope.append(f"linked to {linked_to.kind} {linked_to.id}")
    if start is not None or end is not None:
        scope.append(f"{start if start is not None else '…'}–{end if end is not None else 'now'}")
    if categories:
        scope.append(" or ".join(EVENT_CATEGORIES[c] for c in categories))
    scope.append(plural(len(events), "event"))
    filters = {
        "from": start,
        "to": end,
        "category": categories[0] if len(categories) == 1 else None,  # kept for one category; see categories
        "categories": categories,
        "linked_to": linked_to.id if linked_to else None,
    }
    def data() -> dict[str, object]:
        return {"filters": filters, "events": plain(list(events))}

    page = _page(kb, "Ketamine timeline", " · ".join(scope), kind="timeline", data=data)

    def blocks() -> Iterator[Block]:
        from itertools import groupby

        cite = Citations(kb)
        widest = events.decades()
        for decade, run in groupby(events, key=lambda event: event.date.decade):
            yield Heading(f"{decade}s")
            yield Run((_event_item(event, cite, brief) for event in run), widest=widest[decade][1])
        yield from cite.section(page, shown=not brief)
        if brief:
            yield _brief_line("the same command without --brief")

    page.blocks = Made(blocks)
    return page


def _event_item(event: Event, cite: Citations, brief: bool = False) -> Item:
    markers = cite.mark(event.sources)  # numbered even when not shown: JSON gives the sources
    return Item(
        event.title,
        label=event.date.text,
        tag=EVENT_CATEGORIES[event.category],
        tag_key=event.category,
        details=() if brief else (event.description,),
        quiet_details=False,
        markers=() if brief else markers,
        anchor=anchor("event", event.id),
    )


def event_page(kb: KnowledgeBase, event: Event, brief: bool = False) -> Page:
    """One event: when, what, its sources, and the pages it belongs with."""
    cite = Citations(kb)
    subtitle = f"event {event.id} · {event.date.text} · {EVENT_CATEGORIES[event.category]}"
    page = _page(kb, event.title, subtitle, kind="event", data=lambda: plain(event))
    page.blocks.append(Paragraph(event.description, markers=cite.mark(event.sources)))
    linked = [e for e in (kb.entry(i) for i in event.related) if e is not None]
    linked += [p for p in (*kb.topics, *kb.conditions) if event.id in p.related and p not in linked]
    return _end(page, cite, _related(kb, [e.id for e in linked]), brief, f"ketaminfo timeline {event.id}")


def choice_page(kb: KnowledgeBase, name: str, found: list[tuple[str, str]]) -> Page:
    """The entries one name names, and the command that shows each."""
    page = _page(kb, f"{shown(name)}: {len(found)} entries", "the name is used by each of these",
                 kind="choice", data=lambda: [{"kind": k, "id": i} for k, i in found])
    for kind, entry_id in found:
        entry = kb.entry(entry_id) if kind != "source" else kb.sources[entry_id]
        title = entry.title if entry is not None else entry_id
        page.blocks.append(Item(f"{title} ({entry_id})", label=kind,
                                details=(f"ketaminfo {BY_KIND[kind].command} {entry_id}",), target=(kind, entry_id)))
    return page


def term_page(kb: KnowledgeBase, term: Term, brief: bool = False) -> Page:
    cite = Citations(kb)
    page = _page(kb, term.term, f"term {term.id}{_also(term.aliases)}", kind="term", data=lambda: plain(term))
    page.blocks.append(Paragraph(term.definition, markers=cite.mark(term.sources)))
    return _end(page, cite, _related(kb, term.related), brief, f"ketaminfo glossary {term.id}")


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


def search_page(kb: KnowledgeBase, query: str, hits: list, brief: bool = False) -> Page:
    """Ranked results, each with where the words occur (*brief*: without)."""
    results = [
        {"kind": h.kind, "id": h.id, "title": h.title, "snippet": h.snippet.replace(MATCH_START, "").replace(MATCH_END, "")}
        for h in hits
    ]
    page = _page(kb, f"Search: {shown(query)}", plural(len(hits), "result"), kind="search", data={"query": query, "results": results})
    page.notice = READERS_NOTICE
    for hit in hits:
        page.blocks.append(
            Item(f"{hit.title} ({hit.id})", label=hit.kind, details=() if brief else (hit.snippet,),
                 target=(hit.kind, hit.id))
        )
    kinds = dict.fromkeys(hit.kind for hit in hits)
    page.blocks.append(Paragraph("Open one with: " + "; ".join(OPEN_COMMANDS[k] for k in kinds), quiet=True))
    return page


SOURCE_GROUPS = {
    "article": "Popular articles",
    "study": "Peer-reviewed studies",
    "review": "Reviews and consensus statements",
    "regulatory": "Regulatory records",
    "book": "Books",
    "news": "News reports",
}


def source_list(kb: KnowledgeBase) -> Page:
    """Every source, numbered in one order (``kb.source_order``), so
    ``ketaminfo sources 9`` opens the ninth; a heading for each kind. Made
    as it is drawn, the sources read a few hundred at a time."""
    ordered = kb.source_order()

    def data() -> list[dict[str, object]]:
        counts = kb.citation_counts()
        return [{"number": n, **source_data(s), "cited_by": counts[s.id]}
                for n, s in enumerate(kb.sources.each_of(ordered), 1)]

    subtitle = f"{plural(len(ordered), 'source')}, by kind, oldest first · open one with: ketaminfo sources N or ID"
    page = _page(kb, "Sources", subtitle, kind="source-list", data=data)

    def numbered() -> Iterator[tuple[int, Source, int]]:
        from ..kb.store import BATCH

        for start in range(0, len(ordered), BATCH):
            batch = ordered[start : start + BATCH]
            counts = kb.citation_counts(batch)
            for number, source in enumerate(kb.sources.each_of(batch), start + 1):
                yield number, source, counts[source.id]

    def blocks() -> Iterator[Block]:
        from itertools import groupby

        sizes, last = kb.source_kinds(), 0  # last: the number of the last source of this kind
        for kind, group in groupby(numbered(), key=lambda found: found[1].kind):
            last += sizes[kind]
            yield Heading(SOURCE_GROUPS[kind])
            yield Run((_source_item(number, source, count) for number, source, count in group), len(f"{last}."))

    page.blocks = Made(blocks)
    return page


def _source_item(number: int, source: Source, count: int) -> Item:
    cited = f"cited by {plural(count, 'statement')}"
    return Item(
        describe(source),
        label=f"{number}.",
        details=(f"{source.id} · {SOURCE_KINDS[source.kind]} · {cited}", *filter(None, [source.link])),
        anchor=anchor("source", source.id),
    )


def source_page(kb: KnowledgeBase, source: Source, brief: bool = False) -> Page:
    """A source's details and every statement that cites it (*brief*: how many)."""
    citing = kb.citing(source.id)
    data = {
        "source": source_data(source),
        "cited_by": [{"kind": kind, "id": entry_id, "statement": text, "role": role}
                     for kind, entry_id, text, role in citing],
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
    if brief:
        page.blocks.append(Paragraph(f"Cited by {plural(len(citing), 'statement')}; to see them: "
                                     f"ketaminfo sources {source.id}", quiet=True))
        return page
    supports = [c for c in citing if c[3] == "supports"]
    corrects = [c for c in citing if c[3] != "supports"]
    if supports or not corrects:
        page.blocks.append(Heading(f"Supports {plural(len(supports), 'statement')}"))
        page.blocks += [Item(text, details=(f"{kind} {entry_id}",)) for kind, entry_id, text, _ in supports]
    if corrects:  # cited to correct what an article claims: not evidence for that claim
        page.blocks.append(Heading(f"Cited in {plural(len(corrects), 'correction')} of what an article claims"))
        page.blocks += [Item(text, details=(f"{kind} {entry_id}",)) for kind, entry_id, text, _ in corrects]
    return page


def answer_page(kb: KnowledgeBase, result, brief: bool = False, stated=None) -> Page:
    """The statements that answer a question (``ketaminfo.ask.Answers``), best
    first, each with its evidence, any correction, its page and its sources;
    first of all, when the question states a claim people meet (*stated*: its
    verdict and the claim), the record's verdict on it."""
    from ..kb.model import VERDICTS

    cite = Citations(kb)
    answers, items, pages = [], [], {}
    claim_data = None
    if stated is not None:
        verdict, claim = stated
        level = f" ({EVIDENCE_LEVELS[claim.evidence]})" if claim.evidence else ""
        items.append(Item(f"The claim that {_lower_first(claim.says)}", tag=VERDICTS[verdict], tag_key=verdict,
                          note=f"{claim.record}{level}", note_markers=cite.mark(claim.sources), note_label="Record",
                          context="a claim people meet, and the record's verdict"))
        claim_data = {"id": claim.id, "says": claim.says, "verdict": verdict, "record": claim.record,
                      "evidence": claim.evidence, "sources": list(claim.sources)}
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
            "sources": cite.ids((*markers, *note_markers)),
        })
    data = {
        "question": result.question,
        "claim": claim_data,
        "answers": answers,
        "corrections": [{"typed": typed, "used": used} for typed, used in result.corrections],
    }
    subtitle = f"{plural(len(answers), 'answer')}, best first · each with its evidence and sources"
    page = _page(kb, shown(result.question), subtitle, kind="answer", data=data)
    page.notice = READERS_NOTICE
    if any(_crisis_page(kb, kind, entry_id) for kind, entry_id in pages):
        page.blocks.append(Callout(CRISIS))
    page.blocks += items
    more = [READ_MORE[kind].format(id=entry_id) for kind, entry_id in list(pages)[:3]]
    if more:
        page.blocks.append(Paragraph("Read more: " + "; ".join(dict.fromkeys(more)), quiet=True))
    return _end(page, cite, [], brief, "the same question without --brief")


def _lower_first(text: str) -> str:
    """*text* to follow "The claim that": its first letter lower case, its full stop kept."""
    first = text.split(" ", 1)[0]
    return text if len(first) > 1 and first.isupper() else text[:1].lower() + text[1:]


def check_summary(counts: dict[str, int]) -> str:
    """"14 sentences: 3 overstated, 1 contradicted, ..." (verdicts with none left out)."""
    from ..kb.model import VERDICTS

    total = sum(counts.values())
    parts = []
    for verdict, label in VERDICTS.items():
        n = counts.get(verdict, 0)
        if n:
            parts.append(f"{n} {label}" if verdict != "not-a-claim" else f"{n} {'not a claim' if n == 1 else 'not claims'}")
    return f"{plural(total, 'sentence')}: {', '.join(parts)}"


def check_page(kb: KnowledgeBase, report, brief: bool = False) -> Page:
    """A page checked sentence by sentence (``ketaminfo.kb.check.Report``):
    each sentence, where it is, its verdict and, for a verdict on the
    record, what the record says with its evidence, sources and the page to
    read next."""
    from ..kb.model import VERDICT_MEANING, VERDICTS
    from ..safetext import visible

    cite = Citations(kb)
    where = report.name if len(report.name) <= 24 else report.name.replace("\\", "/").rsplit("/", 1)[-1][-24:]
    where = visible(where)
    rows = []
    items: list[Block] = []
    for judged in report.sentences:
        claim = judged.claim
        verdict = judged.verdict
        details: list[str] = []
        note, note_markers, pages = None, (), []
        if claim is not None and verdict not in ("unknown", "not-a-claim"):
            pages = [e for e in (kb.entry(i) for i in claim.related) if e is not None]
            level = f" ({EVIDENCE_LEVELS[claim.evidence]})" if claim.evidence else ""
            note = f"{claim.record}{level}" if claim.record else None
            note_markers = cite.mark(claim.sources)
            if pages:
                details.append("Read next: " + "; ".join(READ_MORE[p.kind].format(id=p.id) for p in pages[:2]))
        elif verdict == "unknown":
            pages = [e for e in (kb.entry(i) for _, i in judged.related) if e is not None]
            details.append(VERDICT_MEANING["unknown"].capitalize() + ".")
            if pages:
                details.append("Related reading, not a verdict: " + "; ".join(
                    READ_MORE[p.kind].format(id=p.id) for p in pages[:2]))
        items.append(Item(
            f"“{visible(judged.text)}”", label=f"{where}:{judged.line}", tag=VERDICTS[verdict], tag_key=verdict,
            details=tuple(details), note=note, note_markers=note_markers, note_label="Record",
        ))
        rows.append({
            "text": judged.text,
            "line": judged.line,
            "verdict": verdict,
            "claim": claim.id if claim is not None else None,
            "record": claim.record if claim is not None else None,
            "evidence": claim.evidence if claim is not None else None,
            "sources": list(claim.sources) if claim is not None else [],
            "pages": [{"kind": p.kind, "id": p.id} for p in pages],
        })
    data = {"file": report.name, "sentences": rows, "counts": dict(report.counts)}
    page = _page(kb, f"Check of {shown(report.name)}", check_summary(report.counts), kind="check", data=data)
    page.notice = READERS_NOTICE
    page.blocks += items
    page.blocks.append(Paragraph(
        "Verdicts: " + "; ".join(f"{VERDICTS[v]}: {VERDICT_MEANING[v]}" for v in VERDICTS) + ".", quiet=True))
    return _end(page, cite, [], brief, "the same check without --brief")


def crisis_page(kb: KnowledgeBase | None, crisis) -> Page:
    """Crisis help on its own: what the reader's words called for
    (``ketaminfo.kb.crisis.Crisis``), when there is no other page to show it
    on, or the words asked for an amount that could do harm (``withhold``)."""
    data = {"withheld": bool(crisis and crisis.withhold)}
    page = Page("Help is available now", kind="crisis", data=data, as_of=kb.as_of if kb is not None else None)
    page.blocks.append(Callout(CRISIS))
    page.blocks.append(Paragraph(
        "You do not have to face this alone. ketaminfo is a reference on ketamine, not a crisis "
        "service: a crisis line or an emergency number can talk with you now."
    ))
    if crisis and crisis.withhold:
        page.blocks.append(Paragraph("ketaminfo does not give doses or amounts that could cause harm."))
    if kb is not None and "suicidal-ideation" in kb.conditions:
        page.blocks.append(Paragraph("Read more: ketaminfo conditions suicidal-ideation", quiet=True))
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
