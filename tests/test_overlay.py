"""--data / KETAMINFO_DATA with the replace and overlay modes."""

from __future__ import annotations

import pytest

from ketaminfo.errors import ExitCode, KnowledgeBaseError, UsageError
from ketaminfo.kb import load

from .conftest import FIXTURE_KB

BUNDLED = load()


def _write(folder, text):
    folder.mkdir(exist_ok=True)
    (folder / "mine.yaml").write_text(text, encoding="utf-8")
    return folder


def test_replace_is_the_default_and_uses_the_folder_alone():
    kb = load(FIXTURE_KB)
    assert [t.id for t in kb.topics] == ["mechanism", "history"]
    assert "art-unveiling" not in kb.sources


def test_overlay_replaces_same_id_and_adds_new_ids():
    kb = load(FIXTURE_KB, mode="overlay")
    # Same id, same section: the folder's entry wins, in the bundled position.
    assert kb.topic("mechanism").title == "Mechanism of action"
    assert len(kb.topic("mechanism").points) == 2
    assert [t.id for t in kb.topics] == [t.id for t in BUNDLED.topics]
    # New ids are added after the bundled ones.
    assert [c.id for c in kb.conditions][-2:] == ["low-mood", "dark-thoughts"]
    # Untouched bundled entries stay.
    assert kb.topic("safety") == BUNDLED.topic("safety")


def test_overlay_entries_may_cite_bundled_sources(tmp_path):
    folder = _write(
        tmp_path / "notes",
        "glossary:\n  - {id: clinic-note, term: Our clinic, definition: Local notes., sources: [zarate-2006]}\n",
    )
    kb = load(folder, mode="overlay")
    assert kb.term("our clinic").sources == ("zarate-2006",)
    with pytest.raises(KnowledgeBaseError) as info:  # alone, the source is unknown
        load(folder)
    assert info.value.problems[0].code == "KB015"


def test_overlay_id_in_another_section_is_a_duplicate(tmp_path):
    folder = _write(
        tmp_path / "notes",
        "sources:\n  - {id: s1, title: One, kind: article}\n"
        "glossary:\n  - {id: mechanism, term: Mechanism, definition: D., sources: [s1]}\n",
    )
    with pytest.raises(KnowledgeBaseError) as info:
        load(folder, mode="overlay")
    problem = info.value.problems[0]
    assert (problem.code, problem.entry_id, problem.line) == ("KB014", "mechanism", 4)
    assert "already names a topic" in problem.message


def test_mode_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("KETAMINFO_DATA", str(FIXTURE_KB))
    monkeypatch.setenv("KETAMINFO_DATA_MODE", "overlay")
    assert len(load().topics) == len(BUNDLED.topics)
    monkeypatch.setenv("KETAMINFO_DATA_MODE", "sideways")
    with pytest.raises(UsageError):
        load()


def test_cli_data_mode(run):
    result = run("--data-mode", "overlay", "topic", "--list")
    assert result.exit_code == 0
    assert "safety" in result.stdout and "Mechanism of action" in result.stdout
    assert run("--data-mode", "sideways", "topic", "--list").exit_code == ExitCode.USAGE
    result = run("topic", "--list", KETAMINFO_DATA_MODE="sideways")
    assert result.exit_code == ExitCode.USAGE
    assert "KETAMINFO_DATA_MODE" in result.stderr


def test_validate_clean_knowledge_base(run):
    result = run("validate", data=None)
    assert result.exit_code == 0
    assert result.stdout.startswith("No problems found: ")


def test_validate_lists_every_problem_on_stdout(run, tmp_path):
    folder = _write(
        tmp_path / "kb",
        "sources:\n  - {id: s1, title: One, kind: essay}\n  - {id: s1, title: Two, kind: article, x: 1}\n",
    )
    result = run("validate", str(folder), data=None)
    assert result.exit_code == ExitCode.BAD_DATA
    lines = result.stdout.splitlines()
    assert [line.split(": ")[1].split()[0] for line in lines] == ["KB011", "KB007"]
    assert all(line.startswith(f"{folder / 'mine.yaml'}:") for line in lines)
    assert result.stderr == "2 problems found.\n"


def test_validate_defaults_to_the_data_option(run, bad_kb):
    result = run("--data", str(bad_kb("KB009")), "validate", data=None)
    assert result.exit_code == ExitCode.BAD_DATA
    assert ": KB009 [s1] duplicate key 'title'" in result.stdout


def test_validate_missing_folder(run, tmp_path):
    result = run("validate", str(tmp_path / "nope"), data=None)
    assert result.exit_code == ExitCode.BAD_DATA
    assert "KB018" in result.stdout
