"""Shell completion, answered without importing typer, rich or PyYAML.

A shell asks for completions on every TAB, so this path must start fast: it
reads the words typed so far from the environment, prints one candidate per
line and exits. Ids come from the cached knowledge base. The tables below
mirror the command line; a test keeps them in step with the Typer app.

Protocol (used by the scripts ``ketaminfo completion SHELL`` prints):
``_KETAMINFO_COMPLETE=bash|zsh|fish``, ``COMP_WORDS`` (the words typed,
separated by spaces) and ``COMP_CWORD`` (the index of the word being
completed).
"""

from __future__ import annotations

import os
import sys

ENV = "_KETAMINFO_COMPLETE"
SHELLS = ("bash", "zsh", "fish")

GLOBAL_OPTIONS = ("--data", "--data-mode", "--version", "-V", "--help", "-h")
# Options every page command takes (see cli.output_options).
OUTPUT = ("--format", "-f", "--color", "--no-pager", "--export-svg", "--export-html")
# command -> its options; options that take a value are listed in VALUES
COMMANDS: dict[str, tuple[str, ...]] = {
    "topic": ("--list", "-l", *OUTPUT, "--help", "-h"),
    "conditions": ("--list", "-l", *OUTPUT, "--help", "-h"),
    "timeline": ("--from", "--to", "--category", "-c", "--topic", "--condition", *OUTPUT, "--help", "-h"),
    "sources": (*OUTPUT, "--help", "-h"),
    "glossary": (*OUTPUT, "--help", "-h"),
    "search": ("--kind", "-k", "--limit", "-n", *OUTPUT, "--help", "-h"),
    "ask": ("--limit", "-n", *OUTPUT, "--help", "-h"),
    "validate": ("--format", "-f", "--help", "-h"),
    "export": ("--out", "-o", "--format", "-f", "--help", "-h"),
    "completion": ("--help", "-h"),
}
# option -> what its value completes to: a fixed list, an id kind, or None (files, numbers)
VALUES: dict[str, tuple[str, ...] | str | None] = {
    "--data": None,
    "--data-mode": ("replace", "overlay"),
    "--from": None,
    "--to": None,
    "--category": ("discovery", "clinical-use", "regulation", "research", "culture"),
    "-c": ("discovery", "clinical-use", "regulation", "research", "culture"),
    "--topic": "topics",
    "--condition": "conditions",
    "--kind": ("topic", "condition", "event", "term", "source"),
    "-k": ("topic", "condition", "event", "term", "source"),
    "--limit": None,
    "-n": None,
    "--format": ("rich", "plain", "json", "markdown"),
    "-f": ("rich", "plain", "json", "markdown"),
    "--color": ("auto", "always", "never"),
    "--export-svg": None,
    "--export-html": None,
    "--out": None,
    "-o": None,
}
# command -> the kind of id its argument names (None: nothing to complete)
ARGUMENTS: dict[str, str | None] = {
    "topic": "topics",
    "conditions": "conditions",
    "timeline": None,
    "sources": "sources",
    "glossary": "terms",
    "search": None,
    "ask": None,
    "validate": None,
    "export": None,
    "completion": "shells",
}


def candidates(words: list[str], index: int) -> list[str]:
    """What may stand at *index* in *words* (words[0] is the program)."""
    current = words[index] if index < len(words) else ""
    command = None
    expecting: str | None = None  # an option whose value comes next
    for word in words[1:index]:
        if expecting is not None:
            expecting = None
        elif word in VALUES:
            expecting = word
        elif command is None and not word.startswith("-"):
            command = word
    if expecting is not None:
        choices = VALUES[expecting]
        found = choices if isinstance(choices, tuple) else _ids(choices) if choices else []
    elif current.startswith("-"):
        found = COMMANDS.get(command, ()) if command else GLOBAL_OPTIONS
    elif command is None:
        found = tuple(COMMANDS)
    else:
        found = _ids(ARGUMENTS.get(command))
    return [c for c in found if c.startswith(current)]


def _ids(kind: str | None) -> list[str]:
    if kind is None:
        return []
    if kind == "shells":
        return list(SHELLS)
    from ..kb.library import load

    kb = load()
    index = {"topics": kb.topics, "conditions": kb.conditions, "sources": kb.sources, "terms": kb.terms}[kind]
    return index.ids()


def run() -> int:
    """Answer one completion request from the environment; always exit 0."""
    try:
        words = os.environ.get("COMP_WORDS", "").split()
        index = int(os.environ.get("COMP_CWORD", "0"))
        if index >= len(words):  # completing a new, still empty word
            words.append("")
        found = candidates(words, index)
    except Exception:  # a completion must never print a traceback into the shell
        found = []
    try:
        sys.stdout.write("".join(f"{c}\n" for c in found))
        sys.stdout.flush()
    except OSError:  # the shell stopped reading, or the disk is full: nothing to tell it
        from . import silence_stdout

        silence_stdout()
    return 0


SCRIPTS = {
    "bash": """\
# ketaminfo completion for bash: add to ~/.bashrc
#   eval "$(ketaminfo completion bash)"
_ketaminfo_complete() {
    local IFS=$'\\n'
    COMPREPLY=($(COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD _KETAMINFO_COMPLETE=bash ketaminfo 2>/dev/null))
}
complete -o default -F _ketaminfo_complete ketaminfo
""",
    "zsh": """\
# ketaminfo completion for zsh: add to ~/.zshrc (after compinit)
#   eval "$(ketaminfo completion zsh)"
_ketaminfo() {
    local -a items
    items=("${(@f)$(COMP_WORDS="${words[*]}" COMP_CWORD=$((CURRENT - 1)) _KETAMINFO_COMPLETE=zsh ketaminfo 2>/dev/null)}")
    if (( ${#items} )); then compadd -a items; else _files; fi
}
compdef _ketaminfo ketaminfo
""",
    "fish": """\
# ketaminfo completion for fish: save as ~/.config/fish/completions/ketaminfo.fish
#   ketaminfo completion fish > ~/.config/fish/completions/ketaminfo.fish
function __ketaminfo_complete
    set -l words (commandline -opc) (commandline -ct)
    COMP_WORDS="$words" COMP_CWORD=(math (count $words) - 1) _KETAMINFO_COMPLETE=fish ketaminfo 2>/dev/null
end
complete -c ketaminfo -f -a '(__ketaminfo_complete)'
""",
}
