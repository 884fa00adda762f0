"""Real terminals and a real browser: tmux panes and headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import overflowing

SCRIPT = shutil.which("ketaminfo", path=str(Path(sys.executable).parent)) or shutil.which("ketaminfo")
TMUX = shutil.which("tmux")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

needs_tmux = pytest.mark.skipif(TMUX is None or SCRIPT is None, reason="needs tmux and the installed command")


class Pane:
    """A detached tmux session of a fixed size running one shell script."""

    def __init__(self, tmp_path: Path, script: str, width: int = 80, height: int = 24):
        self.name = f"ketaminfo-test-{os.getpid()}-{time.monotonic_ns()}"
        runner = tmp_path / f"{self.name}.sh"  # bash reads a script lazily: one file per pane
        runner.write_text(script + '\necho "EXIT:$?"\nsleep 60\n', encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KETAMINFO", "FORCE_COLOR", "NO_COLOR", "TMUX"))}
        env.update(TERM="xterm-256color", PATH=str(Path(SCRIPT).parent) + os.pathsep + env.get("PATH", ""))
        subprocess.run(
            [TMUX, "-f", "/dev/null", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
             f"bash --norc {runner}"],
            env=env, check=True, timeout=30,
        )

    def screen(self, escapes: bool = False) -> str:
        args = [TMUX, "capture-pane", "-p", "-t", self.name] + (["-e"] if escapes else [])
        return subprocess.run(args, capture_output=True, text=True, timeout=30).stdout

    def history(self) -> str:
        """Everything the pane printed, scrollback included, with lines the
        terminal wrapped joined again (so a line too wide shows as one)."""
        args = [TMUX, "capture-pane", "-p", "-J", "-S", "-", "-t", self.name]
        return subprocess.run(args, capture_output=True, text=True, timeout=30).stdout

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared on screen:\n{self.screen()}")

    def record(self, path: Path) -> None:
        """Copy everything the program writes to the pane, escape codes and
        all, into *path*."""
        subprocess.run([TMUX, "pipe-pane", "-o", "-t", self.name, f"cat >> {path}"], check=True, timeout=30)

    def keys(self, *keys: str) -> None:
        subprocess.run([TMUX, "send-keys", "-t", self.name, *keys], check=True, timeout=30)

    def close(self) -> None:
        subprocess.run([TMUX, "kill-session", "-t", self.name], capture_output=True, timeout=30)


@pytest.fixture
def pane(tmp_path):
    panes: list[Pane] = []

    def start(script: str, **size) -> Pane:
        panes.append(Pane(tmp_path, script, **size))
        return panes[-1]

    yield start
    for p in panes:
        p.close()


@needs_tmux
def test_long_page_is_paged_in_colour_and_quits_cleanly(pane):
    term = pane("export PAGER=less; ketaminfo topic mechanism")
    screen = term.wait_for("Mechanism of action")
    assert "EXIT:" not in screen  # the pager is holding the page
    assert screen.rstrip().splitlines()[-1].startswith(":")  # less's prompt
    assert "\x1b[" in term.screen(escapes=True)  # colour reached the terminal
    assert all(len(line) <= 80 for line in screen.splitlines())
    term.keys("q")
    assert "EXIT:0" in term.wait_for("EXIT:")


@needs_tmux
def test_short_page_and_no_pager_print_directly(pane):
    short = pane("ketaminfo timeline --from 2026")
    screen = short.wait_for("EXIT:")
    assert "EXIT:0" in screen and "keeping ketamine in Class B" in screen
    long = pane("ketaminfo topic mechanism --no-pager", width=60, height=20)
    screen = long.wait_for("EXIT:")
    assert "EXIT:0" in screen
    assert all(len(line) <= 60 for line in screen.splitlines())


@needs_tmux
def test_no_color_and_dumb_terminals_in_a_real_pane(pane):
    plain = pane("NO_COLOR=1 ketaminfo timeline --from 2026 --no-pager")
    plain.wait_for("EXIT:0")
    dumb = pane("TERM=dumb ketaminfo timeline --from 2026")
    screen = dumb.wait_for("EXIT:0")  # no pager on a dumb terminal
    assert "Sources\n-------" in screen  # the plain layout's underlined headings
    assert "•" not in screen
    for p in (plain, dumb):
        colours = [seq for seq in p.screen(escapes=True).split("\x1b[")[1:] if seq[:2] in ("31", "32", "33", "34", "35", "36")]
        assert colours == []


@pytest.mark.skipif(CHROMIUM is None or SCRIPT is None, reason="needs Chromium and the installed command")
def test_exported_html_renders_in_chromium(tmp_path):
    site = tmp_path / "site"
    subprocess.run([SCRIPT, "export", "--out", str(site)], check=True, capture_output=True, timeout=60)
    shot = tmp_path / "index.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1000,1200",
                    (site / "condition-suicidal-ideation.html").as_uri()], capture_output=True, timeout=120)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", (site / "index.html").as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert "<h1>ketaminfo: a cited reference on ketamine</h1>" in dom
    assert 'href="topic-mechanism.html"' in dom


@needs_tmux
@pytest.mark.parametrize("width", [50, 80, 120])
def test_lists_never_break_an_id_or_a_word_in_a_real_terminal(pane, width):
    """The styled lists, as a person sees them: every id whole on its line,
    no line wider than the terminal."""
    import re

    from ketaminfo.kb import load

    kb = load()
    term = pane("for c in 'conditions --list' 'topic --list' 'glossary' 'sources'; do "
                "ketaminfo $c --no-pager --color always; done", width=width, height=400)
    term.wait_for("EXIT:", timeout=60)
    shown = term.history()
    assert "EXIT:0" in shown
    assert overflowing(shown, width) == []  # only an address alone on its line may be folded by the terminal
    for entry_id in [*kb.conditions.ids(), *kb.topics.ids(), *kb.terms.ids(), *kb.sources.ids()]:
        assert re.search(rf"(?<![\w-]){re.escape(entry_id)}(?![\w-])", shown), entry_id


@needs_tmux
@pytest.mark.parametrize("width", [60, 80, 120])
def test_every_web_address_is_whole_and_clickable_in_a_real_terminal(pane, tmp_path, width):
    """Sources lists and pages, as a person sees them: each address whole,
    alone on its line when it does not fit beside its words, and a terminal
    hyperlink (OSC 8) whose target is the address itself."""
    import re

    from ketaminfo.kb import load

    links = {s.link for s in load().sources if s.link}
    started = tmp_path / "started"
    term = pane(f"while [ ! -e {started} ]; do sleep 0.05; done; "
                "for c in 'sources' 'topic legal-status' 'conditions trd' 'sources uk-acmd-commission-2025'; do "
                "ketaminfo $c --no-pager; done", width=width, height=600)
    raw = tmp_path / "raw"
    term.record(raw)
    started.touch()
    term.wait_for("EXIT:", timeout=60)
    shown = term.history()
    assert "EXIT:0" in shown
    lines = shown.splitlines()
    for link in links:
        holding = [line for line in lines if link in line]
        assert holding, f"{link} is not whole on any line at {width} columns"
        for line in holding:
            assert len(line) <= width or line.strip() == link, line
    written = raw.read_text(encoding="utf-8", errors="replace")
    targets = set(re.findall("\x1b]8;;([^\x1b]+)\x1b\\\\", written))
    assert links <= targets
    for target, text in re.findall("\x1b]8;;([^\x1b]+)\x1b\\\\([^\x1b]*)\x1b]8;;\x1b\\\\", written):
        assert target == text  # the visible text is the whole address
