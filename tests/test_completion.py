"""Shell completion, run as a shell runs it: the installed program in a subprocess."""

from __future__ import annotations

import os
import re
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
    values = [re.split(r"(?<!\\):|\t", line)[0] for line in _complete("ketaminfo ", shell)]
    assert values == [name for name, spec in GRAMMAR.items() if name and not spec.get("hidden")]
    assert values[:5] == ["ask", "search", "check", "topic", "timeline"]  # as --help lists them
    expected = {"bash": "topic", "zsh": f"topic:{GRAMMAR['topic']['summary']}", "fish": f"topic\t{GRAMMAR['topic']['summary']}"}
    assert _complete("ketaminfo to", shell) == [expected[shell]]


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
    assert _complete("ketaminfo topic mechanism --format ") == ["rich", "plain", "json", "markdown", "html"]
    assert _complete("ketaminfo timeline --category r") == ["regulation", "research"]
    assert _complete("ketaminfo --data-mode ") == ["replace", "overlay"]
    assert _complete("ketaminfo search x --kind t") == ["topic", "term"]
    assert _complete("ketaminfo --data ") == [":files"]  # a path: left to the shell
    assert _complete("ketaminfo export --out ") == [":folders"]
    assert _complete("ketaminfo ask is ") == []  # free words: nothing, not even file names
    assert _complete("ketaminfo search nasal ") == []


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
    assert result.stdout.split()[0] == "overview"
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
    assert complete.candidates(["ketaminfo", "validate", "-f", ""], 3) == ["rich", "plain", "json", "markdown", "html"]


def test_completion_reads_data_on_the_line():
    fixture = str(Path(__file__).parent / "data" / "minimal")
    words = ["ketaminfo", "--data", fixture, "topic", ""]
    assert complete.candidates(words, 4) == ["mechanism", "history"]
    words = ["ketaminfo", "--data", fixture, "timeline", "--condition", ""]
    assert complete.candidates(words, 5) == ["low-mood", "dark-thoughts"]


@needs_script
def test_the_main_form_completes_names_of_every_kind():
    from ketaminfo.kb import load

    kb = load()
    assert _complete("ketaminfo mech") == ["mechanism"]
    assert _complete("ketaminfo zar") == ["zarate-2006"]  # a source
    assert _complete("ketaminfo nmda") == ["nmda-receptor"]  # a term
    assert _complete("ketaminfo ti") == ["timeline"] + [e.id for e in kb.event_index if e.id.startswith("ti")]
    assert _complete("ketaminfo ") == [name for name, spec in GRAMMAR.items() if name and not spec.get("hidden")]
    assert _complete("ketaminfo mechanism ") == []  # a name is whole: nothing follows it
    assert _complete("ketaminfo mech", "zsh") == ["mechanism:Mechanism of action"]


@needs_script
def test_no_list_after_a_name_and_no_option_twice():
    after_name = _complete("ketaminfo topic mechanism -")
    assert "--list" not in after_name and "-l" not in after_name and "--format" in after_name
    assert "--list" in _complete("ketaminfo topic -")
    assert "--format" not in _complete("ketaminfo topic --format json -")
    assert "--category" in _complete("ketaminfo timeline --category regulation -")  # it may be repeated
    assert _complete("ketaminfo topic mechanism ") == []  # one id names a page


def test_zsh_and_fish_answers_escape_and_describe():
    assert complete.answer("zsh", [("a:b", "x: y"), ("c", "")]) == "a\\:b:x: y\nc\n"
    assert complete.answer("fish", [("a", "one\n two")]) == "a\tone two\n"
    assert complete.answer("bash", ["a", "b"]) == "a\nb\n"
    assert complete.answer("zsh", [":files"]) == ":files\n"


# In the shells themselves -------------------------------------------------------------


class Shell:
    """An interactive shell in a tmux pane, with ketaminfo's completion loaded
    and wrapped so that each completion leaves a mark (``done``) to wait for."""

    def __init__(self, tmp_path: Path, argv: list[str], setup: str):
        import time

        self.tmux, self.folder = shutil.which("tmux"), tmp_path
        self.name = f"ketaminfo-complete-{os.getpid()}-{time.monotonic_ns()}"
        self.done = tmp_path / "done"
        env = _env(PATH=str(Path(SCRIPT).parent) + os.pathsep + os.environ.get("PATH", ""), HOME=str(tmp_path),
                   TERM="xterm-256color")
        env.pop("TMUX", None)
        subprocess.run([self.tmux, "-f", "/dev/null", "new-session", "-d", "-s", self.name, "-x", "120", "-y", "40",
                        "-c", str(tmp_path), *argv], env=env, check=True, timeout=30)
        self.keys(f"{setup}; touch {self.done}", "Enter")
        self._wait(lambda: self.done.exists())

    def keys(self, *keys: str) -> None:
        subprocess.run([self.tmux, "send-keys", "-t", self.name, *keys], check=True, timeout=30)

    def screen(self) -> str:
        return subprocess.run([self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True,
                              timeout=30).stdout

    @staticmethod
    def _wait(ready, timeout: float = 60) -> None:  # a safety net for a busy machine, not a speed test
        import time

        deadline = time.monotonic() + timeout
        while not ready():
            assert time.monotonic() < deadline, "the shell did not answer"
            time.sleep(0.05)

    def tab(self, line: str, presses: int = 1) -> str:
        """The screen after typing *line* on a cleared screen and pressing TAB."""
        import time

        self.keys("C-u", "clear", "Enter")
        self._wait(lambda: len([row for row in self.screen().splitlines() if row.strip()]) == 1)
        self.keys("-l", line)
        for _ in range(presses):
            count = len(self.done.read_text())
            self.keys("Tab")
            self._wait(lambda count=count: len(self.done.read_text()) > count)
        time.sleep(0.3)  # the shell draws what the completion returned
        return self.screen()

    def close(self) -> None:
        subprocess.run([self.tmux, "kill-session", "-t", self.name], capture_output=True, timeout=30)


needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None or SCRIPT is None, reason="needs tmux and the command")


@needs_tmux
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_offers_no_file_names_for_free_words_but_does_for_a_folder(tmp_path):
    (tmp_path / "zz-a-file.txt").write_text("x")
    (tmp_path / "zz-folder").mkdir()
    setup = ('eval "$(ketaminfo completion bash)"; '
             '_marked() { _ketaminfo_complete; echo . >> ~/done; }; '
             'eval "$(complete -p ketaminfo | sed s/_ketaminfo_complete/_marked/)"')  # the script's own options kept
    bash = Shell(tmp_path, ["bash", "--norc", "--noprofile", "-i"], setup)
    try:
        assert "zz-a-file" not in bash.tab("ketaminfo ask is ketamine ", presses=2)
        assert "zz-a-file" not in bash.tab("ketaminfo zz", presses=2)
        assert "ketaminfo export --out zz-folder/" in bash.tab("ketaminfo export --out zz")
        assert "ketaminfo topic x --export-svg zz-a-file.txt" in bash.tab("ketaminfo topic x --export-svg zz-a")
        assert "ketaminfo mechanism" in bash.tab("ketaminfo mech")
    finally:
        bash.close()


@needs_tmux
@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_shows_descriptions_and_no_list_after_a_name(tmp_path):
    setup = ('autoload -U compinit && compinit -u && eval "$(ketaminfo completion zsh)" && '
             '_marked() { _ketaminfo; local found=$?; echo . >> ~/done; return found } && compdef _marked ketaminfo')
    zsh = Shell(tmp_path, ["zsh", "-f", "-i"], setup)
    try:
        options = zsh.tab("ketaminfo topic mechanism -")
        assert "--format" in options and "rich, plain, json, markdown or html" in options
        assert "--list" not in options
        commands = zsh.tab("ketaminfo ")
        assert "ask" in commands and "Answer a question" in commands
        assert "ketaminfo mechanism" in zsh.tab("ketaminfo mech")
    finally:
        zsh.close()


@pytest.mark.skipif(shutil.which("fish") is None or SCRIPT is None, reason="needs fish and the command")
def test_fish_shows_descriptions_and_files_only_where_a_path_goes(tmp_path):
    script = tmp_path / "ketaminfo.fish"
    script.write_text(complete.SCRIPTS["fish"], encoding="utf-8")
    (tmp_path / "zz-a-file.txt").write_text("x")

    def fish(line: str) -> list[str]:
        probe = f"source {script}; cd {tmp_path}; complete -C '{line}'"
        env = _env(PATH=str(Path(SCRIPT).parent) + os.pathsep + os.environ.get("PATH", ""), HOME=str(tmp_path))
        result = subprocess.run(["fish", "--no-config", "-c", probe], env=env, capture_output=True, text=True,
                                timeout=60)
        return result.stdout.splitlines()

    assert fish("ketaminfo to") == [f"topic\t{GRAMMAR['topic']['summary']}"]
    assert fish("ketaminfo mech") == ["mechanism\tMechanism of action"]
    assert fish("ketaminfo ask is ") == []
    assert any(line.startswith("zz-a-file.txt") for line in fish("ketaminfo topic x --export-svg zz"))
    assert not any(line.startswith("--list") for line in fish("ketaminfo topic mechanism -"))
