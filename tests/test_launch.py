"""The front door: the grammar table reads a command line as Typer reads it.

``ketaminfo.cli.parse`` reads command lines without Typer, by a table
generated from the Typer app. Whenever it accepts a line, the request it
builds must equal the one Typer builds from the same line; what it does not
accept goes to Typer, which explains the mistake.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketaminfo import cli
from ketaminfo.cli import app as app_module
from ketaminfo.cli.grammar import GRAMMAR
from ketaminfo.cli.parse import Help, parse


def _typer_request(monkeypatch, argv: list[str]):
    """The request the Typer app builds from *argv* (None if it refuses it)."""
    seen = []
    monkeypatch.setattr(app_module, "execute", lambda request: seen.append(request) or 0)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            app_module.app(args=argv, prog_name="ketaminfo")
        except SystemExit:
            pass
    return seen[0] if seen else None


VALID = [
    ["topic", "mechanism"],
    ["topic", "MoA", "--format", "json"],
    ["topic", "--list"],
    ["topic", "-l", "-f", "plain"],
    ["topic", "mechanism", "--format=json"],
    ["conditions", "trd", "-f", "markdown"],
    ["conditions", "suicidal thoughts", "--no-pager"],
    ["glossary"],
    ["glossary", "nmda", "--color", "never", "--format", "rich"],
    ["sources", "zarate-2006", "--export-svg", "x.svg"],
    ["sources"],
    ["timeline"],
    ["timeline", "--from", "1990", "--to", "2000", "-c", "Clinical use"],
    ["timeline", "--topic", "mechanism", "--category=regulation"],
    ["search", "nmda"],
    ["search", "nasal", "spray", "--kind", "event", "-f", "json"],
    ["search", "-n", "3", "neuro*", "--color", "always"],
    ["search", "--", "-x", "y"],
    ["search", "nmda", "--limit=3", "--limit", "4"],
    ["ask", "is", "ketamine", "addictive"],
    ["ask", "can I drive after spravato?", "-n", "2", "-f", "json"],
    ["validate"],
    ["validate", "some/folder", "-f", "json"],
    ["export", "--out", "site", "-f", "markdown"],
    ["completion", "fish"],
    ["--data", "somewhere", "topic", "mechanism"],
    ["--data=somewhere", "--data-mode", "overlay", "search", "x"],
    ["--version"],
    ["-V", "topic"],
    ["mechanism"],  # words that name no command: a look-up
    ["tpoic", "mechanism"],
    ["nasal", "spray", "-f", "json"],
    ["topics", "--list"],  # another name for a command
    ["event", "made"],
    ["timeline", "-c", "regulation", "--category", "research"],  # an option that may be repeated
    ["timeline", "--from", "1960s", "--to", "1970s"],
    ["search", "x", "--kind", "topics"],
    ["lookup", "mechanism"],  # the fallback's own name is a name like any other
]


@pytest.mark.parametrize("argv", VALID)
def test_the_table_reads_a_line_as_typer_does(monkeypatch, argv):
    fast = parse(argv)
    assert fast is not None and not isinstance(fast, Help)
    if fast.command == "--version":
        return  # Typer prints the version from an eager option, not a command
    assert fast == _typer_request(monkeypatch, argv)


@pytest.mark.parametrize(
    "argv",
    [
        [],  # the front door reads it as --help
        ["topic", "mechanism", "--format", "xml"],
        ["timeline", "made", "history"],
        ["topic", "-lf", "json"],
        ["topic", "--list=yes"],
        ["topic", "mechanism", "--format"],
        ["search"],
        ["search", "nmda", "--limit", "0"],
        ["search", "nmda", "-n", "101"],
        ["search", "nmda", "--kind", "page"],
        ["ask", "addictive", "-n", "21"],
        ["ask", "addictive", "-n", "３"],
        ["timeline", "--from", "x"],
        ["export"],  # --out is required
        ["completion", "tcsh"],
        ["--data"],
        ["--bogus", "topic"],
        ["topic", "--data", "x", "mechanism"],  # a global option after the command
    ],
)
def test_lines_the_table_cannot_read_go_to_typer(argv):
    assert parse(argv) is None


@pytest.mark.parametrize("argv, command", [(["-h"], ""), (["--help"], ""), (["topic", "-h"], "topic"),
                                           (["search", "--help"], "search"), (["topic", "-f", "xml", "-h"], "topic")])
def test_help_is_recognised(argv, command):
    assert parse(argv) == Help(command)


WORDS = st.sampled_from(
    sorted({name for name in GRAMMAR if name} | {o for spec in GRAMMAR.values() for o in spec.get("options", {})}
           | {"mechanism", "json", "plain", "always", "3", "0", "1990", "regulation", "--", "x", "-", "bash",
              "--format=json", "--limit=2", "topic", "event", "-lf", "", "1960s", "lookup", "-c"})
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=st.lists(WORDS, max_size=6))
def test_whatever_the_table_accepts_typer_reads_the_same(monkeypatch, argv):
    fast = parse(argv)
    if fast is None or isinstance(fast, Help) or fast.command == "--version":
        return
    assert fast == _typer_request(monkeypatch, argv)


# Both ways in print the same bytes ----------------------------------------------------------------


def _capture(call) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = call()
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ["topic", "mechanism"],
        ["topic", "--list", "-f", "json"],
        ["conditions", "trd", "-f", "markdown"],
        ["glossary", "NMDA", "--color", "always"],
        ["timeline", "--from", "2000", "-c", "regulation"],
        ["search", "ptsd", "or", "ocd"],
        ["ask", "adictive", "--color", "always"],
        ["topic", "mechansim"],  # not found: exit 1 with suggestions, on both ways in
        ["search", "qqqzzzx"],
        ["search", '"unclosed'],  # a usage error from the library: exit 2
        ["timeline", "--from", "2000", "--to", "1990"],
        ["topic", "mechanism", "--list"],
        ["validate"],
        ["--version"],
    ],
)
def test_both_ways_in_print_the_same(monkeypatch, argv):
    monkeypatch.setenv("COLUMNS", "80")
    fast = _capture(lambda: cli.run(argv))
    full = _capture(lambda: cli._typer(argv))
    assert fast == full


def test_a_bad_knowledge_base_is_read_once_and_reported(monkeypatch, tmp_path):
    (tmp_path / "a.yaml").write_text("topics: [", encoding="utf-8")
    monkeypatch.setenv("KETAMINFO_DATA", str(tmp_path))
    from ketaminfo.kb import loading

    calls = []
    real = loading.parse
    monkeypatch.setattr(loading, "parse", lambda *a: calls.append(1) or real(*a))
    code, out, err = _capture(lambda: cli.run(["topic", "mechanism"]))
    assert code == 3 and out == "" and "KB001" in err
    assert len(calls) == 1


# What each run imports ------------------------------------------------------------------------------


def _modules(*args: str, tmp_path: Path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KETAMINFO", "FORCE_COLOR"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["COLUMNS"] = "80"
    subprocess.run([sys.executable, "-m", "ketaminfo", *args], env=env, capture_output=True, timeout=60)
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "ketaminfo", *args], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode in (0, 1)
    return {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}


@pytest.mark.parametrize(
    "args",
    [("topic", "mechanism", "--format", "json"), ("search", "nmda", "--format", "plain"), ("timeline", "-f", "plain"),
     ("conditions", "--list", "-f", "plain"), ("glossary", "-f", "plain"), ("sources", "-f", "plain"),
     ("--version",), ("--help",), ("topic", "-h"), ("topic", "mechansim"), ("list", "-f", "plain"),
     ("mechanism", "--brief", "-f", "plain"), ("timeline", "-c", "regulation", "-c", "research", "--from", "1960s")],
)
def test_a_warm_run_imports_neither_typer_nor_yaml(tmp_path, args):
    assert not {"typer", "yaml"} & _modules(*args, tmp_path=tmp_path)


def test_a_search_reads_the_index_without_rich(tmp_path):
    modules = _modules("search", "nmda", "--format", "plain", tmp_path=tmp_path)
    assert "_sqlite3" in modules and not {"typer", "rich", "yaml"} & modules


def test_no_arguments_shows_the_help_on_stdout_and_exits_0(run):
    """``ketaminfo | less`` shows the help: it is the output asked for, not an error."""
    result = run()
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith("Usage: ketaminfo [OPTIONS] COMMAND")
    assert "\n  topic " in result.stdout  # real lines, not escaped ones
    assert result.stdout == run("--help").stdout


def test_help_comes_from_the_cache_once_typer_drew_it(run, monkeypatch):
    first = run("topic", "--help")
    import ketaminfo.cli as front

    monkeypatch.setattr(front, "_typer", lambda words: pytest.fail("Typer was asked again"))
    second = run("topic", "--help")
    assert first == second and second.stdout.startswith("Usage: ketaminfo topic [OPTIONS]")
    narrow = None
    monkeypatch.undo()
    narrow = run("topic", "--help", columns=60)  # another width: drawn afresh, for that width
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 58


def _all_modules(argv: list[str], tmp_path: Path, **extra: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KETAMINFO", "FORCE_COLOR", "_KETAMINFO"))}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), COLUMNS="80", **extra)
    subprocess.run([sys.executable, *argv], env=env, capture_output=True, timeout=60)  # fills the cache
    result = subprocess.run([sys.executable, "-X", "importtime", *argv], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}


LAUNCHER = str(Path(__file__).parent.parent / "scripts" / "ketaminfo")
# What a warm run has no use for: regular expressions (and enum, which they
# load), the json package (JSON is read and written with its C parts), the
# sqlite3 package's date adapters (and datetime), textwrap, Typer, Rich, YAML.
UNUSED = {"re", "enum", "json", "sqlite3", "datetime", "textwrap", "typer", "rich", "yaml", "typing"}


@pytest.mark.parametrize("args", [("topic", "mechanism", "--format", "json"), ("topic", "mechanism"),
                                  ("conditions", "--list", "-f", "plain")])
def test_the_command_imports_only_what_a_lookup_uses(tmp_path, args):
    modules = _all_modules([LAUNCHER, *args], tmp_path, FORCE_COLOR="1")
    assert "ketaminfo.kb.store" in modules and not UNUSED & modules


def test_completion_imports_no_page_and_no_json(tmp_path):
    modules = _all_modules([LAUNCHER], tmp_path, _KETAMINFO_COMPLETE="bash", COMP_WORDS="ketaminfo topic ",
                           COMP_CWORD="2")
    assert "ketaminfo.cli.complete" in modules and "ketaminfo.kb.store" in modules
    assert not (UNUSED | {"ketaminfo.pages.document", "ketaminfo.pages.views", "_json"}) & modules
