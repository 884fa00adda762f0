"""Hostile input: nothing injected, nothing leaked, nothing crashes or hangs.

A user's knowledge base, the cache folder, the arguments and the environment
are all untrusted. One test (at least) per problem found by an adversarial
review, grouped as the review grouped them: security, crashes, resource
bounds, wrong output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketaminfo import cli
from ketaminfo.errors import KnowledgeBaseError, Problem
from ketaminfo.kb import cache, load, store
from ketaminfo.kb.search import search as find
from ketaminfo.pages import terminal

from .conftest import FIXTURE_KB

POSIX = hasattr(os, "getuid")
posix_only = pytest.mark.skipif(not POSIX, reason="needs POSIX permissions")
# Every character that must never reach a terminal raw (besides newline).
HIDDEN = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\U000e0000-\U000e007f]")
SOURCE = "sources:\n  - {id: s1, title: One, kind: article}\n"


def _kb(tmp_path: Path, text: str, name: str = "kb.yaml", folder: str = "kb") -> Path:
    root = tmp_path / folder
    root.mkdir(exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")
    return root


def _fixture_plus(tmp_path: Path, yaml_text: str) -> Path:
    """The fixture knowledge base with one more file holding *yaml_text*."""
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, root)
    (root / "extra.yaml").write_text(yaml_text, encoding="utf-8")
    return root


def _one_topic(tmp_path: Path, summary: str, point: str) -> Path:
    """The fixture knowledge base with one more topic, ``extra``."""
    return _fixture_plus(tmp_path, "topics:\n  - id: extra\n    title: Extra\n    summary: " + json.dumps(summary)
                         + "\n    points:\n      - {text: " + json.dumps(point) + ", evidence: established, "
                         "sources: [art-one]}\n")


def _problems(root: Path) -> list[Problem]:
    with pytest.raises(KnowledgeBaseError) as info:
        load(root, cache=False)
    return info.value.problems


def _command(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    """ketaminfo in a child process (for what only a real process shows:
    encodings, signals, closed pipes, crashes of C code)."""
    full = {k: v for k, v in os.environ.items() if k not in ("KETAMINFO_DATA", "FORCE_COLOR", "NO_COLOR")}
    full.update({"COLUMNS": "80", **(env or {})})
    return subprocess.run([sys.executable, "-m", "ketaminfo", *args], env=full, capture_output=True, timeout=120, **kwargs)


# --- Security 1: escapes from a knowledge base never reach the terminal ----------------------


def test_problem_lines_escape_file_names_and_entry_ids():
    forged = Problem("a\nb.yaml:1:1: KB001 forged\x1b[2J", 3, 4, "KB011", "bad \u202e value", "x\x1b[31m")
    text = str(forged)
    assert "\n" not in text and not HIDDEN.search(text)
    assert "\\n" in text and "\\x1b[31m" in text and "\\u202e" in text


@posix_only
def test_validate_escapes_a_hostile_file_name(run, tmp_path):
    root = _kb(tmp_path, SOURCE + "topics:\n  - {id: T\x01x, title: t}\n", name="evil\n\x1b[31mred.yaml")
    for fmt in ("plain", "json"):
        result = run("validate", str(root), "-f", fmt, data=None)
        assert result.exit_code == 3
        output = result.stdout + result.stderr
        if fmt == "json":
            output = json.dumps(json.loads(result.stdout), ensure_ascii=False) + result.stderr
        assert not HIDDEN.search(output), output
    plain = run("validate", str(root), data=None).stdout
    assert all(line.startswith(str(root)) for line in plain.splitlines() if "KB0" in line)


@posix_only
def test_the_stderr_report_escapes_a_hostile_file_name(run, tmp_path):
    root = _kb(tmp_path, "sources: [", name="x\x1b]0;pwned\x07.yaml")
    result = run("topic", "mechanism", data=root)
    assert result.exit_code == 3
    assert "\\x1b]0;pwned\\x07" in result.stderr and not HIDDEN.search(result.stderr)


@pytest.mark.parametrize(
    "args",
    [["topic", "-\u202e"], ["topic", "--\x1b[2Jfoo"], ["--\x1b[31mx"], ["timeline", "made", "x\x1b[2J"],
     ["completion", "\u202ebash"], ["topic", "mechanism", "-f", "\x1b]0;t\x07"], ["search", "-n", "\x1b[1m"]],
)
def test_usage_errors_escape_what_was_typed(run, args):
    result = run(*args)
    assert result.exit_code == 2
    assert not HIDDEN.search(result.stderr)
    assert "\\x1b" in result.stderr or "\\u202e" in result.stderr  # shown, as an escape


# --- Security 2: Markdown output carries no HTML -----------------------------------------------


@pytest.mark.parametrize(
    "field", ["url: 'https://x.org/>'", "url: 'https://x.org/<script>'", "url: 'https://x.org/a b'",
              "url: 'https://x.org/\"x'", "doi: '10.1000/<script>'", "doi: '10.1000/a\"b'"]
)
def test_urls_and_dois_that_could_carry_html_are_refused(tmp_path, field):
    root = _kb(tmp_path, f"sources:\n  - {{id: s1, title: One, kind: article, {field}}}\n")
    assert [p.code for p in _problems(root)] == ["KB011"]


def test_markdown_escapes_text_that_markdown_would_read_as_markup(run, tmp_path):
    point = "1. not a list &lt;b&gt; <b>bold</b> [link](http://x.org)"
    result = run("topic", "extra", "-f", "markdown", data=_one_topic(tmp_path, "# not a heading", point))
    assert result.exit_code == 0, result.stderr
    body = result.stdout
    assert "<b>" not in body and "&lt;b&gt;" not in body
    assert not re.search(r"(?<!\\)&lt;", body) and "\\&lt;b\\&gt;" in body  # shown as typed, not as "<b>"
    assert "\n# not a heading" not in body and "\\# not a heading" in body
    assert "1\\. not a list" in body
    assert "\\[link\\](http://x.org)" in body  # no live link


# --- Security 3: the cache is trusted only when it is private and its rows check out ---------


def _warm(root: Path) -> Path:
    load(root)
    (database,) = Path(cache.folder()).glob("kb-*.sqlite")
    return database


@pytest.fixture
def kb_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, root)
    return root


@posix_only
@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_cache_folder_others_can_write_is_never_read(kb_copy, monkeypatch, mode):
    database = _warm(kb_copy)
    os.chmod(database.parent, mode)
    with sqlite3.connect(database) as db:  # a planted lie
        db.execute("UPDATE entries SET row = replace(row, 'Chemists', 'Aliens')")
    import ketaminfo.kb.loading as kb_module

    assert kb_module.from_cache([str(kb_copy)]) is None
    assert "Aliens" not in str(load(kb_copy).events)


@posix_only
def test_a_cache_folder_that_is_a_symlink_is_never_used(kb_copy, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    base = tmp_path / "xdg"
    base.mkdir()
    (base / "ketaminfo").symlink_to(elsewhere)
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    load(kb_copy)
    assert list(elsewhere.iterdir()) == []


@posix_only
def test_a_cache_database_others_can_write_is_never_read(kb_copy):
    database = _warm(kb_copy)
    with sqlite3.connect(database) as db:  # a planted lie
        db.execute("UPDATE entries SET row = replace(row, 'Chemists', 'Aliens')")
    os.chmod(database, 0o666)
    assert cache.trusted_file(str(database)) is False
    assert "Aliens" not in str(load(kb_copy).events)


@pytest.mark.parametrize(
    "plant",
    [
        "CREATE VIEW spin AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n",
        "CREATE TRIGGER t AFTER INSERT ON meta BEGIN SELECT 1; END",
        "ALTER TABLE names RENAME TO old_names; CREATE VIEW names AS SELECT * FROM old_names",
    ],
)
def test_a_cache_database_holding_code_is_refused(kb_copy, plant):
    database = _warm(kb_copy)
    with sqlite3.connect(database) as db:
        db.executescript(plant)
    key = database.stem.removeprefix("kb-")
    assert store.Store.open(str(database), key) is None


def test_every_query_on_a_cache_file_is_bounded_in_time(monkeypatch):
    monkeypatch.setattr(store, "QUERY_SECONDS", 0.2)
    db = sqlite3.connect(":memory:")
    store._bound(db)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError):
        db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n").fetchall()
    assert time.monotonic() - started < 30  # interrupted, not run for ever


def test_the_time_limit_counts_from_each_query_of_a_store(tmp_path, monkeypatch):
    """Not from when the store was opened, and not reset by FTS5's own statements."""
    from ketaminfo.kb import loading

    path = str(tmp_path / "kb.sqlite")
    loading.parse(*loading.read_layers([str(FIXTURE_KB)]), path, "k").close()
    monkeypatch.setattr(store, "QUERY_SECONDS", 0.2)
    opened = store.Store.open(path, "k")
    time.sleep(0.3)
    assert opened.meta("key") == "k"  # a query started now: well within its time
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError):
        opened.rows("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n")
    assert time.monotonic() - started < 30


TIMELINE = (["timeline", "-f", "plain"], "Chemists make it.")


@pytest.mark.parametrize(
    "damage, command",
    [
        ("UPDATE entries SET row = replace(row, 'Chemists', char(27) || '[2JChemists')", TIMELINE),  # an escape
        ("UPDATE entries SET row = replace(row, 'Chemists', char(8238) || 'Chemists')", TIMELINE),  # a bidi override
        ("UPDATE entries SET row = replace(row, ', \"discovery\"', '')", TIMELINE),  # a row missing a field
        ("UPDATE entries SET row = replace(row, '[1962, 0, 0, 1962, \"1962\"]', '\"1962\"')", TIMELINE),  # breaks late
        ("UPDATE entries SET row = '[]'", TIMELINE),  # a row of the wrong shape
        ("UPDATE entries SET row = '{\"id\": 5}'", TIMELINE),
        ("UPDATE meta SET value = char(27) || ']0;owned' || char(7) || '2026' WHERE name = 'as_of'", TIMELINE),
        ("UPDATE documents SET title = char(27) || '[31m' || title",
         (["search", "receptor", "-f", "plain"], "Mechanism of action")),
        ("UPDATE documents SET body = replace(body, 'blocks', char(8238) || 'blocks')",
         (["search", "receptor", "-f", "plain"], "Mechanism of action")),
        ("UPDATE answers SET text = replace(text, 'blocks', char(27) || '[2Jblocks')",
         (["ask", "does it block a receptor", "-f", "plain"], "It blocks a receptor.")),
        ("UPDATE meta SET value = 'many' WHERE name = 'question_words'",  # in the kept index
         (["ask", "mechanism of action", "-f", "plain"], "It blocks a receptor.")),
        ("UPDATE meta SET value = '9' || char(48) || printf('%.5000c', '9') WHERE name = 'question_words'",
         (["ask", "mechanism of action", "-f", "plain"], "It blocks a receptor.")),
        ("UPDATE page_words SET words = 'lots'",
         (["ask", "mechanism of action", "-f", "plain"], "It blocks a receptor.")),
    ],
)
def test_a_damaged_or_planted_row_is_discarded_and_the_files_read_again(run, kb_copy, damage, command):
    args, expected = command
    database = _warm(kb_copy)
    find(load(kb_copy), "x")  # and the kept full-text indexes
    (index,) = Path(cache.folder()).glob("ix-*.sqlite")
    target = index if damage.split()[1] in ("documents", "answers", "page_words") or "question_words" in damage else database
    with sqlite3.connect(target) as db:
        db.execute(damage)
    result = run(*args, data=kb_copy)
    assert result.exit_code == 0, result.stderr
    assert expected in " ".join(result.stdout.split())
    assert not HIDDEN.search(result.stdout + result.stderr)
    # The damaged file was discarded; this run or the next writes a sound one.
    load(kb_copy)
    with sqlite3.connect(database) as db:  # its content is unchanged: the same name, written afresh
        bodies = " ".join(body for (body,) in db.execute("SELECT row FROM entries"))
        bodies += " ".join(v for (v,) in db.execute("SELECT value FROM meta"))
    assert "\x1b" not in bodies and "\u202e" not in bodies and "Chemists" in bodies
    assert '[1962, 0, 0, 1962, "1962"], "It is made", "Chemists make it.", "discovery"' in bodies


def test_a_damaged_row_in_the_fast_path_is_discarded_too(kb_copy, monkeypatch, capsys):
    database = _warm(kb_copy)
    with sqlite3.connect(database) as db:
        db.execute("UPDATE entries SET row = replace(row, '\"established\"', '5') WHERE section = 'topics'")
    monkeypatch.setenv("KETAMINFO_DATA", str(kb_copy))
    assert cli.run(["topic", "mechanism", "-f", "plain"]) == 0
    assert "It blocks a receptor." in capsys.readouterr().out


# --- Security 4 and 5: files the cache writes ---------------------------------------------------


@posix_only
def test_cache_folder_and_files_are_private(kb_copy):
    database = _warm(kb_copy)
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
    written = list(database.parent.iterdir())
    assert written and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)


@posix_only
def test_temporary_files_are_new_private_files_never_links(kb_copy, tmp_path, monkeypatch):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    home = Path(cache.usable_folder(create=True))
    for guess in range(50):  # links at names a predictable scheme would use
        (home / f"kb.tmp{guess}").symlink_to(victim)
        (home / f"{cache.TEMP_PREFIX}{guess}{cache.TEMP_SUFFIX}").symlink_to(victim)
    seen = []

    def make(path: str) -> None:
        st = os.lstat(path)
        seen.append((stat.S_ISREG(st.st_mode), stat.S_IMODE(st.st_mode)))
        Path(path).write_text("x")

    assert cache._atomically(str(home / "stat-target"), make)
    assert seen == [(True, 0o600)]
    assert victim.read_text() == "precious"


def test_an_interrupted_build_leaves_no_temporary_file(kb_copy):
    home = Path(cache.usable_folder(create=True))

    def make(path: str) -> None:
        Path(path).write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cache._atomically(str(home / "stat-target"), make)
    assert list(home.iterdir()) == []


def test_ctrl_c_while_the_fast_path_builds_the_cache_exits_130(kb_copy, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(store.Builder, "put", interrupted)
    monkeypatch.setenv("KETAMINFO_DATA", str(kb_copy))
    monkeypatch.setattr(terminal, "silence_stdout", lambda: None)  # keep pytest's own stdout
    assert cli.run(["topic", "mechanism", "-f", "plain"]) == 130
    assert [p.name for p in Path(cache.folder()).iterdir() if p.name.startswith(cache.TEMP_PREFIX)] == []


def test_temporary_files_left_by_killed_runs_are_pruned(kb_copy):
    home = Path(cache.usable_folder(create=True))
    old = home / f"{cache.TEMP_PREFIX}old{cache.TEMP_SUFFIX}"
    old_journal = home / f"{cache.TEMP_PREFIX}old{cache.TEMP_SUFFIX}-journal"
    fresh = home / f"{cache.TEMP_PREFIX}fresh{cache.TEMP_SUFFIX}"  # perhaps another run, still writing
    for path in (old, old_journal, fresh):
        path.write_text("x")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    os.utime(old_journal, (two_hours_ago, two_hours_ago))
    load(kb_copy)
    assert not old.exists() and not old_journal.exists() and fresh.exists()


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.folder() == os.path.join(str(tmp_path), ".cache", "ketaminfo")


# --- Crashes: one clear message and a documented exit code -----------------------------------


@posix_only
def test_arguments_that_are_not_utf8_get_a_message_not_a_traceback(tmp_path):
    for args, code in (([b"topic", b"\xff\xfe"], 1), ([b"search", b"nmda\xff"], 0), ([b"ask", b"\xff?"], 1),
                       ([b"topic", b"--list", b"-f", b"\xff"], 2), ([b"timeline", b"--topic", b"\xc3"], 1)):
        result = subprocess.run([sys.executable.encode(), b"-m", b"ketaminfo", *args], capture_output=True,
                                env={**os.environ, "COLUMNS": "80"}, timeout=60)
        assert result.returncode == code, (args, result.stderr)
        assert b"Traceback" not in result.stderr
        assert code == 0 or result.stderr.startswith(b"Error") or b"Usage" in result.stderr


@posix_only
def test_a_knowledge_base_path_that_is_not_utf8_works(tmp_path):
    folder = os.path.join(os.fsencode(tmp_path), b"kb\xff")
    shutil.copytree(FIXTURE_KB, os.fsdecode(folder))
    result = _command("topic", "mechanism", "-f", "plain", env={"KETAMINFO_DATA": os.fsdecode(folder)})
    assert result.returncode == 0, result.stderr
    assert b"It blocks a receptor." in result.stdout
    bad = os.path.join(folder, b"bad\xfe.yaml")
    Path(os.fsdecode(bad)).write_text("sources: [")
    result = _command("validate", os.fsdecode(folder))
    assert result.returncode == 3 and b"Traceback" not in result.stderr
    assert b"\\udcfe" in result.stdout or b"\\xfe" in result.stdout


@posix_only
def test_a_link_to_a_pipe_is_never_opened(tmp_path):
    root = _kb(tmp_path, SOURCE)
    os.mkfifo(tmp_path / "pipe")
    (root / "pipe.yaml").symlink_to(tmp_path / "pipe")
    assert load(root, cache=False)  # would block for ever if the pipe were opened


@posix_only
@pytest.mark.parametrize("link", ["loop", "dangling", "unreadable"])
def test_an_unreadable_yaml_file_is_a_problem_not_a_crash(tmp_path, link):
    root = _kb(tmp_path, SOURCE)
    if link == "loop":
        (root / "a.yaml").symlink_to(root / "b.yaml")
        (root / "b.yaml").symlink_to(root / "a.yaml")
    elif link == "dangling":
        (root / "a.yaml").symlink_to(tmp_path / "nowhere.yaml")
    else:
        if os.getuid() == 0:
            pytest.skip("root reads every file")
        target = tmp_path / "secret.yaml"
        target.write_text(SOURCE)
        target.chmod(0)
        (root / "a.yaml").symlink_to(target)
    assert {p.code for p in _problems(root)} == {"KB018"}


def test_deeply_nested_brackets_are_refused_before_parsing(tmp_path):
    depth = 40_000
    root = _kb(tmp_path, "sources: " + "[" * depth + "]" * depth + "\n", name="deep.yaml")
    (root / "deep2.yaml").write_text("x: " + "{a: " * depth + "1" + "}" * depth + "\n")
    result = _command("validate", str(root))  # in a child: a crash of libyaml would kill pytest
    assert result.returncode == 3, result.stderr  # a segfault is -11
    assert result.stdout.count(b"KB005") == 2


@pytest.mark.parametrize("value", ["\u0668\u0660", "\u00b2\u00b3", "1e9", "-5", "8 0", "\uff18\uff10"])
def test_odd_columns_and_lines_are_ignored(run, value):
    result = run("topic", "mechanism", "-f", "plain", COLUMNS=value, LINES=value)
    assert result.exit_code == 0 and "It blocks a receptor." in result.stdout


@pytest.mark.parametrize("value", ["\u0663", "\uff13", "\u00b3"])
def test_limits_in_other_digits_are_usage_errors(run, value):
    for command in (["search", "receptor"], ["ask", "receptor"]):
        result = run(*command, "-n", value)
        assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert _command("search", "receptor", "-n", value).returncode == 2  # the fast path too


@pytest.mark.parametrize("option", ["--export-svg", "--export-html"])
def test_exporting_a_picture_to_an_unwritable_path_is_a_usage_error(run, tmp_path, option):
    result = run("topic", "mechanism", option, str(tmp_path / "no" / "such" / "folder" / "x"))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr.lower()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [["topic", "mechanism"], ["topic", "--list"], ["search", "nmda"], ["ask", "is it addictive"], ["timeline"],
     ["validate"], ["sources"], ["--help"], ["--version"], ["completion", "bash"], ["topic", "mechanism", "-f", "json"]],
)
def test_a_full_disk_gets_a_message_and_exit_1(args):
    with open("/dev/full", "wb") as full:
        result = subprocess.run([sys.executable, "-m", "ketaminfo", *args], stdout=full, stderr=subprocess.PIPE,
                                env={**os.environ, "COLUMNS": "80"}, timeout=60)
    assert result.returncode == 1, result.stderr
    assert b"Traceback" not in result.stderr
    assert b"cannot write the output" in result.stderr


def test_validate_under_a_latin1_output_encoding(tmp_path):
    root = _kb(tmp_path, SOURCE + "topics:\n  - {id: t1, title: \u2192 \u03b1\u2013\u03c9, summary: s, ktext: \u2713}\n",
               name="caf\u00e9 \u2713.yaml")
    for fmt in ("plain", "json"):
        result = _command("validate", str(root), "-f", fmt, env={"PYTHONIOENCODING": "latin-1"})
        assert result.returncode == 3, result.stderr
        assert b"Traceback" not in result.stderr
    assert _command("validate", env={"PYTHONIOENCODING": "latin-1"}).returncode == 0


@pytest.mark.parametrize("ending", ["closed pipe", "full disk"])
def test_completion_into_a_closed_pipe_or_full_disk_is_silent(ending):
    env = {**os.environ, "_KETAMINFO_COMPLETE": "bash", "COMP_WORDS": "ketaminfo topic ", "COMP_CWORD": "2"}
    if ending == "full disk":
        if not os.path.exists("/dev/full"):
            pytest.skip("needs /dev/full")
        with open("/dev/full", "wb") as full:
            result = subprocess.run([sys.executable, "-m", "ketaminfo"], stdout=full, stderr=subprocess.PIPE,
                                    env=env, timeout=60)
    else:
        child = subprocess.Popen([sys.executable, "-m", "ketaminfo"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=env)
        child.stdout.close()
        result = subprocess.CompletedProcess(child.args, child.wait(60), b"", child.stderr.read())
        child.stderr.close()
    assert result.returncode == 0
    assert result.stderr == b""


# --- Hangs and resource bounds ------------------------------------------------------------------


def test_did_you_mean_compares_few_candidates(tmp_path, monkeypatch):
    import difflib

    from ketaminfo.kb import merge

    compared = []
    real = difflib.get_close_matches

    def counting(word, possibilities, *args, **kwargs):
        compared.append(len(possibilities))
        return real(word, possibilities, *args, **kwargs)

    monkeypatch.setattr(merge.difflib, "get_close_matches", counting)
    sources = "".join(f"  - {{id: source-{i}, title: T, kind: article}}\n" for i in range(3000))
    terms = "".join(f"  - {{id: g{i}, term: G{i}, definition: D., sources: [sourcx-{i}]}}\n" for i in range(3000))
    root = _kb(tmp_path, "sources:\n" + sources + "glossary:\n" + terms)
    problems = _problems(root)
    assert sum(p.code == "KB015" for p in problems) >= 999
    assert len(compared) <= merge._Hints.MAX_HINTS
    assert all(n <= 5000 for n in compared)


def test_problems_are_capped(tmp_path):
    from ketaminfo.kb.schema import MAX_PROBLEMS

    root = _kb(tmp_path, "topics:\n" + "  - {id: BAD, title: t}\n" * 5000)
    problems = _problems(root)
    assert len(problems) == MAX_PROBLEMS + 1
    (summary,) = [p for p in problems if p.code == "KB005"]
    assert "not listed" in summary.message


def test_a_huge_file_is_refused_without_being_read(tmp_path, monkeypatch):
    from ketaminfo.kb import files as loader

    root = tmp_path / "kb"
    root.mkdir()
    with open(root / "huge.yaml", "wb") as handle:
        handle.truncate(3 * 1024**3)  # sparse: 3 GB on paper, nothing on disk
    reads = []
    real_open = open

    class Spy:
        def __init__(self, handle):
            self.handle = handle

        def read(self, size=-1):
            reads.append(size)
            return self.handle.read(size)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr(loader, "open", lambda *a, **k: Spy(real_open(*a, **k)), raising=False)
    assert {p.code for p in _problems(root)} == {"KB003"}
    assert reads and all(0 < size <= loader.MAX_FILE_BYTES + 1 for size in reads)


def test_over_long_text_is_refused(tmp_path):
    from ketaminfo.kb.schema import MAX_TEXT

    root = _kb(tmp_path, "sources:\n  - {id: s1, kind: article, title: '" + "a" * (MAX_TEXT + 1) + "'}\n")
    problems = _problems(root)
    assert [p.code for p in problems] == ["KB011"] and "longer than" in problems[0].message


def test_long_queries_are_cut_to_distinct_words(run, monkeypatch):
    from ketaminfo.kb import search

    seen = []
    real = search.fts_query
    monkeypatch.setattr(search, "fts_query", lambda q: seen.append(q) or real(q))
    words = " ".join(f"w{i % 500}" for i in range(1000)) + " receptor"
    result = run("search", *words.split(), "-f", "plain")
    assert result.exit_code == 1
    assert all(len(q.split()) <= search.MAX_WORDS for q in seen)
    assert len(result.stderr) < 1000  # the query is not echoed in full
    kb = load(FIXTURE_KB)
    hits = search.search(kb, "receptor " + " ".join(["receptor"] * 999))
    assert hits and hits.dropped == 999
    with pytest.raises(Exception, match="at most"):
        search.search(kb, " AND ".join(["receptor"] * 100))


@pytest.mark.parametrize("command", ["search", "ask"])
def test_a_huge_query_is_not_repeated_whole_as_the_title(run, command):
    from ketaminfo.pages.views import MAX_SHOWN

    result = run(command, "receptor " * 5000, "-f", "plain")
    assert result.exit_code == 0
    title = result.stdout.split("\n=", 1)[0]
    assert MAX_SHOWN // 2 < len(title) <= MAX_SHOWN + len("Search: ")


def test_a_huge_terminal_width_is_capped(run):
    from ketaminfo.pages.terminal import MAX_WIDTH

    result = run("topic", "mechanism", columns=10**9, FORCE_COLOR="1")
    assert result.exit_code == 0
    assert max(len(line) for line in re.sub(r"\x1b\[[0-9;]*m", "", result.stdout).splitlines()) <= MAX_WIDTH


# --- Wrong output -------------------------------------------------------------------------------


def test_json_under_an_ascii_encoding_keeps_every_value(tmp_path):
    utf8 = _command("topic", "mechanism", "-f", "json", env={"PYTHONIOENCODING": "utf-8"})
    ascii_ = _command("topic", "mechanism", "-f", "json", env={"PYTHONIOENCODING": "ascii"})
    assert utf8.returncode == ascii_.returncode == 0
    assert ascii_.stdout.isascii()
    assert json.loads(ascii_.stdout) == json.loads(utf8.stdout)


@pytest.mark.skipif(not POSIX, reason="needs a POSIX pipe")
def test_validate_into_a_closed_pipe_still_reports_the_problems_by_exit_code(tmp_path):
    root = _kb(tmp_path, "topics:\n" + "  - {id: BAD, title: t}\n" * 900)
    child = subprocess.Popen([sys.executable, "-m", "ketaminfo", "validate", str(root)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.readline()
    child.stdout.close()
    assert child.wait(60) == 3
    assert b"Traceback" not in child.stderr.read()
    child.stderr.close()


@pytest.mark.parametrize(
    "char", ["\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\U000e0041", "\ue000", "\x1b", "\x7f", "\x9b"]
)
def test_invisible_and_format_characters_are_refused(tmp_path, char):
    escape = f"\\U{ord(char):08x}"  # written as a YAML escape: a raw U+2028 or U+0085 is a YAML line break
    root = _kb(tmp_path, f"sources:\n  - {{id: s1, title: \"One{escape}\", kind: article}}\n")
    assert [p.code for p in _problems(root)] == ["KB013"]


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\x1c", "\x0b", "\u3000"])
def test_line_breaks_and_spaces_of_every_kind_become_one_space(tmp_path, char):
    root = _kb(tmp_path, f"sources:\n  - {{id: s1, title: \"One\\U{ord(char):08x}two\", kind: article}}\n")
    assert load(root, cache=False).sources["s1"].title == "One two"


@pytest.mark.parametrize("lookalike", ["\u0430lpha", "\uff41\uff4c\uff50\uff48\uff41", "ALPHA", "al\u0440ha"])
def test_look_alike_names_are_duplicates(tmp_path, lookalike):
    root = _kb(tmp_path, SOURCE + "glossary:\n"
               "  - {id: alpha, term: Alpha, definition: D., sources: [s1]}\n"
               f"  - {{id: beta, term: Beta, aliases: ['{lookalike}'], definition: D., sources: [s1]}}\n")
    assert [p.code for p in _problems(root)] == ["KB017"]


@pytest.mark.parametrize(
    "field", ["pmid: '\u0661\u0662\u0663'", "year: \u0661\u0669\u0666\u0662", "doi: '10.\u0661\u0662\u0663\u0664/x'"]
)
def test_digits_must_be_ascii(tmp_path, field):
    root = _kb(tmp_path, f"sources:\n  - {{id: s1, title: One, kind: article, {field}}}\n")
    assert [p.code for p in _problems(root)] == ["KB011"]


def test_dates_must_use_ascii_digits(tmp_path):
    root = _kb(tmp_path, SOURCE + "timeline:\n  - {id: e1, date: '\u0661\u0669\u0667\u0660', title: T, "
               "description: D., category: research, sources: [s1]}\n")
    assert [p.code for p in _problems(root)] == ["KB012"]


@pytest.fixture
def anchors_kb(tmp_path):
    """The fixture knowledge base plus entries whose ids look like the
    anchors a page makes for its own parts (citation numbers)."""
    return _fixture_plus(
        tmp_path,
        "timeline:\n  - {id: source-1, date: '1999', title: T, description: D., category: research, sources: [art-one]}\n"
        "  - {id: cite-2, date: '1998', title: U, description: E., category: research, sources: [study-one]}\n"
        "glossary:\n  - {id: source-2, term: Anchor, definition: D., sources: [art-one]}\n",
    )


@pytest.mark.parametrize("fmt, pattern", [("html", r'\bid="([^"]+)"'), ("markdown", r'<a id="([^"]+)"')])
def test_exports_have_no_duplicate_anchors(run, tmp_path, anchors_kb, fmt, pattern):
    out = tmp_path / "site"
    result = run("export", "--out", str(out), "-f", fmt, data=anchors_kb)
    assert result.exit_code == 0, result.stderr
    pages = [p for p in out.iterdir() if p.suffix in (".html", ".md")]
    assert pages
    for page in pages:
        ids = re.findall(pattern, page.read_text(encoding="utf-8"))
        assert len(ids) == len(set(ids)), page.name


def test_search_marks_never_reach_urls_in_markdown(run, tmp_path):
    root = _one_topic(tmp_path, "See https://example.org/nmda-page for more.", "It has more.")
    result = run("search", "nmda", "-f", "markdown", data=root)
    assert result.exit_code == 0, result.stderr
    assert "<https://example.org/nmda-page>" in result.stdout


@pytest.mark.parametrize("pager, shown", [("false", False), ("exit 3", False), ("no-such-pager-here", False),
                                          ("cat >/dev/null", True)])
def test_a_failing_pager_means_the_page_is_printed_instead(monkeypatch, pager, shown):
    from ketaminfo.pages.output import run_pager

    monkeypatch.setenv("KETAMINFO_PAGER", pager)
    assert run_pager("page\n" * 10, "utf-8") is shown


def test_the_pager_command_is_read_from_the_environment_only(monkeypatch, tmp_path):
    """PAGER is the user's own setting (as for git); nothing else names a command."""
    from ketaminfo.pages.output import run_pager

    marker = tmp_path / "ran"
    monkeypatch.delenv("KETAMINFO_PAGER", raising=False)
    monkeypatch.setenv("PAGER", f"touch {marker}; cat >/dev/null")
    assert run_pager("text; $(touch /tmp/never)\n", "utf-8")
    assert marker.exists()


# --- Every printed field, every format ----------------------------------------------------------


NASTY = ["\x1b[31m", "\x1b]0;title\x07", "\x1b[2J", "\x9b31m", "\u202e", "\u2066", "\u200b", "\ufeff",
         "\U000e0041", "\r", "\x08", "\x00", "\x7f", "\u2028", "\ud800", "\n", "[bold]", "*", "<script>", "&lt;"]
hostile = st.lists(st.one_of(st.sampled_from(NASTY), st.text(alphabet="abcnmda -", max_size=5)), min_size=1,
                   max_size=5).map("".join)
FORMATS = ["plain", "json", "markdown", "rich"]
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colour codes rich itself writes with --color always


def _clean_output(result, fmt: str) -> None:
    assert "Traceback" not in result.stderr
    assert result.exit_code in (0, 1, 2, 3), result.exit_code
    out = SGR.sub("", result.stdout)
    assert not HIDDEN.search(out), repr(out[:300])
    assert not HIDDEN.search(SGR.sub("", result.stderr)), repr(result.stderr[:300])
    if fmt == "markdown":
        assert "<script>" not in out  # no live HTML


def _args(command: str, text: str) -> list[str]:
    return {"topic": ["topic", text], "conditions": ["conditions", text], "glossary": ["glossary", text],
            "sources": ["sources", text], "search": ["search", text], "ask": ["ask", text],
            "timeline": ["timeline", "--topic", text]}[command]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile, command=st.sampled_from(["topic", "conditions", "glossary", "sources", "search", "ask",
                                              "timeline"]), fmt=st.sampled_from(FORMATS))
def test_hostile_arguments_never_reach_the_terminal_raw(run, text, command, fmt):
    options = ["-f", fmt, "--color", "always"] if fmt == "rich" else ["-f", fmt]
    result = run(*_args(command, text), *options)
    _clean_output(result, fmt)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile.filter(lambda s: "/" not in s and "\x00" not in s and "\ud800" not in s),
       value=hostile.filter(lambda s: "\ud800" not in s), fmt=st.sampled_from(FORMATS))
def test_hostile_file_names_and_values_never_reach_the_terminal_raw(run, tmp_path_factory, name, value, fmt):
    root = tmp_path_factory.mktemp("kb")
    try:
        (root / f"{name}.yaml").write_text(
            "sources:\n  - {id: s1, title: " + json.dumps(value) + ", kind: article}\n"
            "topics:\n  - {id: " + json.dumps(value) + ", title: T, summary: S}\n", encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        return  # a name this file system cannot hold
    options = ["-f", fmt, "--color", "always"] if fmt == "rich" else ["-f", fmt]
    _clean_output(run("validate", str(root), *(["-f", "json"] if fmt == "json" else []), data=None),
                  "json" if fmt == "json" else "plain")  # validate writes lines, never Markdown
    _clean_output(run("topic", "x", *options, data=root), fmt)
    _clean_output(run("--data", str(root), "topic", "--list", *options, data=None), fmt)


def test_a_kept_index_holding_code_is_not_attached(kb_copy):
    find(load(kb_copy), "x")
    (index,) = Path(cache.folder()).glob("ix-*.sqlite")
    with sqlite3.connect(index) as db:
        db.executescript("CREATE VIEW spin AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                         "SELECT i FROM n; UPDATE documents SET title = 'Planted' WHERE id = 'mechanism'")
    hits = find(load(kb_copy), "receptor")
    assert hits and all(hit.title != "Planted" for hit in hits)


@pytest.mark.parametrize("less, expected", [(None, "FRX"), ("", "R"), ("-i", "-iR"), ("FRX", "FRX"), ("-r", "-r")])
def test_the_pager_always_shows_colour_as_colour(monkeypatch, tmp_path, less, expected):
    from ketaminfo.pages.output import run_pager

    seen = tmp_path / "less"
    monkeypatch.setenv("KETAMINFO_PAGER", f'printf "%s" "$LESS" > {seen}; cat >/dev/null')
    if less is None:
        monkeypatch.delenv("LESS", raising=False)
    else:
        monkeypatch.setenv("LESS", less)
    assert run_pager("page\n", "utf-8")
    assert seen.read_text() == expected


@pytest.mark.parametrize("damage", ["phrases", "starts", "both"])
def test_damaged_crisis_phrases_in_the_cache_are_read_again_from_the_files(run, tmp_path, damage):
    # The compiled crisis phrases kept in a cache file are read as untrusted:
    # a phrase of the wrong shape (it breaks when matched) sends the run back
    # to the files; first words that name no phrase are not trusted at all.
    root = tmp_path / "kb"
    shutil.copytree(Path(__file__).parent.parent / "data", root)
    assert run("ask", "i", "want", "to", "die", data=root).exit_code == 0
    planted = 0
    for database in Path(cache.folder()).glob("kb-*.sqlite"):
        with sqlite3.connect(database) as db:
            (value,) = db.execute("SELECT value FROM meta WHERE name = 'crisis'").fetchone()
            kept = json.loads(value)
            if damage in ("phrases", "both"):
                kept["phrases"] = [[name, [[5]]] for name, _ in kept["phrases"]]
            if damage in ("starts", "both"):
                kept["starts"]["words"]["want"] = [10**9]
            db.execute("UPDATE meta SET value = ? WHERE name = 'crisis'", (json.dumps(kept),))
            planted += 1
    assert planted >= 1
    result = run("ask", "i", "want", "to", "die", data=root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("!!!!") and "988" in result.stdout
    assert "Traceback" not in result.stderr
