"""Hostile input, second round: no stale cache, nothing written through a
link, no false success.

One test (at least) per problem the second adversarial review found, in its
order: a stale cache, the export manifest, export paths that cannot be
checked, a closed standard output, Ctrl-C during an export, invisible
characters, where the cache goes, an empty pager, over-long values, the size
of a knowledge base, and short writes.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ketaminfo.kb import cache, load, loading

from .conftest import FIXTURE_KB

POSIX = hasattr(os, "getuid")
posix_only = pytest.mark.skipif(not POSIX, reason="needs POSIX links and permissions")
LATE_TOPIC = ("topics:\n  - id: late\n    title: Late\n    summary: Added while the others were read.\n"
              "    points:\n      - {text: It came late., evidence: established, sources: [art-one]}\n")


def _command(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    """ketaminfo in a child process (for what only a real process shows:
    closed descriptors, signals, a read that would block)."""
    full = {k: v for k, v in os.environ.items() if k not in ("KETAMINFO_DATA", "FORCE_COLOR", "NO_COLOR")}
    full.update({"COLUMNS": "80", **(env or {})})
    return subprocess.run([sys.executable, "-m", "ketaminfo", *args], env=full, capture_output=True, timeout=120,
                          **kwargs)


@pytest.fixture
def kb_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the copied files are new: let their stat key be recorded
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, root)
    return root


# --- 1. A file that changes while the files are read is never recorded under the old stamp ------


def _inside_the_read(monkeypatch, change) -> None:
    """Run *change* once, after the loader stamps the files and before it reads them."""
    real = loading.read_layers

    def racing(roots):
        monkeypatch.setattr(loading, "read_layers", real)
        change()
        return real(roots)

    monkeypatch.setattr(loading, "read_layers", racing)


def test_a_file_added_while_the_files_are_read_is_not_served_once_it_is_gone(kb_copy, monkeypatch):
    late = kb_copy / "late.yaml"
    _inside_the_read(monkeypatch, lambda: late.write_text(LATE_TOPIC, encoding="utf-8"))
    assert "late" in load(kb_copy).topics.ids()  # what was read: the new set of files
    late.unlink()  # the old set again, every file's status as it was at the first stamp
    assert "late" not in load(kb_copy).topics.ids()
    assert "late" not in load(kb_copy).topics.ids()  # and not on a later run either


@posix_only
def test_a_folder_link_flipped_while_the_files_are_read_is_not_served_once_flipped_back(kb_copy, tmp_path,
                                                                                       monkeypatch):
    other = tmp_path / "other"
    shutil.copytree(kb_copy, other)
    (other / "late.yaml").write_text(LATE_TOPIC, encoding="utf-8")
    link = tmp_path / "current"
    link.symlink_to(kb_copy)

    def flip(target: Path) -> None:
        (tmp_path / "next").symlink_to(target)
        os.replace(tmp_path / "next", link)

    _inside_the_read(monkeypatch, lambda: flip(other))
    assert "late" in load(link).topics.ids()
    flip(kb_copy)
    assert "late" not in load(link).topics.ids()


# --- 2. export never writes through a link, its manifest included --------------------------------


@posix_only
def test_export_refuses_a_manifest_that_is_a_link_and_writes_nothing(run, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    site = tmp_path / "site"
    site.mkdir()
    (site / ".ketaminfo-export").symlink_to("../victim.txt")
    result = run("export", "--out", str(site))
    assert result.exit_code == 2 and "--force" in result.stderr and ".ketaminfo-export" in result.stderr
    assert victim.read_text() == "precious"
    assert [p.name for p in site.iterdir()] == [".ketaminfo-export"]  # nothing was written


@posix_only
def test_export_with_force_replaces_a_manifest_link_and_never_follows_it(run, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("index.html\nprecious\n")  # names that could pass for the manifest's
    site = tmp_path / "site"
    site.mkdir()
    (site / ".ketaminfo-export").symlink_to(victim)
    result = run("export", "--out", str(site), "--force")
    assert result.exit_code == 0, result.stderr
    assert victim.read_text() == "index.html\nprecious\n"
    manifest = site / ".ketaminfo-export"
    assert manifest.is_file() and not manifest.is_symlink()
    assert "precious" not in manifest.read_text()  # the link's target was not read as the manifest either
    assert run("export", "--out", str(site)).exit_code == 0  # and it is a manifest again


@posix_only
def test_a_manifest_that_is_a_pipe_is_never_opened_for_reading(run, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    os.mkfifo(site / ".ketaminfo-export")
    # In a child, with a time-out: reading the pipe would block for ever.
    assert _command("export", "--out", str(site), env={"KETAMINFO_DATA": str(FIXTURE_KB)}).returncode == 2
    assert run("export", "--out", str(site), "--force").exit_code == 0
    assert (site / ".ketaminfo-export").is_file()


@posix_only
@pytest.mark.parametrize("option", ["--export-svg", "--export-html"])
def test_a_picture_is_never_written_through_a_link(run, tmp_path, option):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    picture = tmp_path / "shared" / "page.svg"
    picture.parent.mkdir()
    picture.symlink_to(victim)
    result = run("topic", "mechanism", option, str(picture))
    assert result.exit_code == 0, result.stderr
    assert victim.read_text() == "precious"
    assert not picture.is_symlink() and "Mechanism" in picture.read_text()
    assert [p.name for p in picture.parent.iterdir()] == ["page.svg"]  # no temporary file left


# --- 3. export paths that cannot be checked: a message, not a traceback ---------------------------


def _locked(monkeypatch, folder: Path) -> None:
    """Make everything under *folder* answer as a folder this user may not
    enter answers (EACCES), even to root, who may enter any."""
    import errno

    real_stat = os.stat

    def stat(path, *args, **kwargs):
        if str(os.fspath(path)).startswith(str(folder) + os.sep):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)


@pytest.mark.parametrize("option", ["--out", "--export-svg", "--export-html"])
@pytest.mark.parametrize("case", ["a 256-character name", "a 100 KB path", "a folder without access"])
def test_an_export_path_that_cannot_be_checked_is_a_usage_error(run, tmp_path, monkeypatch, option, case):
    if case == "a 256-character name":
        path = str(tmp_path / ("n" * 256))
    elif case == "a 100 KB path":
        path = "p" * 100_000
    else:
        path = str(tmp_path / "locked" / "site")
        _locked(monkeypatch, tmp_path / "locked")
    command = ["export"] if option == "--out" else ["topic", "mechanism"]
    result = run(*command, option, path)  # in this process: a traceback would fail the test
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr and "cannot be used" in result.stderr
    assert len(result.stderr) < 1000 and result.stdout == ""


def test_an_export_folder_that_cannot_be_made_is_named_briefly(run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("export", "--out", str(blocker.joinpath(*["d" * 200] * 10, "site")))  # 2 KB, not checkable later
    assert result.exit_code == 2 and "cannot write" in result.stderr
    assert len(result.stderr) < 600 and result.stderr.rstrip().endswith("Not a directory")


# --- 4. With standard output closed, the exit status still tells the truth -----------------------


def _closed_stdout(*args: str, data: Path | None = FIXTURE_KB) -> subprocess.CompletedProcess:
    """ketaminfo started with standard output closed (``>&-``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("KETAMINFO_DATA", "FORCE_COLOR", "NO_COLOR")}
    if data is not None:
        env["KETAMINFO_DATA"] = str(data)
    return subprocess.run(["sh", "-c", 'exec "$0" -m ketaminfo "$@" >&-', sys.executable, *args],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)


@pytest.mark.skipif(not shutil.which("sh"), reason="needs a POSIX shell")
def test_validate_with_stdout_closed_still_answers_by_its_exit_status(bad_kb):
    assert _closed_stdout("validate", str(bad_kb("KB007"))).returncode == 3
    assert _closed_stdout("validate").returncode == 0


@pytest.mark.skipif(not shutil.which("sh"), reason="needs a POSIX shell")
def test_export_with_stdout_closed_writes_its_files_before_saying_it_did(tmp_path):
    site = tmp_path / "site"
    result = _closed_stdout("export", "--out", str(site))
    assert result.returncode == 0, result.stderr
    assert (site / "index.html").is_file() and (site / ".ketaminfo-export").is_file()
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert _closed_stdout("export", "--out", str(blocker / "site")).returncode == 2  # a failure is not hidden


@pytest.mark.skipif(not shutil.which("sh"), reason="needs a POSIX shell")
def test_a_page_with_stdout_closed_is_shown_to_no_one_and_exits_0(tmp_path):
    assert _closed_stdout("topic", "mechanism").returncode == 0
    result = _closed_stdout("topic", "no-such-topic")
    assert result.returncode == 1 and b"No topic called" in result.stderr


# --- 5. Ctrl-C during an export: whole pages, and the same export can be run again ----------------


def test_ctrl_c_while_a_page_is_written_leaves_whole_pages_and_a_rerun_is_accepted(run, tmp_path, monkeypatch):
    import builtins
    import io

    from ketaminfo.pages import terminal

    reference = tmp_path / "reference"
    assert run("export", "--out", str(reference)).exit_code == 0
    real_open = builtins.open
    pages = []

    class CutShort:
        """A file being written that Ctrl-C stops half-way through the third page."""

        def __init__(self, handle):
            self.handle = handle

        def write(self, text):
            if "</html>" in text:
                pages.append(text)
                if len(pages) == 3:
                    self.handle.write(text[: len(text) // 2])
                    self.handle.flush()
                    raise KeyboardInterrupt
            return self.handle.write(text)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def __getattr__(self, name):
            return getattr(self.handle, name)

    def opening(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        return CutShort(handle) if "w" in mode else handle

    site = tmp_path / "site"
    monkeypatch.setattr(terminal, "silence_stdout", lambda: None)  # keep pytest's own stdout
    with monkeypatch.context() as patched:
        patched.setattr(builtins, "open", opening)
        patched.setattr(io, "open", opening)
        assert run("export", "--out", str(site)).exit_code == 130
    assert len(pages) == 3
    html = [p for p in site.iterdir() if p.suffix == ".html"]
    assert len(html) == 2  # the third was cut short: it is not there at all
    for page in html:
        assert page.read_bytes() == (reference / page.name).read_bytes(), page.name
    assert [p.name for p in site.iterdir() if p.name.endswith(".part")] == []
    again = run("export", "--out", str(site))  # the same export, without --force
    assert again.exit_code == 0, again.stderr
    assert sorted(p.name for p in site.iterdir()) == sorted(p.name for p in reference.iterdir())


# --- 6. Characters that draw nothing, or a blank, are refused like other invisible ones ----------


BLANK_LOOKING = ["\u3164", "\u115f", "\u1160", "\uffa0", "\u034f", "\u17b4", "\u17b5", "\u180b", "\u180f", "\ufe00",
                 "\ufe0f", "\U000e0100", "\U000e01ef", "\u2800", "\ufffc"]


def _problems(root: Path) -> list:
    from ketaminfo.errors import KnowledgeBaseError

    with pytest.raises(KnowledgeBaseError) as info:
        load(root, cache=False)
    return info.value.problems


def _kb(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "kb"
    root.mkdir(exist_ok=True)
    (root / "kb.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("char", BLANK_LOOKING, ids=lambda ch: f"U+{ord(ch):04X}")
def test_blank_and_default_ignorable_characters_are_refused(tmp_path, char):
    escape = f"\\U{ord(char):08x}"
    root = _kb(tmp_path, f"sources:\n  - {{id: s1, title: \"One{escape}\", kind: article}}\n")
    (problem,) = _problems(root)
    assert problem.code == "KB013" and f"U+{ord(char):04X}" in problem.message


@pytest.mark.parametrize("name", ["Glutamate\\u034f", "\\u3164", "\\u2800", "Glutamate\\ufe0f"])
def test_a_name_that_differs_only_by_an_invisible_character_is_refused(tmp_path, name):
    root = _kb(tmp_path, "sources:\n  - {id: s1, title: One, kind: article}\nglossary:\n"
               "  - {id: glutamate, term: Glutamate, definition: D., sources: [s1]}\n"
               f"  - {{id: other, term: Other, aliases: [\"{name}\"], definition: D., sources: [s1]}}\n")
    assert [p.code for p in _problems(root)] == ["KB013"]


@pytest.mark.parametrize("char", BLANK_LOOKING, ids=lambda ch: f"U+{ord(ch):04X}")
def test_blank_characters_are_escaped_in_messages_and_refused_when_read_back(char):
    from ketaminfo.safetext import clean, visible

    assert not clean(f"Glutamate{char}") and not clean(f"caf\u00e9 {char}")
    assert char not in visible(f"a{char}b") and "\\u" in visible(f"a{char}b").lower()
    assert clean("caf\u00e9 \u2013 \u00b5g") and clean("plain")  # ordinary text still passes


# --- 7. The cache goes only in a real home's cache folder, made private -------------------------


@pytest.fixture
def no_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.mark.parametrize("home", ["", "relative/home", "."])
def test_an_empty_or_relative_home_gives_no_cache_at_the_root_or_here(monkeypatch, no_xdg, kb_copy, home):
    monkeypatch.setenv("HOME", home)
    assert cache.folder() is None  # not /.cache/ketaminfo, not ./relative/home/.cache/ketaminfo
    assert cache.usable_folder(create=True) is None
    assert "It blocks a receptor." in str(load(kb_copy).topic("mechanism").points)  # works, without a cache
    assert list(no_xdg.iterdir()) == []


def test_a_home_that_does_not_exist_is_not_created(monkeypatch, no_xdg, kb_copy, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "gone"))
    assert load(kb_copy).topic("mechanism")
    assert not (tmp_path / "gone").exists()


@posix_only
def test_cache_folders_made_on_the_way_are_private(monkeypatch, no_xdg, kb_copy, tmp_path):
    import stat

    old = os.umask(0o022)
    try:
        home = tmp_path / "home"
        home.mkdir()
        monkeypatch.setenv("HOME", str(home))
        load(kb_copy)
        assert [stat.S_IMODE((home / p).stat().st_mode) for p in (".cache", ".cache/ketaminfo")] == [0o700, 0o700]
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x" / "y" / "cache"))
        load(kb_copy)
        made = [tmp_path / "x", tmp_path / "x/y", tmp_path / "x/y/cache", tmp_path / "x/y/cache/ketaminfo"]
        assert [stat.S_IMODE(p.stat().st_mode) for p in made] == [0o700] * 4
    finally:
        os.umask(old)


def test_paths_says_when_there_is_no_cache(run, monkeypatch, no_xdg):
    result = run("paths", HOME="", XDG_CACHE_HOME=None)
    assert result.exit_code == 0 and "(none: " in result.stdout


# --- 8. A pager variable set to nothing means no pager, as for git ------------------------------


@posix_only
@pytest.mark.parametrize("settings", [{"PAGER": ""}, {"KETAMINFO_PAGER": "", "PAGER": "less"},
                                      {"KETAMINFO_PAGER": " ", "PAGER": "less"}, {"PAGER": "cat"}])
def test_a_pager_set_to_nothing_means_no_pager(monkeypatch, tmp_path, settings):
    from ketaminfo.pages.output import run_pager

    ran = tmp_path / "ran"
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "less").write_text(f"#!/bin/sh\ntouch {ran}\ncat >/dev/null\n")
    (fake / "less").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    for name in ("KETAMINFO_PAGER", "PAGER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    assert run_pager("page\n" * 100, "utf-8") is False  # the caller prints the page itself
    assert not ran.exists()
    monkeypatch.delenv("KETAMINFO_PAGER", raising=False)
    monkeypatch.delenv("PAGER", raising=False)
    assert run_pager("page\n" * 100, "utf-8") is True and ran.exists()  # unset: the default, less


# --- 9. Values are bounded: a PubMed id, and what messages repeat ---------------------------------


def test_a_5000_digit_pmid_is_refused(tmp_path):
    root = _kb(tmp_path, "sources:\n  - {id: s1, title: One, kind: article, pmid: '" + "1" * 5000 + "'}\n")
    (problem,) = _problems(root)
    assert problem.code == "KB011" and "at most 10 digits" in problem.message
    assert len(str(problem)) < 500


@pytest.mark.parametrize("pmid", ["1", "12345678", "'9999999999'", "40123456"])
def test_real_pmids_still_pass(tmp_path, pmid):
    root = _kb(tmp_path, f"sources:\n  - {{id: s1, title: One, kind: article, pmid: {pmid}}}\n")
    assert load(root, cache=False).sources["s1"].pmid == pmid.strip("'")


LONG_PATH = "/" + "q" * 100_000


@pytest.mark.parametrize("args", [["--data", LONG_PATH, "topic", "mechanism"], ["validate", LONG_PATH],
                                  ["validate", "-f", "json", LONG_PATH]])
def test_a_100_kb_data_path_is_not_repeated_whole(run, args):
    result = run(*args, data=None)
    assert result.exit_code == 3
    assert "KB018" in result.stdout + result.stderr
    assert len(result.stdout) < 2000 and len(result.stderr) < 2000


def test_a_100_kb_data_path_from_the_environment_is_not_repeated_whole(run):
    result = run("topic", "mechanism", data=Path(LONG_PATH))
    assert result.exit_code == 3 and len(result.stderr) < 2000


def test_a_100_kb_data_mode_or_command_is_not_repeated_whole(run):
    result = run("topic", "mechanism", KETAMINFO_DATA_MODE="m" * 100_000)
    assert result.exit_code == 2 and len(result.stderr) < 1000
    result = run("topc", "q" * 100_000)
    assert result.exit_code == 1 and "ketaminfo topic" in result.stderr and len(result.stderr) < 1000


# --- 10. A knowledge base has a total size limit, with a clear message beyond it ----------------


def _yaml_bytes(folder) -> int:
    return sum(len(Path(f).read_bytes()) for f in Path(str(folder)).glob("*.yaml"))


def test_the_total_size_limit_is_above_1000_times_the_bundled_knowledge_base():
    from ketaminfo.kb import files

    assert files.MAX_TOTAL_BYTES >= 1000 * _yaml_bytes(files.bundled_data())  # bench/startup.py --large builds 1000x


def _spread(root: Path, count: int, size: int) -> None:
    """*count* more valid files of about *size* bytes each in *root*."""
    for n in range(count):
        terms = "".join(f"  - {{id: t{n}-{i}, term: T{n} {i}, definition: D., sources: [art-one]}}\n"
                        for i in range(size // 64))
        (root / f"more-{n:02d}.yaml").write_text("glossary:\n" + terms, encoding="utf-8")


def test_a_knowledge_base_past_the_total_size_limit_is_refused_without_reading_on(run, kb_copy, monkeypatch):
    from ketaminfo.kb import files

    _spread(kb_copy, 10, 4000)
    before = sorted(kb_copy.glob("*.yaml"))
    before = before[: before.index(kb_copy / "more-05.yaml")]
    monkeypatch.setattr(files, "MAX_TOTAL_BYTES", sum(len(p.read_bytes()) for p in before) + 1)
    read = []
    real = files._read_regular
    monkeypatch.setattr(files, "_read_regular", lambda path: read.append(path) or real(path))
    for args in (["topic", "mechanism"], ["validate"]):
        read.clear()
        result = run(*args, data=kb_copy)
        assert result.exit_code == 3, result.stderr
        assert "KB003" in result.output and "limit for all its files together" in result.output
        assert "(reading stopped at more-05.yaml)" in result.output
        assert "more-06.yaml" not in " ".join(read)  # nothing is read beyond the limit


def test_the_total_size_limit_counts_every_layer(run, kb_copy, monkeypatch):
    from ketaminfo.kb import files

    bundled = _yaml_bytes(files.bundled_data())
    monkeypatch.setattr(files, "MAX_TOTAL_BYTES", bundled + _yaml_bytes(kb_copy) - 1)
    result = run("--data-mode", "overlay", "validate", str(kb_copy), data=None)
    assert result.exit_code == 3 and "KB003" in result.stdout
    monkeypatch.setattr(files, "MAX_TOTAL_BYTES", bundled + _yaml_bytes(kb_copy))
    assert run("--data-mode", "overlay", "validate", str(kb_copy), data=None).exit_code == 0


def test_the_real_total_size_limit_is_met_with_a_message_not_a_long_load(run, tmp_path):
    from ketaminfo.kb import files

    root = tmp_path / "huge"
    root.mkdir()
    for n in range(files.MAX_TOTAL_BYTES // files.MAX_FILE_BYTES + 1):  # each file at the per-file limit
        with open(root / f"part-{n:03d}.yaml", "wb") as handle:
            handle.truncate(files.MAX_FILE_BYTES)  # sparse: nothing on disk
    result = run("validate", str(root), data=None)
    assert result.exit_code == 3
    mib, last = files.MAX_TOTAL_BYTES // 2**20, files.MAX_TOTAL_BYTES // files.MAX_FILE_BYTES
    assert result.stdout.splitlines() == [f"{root}: KB003 the knowledge base is larger than the {mib} MiB limit for all "
                                          f"its files together (reading stopped at part-{last:03d}.yaml); use fewer or "
                                          f"smaller files"]


# --- 11. A page cut short by a signal is written to the end ---------------------------------------


class SlowPipe(io.RawIOBase):
    """Standard output as an unbuffered Python sees it (``-u``): a raw
    stream whose every write takes at most 1,000 bytes (as a pipe write cut
    short by a signal does) and whose every third write takes nothing (as a
    full non-blocking pipe does)."""

    def __init__(self):
        self.taken = bytearray()
        self.calls = 0

    def writable(self):
        return True

    def write(self, data):
        self.calls += 1
        if self.calls % 3 == 0:
            return None
        self.taken += bytes(data[:1000])
        return min(len(data), 1000)


def _slow_stdout(monkeypatch) -> SlowPipe:
    pipe = SlowPipe()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(pipe, encoding="utf-8", write_through=True))
    return pipe


@pytest.mark.parametrize("args", [["timeline", "-f", "json"], ["sources", "-f", "plain"], ["timeline", "-f", "markdown"],
                                  ["validate", "MANY-PROBLEMS"]])
def test_short_writes_are_continued_to_the_end_of_the_page(run, monkeypatch, tmp_path, args):
    from ketaminfo import cli

    if "MANY-PROBLEMS" in args:  # lines written by write_out, not a page
        args = ["validate", str(_kb(tmp_path, "topics:\n" + "  - {id: BAD, title: t}\n" * 300))]
    expected = run(*args, data=None)
    assert expected.exit_code in (0, 3) and len(expected.stdout) > 10_000
    pipe = _slow_stdout(monkeypatch)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("KETAMINFO_DATA", raising=False)
    assert cli.run(list(args)) == expected.exit_code
    assert pipe.taken.decode("utf-8") == expected.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux pipes and /proc")
def test_ctrl_z_and_fg_while_a_long_page_waits_on_a_full_pipe_loses_nothing():
    import fcntl
    import signal
    import termios

    expected = _command("sources", "-f", "plain").stdout
    assert len(expected) > 16_384
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)  # so the page cannot fit
    assert fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ) < len(expected)
    env = {k: v for k, v in os.environ.items() if k not in ("KETAMINFO_DATA", "FORCE_COLOR", "NO_COLOR")}
    # A process group of its own, in this session: a stop signal sent to a
    # group with no parent in another group of the session (an orphaned
    # group, as a test run in the background can be) is discarded.
    child = subprocess.Popen([sys.executable, "-m", "ketaminfo", "sources", "-f", "plain"], stdout=write_end,
                             env={**env, "COLUMNS": "80", "PYTHONUNBUFFERED": "1"}, process_group=0)
    os.close(write_end)
    try:
        waiting = bytearray(4)

        def state() -> str:
            with open(f"/proc/{child.pid}/stat") as handle:
                return handle.read().rsplit(")", 1)[1].split()[0]

        def wait_until(condition) -> None:
            import time

            give_up = time.monotonic() + 60  # a safety net only: nothing here depends on how fast it gets there
            while not condition():
                assert child.poll() is None and time.monotonic() < give_up, "the child never got there"
                time.sleep(0.001)

        def pipe_full() -> bool:
            # The page is written a piece at a time: the pipe is full when it
            # holds a piece and the child sleeps on the next (a pipe of one
            # memory page takes one write that the next cannot join).
            fcntl.ioctl(read_end, termios.FIONREAD, waiting)
            return int.from_bytes(waiting, sys.byteorder) > 0 and state() == "S"

        wait_until(pipe_full)  # the child is blocked writing the page
        child.send_signal(signal.SIGTSTP)  # Ctrl-Z
        wait_until(lambda: state() == "T")
        child.send_signal(signal.SIGCONT)  # fg
        received = bytearray()
        while chunk := os.read(read_end, 65536):
            received += chunk
        assert child.wait(60) == 0
        assert bytes(received) == expected
    finally:
        os.close(read_end)
        if child.poll() is None:
            child.kill()
            child.wait()
