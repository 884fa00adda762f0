"""The compiled cache: used when nothing changed, never when anything did."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ketaminfo.errors import KnowledgeBaseError, NotFound
from ketaminfo.kb import cache, load
from ketaminfo.kb.ask import ask
from ketaminfo.kb.search import search

from .conftest import FIXTURE_KB


@pytest.fixture
def kb_copy(tmp_path):
    folder = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, folder)
    return folder


def _entries():
    return sorted(Path(cache.folder()).glob("kb-*.sqlite"))


def _links():
    return sorted(Path(cache.folder()).glob("stat-*"))


@pytest.fixture
def trusted(monkeypatch):
    """Trust time stamps at once. A file's change time (ctime) cannot be set
    back, so instead of waiting two seconds the tests shrink the window."""
    monkeypatch.setattr(cache, "RACY_NS", 0)


def _parsing_fails(monkeypatch):
    import ketaminfo.kb.loading as kb_module

    monkeypatch.setattr(kb_module, "parse", lambda *a: pytest.fail("parsed despite a warm cache"))


def _same(one, other) -> bool:
    return all(list(getattr(one, n)) == list(getattr(other, n)) for n in ("topics", "conditions", "sources", "terms")) and (
        one.events == other.events
    )


def test_first_load_writes_the_cache_and_the_second_reads_it(kb_copy, monkeypatch):
    first = load(kb_copy)
    assert len(_entries()) == 1
    _parsing_fails(monkeypatch)
    assert _same(load(kb_copy), first)


def test_cached_bundled_knowledge_base_equals_the_parsed_one():
    parsed = load(cache=False)
    load()  # fills the cache
    cached = load()
    assert _same(cached, parsed)
    assert cached.citation_counts() == parsed.citation_counts()
    assert search(cached, "nmda") == search(parsed, "nmda")


def test_unchanged_old_files_are_not_even_read(kb_copy, monkeypatch, trusted):
    expected = list(load(kb_copy).topics)
    assert len(_links()) == 1
    from ketaminfo.kb import files as loader

    monkeypatch.setattr(loader, "read_files", lambda *a: pytest.fail("read the files despite a matching stat key"))
    assert list(load(kb_copy).topics) == expected


def test_files_changed_just_now_are_read_every_time(kb_copy, monkeypatch):
    """Within two seconds of a change a time stamp cannot be trusted (a second
    edit in the same clock tick keeps it), so no stat key is recorded."""
    load(kb_copy)
    load(kb_copy)
    assert _links() == []
    last_change = max(f.stat().st_ctime_ns for f in kb_copy.iterdir())
    monkeypatch.setattr(time, "time_ns", lambda: last_change + cache.RACY_NS + 1)
    load(kb_copy)
    assert len(_links()) == 1


def test_a_changed_file_is_read_again(kb_copy):
    load(kb_copy)
    pages = kb_copy / "pages.yaml"
    pages.write_text(pages.read_text(encoding="utf-8").replace("Where it came from.", "Changed."), encoding="utf-8")
    assert load(kb_copy).topic("history").summary == "Changed."
    assert len(_entries()) == 2


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(kb_copy, trusted):
    pages = kb_copy / "pages.yaml"
    load(kb_copy)
    assert len(_links()) == 1
    before = pages.stat()
    time.sleep(0.05)  # past the kernel's time-stamp tick
    pages.write_text(pages.read_text(encoding="utf-8").replace("Where it came from.", "Where it went from."), encoding="utf-8")
    os.utime(pages, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -r` or `cp -p` would
    assert pages.stat().st_size == before.st_size and pages.stat().st_mtime_ns == before.st_mtime_ns
    assert load(kb_copy).topic("history").summary == "Where it went from."


def test_a_change_that_breaks_the_file_is_reported_not_hidden(kb_copy, trusted):
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


def _damage_header(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)


def _damage_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)
    path.write_bytes(bytes(data))


def _damage_rows(path: Path) -> None:
    """Bookkeeping intact, entries unreadable: found only when a lookup reads them."""
    db = sqlite3.connect(path)
    db.execute("UPDATE entries SET row = '[1]'")
    db.commit()
    db.close()


def _other_key(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = 'another' WHERE name = 'key'")
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b""),
        lambda p: p.write_bytes(b"not a database at all"),
        lambda p: p.write_bytes(p.read_bytes()[:1000]),
        _damage_header,
        _damage_pages,
        _damage_rows,
        _other_key,
    ],
    ids=["empty", "text", "truncated", "header", "pages", "rows", "other-key"],
)
def test_a_damaged_database_never_changes_the_answers(kb_copy, damage, trusted):
    fresh = load(kb_copy, cache=False)
    load(kb_copy)
    (entry,) = _entries()
    damage(entry)
    kb = load(kb_copy)
    assert kb.topic("MoA") == fresh.topic("MoA")
    assert [h.id for h in search(kb, "receptor")] == [h.id for h in search(fresh, "receptor")]
    assert _same(kb, fresh)
    assert kb.citing("art-one") == fresh.citing("art-one")
    assert _same(load(kb_copy), fresh)  # and the next run builds a good database again


@pytest.mark.parametrize("text", ["", "zz", "0" * 31, "../../etc/passwd", "f" * 32])
def test_a_damaged_stat_key_file_is_ignored(kb_copy, text, trusted):
    expected = list(load(kb_copy).topics)
    (link,) = _links()
    link.write_text(text, encoding="ascii")
    assert list(load(kb_copy).topics) == expected


def test_an_unwritable_cache_folder_is_ignored(kb_copy, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert len(load(kb_copy).topics) == 2
    assert [h.id for h in search(load(kb_copy), "receptor")]


def test_a_cache_folder_with_uri_characters_in_its_name_works(kb_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "odd ?name#with%20signs"))
    expected = list(load(kb_copy).topics)
    assert len(_entries()) == 1
    _parsing_fails(monkeypatch)
    assert list(load(kb_copy).topics) == expected


def test_old_entries_are_pruned(kb_copy):
    legacy = Path(cache.folder()) / "kb-0123.json"  # the first cache format
    legacy.parent.mkdir(parents=True)
    legacy.write_text("{}", encoding="utf-8")
    pages = kb_copy / "pages.yaml"
    text = pages.read_text(encoding="utf-8")
    for n in range(cache.KEEP + 3):
        pages.write_text(text.replace("Where it came from.", f"Version {n}."), encoding="utf-8")
        load(kb_copy)
    assert len(_entries()) == cache.KEEP
    assert not legacy.exists()


def test_reading_a_warm_cache_writes_nothing(kb_copy, trusted):
    load(kb_copy)
    search(load(kb_copy), "x")  # the first search builds and keeps the full-text indexes
    before = {f.name: f.stat().st_mtime_ns for f in Path(cache.folder()).iterdir()}
    kb = load(kb_copy)
    kb.topic("MoA")
    search(kb, "receptor")
    assert {f.name: f.stat().st_mtime_ns for f in Path(cache.folder()).iterdir()} == before


def test_runs_racing_on_an_empty_cache_agree(tmp_path):
    """Several TABs or terminals at once: each builds or reads; none breaks another."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KETAMINFO", "FORCE_COLOR"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    command = [sys.executable, "-m", "ketaminfo", "topic", "mechanism", "--format", "json"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(6)]
    results = [(run.wait(timeout=60), *run.communicate()) for run in runs]
    assert {code for code, _, _ in results} == {0}
    assert len({out for _, out, _ in results}) == 1
    assert all(err == b"" for _, _, err in results)
    assert len(list((tmp_path / "cache" / "ketaminfo").glob("kb-*.sqlite"))) == 1
    assert not list((tmp_path / "cache" / "ketaminfo").glob(".*.tmp"))


def test_a_lookup_reads_only_what_it_shows(kb_copy, monkeypatch):
    """Lookups, suggestions and search go to the indexes, never through every entry."""
    from ketaminfo.kb import store
    from ketaminfo.pages import views

    search(load(kb_copy), "x")  # the first search builds the full-text indexes, once
    monkeypatch.setattr(store.Store, "entries", lambda *a: pytest.fail("read every entry"))
    monkeypatch.setattr(store, "build_index", lambda *a, **k: pytest.fail("built the search index again"))
    _parsing_fails(monkeypatch)
    kb = load(kb_copy)
    views.topic_page(kb, kb.topic("mechanism"))
    views.condition_page(kb, kb.condition("LMD"))
    views.source_page(kb, kb.source("art-one"))
    assert search(kb, "receptor")
    with pytest.raises(NotFound) as missing:
        kb.topic("mechansim")
    assert missing.value.suggestions == ["mechanism"]


def test_validate_never_trusts_the_cache(run, kb_copy, monkeypatch):
    load(kb_copy)
    import ketaminfo.kb.loading as kb_module

    calls = []
    real = kb_module.parse
    monkeypatch.setattr(kb_module, "parse", lambda *a: calls.append(1) or real(*a))
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
    assert "ketaminfo.kb.schema" not in warm


def test_a_lookup_never_builds_the_full_text_indexes(kb_copy, monkeypatch):
    from ketaminfo.kb import store

    monkeypatch.setattr(store, "build_index", lambda *a, **k: pytest.fail("built the full-text indexes"))
    kb = load(kb_copy)
    kb.topic("mechanism")
    assert not list(Path(cache.folder()).glob("ix-*.sqlite"))


def test_the_full_text_indexes_are_built_once_and_kept(kb_copy, monkeypatch):
    search(load(kb_copy), "receptor")
    (kept,) = Path(cache.folder()).glob("ix-*.sqlite")
    assert stat_mode(kept) == 0o600
    from ketaminfo.kb import store

    monkeypatch.setattr(store, "build_index", lambda *a, **k: pytest.fail("built the indexes again"))
    assert search(load(kb_copy), "receptor")
    assert ask(load(kb_copy), "receptor").answers


def stat_mode(path: Path) -> int:
    import stat

    return stat.S_IMODE(path.stat().st_mode)


def test_files_that_change_while_they_are_read_are_not_kept_under_the_old_key(kb_copy, monkeypatch):
    """The content key is found first (every file hashed), the files are read
    again to build: if the bytes differ the second time, nothing is kept."""
    from ketaminfo.kb import loading

    real = loading.parse

    def edit_then_parse(*args):
        with open(kb_copy / "pages.yaml", "a", encoding="utf-8") as handle:
            handle.write("\n# edited while read\n")
        monkeypatch.setattr(loading, "parse", real)
        return real(*args)

    monkeypatch.setattr(loading, "parse", edit_then_parse)
    kb = load(kb_copy)
    assert kb.topic("mechanism").id == "mechanism"  # built all the same, apart from the cache
    assert _entries() == []
    load(kb_copy)  # the next run, which reads the files as they now are, keeps them
    assert len(_entries()) == 1
