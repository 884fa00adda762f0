"""Full-text search and forgiving names, on the bundled knowledge base."""

from __future__ import annotations

import pytest

from ketaminfo.errors import ExitCode, NotFound, UsageError
from ketaminfo.kb import load
from ketaminfo.kb.search import fts_query, search

from .conftest import FIXTURE_KB


@pytest.fixture(scope="module")
def kb():
    return load()


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("esketamine", ("term", "esketamine")),  # a drug name
        ("nmda", ("term", "nmda-receptor")),  # a receptor
        ("ptsd", ("condition", "ptsd")),  # a condition abbreviation
        ("TRD", ("condition", "trd")),
        ('"nasal spray"', ("topic", "spravato")),  # a phrase
        ("neuro*", ("topic", "neuroplasticity")),  # a prefix
        ("bladder", ("topic", "organ-harm")),
        ("mTOR", ("term", "mtor")),
    ],
)
def test_expected_page_comes_first(kb, query, first):
    hits = search(kb, query)
    assert (hits[0].kind, hits[0].id) == first, [(h.kind, h.id) for h in hits[:5]]


def test_stemming_finds_other_forms(kb):
    assert "nmda-receptor" in {h.id for h in search(kb, "receptors")}
    assert "nmda-receptor" in {h.id for h in search(kb, "receptor")}
    assert {h.id for h in search(kb, "synapses")} & {"synaptogenesis", "neuroplasticity"}


def test_phrase_needs_the_words_together(kb):
    together = {h.id for h in search(kb, '"nasal spray"', limit=50)}
    apart = {h.id for h in search(kb, "nasal spray", limit=50)}
    assert together and together <= apart
    assert search(kb, '"spray nasal"') == []


def test_prefix_and_hyphenated_words(kb):
    assert search(kb, "neuroplast*")
    assert search(kb, "treatment-resistant")
    assert search(kb, "0.5")


def test_kind_and_limit(kb):
    hits = search(kb, "ketamine", kind="event", limit=3)
    assert len(hits) == 3 and {h.kind for h in hits} == {"event"}
    with pytest.raises(UsageError):
        search(kb, "ketamine", kind="page")


def test_snippets_mark_the_match_in_the_body(kb):
    hit = search(kb, "cystitis", kind="topic")[0]
    assert hit.id == "organ-harm"
    assert "\x02cystitis\x03" in hit.snippet


@pytest.mark.parametrize(("query", "expected"), [
    ("nmda", "nmda"),
    ("neuro*", "neuro*"),
    ("treatment-resistant", '"treatment-resistant"'),
    ('"nasal spray" OR ptsd', '"nasal spray" OR ptsd'),
    ("5-HT*", '"5-HT"*'),
    ("(a OR b) NOT c", "( a OR b ) NOT c"),
])
def test_query_words_fts5_cannot_read_bare_are_quoted(query, expected):
    assert fts_query(query) == expected


@pytest.mark.parametrize("query", ['"unclosed', "AND", "OR OR", "NEAR("])
def test_malformed_queries_are_usage_errors(kb, query):
    with pytest.raises(UsageError):
        search(kb, query)


# Forgiving names -------------------------------------------------------


@pytest.mark.parametrize(
    ("lookup", "name", "expected"),
    [
        ("condition", "trd", "trd"),
        ("condition", "TRD", "trd"),
        ("condition", "treatment resistant depression", "trd"),
        ("condition", "Treatment-Resistant Depression", "trd"),
        ("condition", "ptsd", "ptsd"),
        ("condition", "fibromyalgia", "chronic-pain"),
        ("topic", "moa", "mechanism"),
        ("topic", "side effects", "safety"),
        ("term", "esketamine", "esketamine"),
        ("term", "Spravato", "esketamine"),
        ("term", "NMDA", "nmda-receptor"),
    ],
)
def test_names_resolve_from_aliases_and_spellings(kb, lookup, name, expected):
    assert getattr(kb, lookup)(name).id == expected


@pytest.mark.parametrize(("lookup", "typo", "best"), [
    ("topic", "mechansim", "mechanism"),
    ("topic", "pharmacolgy", "pharmacology"),
    ("condition", "ptds", "ptsd"),
    ("term", "glutamat", "glutamate"),
])
def test_typos_get_the_closest_name_first(kb, lookup, typo, best):
    with pytest.raises(NotFound) as info:
        getattr(kb, lookup)(typo)
    assert info.value.suggestions[0] == best


# The command -------------------------------------------------------------


def test_search_command_lists_hits_with_kind_id_and_highlight(run):
    result = run("search", "nmda", data=None)
    assert result.exit_code == 0
    assert "term    NMDA receptor (nmda-receptor)" in result.stdout
    assert "*NMDA*" in result.stdout
    assert "Open one with:" in result.stdout


def test_search_takes_several_words(run):
    assert run("search", "nasal", "spray", data=None).exit_code == 0


def test_no_hits_exit_1_with_a_hint(run):
    result = run("search", "mechansim", data=None)
    assert result.exit_code == ExitCode.NOT_FOUND
    assert result.stdout == ""
    assert "No matches for 'mechansim'." in result.stderr
    assert "Did you mean: mechanism?" in result.stderr


@pytest.mark.parametrize("args", [['"unclosed'], ["AND"], ["x", "--kind", "page"], ["x", "--limit", "0"]])
def test_bad_search_usage_exits_2(run, args):
    result = run("search", *args, data=None)
    assert result.exit_code == ExitCode.USAGE
    assert "Traceback" not in result.output


def test_timeline_filtered_by_topic_and_condition(run):
    kb = load()
    result = run("timeline", "--topic", "moa", data=None)
    assert result.exit_code == 0
    expected = [e.title for e in kb.timeline(linked_to=kb.topic("mechanism"))]
    assert len(expected) >= 3
    assert all(title in result.stdout for title in expected)
    assert "linked to topic mechanism" in result.stdout
    result = run("timeline", "--condition", "PTSD", data=None)
    assert "First randomized trial in PTSD" in result.stdout and "3 events" in result.stdout


def test_timeline_link_filter_errors(run):
    assert run("timeline", "--topic", "mechanism", "--condition", "ptsd", data=None).exit_code == ExitCode.USAGE
    result = run("timeline", "--topic", "mechansim", data=None)
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "Did you mean: mechanism?" in result.stderr


def test_linked_events_work_in_both_directions():
    kb = load()
    # ptsd-trial names ptsd; the ptsd condition names ptsd-trial too.
    assert kb.linked_events(kb.condition("ptsd")) == {"ptsd-trial", "ptsd-repeated-trial", "ptsd-veterans-trial"}
    # first-placebo-trial is named by the history topic; it names history back.
    assert "first-placebo-trial" in kb.linked_events(kb.topic("history"))


@pytest.mark.parametrize("query", ["x *", "nmda *", "* *", "qqq ( zz"])
def test_an_any_word_fallback_fts_cannot_read_is_skipped(run, query):
    result = run("search", query, data=None)
    assert result.exit_code in (0, 1, 2) and "Traceback" not in result.stderr


def _index_tables(path):
    import sqlite3

    db = sqlite3.connect(path)
    tables = ("documents", "answers", "vocabulary")
    found = {table: db.execute(f"SELECT rowid, * FROM {table}" if table != "vocabulary" else f"SELECT * FROM {table}").fetchall()
             for table in tables}
    db.close()
    return found


def test_an_index_built_by_a_second_process_is_the_same(tmp_path, monkeypatch):
    import sys

    from ketaminfo.kb import store

    if not sys.platform.startswith("linux"):
        pytest.skip("a second process is forked only on Linux")
    kb = load(FIXTURE_KB)  # from the cache: a store with a file
    assert kb.store.path is not None
    store.build_index_file(str(tmp_path / "here.sqlite"), "k", kb.store)
    monkeypatch.setattr(store, "PARALLEL_ENTRIES", 0)
    monkeypatch.setattr(store, "BATCH", 2)  # many batches, each sent back
    assert store._apart(kb.store)
    store.build_index_file(str(tmp_path / "apart.sqlite"), "k", kb.store)
    here, apart = _index_tables(tmp_path / "here.sqlite"), _index_tables(tmp_path / "apart.sqlite")
    assert here == apart and here["documents"] and here["answers"]


def test_a_second_process_that_cannot_read_the_store_reports_damage(tmp_path, monkeypatch):
    import sqlite3
    import sys

    from ketaminfo.kb import store

    if not sys.platform.startswith("linux"):
        pytest.skip("a second process is forked only on Linux")
    kb = load(FIXTURE_KB)

    def damaged(sections, synonyms):
        raise sqlite3.DatabaseError("a stored topics entry does not decode")
        yield  # a generator, like the real one

    monkeypatch.setattr(store, "PARALLEL_ENTRIES", 0)
    monkeypatch.setattr(store, "index_batches", damaged)  # in the forked process too
    with pytest.raises(sqlite3.DatabaseError, match="does not decode"):
        store.build_index_file(str(tmp_path / "apart.sqlite"), "k", kb.store)
