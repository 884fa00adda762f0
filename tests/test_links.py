"""Web addresses: never cut, and terminal hyperlinks (OSC 8) only where a
terminal shows them."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ketaminfo.kb import load

SCRIPT = shutil.which("ketaminfo", path=str(Path(sys.executable).parent)) or shutil.which("ketaminfo")
needs_script = pytest.mark.skipif(SCRIPT is None, reason="the ketaminfo command is not installed")
OSC8 = "\x1b]8;;"
GOV_UK = load().source("uk-acmd-commission-2025").link  # 158 characters, on the legal-status page


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KETAMINFO", "FORCE_COLOR", "NO_COLOR", "TMUX", "INSIDE_EMACS", "PAGER", "LESS"))}
    env.update({"TERM": "xterm-256color", "COLUMNS": "60", "LINES": "24", **extra})
    return env


def _on_a_terminal(*args: str, **env: str) -> str:
    """What ketaminfo writes to a terminal (a pseudo-terminal), escape codes and all."""
    main, other = pty.openpty()
    try:
        process = subprocess.Popen([SCRIPT, *args], stdin=subprocess.DEVNULL, stdout=other, stderr=other,
                                   env=_env(**env))
        os.close(other)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the other end closed: the program has finished
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0
    finally:
        os.close(main)
    return b"".join(chunks).decode("utf-8", errors="replace").replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [20, 60, 80, 200])
def test_an_address_is_never_cut(run, columns):
    kb = load()
    listed = run("sources", "-f", "plain", data=None, columns=columns).stdout
    assert all(s.link in listed for s in kb.sources if s.link)
    page = run("topic", "legal-status", "-f", "plain", data=None, columns=columns).stdout
    cited = {source for claim in kb.topic("legal-status").points for source in claim.cited()}
    assert all(kb.sources[s].link in page for s in cited if kb.sources[s].link)
    assert GOV_UK in page


def test_an_address_that_does_not_fit_starts_a_line_of_its_own(run):
    out = run("sources", "uk-acmd-commission-2025", "-f", "plain", data=None, columns=60).stdout
    assert "  Link\n" in out
    assert any(line.strip() == GOV_UK for line in out.splitlines())


@needs_script
def test_a_terminal_gets_hyperlinks_whose_text_is_the_address():
    out = _on_a_terminal("sources", "uk-acmd-commission-2025", "--no-pager")
    assert f"{OSC8}{GOV_UK}\x1b\\{GOV_UK}{OSC8}\x1b\\" in out


@needs_script
@pytest.mark.parametrize("args, env", [
    (["--color", "never"], {}),
    (["-f", "plain"], {}),
    ([], {"KETAMINFO_HYPERLINKS": "never"}),
    ([], {"KETAMINFO_HYPERLINKS": "0"}),
    ([], {"TERM": "linux"}),
    ([], {"INSIDE_EMACS": "29.1,comint"}),
])
def test_hyperlinks_can_be_turned_off_and_stay_off_where_they_show_as_codes(args, env):
    out = _on_a_terminal("sources", "uk-acmd-commission-2025", "--no-pager", *args, **env)
    assert GOV_UK in out
    assert OSC8 not in out


def test_no_hyperlinks_into_a_pipe_even_with_colour(run):
    out = run("sources", "uk-acmd-commission-2025", data=None, FORCE_COLOR="1").stdout
    assert "\x1b[" in out and OSC8 not in out


@needs_script
@pytest.mark.parametrize("version, kept", [(590, True), (551, False)])
def test_a_pager_that_would_show_the_codes_gets_none(tmp_path, version, kept):
    """less passes hyperlinks through from version 581; an older less, or
    another pager, gets the page without them."""
    pager = tmp_path / "less"
    got = tmp_path / "paged"
    pager.write_text(f'#!/bin/sh\nif [ "$1" = --version ]; then echo "less {version} (test)"; exit 0; fi\n'
                     f'cat > {got}\n', encoding="utf-8")
    pager.chmod(0o755)
    _on_a_terminal("topic", "legal-status", PAGER=str(pager), LINES="10")
    paged = got.read_text(encoding="utf-8")
    assert GOV_UK in paged
    assert (OSC8 in paged) is kept


@needs_script
def test_a_pager_other_than_less_gets_no_hyperlinks(tmp_path):
    got = tmp_path / "paged"
    _on_a_terminal("topic", "legal-status", PAGER=f"cat > {got}; true", LINES="10")
    paged = got.read_text(encoding="utf-8")
    assert "gov.uk" in paged and OSC8 not in paged
