"""Every way a knowledge-base file can be wrong gives a located KnowledgeBaseError."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketaminfo.errors import KnowledgeBaseError
from ketaminfo.kb import load

CASES = [
    # file, line, entry id, words the message must contain
    ("unknown-key.yaml", 5, "s1", "unknown key 'titel'"),
    ("missing-field.yaml", 2, "s1", "missing required key 'title'"),
    ("duplicate-id.yaml", 3, "s1", "duplicate id"),
    ("dangling-source.yaml", 4, "t1", "cites unknown source 's2'"),
    ("dangling-related.yaml", 4, "t1", "related id 'nowhere'"),
    ("bad-date.yaml", 4, "e1", "not a real date"),
    ("python-tag.yaml", 2, None, "is not allowed"),
    ("alias.yaml", 2, None, "reused through an alias"),
    ("tab.yaml", 2, None, "tab character"),
    ("bom.yaml", 1, None, "byte-order mark"),
    ("latin1.yaml", 2, None, "not UTF-8"),
    ("duplicate-key.yaml", 4, "s1", "duplicate key 'title'"),
    ("yes-no.yaml", 7, "c1", "'yes' is not true or false"),
]


@pytest.mark.parametrize(("name", "line", "entry", "words"), CASES)
def test_bad_file_is_reported_with_file_line_and_entry(bad_kb, name, line, entry, words):
    folder = bad_kb(name)
    with pytest.raises(KnowledgeBaseError) as info:
        load(folder)
    error = info.value
    assert Path(error.file).name == name
    assert error.line == line
    assert error.entry_id == entry
    assert words in str(error)


def test_python_tag_runs_nothing(bad_kb, tmp_path):
    marker = Path("/tmp/ketaminfo-pwned")
    marker.unlink(missing_ok=True)
    with pytest.raises(KnowledgeBaseError):
        load(bad_kb("python-tag.yaml"))
    assert not marker.exists()


def test_all_problems_are_reported_at_once(tmp_path):
    (tmp_path / "kb.yaml").write_text(
        "sources:\n"
        "  - {id: s1, title: One, kind: essay}\n"
        "  - {id: Bad Id, title: Two, kind: article}\n"
        "topics:\n"
        "  - {id: t1, title: T, summary: S., points: [], colour: red}\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeBaseError) as info:
        load(tmp_path)
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 4, messages
    assert any("'essay' is not one of" in m for m in messages)
    assert any("not a valid id" in m for m in messages)
    assert any("needs at least 1 item" in m for m in messages)
    assert any("unknown key 'colour'" in m for m in messages)


def test_yaml_one_one_words_stay_text(tmp_path):
    """YAML 1.1 reads `no` as false and `1:30` as a number; our fields read the text."""
    (tmp_path / "kb.yaml").write_text(
        "sources:\n  - {id: s1, title: no, kind: article, note: 1:30}\n", encoding="utf-8"
    )
    source = load(tmp_path).source("s1")
    assert (source.title, source.note) == ("no", "1:30")


def test_control_characters_in_text_are_rejected(tmp_path):
    (tmp_path / "kb.yaml").write_text(
        'sources:\n  - {id: s1, title: "bad \\e[31m red", kind: article}\n', encoding="utf-8"
    )
    with pytest.raises(KnowledgeBaseError) as info:
        load(tmp_path)
    assert "control character (U+001B)" in str(info.value)


def test_oversized_file_is_refused(tmp_path, monkeypatch):
    import ketaminfo.loader as loader

    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    (tmp_path / "kb.yaml").write_text("sources:\n" + "  # padding\n" * 20, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load(tmp_path)
    assert "larger than" in str(info.value)


def test_ambiguous_alias_is_an_error(tmp_path):
    (tmp_path / "kb.yaml").write_text(
        "sources:\n  - {id: s1, title: One, kind: article}\n"
        "glossary:\n"
        "  - {id: a, term: Alpha, aliases: [shared], definition: D., sources: [s1]}\n"
        "  - {id: b, term: Beta, aliases: [Shared], definition: D., sources: [s1]}\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeBaseError) as info:
        load(tmp_path)
    assert "also names 'a'" in str(info.value)
