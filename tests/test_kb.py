"""The library API: loading, lookups, suggestions and the timeline."""

from __future__ import annotations

import pytest

from ketaminfo.errors import KnowledgeBaseError, NotFound
from ketaminfo.kb import load

from .conftest import FIXTURE_KB


@pytest.fixture(scope="module")
def kb():
    return load(FIXTURE_KB)


@pytest.mark.parametrize("name", ["mechanism", "MoA", "moa", "Mechanism of Action", "how-it-works", "HOW IT WORKS"])
def test_topic_resolves_from_id_title_and_aliases(kb, name):
    assert kb.topic(name).id == "mechanism"


@pytest.mark.parametrize("name", ["low-mood", "LMD", "low mood", "Low_Mood", "low mood disorder"])
def test_condition_resolves_ignoring_case_space_and_dash(kb, name):
    assert kb.condition(name).id == "low-mood"


def test_unknown_name_raises_not_found_with_suggestions(kb):
    with pytest.raises(NotFound) as info:
        kb.topic("mechansim")
    assert info.value.suggestions[0] == "mechanism"
    assert "Did you mean: mechanism?" in str(info.value)


def test_unrelated_name_has_no_suggestions(kb):
    with pytest.raises(NotFound) as info:
        kb.topic("zzzzqqq")
    assert info.value.suggestions == []


def test_lists_keep_file_order(kb):
    assert [t.id for t in kb.topics] == ["mechanism", "history"]
    assert [c.id for c in kb.conditions] == ["low-mood", "dark-thoughts"]


def test_timeline_is_chronological_with_decades_before_their_years(kb):
    assert [e.id for e in kb.timeline()] == ["made", "street-use", "approved", "big-trial"]


def test_timeline_filters_by_years_and_category(kb):
    assert [e.id for e in kb.timeline(start=1970, end=1979)] == ["street-use", "approved"]
    assert [e.id for e in kb.timeline(start=1975)] == ["street-use", "big-trial"]
    assert [e.id for e in kb.timeline(category="regulation")] == ["approved"]
    assert kb.timeline(start=2007) == []


def test_citation_counts_count_each_statement_once(kb):
    counts = kb.citation_counts()
    # art-one: two mechanism points, the history point, the low-mood point, two events.
    assert counts["art-one"] == 6
    assert counts["label-one"] == 2


def test_citing_lists_every_statement_for_a_source(kb):
    kinds = [kind for kind, _, _ in kb.citing("label-one")]
    assert kinds == ["condition", "event"]


def test_source_link_prefers_doi_then_pubmed_then_url(kb):
    assert kb.source("study-one").link == "https://doi.org/10.1000/xyz123"
    assert kb.source("label-one").link == "https://example.org/label"


def test_missing_directory_is_a_knowledge_base_error(tmp_path):
    with pytest.raises(KnowledgeBaseError) as info:
        load(tmp_path / "nope")
    assert "no readable folder" in str(info.value)


def test_environment_variable_selects_the_data(monkeypatch):
    monkeypatch.setenv("KETAMINFO_DATA", str(FIXTURE_KB))
    assert [t.id for t in load().topics] == ["mechanism", "history"]


def test_bundled_knowledge_base_loads():
    kb = load()
    assert kb.topic("mechanism").title
