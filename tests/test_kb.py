"""The library API: loading, lookups, suggestions and the timeline."""

from __future__ import annotations

from pathlib import Path

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
    kinds = [kind for kind, _, _, _ in kb.citing("label-one")]
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


# Reading a large knowledge base in several processes ------------------------------------------


def _split(folder, tmp_path, parts: int):
    """The knowledge base in *folder*, its entries spread over *parts* files."""
    import yaml

    merged: dict = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        for section, items in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if isinstance(items, list):
                merged.setdefault(section, []).extend(items)
            else:
                merged[section] = items
    out = tmp_path / f"split-{parts}"
    out.mkdir()
    chunks = [{} for _ in range(parts)]
    for section, items in merged.items():
        if not isinstance(items, list):
            chunks[0][section] = items
            continue
        for n, item in enumerate(items):
            chunks[n * parts // len(items)].setdefault(section, []).append(item)
    for n, chunk in enumerate(chunks):
        (out / f"part-{n:02d}.yaml").write_text(yaml.safe_dump(chunk, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def _problems_or_entries(root):
    from ketaminfo.errors import KnowledgeBaseError
    from ketaminfo.kb import loading
    from ketaminfo.kb.files import data_layers

    layers, problems = loading.read_layers(data_layers(root, None))
    try:
        db = loading.parse(layers, problems)
    except KnowledgeBaseError as exc:
        return exc.problems
    tables = ("meta", "entries", "names", "citations", "synonyms")
    return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in tables}


@pytest.mark.parametrize("broken", [False, True])
def test_several_processes_read_exactly_what_one_reads(tmp_path, monkeypatch, broken):
    import sys

    from ketaminfo.kb import loading
    from ketaminfo.kb.files import bundled_data

    if not sys.platform.startswith("linux"):
        pytest.skip("workers fork only on Linux")
    root = _split(bundled_data(), tmp_path, 12)
    if broken:  # problems in several files, a duplicate id across files, two about sections
        for part in ("part-03.yaml", "part-09.yaml", "part-10.yaml"):  # each names part-00's as the first
            (root / part).write_text((root / part).read_text() + "\nabout: {as_of: 2020-01-01}\n")
        (root / "part-07.yaml").write_text((root / "part-07.yaml").read_text().replace("evidence: established", "evidence: proven", 1))
        (root / "part-99.yaml").write_text("sources:\n  - {id: berman-2000, title: T, kind: article}\n")
    one = _problems_or_entries(root)
    monkeypatch.setattr(loading, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(loading, "PARALLEL_FILES", 2)
    monkeypatch.setattr(loading, "_workers", lambda files: 3)
    several = _problems_or_entries(root)
    assert several == one
    if broken:
        assert {p.code for p in one} >= {"KB006", "KB011", "KB014"}
        abouts = [p.message for p in one if "already given" in p.message]
        assert len(abouts) == 3 and all("part-00.yaml" in message for message in abouts)


def test_files_are_read_one_at_a_time(tmp_path):
    """A layer's bytes are read file by file as the loader goes, never all at once."""
    from ketaminfo.kb.files import iter_files

    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (tmp_path / name).write_text("topics: []\n", encoding="utf-8")
    files = iter_files(str(tmp_path), [])
    first = next(files)
    (tmp_path / "b.yaml").write_text("glossary: []\n", encoding="utf-8")  # not read yet: the new bytes are seen
    assert Path(first.name).name == "a.yaml"
    assert next(files).raw == b"glossary: []\n"


def test_an_overlaid_entry_takes_its_statements_off_its_sources_pages(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "mine.yaml").write_text(
        "topics:\n  - id: mechanism\n    title: Mechanism\n    summary: S.\n"
        "    points:\n      - {text: Only this now., evidence: early, sources: [zarate-2006]}\n",
        encoding="utf-8",
    )
    bundled, kb = load(), load(folder, mode="overlay")
    cited = [s for k, i, s, _ in kb.citing("zarate-2006") if (k, i) == ("topic", "mechanism")]
    assert cited == ["Only this now."]
    assert [t.id for t in kb.topics] == [t.id for t in bundled.topics]  # in the place of the one it replaced
    assert sum(kb.citation_counts().values()) < sum(bundled.citation_counts().values())


def test_a_timeline_counts_its_events_and_reads_them_as_it_goes(kb, monkeypatch):
    from ketaminfo.kb import store

    events = kb.events_where(start=1970)
    assert len(events) == 3 and events.decades() == {1970: (2, len("1970-03-01")), 2000: (1, len("2006-08"))}
    read = []
    real = store.decode
    monkeypatch.setattr(store, "decode", lambda section, row: read.append(section) or real(section, row))
    assert next(iter(kb.events_where(start=1970, end=1979))).id == "street-use"
    assert read == ["timeline", "timeline"]  # a batch: the two events of those years, no other
    assert [e.id for e in kb.events_where(linked_to=kb.topic("history"))] == [
        e.id for e in kb.timeline() if e.id in kb.linked_events(kb.topic("history"))
    ]


def test_names_are_compared_without_any_kind_of_space_or_punctuation():
    """``normalise`` drops what the regular expression [\\s\\-_'’.,/()] matches."""
    import re
    import sys

    from ketaminfo.kb.model import SPACES, normalise

    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    assert set(re.findall(r"[\s\-_'’.,/()]", everything)) == set(SPACES + "-_'’.,/()")
    assert SPACES == "".join(ch for ch in everything if ch.isspace())
    pattern = re.compile(r"[\s\-_'’.,/()]+")
    for name in ["Mechanism of Action", "how-it-works", "  NMDA\u00a0receptor\u2003(GluN)\t", "it’s_a.b,c/d", "Ａ\u3000b"]:
        assert normalise(name) == pattern.sub("", name.casefold())


def test_a_source_cited_only_in_a_correction_is_not_said_to_support_the_claim():
    kb = load(Path(__file__).parent.parent / "data")
    roles = {(role, text) for _, _, text, role in kb.citing("zarate-2006")}
    overclaim = "Ketamine offers lasting relief"
    assert not any(text.startswith(overclaim) for _, text in roles)
    corrected = [text for role, text in roles if role == "corrects"]
    assert corrected and all("fades" in text or "lasts" in text or "week" in text for text in corrected)
