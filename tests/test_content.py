"""Content rules for the bundled knowledge base (blocking checks).

The schema already guarantees that every claim, event and term names at least
one source, that ids are unique, dates parse and references resolve. These
tests add the editorial rules on top.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ketaminfo.kb import load

from .attribution import index_article, unsupported

ROOT = Path(__file__).parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="module")
def kb():
    return load(ROOT / "data")


def _claims(kb):
    for page in (*kb.topics, *kb.conditions):
        for claim in page.points:
            yield page, claim


def _is_record(kb, source_id: str) -> bool:
    return kb.sources[source_id].kind != "article"


def test_every_source_is_cited(kb):
    counts = kb.citation_counts()
    assert [s.id for s in kb.sources if counts[s.id] == 0] == []


def test_each_article_is_cited_many_times(kb):
    counts = kb.citation_counts()
    articles = [s.id for s in kb.sources if s.kind == "article"]
    assert len(articles) == 5
    assert {a: counts[a] for a in articles if counts[a] < 15} == {}


def test_every_condition_status_rests_on_the_record(kb):
    for condition in kb.conditions:
        assert any(_is_record(kb, s) for s in condition.evidence.sources), condition.id


def test_rated_claims_cite_the_record(kb):
    """Only an articles-only claim may rest on the articles alone."""
    bare = [
        (page.id, claim.text[:50])
        for page, claim in _claims(kb)
        if claim.evidence != "articles-only" and not any(_is_record(kb, s) for s in claim.sources)
    ]
    assert bare == []


def test_every_correction_cites_the_record(kb):
    for page, claim in _claims(kb):
        if claim.correction:
            assert any(_is_record(kb, s) for s in claim.correction.sources), (page.id, claim.text)


def test_articles_only_claims_cite_only_articles(kb):
    for page, claim in _claims(kb):
        if claim.evidence == "articles-only":
            assert not any(_is_record(kb, s) for s in claim.sources), (page.id, claim.text)


def test_required_topics_exist(kb):
    for name in ("history", "mechanism", "neuroplasticity", "treatment", "experience", "safety",
                 "access", "stigma", "anesthesia", "pharmacology", "future"):
        assert kb.topic(name)


def test_required_conditions_exist(kb):
    for name in ("TRD", "MDD", "bipolar depression", "suicidal ideation", "PTSD", "OCD", "GAD",
                 "social anxiety", "chronic pain", "neuropathic pain", "fibromyalgia", "CRPS",
                 "alcohol use disorder", "cocaine dependence"):
        assert kb.condition(name)


def test_required_glossary_terms_exist(kb):
    for name in ("NMDA", "glutamate", "BDNF", "AMPA", "mTOR", "synaptogenesis", "dissociation",
                 "esketamine", "arketamine", "REMS", "TRD", "psychotomimetic", "subanesthetic"):
        assert kb.term(name)


def test_timeline_spans_the_story(kb):
    events = kb.timeline()
    assert len(events) >= 25
    assert events[0].date.start < 1962 and events[-1].date.start >= 2025
    assert {e.category for e in events} == {"discovery", "clinical-use", "regulation", "research", "culture"}


def test_suicidal_ideation_pages_carry_crisis_help(kb):
    assert kb.condition("suicidal ideation").crisis_help


def test_corrections_exist_for_known_overstatements(kb):
    corrected = " ".join(c.text for _, c in _claims(kb) if c.correction)
    for phrase in ("veterinary", "lasting relief", "restore neuroplasticity", "paradigm shift"):
        assert phrase in corrected, phrase


@pytest.mark.skipif(not (SHARED / "tools" / "overlap.py").exists(), reason="source articles not beside the repo")
def test_no_sentence_is_copied_from_an_article():
    result = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "overlap.py"), "data", "README.md", "ketaminfo"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout


# Attribution: an article is cited only for what it says --------------------

ARTICLES = json.loads((ROOT / "tests" / "data" / "articles.json").read_text(encoding="utf-8"))


def _statements(kb):
    """(where, text, cited source ids, event date or None) for every statement."""
    for page, claim in _claims(kb):
        yield f"{page.kind} {page.id}: {claim.text[:60]}", claim.text, claim.sources, None
    for condition in kb.conditions:
        status = condition.evidence
        yield f"condition {condition.id} (evidence)", status.summary, status.sources, None
    for event in kb.events:
        yield f"event {event.id}", f"{event.title}. {event.description}", event.sources, event.date
    for term in kb.terms:
        yield f"term {term.id}", term.definition, term.sources, None


def _date_words(date) -> set[str]:
    """What an article must mention to be cited for an event on *date*: its
    year, or for a decade or span, the decade it starts in."""
    if date.end != date.start:
        return {f"{date.decade}s", str(date.start)}
    return {str(date.start)}


def test_articles_are_cited_only_for_the_numbers_and_names_they_give(kb):
    problems = []
    for where, text, cited, date in _statements(kb):
        articles = [ARTICLES[s] for s in cited if s in ARTICLES]
        if not articles:
            continue
        missing = unsupported(text, articles)
        if date is not None:
            missing += [date.text for a in articles if not _date_words(date) & set(a["numbers"])]
        if missing:
            problems.append(f"{where} -> {sorted(set(missing))}")
    assert problems == []


def test_every_article_in_the_knowledge_base_is_indexed(kb):
    assert {s.id for s in kb.sources if s.kind == "article"} == set(ARTICLES)


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="source articles not beside the repo")
def test_the_article_index_matches_the_articles():
    for entry in ARTICLES.values():
        text = (SHARED / "seeds" / entry["file"]).read_text(encoding="utf-8")
        assert {k: v for k, v in entry.items() if k != "file"} == index_article(text), entry["file"]


@pytest.mark.parametrize(
    ("text", "cited_numbers", "cited_names", "expected"),
    [
        ("Ketamine was made in 1962 by Calvin Stevens.", ["1960s"], [], ["1962", "calvin", "stevens"]),
        ("Ketamine was made in 1962 by Calvin Stevens.", ["1962"], ["calvin", "stevens"], []),
        ("Given at 0.5 mg/kg over 40 minutes to 8,341 people.", ["0.5", "40"], [], ["8341"]),
        ("It blocks the NMDA receptor.", [], ["nmda"], []),
        ("Used in the Vietnam War.", [], [], ["vietnam", "war"]),
    ],
)
def test_the_attribution_check_itself(text, cited_numbers, cited_names, expected):
    assert unsupported(text, [{"numbers": cited_numbers, "names": cited_names}]) == expected


# What the second check found wrong stays fixed ------------------------------


def test_approved_means_a_regulator_approved_exactly_that_use(kb):
    for condition in kb.conditions:
        if condition.evidence.status == "approved":
            kinds = {kb.sources[s].kind for s in condition.evidence.sources}
            assert "regulatory" in kinds, condition.id
    suicidal = kb.condition("suicidal ideation")
    assert suicidal.evidence.status != "approved"
    assert "No regulator has approved" in suicidal.evidence.summary
    assert "not been shown to prevent suicide" in suicidal.evidence.summary


def test_little_respiratory_depression_is_never_stated_as_established(kb):
    little = re.compile(r"\b(little|minimal|slight)\b[\w ]{0,20}(depression of breathing|respiratory depression)", re.I)
    for page, claim in _claims(kb):
        if little.search(claim.text):
            assert claim.evidence == "articles-only", (page.id, claim.text)
            assert claim.correction and "respiratory depression" in claim.correction.text, page.id
    warning = [c for _, c in _claims(kb) if "boxed warning" in c.text and "spravato-label" in c.sources]
    assert any("respiratory depression" in c.text for c in warning)


def test_psychiatric_research_is_not_dated_to_2000(kb):
    for page, claim in _claims(kb):
        assert not re.search(r"psychiatric research\b.*\b2000\b", claim.text, re.I), (page.id, claim.text)


def test_wide_use_in_vietnam_is_not_established(kb):
    for page, claim in _claims(kb):
        if "Vietnam" in claim.text:
            assert claim.evidence == "articles-only" and claim.correction, (page.id, claim.text)
    for event in kb.events:
        assert "Vietnam" not in event.title + event.description, event.id


def test_claims_about_what_articles_say_are_graded_articles_only(kb):
    about_articles = re.compile(r"\b(articles?|several articles|one article)\b", re.I)
    for page, claim in _claims(kb):
        if about_articles.search(claim.text):
            assert claim.evidence == "articles-only", (page.id, claim.text)


def test_the_antidepressant_mechanism_is_not_stated_as_settled(kb):
    for page, claim in _claims(kb):
        if re.search(r"antidepressant (effect|action|cascade)", claim.text) and "glutamate" in claim.text:
            assert claim.evidence in ("hypothesis", "early", "articles-only"), (page.id, claim.text)


def test_label_sources_are_named_for_what_they_are(kb):
    for source in kb.sources:
        if source.id.startswith("ketalar"):
            assert "Ketalar" in source.title, source.id
        if "setid=b96a0a23" in (source.url or ""):
            assert "Ketalar" not in source.title and "generic" in source.title, source.id
    assert kb.source("bmj-2019-eu").title.startswith("Esketamine is approved in Europe")


def test_the_record_updates_are_on_their_pages(kb):
    def cited(page):
        found = set(page.evidence.sources) if hasattr(page, "evidence") else set()
        for claim in page.points:
            found |= set(claim.cited())
        return found

    assert {"feder-2021", "abdallah-2022"} <= cited(kb.condition("ptsd"))
    assert "glue-2020" in cited(kb.condition("anxiety"))
    assert "bloch-2012" in cited(kb.condition("ocd"))
    assert {"noppers-2011", "pickering-2020"} <= cited(kb.condition("chronic pain"))
    assert {"anand-2023", "reif-2023"} <= cited(kb.condition("trd"))
    assert "cottrell-2008" in cited(kb.topic("organ-harm"))
    assert "atai-2023" in cited(kb.topic("future"))


def test_the_monotherapy_approval_is_dated_no_more_precisely_than_the_sources_agree(kb):
    event = next(e for e in kb.events if e.id == "spravato-monotherapy")
    assert (event.date.start, event.date.month, event.date.day) == (2025, 1, 0)


def test_the_knowledge_base_is_large_enough_to_answer_readers(kb):
    claims = sum(len(page.points) for page in (*kb.topics, *kb.conditions))
    assert claims >= 160
    assert len(kb.conditions) >= 14 and len(kb.events) >= 45 and len(kb.terms) >= 35
    assert kb.as_of is not None


# The questions readers bring --------------------------------------------------

QUESTIONS = yaml.safe_load((ROOT / "tests" / "data" / "questions.yaml").read_text(encoding="utf-8"))


def entry_text(kb, kind: str, entry_id: str) -> str:
    """Everything an entry's page says, as one string."""
    if kind in ("topic", "condition"):
        page = kb.topic(entry_id) if kind == "topic" else kb.condition(entry_id)
        parts = [page.summary, *(c.text for c in page.points), *(c.correction.text for c in page.points if c.correction)]
        if kind == "condition":
            parts.append(page.evidence.summary)
        return " ".join(parts)
    if kind == "term":
        return kb.term(entry_id).definition
    if kind == "event":
        event = next(e for e in kb.events if e.id == entry_id)
        return f"{event.title} {event.description}"
    source = kb.source(entry_id)
    return " ".join(filter(None, [source.title, source.note]))


def test_there_are_at_least_forty_questions():
    assert len(QUESTIONS) >= 40
    assert len({q["question"] for q in QUESTIONS}) == len(QUESTIONS)


@pytest.mark.parametrize("item", QUESTIONS, ids=lambda q: q["question"][:40])
def test_each_question_s_expected_entry_holds_the_answer(kb, item):
    kind, entry_id = item["expect"].split()
    text = entry_text(kb, kind, entry_id).casefold()
    for phrase in item["answer"]:
        assert phrase.casefold() in text, (item["expect"], phrase)
