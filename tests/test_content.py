"""Content rules for the bundled knowledge base (blocking checks).

The schema already guarantees that every claim, event and term names at least
one source, that ids are unique, dates parse and references resolve. These
tests add the editorial rules on top.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ketaminfo.kb import load

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
