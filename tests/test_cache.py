"""The compiled cache: used when nothing changed, never when anything did."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ketaminfo import cache
from ketaminfo.errors import KnowledgeBaseError
from ketaminfo.kb import load

from .conftest import FIXTURE_KB


@pytest.fixture
def kb_copy(tmp_path):
    folder = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, folder)
    return folder


def _entries():
    return sorted(Path(cache.folder()).glob("kb-*.json"))


def test_first_load_writes_the_cache_and_the_second_reads_it(kb_copy, monkeypatch):
    first = load(kb_copy)
    assert len(_entries()) == 1
    import ketaminfo.kb as kb_module

    monkeypatch.setattr(kb_module, "_parse", lambda *a: pytest.fail("parsed despite a warm cache"))
    second = load(kb_copy)
    assert list(second.topics) == list(first.topics)
    assert list(second.conditions) == list(first.conditions)
    assert second.events == first.events
    assert list(second.sources) == list(first.sources)
    assert list(second.terms) == list(first.terms)


def test_cached_bundled_knowledge_base_equals_the_parsed_one():
    parsed = load(cache=False)
    load()  # fills the cache
    cached = load()
    assert [list(i) for i in (cached.topics, cached.conditions, cached.sources, cached.terms)] == [
        list(i) for i in (parsed.topics, parsed.conditions, parsed.sources, parsed.terms)
    ]
    assert cached.events == parsed.events


def test_a_changed_file_is_read_again(kb_copy):
    load(kb_copy)
    pages = kb_copy / "pages.yaml"
    pages.write_text(pages.read_text(encoding="utf-8").replace("Where it came from.", "Changed."), encoding="utf-8")
    assert load(kb_copy).topic("history").summary == "Changed."
    assert len(_entries()) == 2


def test_a_change_that_breaks_the_file_is_reported_not_hidden(kb_copy):
    load(kb_copy)
    (kb_copy / "pages.yaml").write_text("topics: [", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError):
        load(kb_copy)


def test_an_invalid_knowledge_base_is_never_cached(bad_kb):
    with pytest.raises(KnowledgeBaseError):
        load(bad_kb("KB007"))
    assert _entries() == []


def test_overlay_and_replace_get_their_own_cache_entries(kb_copy):
    assert len(load(kb_copy).topics) == 2
    assert len(load(kb_copy, mode="overlay").topics) == len(load(cache=False).topics)


@pytest.mark.parametrize("garbage", ["", "{", "[]", '{"key": "x"}', '{"key": "%s", "sections": {"topics": [[1]]}}'])
def test_a_corrupt_entry_is_ignored_and_replaced(kb_copy, garbage):
    expected = list(load(kb_copy).topics)
    (entry,) = _entries()
    key = entry.name[3:-5]
    entry.write_text(garbage.replace("%s", key), encoding="utf-8")
    assert list(load(kb_copy).topics) == expected
    assert json.loads(entry.read_text(encoding="utf-8"))["key"] == key


def test_an_unwritable_cache_folder_is_ignored(kb_copy, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert len(load(kb_copy).topics) == 2
    assert len(load(kb_copy).topics) == 2


def test_old_entries_are_pruned(kb_copy):
    pages = kb_copy / "pages.yaml"
    text = pages.read_text(encoding="utf-8")
    for n in range(cache.KEEP + 3):
        pages.write_text(text.replace("Where it came from.", f"Version {n}."), encoding="utf-8")
        load(kb_copy)
    assert len(_entries()) == cache.KEEP


def test_validate_never_trusts_the_cache(run, kb_copy, monkeypatch):
    load(kb_copy)
    import ketaminfo.kb as kb_module

    calls = []
    real = kb_module._parse
    monkeypatch.setattr(kb_module, "_parse", lambda *a: calls.append(1) or real(*a))
    assert run("validate", str(kb_copy), data=None).exit_code == 0
    assert calls == [1]


def _modules_after(*args: str, env: dict[str, str]) -> set[str]:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['ketaminfo', *{list(args)!r}]\n"
        "try:\n    runpy.run_module('ketaminfo', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    return set(result.stderr.rsplit("MODULES ", 1)[1].split())


def test_a_warm_lookup_imports_neither_yaml_nor_rich_when_piped(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "KETAMINFO_DATA")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    cold = _modules_after("topic", "mechanism", env=env)
    assert "yaml" in cold  # the first run parses
    warm = _modules_after("topic", "mechanism", env=env)
    assert "yaml" not in warm
    assert "rich" not in warm
    assert "ketaminfo.schema" not in warm
