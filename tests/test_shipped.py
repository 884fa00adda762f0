"""The bundled knowledge base built ahead, as the wheel carries it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ketaminfo.kb import cache, load, loading, shipped
from ketaminfo.kb.files import bundled_data
from ketaminfo.kb.search import search


@pytest.fixture
def prebuilt(tmp_path, monkeypatch):
    """Shipped databases built from the bundled knowledge base, where the
    wheel would put them."""
    folder = tmp_path / "shipped-db"
    folder.mkdir()
    loading.build_shipped(str(bundled_data()), str(folder))
    monkeypatch.setattr(shipped, "FOLDER", str(folder))
    return folder


def test_the_first_run_copies_the_shipped_database_instead_of_parsing(prebuilt, monkeypatch):
    expected = load(cache=False)
    monkeypatch.setattr(loading, "parse", lambda *a: pytest.fail("parsed the YAML"))
    kb = load()
    assert [t.id for t in kb.topics] == [t.id for t in expected.topics]
    assert kb.topic("mechanism") == expected.topic("mechanism")
    assert kb.events == expected.events
    assert [h.id for h in search(kb, "nmda")] == [h.id for h in search(expected, "nmda")]
    kept = sorted(p.name.split("-")[0] for p in Path(cache.folder()).glob("*.sqlite"))
    assert kept == ["ix", "kb"]  # the search indexes came along


def test_a_shipped_database_that_does_not_match_is_not_used(prebuilt, monkeypatch):
    """Built from other files (or other code), its key differs: the YAML is read."""
    other = prebuilt.parent / "other-data"
    shutil.copytree(bundled_data(), other)
    with open(other / "topics.yaml", "a", encoding="utf-8") as handle:
        handle.write("\n# an edit\n")
    loading.build_shipped(str(other), str(prebuilt))
    parsed = []
    real = loading.parse
    monkeypatch.setattr(loading, "parse", lambda *a: parsed.append(1) or real(*a))
    assert load().topic("mechanism")
    assert parsed == [1]


def test_a_knowledge_base_of_ones_own_never_uses_the_shipped_one(prebuilt, monkeypatch, tmp_path):
    mine = tmp_path / "mine"
    shutil.copytree(Path(__file__).parent / "data" / "minimal", mine)
    assert [t.id for t in load(mine).topics] == ["mechanism", "history"]


def test_installed_files_point_editors_at_the_installed_schema(tmp_path):
    """The wheel puts the files in ketaminfo/data/ and the schema in ketaminfo/."""
    import re

    from ketaminfo.kb.jsonschema import SCHEMA_FILE

    package = tmp_path / "ketaminfo"
    shipped.installed_data(str(bundled_data()), str(package / "data"))
    (package / SCHEMA_FILE).write_text("{}")
    files = sorted((package / "data").glob("*.yaml"))
    assert files
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        target = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert target, path.name
        assert (path.parent / target.group(1)).resolve() == (package / SCHEMA_FILE).resolve()


def test_the_repository_files_point_at_the_repository_schema():
    for path in sorted(Path(bundled_data()).glob("*.yaml")):
        assert path.read_text(encoding="utf-8").splitlines()[0] == shipped.SCHEMA_LINE, path.name
