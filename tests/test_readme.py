"""Every command the README shows is run, and its output is the README's.

In a ``text`` block, a line ``$ ketaminfo ...`` is a command and the lines
after it, up to the next ``$`` line or the end of the block, are what it
prints (standard output, 78 columns, piped, the bundled knowledge base).
A last line ``…`` means the rest is left out: the lines shown must be the
first lines of the output. In an ``sh`` block, every line that starts with
``ketaminfo``, and every ``$(ketaminfo ...)`` in one, is run (in a folder
holding ``my-notes``, a small knowledge base) and must succeed.

After an intended change to the output, review the diff and rewrite the
samples with:  KETAMINFO_UPDATE_GOLDEN=1 pytest tests/test_readme.py
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURE_KB

README_PATH = Path(__file__).parent.parent / "README.md"
README = README_PATH.read_text(encoding="utf-8")
COLUMNS = 78
MORE = "…"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"^```{kind}\n(.*?)^```$", README, flags=re.MULTILINE | re.DOTALL)


def _samples() -> list[tuple[str, list[str]]]:
    """(command, the lines shown after it) for every ``$ ketaminfo`` line."""
    found = []
    for block in _blocks("text"):
        command, shown = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    found.append((command, shown))
                command, shown = line[2:], []
            elif command is not None:
                shown.append(line)
        if command is not None:
            found.append((command, shown))
    return found


def _run_sample(run, command: str) -> str:
    words = shlex.split(command)
    assert words[0] == "ketaminfo", command
    result = run(*words[1:], data=None, columns=COLUMNS)
    assert result.exit_code == 0, (command, result.stderr)
    return result.stdout


SAMPLES = _samples()


def test_the_readme_shows_samples():
    commands = [command for command, _ in SAMPLES]
    assert "ketaminfo conditions bipolar" in commands and len(commands) >= 10


@pytest.mark.parametrize("command, shown", SAMPLES, ids=[c for c, _ in SAMPLES])
def test_a_readme_sample_is_the_real_output(run, command, shown):
    out = _run_sample(run, command).splitlines()
    if os.environ.get("KETAMINFO_UPDATE_GOLDEN"):
        _rewrite(command, shown, out)
        return
    if shown and shown[-1] == MORE:
        assert len(shown) > 1 and out[: len(shown) - 1] == shown[:-1]
        assert len(out) > len(shown) - 1  # something was left out
    else:
        assert out == shown


def _rewrite(command: str, shown: list[str], out: list[str]) -> None:
    """Put the real output in place of *shown* (as many lines, when cut)."""
    text = README_PATH.read_text(encoding="utf-8")
    old = "\n".join([f"$ {command}", *shown]) + "\n"
    lines = out[: len(shown) - 1] + [MORE] if shown and shown[-1] == MORE else out
    new = "\n".join([f"$ {command}", *lines]) + "\n"
    assert text.count(old) == 1, command
    README_PATH.write_text(text.replace(old, new), encoding="utf-8")


def _shell_commands() -> list[str]:
    commands = []
    for block in _blocks("sh"):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line.startswith("ketaminfo "):
                commands.append(line)
            commands += re.findall(r"\$\((ketaminfo [^)]*)\)", line)  # eval "$(ketaminfo completion bash)"
    return commands


SHELL = _shell_commands()


def test_the_readme_shows_shell_commands():
    assert any("validate" in c for c in SHELL) and any("completion" in c for c in SHELL)


@pytest.mark.parametrize("command", SHELL)
def test_a_readme_shell_command_succeeds(run, tmp_path, monkeypatch, command):
    shutil.copytree(FIXTURE_KB, tmp_path / "my-notes")
    monkeypatch.chdir(tmp_path)
    words = shlex.split(command)
    if ">" in words:  # ketaminfo completion fish > FILE: the command before the redirection
        words = words[: words.index(">")]
    result = run(*words[1:], data=None, columns=COLUMNS)
    assert result.exit_code == 0, (command, result.stderr)
    assert result.stdout.strip()
