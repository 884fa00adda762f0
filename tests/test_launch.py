"""The fast path for plain lookups prints exactly what the full command line prints."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

import pytest

from ketaminfo import cli as launch


def _fast(argv: list[str]) -> tuple[bool, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        handled = launch.lookup(argv)
    return handled, buffer.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ["topic", "mechanism"],
        ["topic", "MoA", "--format", "json"],
        ["conditions", "trd", "-f", "markdown"],
        ["conditions", "suicidal thoughts"],
        ["glossary", "nmda", "--color", "never", "--format", "rich"],
        ["glossary", "NMDA", "--color", "always"],
        ["sources", "zarate-2006", "--no-pager"],
        ["search", "nmda"],
        ["search", "nasal", "spray", "--kind", "event", "-f", "json"],
        ["search", "-n", "3", "neuro*", "--color", "always"],
        ["search", '"nasal spray"', "-k", "condition", "--limit", "2", "--format", "markdown"],
        ["search", "ptsd", "or", "ocd"],
        ["ask", "is", "ketamine", "addictive"],
        ["ask", "can I drive after spravato?", "-n", "2", "-f", "json"],
        ["ask", "adictive", "--color", "always"],
    ],
)
def test_fast_path_matches_the_full_command_line(run, monkeypatch, argv):
    monkeypatch.setenv("COLUMNS", "80")
    handled, fast = _fast(argv)
    assert handled
    full = run(*argv, data=None)
    assert full.exit_code == 0
    assert fast == full.stdout


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["topic"],
        ["topic", "--list"],
        ["topic", "mechansim"],  # not found: the full CLI explains, with suggestions
        ["topic", "mechanism", "--format", "xml"],
        ["topic", "mechanism", "--format=json"],
        ["topic", "mechanism", "-h"],
        ["topic", "mechanism", "--export-svg", "x.svg"],
        ["timeline"],
        ["--data", "x", "topic", "mechanism"],
        ["topic", "mechanism", "history"],
        ["search"],
        ["search", "nmda", "--limit", "0"],
        ["search", "nmda", "-n", "101"],
        ["search", "nmda", "--limit=3"],
        ["search", "nmda", "--kind", "page"],
        ["search", "qqqzzzx"],  # no hits: the full CLI gives exit 1 and suggestions
        ["search", '"unclosed'],  # a usage error: exit 2 from the full CLI
        ["search", "--", "-x"],
        ["ask"],
        ["ask", "what", "is", "it"],  # nothing to look for: exit 1 from the full CLI
        ["ask", "addictive", "-n", "21"],
        ["ask", "addictive", "-n", "３"],
    ],
)
def test_anything_else_goes_to_the_full_command_line(argv):
    handled, printed = _fast(argv)
    assert (handled, printed) == (False, "")


def test_a_bad_knowledge_base_goes_to_the_full_command_line(monkeypatch, tmp_path):
    (tmp_path / "a.yaml").write_text("topics: [", encoding="utf-8")
    monkeypatch.setenv("KETAMINFO_DATA", str(tmp_path))
    assert _fast(["topic", "mechanism"]) == (False, "")


def _modules(*args: str, tmp_path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KETAMINFO", "FORCE_COLOR"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    subprocess.run([sys.executable, "-m", "ketaminfo", *args], env=env, capture_output=True, timeout=60)
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "ketaminfo", *args], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    return {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}


def test_a_json_lookup_imports_neither_typer_rich_nor_yaml(tmp_path):
    assert not {"typer", "rich", "yaml"} & _modules("topic", "mechanism", "--format", "json", tmp_path=tmp_path)


def test_a_styled_lookup_imports_rich_but_not_typer_or_yaml(tmp_path):
    modules = _modules("topic", "mechanism", "--color", "always", tmp_path=tmp_path)
    assert "rich" in modules and not {"typer", "yaml"} & modules


def test_a_search_imports_neither_typer_nor_yaml(tmp_path):
    modules = _modules("search", "nmda", "--format", "plain", tmp_path=tmp_path)
    assert "sqlite3" in modules and not {"typer", "rich", "yaml"} & modules
