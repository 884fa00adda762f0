"""Every way a knowledge-base file can be wrong gives a located, coded problem.

Each rule code in ketaminfo.rules has one failing fixture in tests/data/rules/
(KB003's oversized file is generated here rather than checked in).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ketaminfo.errors import KnowledgeBaseError
from ketaminfo.kb import load
from ketaminfo.kb.rules import RULES
from ketaminfo.kb.yamlsafe import MAX_FILE_BYTES

from .conftest import RULE_FIXTURES

# code -> (line, entry id, words the message must contain) for the fixture
EXPECTED = {
    "KB001": (2, None, "tab character"),
    "KB002": (2, None, "not UTF-8"),
    "KB004": (2, None, "python/object/apply:os.system"),
    "KB005": (5, None, "nested more than"),
    "KB006": (3, None, "unknown section 'topcs' (did you mean 'topics'?)"),
    "KB007": (5, "s1", "unknown key 'titel' in a source (did you mean 'title'?)"),
    "KB008": (2, "s1", "missing required key 'title'"),
    "KB009": (4, "s1", "duplicate key 'title'"),
    "KB010": (3, "s1", "title: expected text"),
    "KB011": (7, "c1", "'yes' is not true or false"),
    "KB012": (4, "e1", "not a real date"),
    "KB013": (2, "s1", "control character (U+001B)"),
    "KB014": (3, "s1", "duplicate id"),
    "KB015": (4, "t1", "cites unknown source 's2'"),
    "KB016": (4, "t1", "related id 'nowhere'"),
    "KB017": (5, "beta", "also names 'alpha'"),
    "KB018": (None, None, "no .yaml files"),
    "KB019": (2, "c1", "unknown class <wish>"),
    "KB020": (2, "c1", "example 'i wish i was dead' is matched by none of its phrases"),
    "KB021": (2, "c1", "calm sentence 'does ketamine kill pain' is matched by crisis phrases of 'c1'"),
    "KB022": (5, "t2", "question 'Is it safe?' is also one 't1' answers"),
    "KB023": (2, "c1", "a claim judged 'contradicted' needs the record's answer"),
}


def test_every_rule_has_an_expectation_and_a_fixture():
    assert set(EXPECTED) | {"KB003"} == set(RULES)
    for code in EXPECTED:
        assert (RULE_FIXTURES / f"{code}.yaml").exists() or (RULE_FIXTURES / code).is_dir(), code


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_rule_fixture_fails_with_its_code_file_line_and_entry(bad_kb, code):
    with pytest.raises(KnowledgeBaseError) as info:
        load(bad_kb(code))
    codes = {p.code for p in info.value.problems}
    assert codes == {code}, [str(p) for p in info.value.problems]
    problem = info.value.problems[0]
    line, entry, words = EXPECTED[code]
    assert Path(problem.file).name in (f"{code}.yaml", code)
    assert problem.line == line
    assert problem.entry_id == entry
    assert words in problem.message
    assert str(problem).split(": ", 1)[1].split(" ", 1)[0] == code


def test_kb003_oversized_file_is_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(KnowledgeBaseError) as info:
        load(tmp_path)
    assert info.value.problems[0].code == "KB003"
    assert "larger than the 2 MiB limit" in str(info.value)


def test_hostile_python_tag_runs_nothing(bad_kb):
    marker = Path("/tmp/ketaminfo-pwned")
    marker.unlink(missing_ok=True)
    with pytest.raises(KnowledgeBaseError):
        load(bad_kb("KB004"))
    assert not marker.exists()


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("alias.yaml", 2, "reused through an alias"),
        ("bom.yaml", 1, "byte-order mark"),
        ("utf16.yaml", 1, "UTF-16"),
    ],
)
def test_yaml_hazards_are_refused_with_a_line(bad_kb, name, line, words):
    with pytest.raises(KnowledgeBaseError) as info:
        load(bad_kb(name))
    assert info.value.line == line
    assert words in str(info.value)


def test_alias_bomb_is_refused_quickly_without_expanding(tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load(tmp_path)
    assert info.value.problems[0].code == "KB004"


def test_self_referencing_alias_is_refused(tmp_path):
    (tmp_path / "loop.yaml").write_text("sources: &loop\n  - *loop\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load(tmp_path)
    assert info.value.problems[0].code == "KB004"


def test_all_problems_are_reported_at_once(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "sources:\n"
        "  - {id: s1, title: One, kind: essay}\n"
        "  - {id: Bad Id, title: Two, kind: article}\n"
        "topics:\n"
        "  - {id: t1, title: T, summary: S., points: [], colour: red}\n",
        encoding="utf-8",
    )
    (tmp_path / "b.yaml").write_text("topics: [1, 2\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load(tmp_path)
    found = [(Path(p.file).name, p.code) for p in info.value.problems]
    assert found == [("a.yaml", "KB011"), ("a.yaml", "KB011"), ("a.yaml", "KB011"), ("a.yaml", "KB007"), ("b.yaml", "KB001")]


def test_a_broken_entry_does_not_cause_follow_on_reports(tmp_path):
    (tmp_path / "kb.yaml").write_text(
        "sources:\n  - {id: s1, title: One, kind: essay}\n"
        "glossary:\n  - {id: g1, term: G, definition: D., sources: [s1]}\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeBaseError) as info:
        load(tmp_path)
    assert [p.code for p in info.value.problems] == ["KB011"]


def test_yaml_one_one_words_stay_text(tmp_path):
    """YAML 1.1 reads `no` as false, `1:30` as a number and bare dates as dates."""
    (tmp_path / "kb.yaml").write_text(
        "sources:\n  - {id: s1, title: no, kind: article, note: 1:30, journal: 2001-02-03}\n",
        encoding="utf-8",
    )
    source = load(tmp_path).source("s1")
    assert (source.title, source.note, source.journal) == ("no", "1:30", "2001-02-03")


def test_safe_loader_only():
    import yaml

    from ketaminfo.kb import yamlsafe

    assert yamlsafe._SafeLoader in (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader)


# The about section ----------------------------------------------------------

MINIMAL_SOURCE = "sources:\n  - {id: s1, title: One, kind: article}\n"


def _problems(tmp_path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load(tmp_path, cache=False)
    return [f"{Path(p.file).name}:{p.line} {p.code} {p.message}" for p in info.value.problems]


def test_the_about_section_gives_the_knowledge_base_its_date(tmp_path):
    (tmp_path / "kb.yaml").write_text(MINIMAL_SOURCE + "about:\n  as_of: 2026-03-01\n", encoding="utf-8")
    assert load(tmp_path, cache=False).as_of == "2026-03-01"
    assert load(tmp_path).as_of == "2026-03-01"  # and through the cache


@pytest.mark.parametrize(
    ("about", "expected"),
    [
        ("about:\n  as_of: 2026-02-30\n", "KB012 as_of: '2026-02-30' is not a real date"),
        ("about:\n  as_of: March 2026\n", "KB012 as_of: 'March 2026' is not a date written YYYY-MM-DD"),
        ("about:\n  as_of: ２０２６-01-01\n", "is not a date written YYYY-MM-DD"),
        ("about:\n  note: no date\n", "KB008 about section is missing required key 'as_of'"),
        ("about:\n  as_of: 2026-01-01\n  asof: 2026-01-01\n", "KB007 unknown key 'asof'"),
        ("about: [2026-01-01]\n", "KB006 each about section must be a mapping"),
    ],
)
def test_a_bad_about_section_is_reported(tmp_path, about, expected):
    problems = _problems(tmp_path, {"kb.yaml": MINIMAL_SOURCE + about})
    assert any(expected in p for p in problems), problems


def test_only_one_file_may_give_the_about_section(tmp_path):
    problems = _problems(tmp_path, {
        "a.yaml": MINIMAL_SOURCE + "about:\n  as_of: 2026-01-01\n",
        "b.yaml": "about:\n  as_of: 2026-02-01\n",
    })
    assert len(problems) == 1
    assert problems[0].startswith("b.yaml:2 KB006 section 'about' is already given in ")
    assert problems[0].endswith("a.yaml; give it once")


def test_an_overlay_brings_its_own_date(tmp_path):
    (tmp_path / "notes.yaml").write_text("about:\n  as_of: 2030-05-05\n", encoding="utf-8")
    assert load(tmp_path, "overlay", cache=False).as_of == "2030-05-05"
    (tmp_path / "notes.yaml").write_text(MINIMAL_SOURCE.replace("s1", "my-note"), encoding="utf-8")
    assert load(tmp_path, "overlay", cache=False).as_of == load(cache=False).as_of  # the bundled date stands


def test_a_review_date_on_a_source_must_be_real(tmp_path):
    problems = _problems(tmp_path, {"kb.yaml": "sources:\n  - {id: s1, title: One, kind: study, reviewed: 2026-13-01}\n"})
    assert problems == ["kb.yaml:2 KB012 reviewed: '2026-13-01' is not a real date"]
