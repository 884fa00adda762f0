"""Shell completion, run as a shell runs it: the installed program in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ketaminfo.cli import complete
from ketaminfo.cli.grammar import GRAMMAR

SCRIPT = shutil.which("ketaminfo", path=str(Path(sys.executable).parent)) or shutil.which("ketaminfo")
needs_script = pytest.mark.skipif(SCRIPT is None, reason="the ketaminfo command is not installed")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KETAMINFO", "_KETAMINFO", "COMP_"))}
    env.update(extra)
    return env


def _complete(line: str, shell: str = "bash") -> list[str]:
    words = line.split()
    index = len(words) - 1 if not line.endswith(" ") else len(words)
    result = subprocess.run(
        [SCRIPT], env=_env(_KETAMINFO_COMPLETE=shell, COMP_WORDS=line, COMP_CWORD=str(index)),
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0 and result.stderr == ""
    return result.stdout.splitlines()


@needs_script
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_commands_complete(shell):
    assert _complete("ketaminfo ", shell) == [name for name, spec in GRAMMAR.items() if name and not spec.get("hidden")]
    assert _complete("ketaminfo to", shell) == ["topic"]


@needs_script
def test_ids_complete_per_command():
    from ketaminfo.kb import load

    kb = load()
    assert _complete("ketaminfo topic ") == [t.id for t in kb.topics]
    assert _complete("ketaminfo topic me") == ["mechanism"]
    assert _complete("ketaminfo conditions pt") == ["ptsd"]
    assert _complete("ketaminfo glossary nm") == ["nmda-receptor"]
    assert _complete("ketaminfo sources zar") == ["zarate-2006"]
    assert _complete("ketaminfo timeline --topic neu") == ["neuroplasticity"]
    assert _complete("ketaminfo timeline --condition o") == ["ocd"]


@needs_script
def test_options_and_values_complete():
    assert _complete("ketaminfo timeline --c") == ["--category", "--condition", "--color"]
    assert _complete("ketaminfo topic mechanism --format ") == ["rich", "plain", "json", "markdown"]
    assert _complete("ketaminfo timeline --category r") == ["regulation", "research"]
    assert _complete("ketaminfo --data-mode ") == ["replace", "overlay"]
    assert _complete("ketaminfo search x --kind t") == ["topic", "term"]
    assert _complete("ketaminfo --data ") == []  # a folder: left to the shell


@needs_script
def test_completion_uses_the_chosen_knowledge_base():
    fixture = Path(__file__).parent / "data" / "minimal"
    result = subprocess.run(
        [SCRIPT], env=_env(_KETAMINFO_COMPLETE="bash", COMP_WORDS="ketaminfo topic ", COMP_CWORD="2",
                           KETAMINFO_DATA=str(fixture)),
        capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.split() == ["mechanism", "history"]


@needs_script
def test_a_broken_knowledge_base_completes_nothing_quietly(tmp_path):
    (tmp_path / "a.yaml").write_text("topics: [", encoding="utf-8")
    result = subprocess.run(
        [SCRIPT], env=_env(_KETAMINFO_COMPLETE="bash", COMP_WORDS="ketaminfo topic ", COMP_CWORD="2",
                           KETAMINFO_DATA=str(tmp_path)),
        capture_output=True, text=True, timeout=60,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@needs_script
def test_completion_imports_neither_typer_rich_nor_yaml(tmp_path):
    env = _env(_KETAMINFO_COMPLETE="bash", COMP_WORDS="ketaminfo topic ", COMP_CWORD="2",
               XDG_CACHE_HOME=str(tmp_path))
    subprocess.run([SCRIPT], env=env, capture_output=True, timeout=60)  # warms the cache
    result = subprocess.run([sys.executable, "-X", "importtime", SCRIPT], env=env,
                            capture_output=True, text=True, timeout=60)
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert result.stdout.split()[0] == "history"
    assert not {m for m in imported if m.split(".")[0] in ("typer", "rich", "yaml")}


@needs_script
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_bash_script_completes_in_a_real_bash():
    script = subprocess.run([SCRIPT, "completion", "bash"], env=_env(), capture_output=True, text=True).stdout
    probe = script + '\nCOMP_WORDS=(ketaminfo topic me); COMP_CWORD=2; _ketaminfo_complete; echo "${COMPREPLY[@]}"\n'
    env = _env(PATH=str(Path(SCRIPT).parent) + os.pathsep + os.environ.get("PATH", ""))
    result = subprocess.run(["bash", "--norc", "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "mechanism", result.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_command_prints_a_script(run, shell):
    result = run("completion", shell, data=None)
    assert result.exit_code == 0
    assert "_KETAMINFO_COMPLETE=" + shell in result.stdout


def test_unknown_shell_is_a_usage_error(run):
    assert run("completion", "tcsh", data=None).exit_code == 2


def test_the_grammar_table_is_generated_from_the_typer_app():
    """Completion and the fast path read grammar.py; it must be what the app
    declares (regenerate: python -m ketaminfo.cli.app > ketaminfo/cli/grammar.py)."""
    from importlib.resources import files

    from ketaminfo.cli.app import render_grammar

    shipped = (files("ketaminfo.cli") / "grammar.py").read_text(encoding="utf-8")
    assert shipped == render_grammar()


def test_every_parser_the_grammar_names_exists_and_completion_offers_its_choices():
    from ketaminfo.cli.values import PARSERS

    for command, spec in GRAMMAR.items():
        named = [p for _, _, p, _ in spec.get("options", {}).values()] + [a[3] for a in spec.get("arguments", [])]
        assert all(p is None or p in PARSERS for p in named), command
    # export --format once offered formats the command refused
    assert complete.candidates(["ketaminfo", "export", "--format", ""], 3) == ["markdown", "html"]
    assert complete.candidates(["ketaminfo", "validate", "-f", ""], 3) == ["rich", "plain", "json", "markdown"]


def test_completion_reads_data_on_the_line():
    fixture = str(Path(__file__).parent / "data" / "minimal")
    words = ["ketaminfo", "--data", fixture, "topic", ""]
    assert complete.candidates(words, 4) == ["mechanism", "history"]
    words = ["ketaminfo", "--data", fixture, "timeline", "--condition", ""]
    assert complete.candidates(words, 5) == ["low-mood", "dark-thoughts"]
