"""Shell completion, answered without importing typer, rich or PyYAML.

A shell asks for completions on every TAB, so this path must start fast: it
reads the words typed so far from the environment, prints one candidate per
line and exits. Commands, options and their choices come from the grammar
table generated from the Typer app (``grammar``), ids from the cached
knowledge base the line names (``--data``, ``--data-mode``) or the default one.

Protocol (used by the scripts ``ketaminfo completion SHELL`` prints):
``_KETAMINFO_COMPLETE=bash|zsh|fish``, ``COMP_WORDS`` (the words typed,
separated by spaces) and ``COMP_CWORD`` (the index of the word being
completed).
"""

from __future__ import annotations

import os
import sys

ENV = "_KETAMINFO_COMPLETE"


def candidates(words: list[str], index: int) -> list[str]:
    """What may stand at *index* in *words* (words[0] is the program)."""
    from .grammar import GRAMMAR
    from .values import PARSERS

    current = words[index] if index < len(words) else ""
    command: str | None = None
    expecting: tuple[str, str | None] | None = None  # (parameter, parser) of an option whose value comes next
    chosen: dict[str, str] = {}  # --data and --data-mode, so ids come from that knowledge base
    for word in words[1:index]:
        spec = GRAMMAR.get(command or "", {"options": {}})
        if expecting is not None:
            chosen[expecting[0]] = word
            expecting = None
        elif word in spec["options"] and not spec["options"][word][1]:
            expecting = (spec["options"][word][0], spec["options"][word][2])
        elif command is None and not word.startswith("-"):
            command = GRAMMAR[word].get("alias_of", word) if word in GRAMMAR else "?"
    if expecting is not None:
        found = _values(PARSERS.get(expecting[1] or ""), chosen)
    elif current.startswith("-"):
        found = list(GRAMMAR.get(command or "", {"options": {}})["options"])
    elif command is None:
        found = [name for name, spec in GRAMMAR.items() if name and not spec.get("hidden")]
    else:
        arguments = GRAMMAR.get(command, {"arguments": []})["arguments"]
        found = _values(PARSERS.get(arguments[0][3] or ""), chosen) if arguments else []
    return [c for c in found if c.startswith(current)]


def _values(parser: object, chosen: dict[str, str]) -> list[str]:
    """What a value read by *parser* may be: its choices, or the ids it names."""
    if parser is None:
        return []
    if getattr(parser, "choices", ()):
        return list(parser.choices)  # type: ignore[attr-defined]
    index = getattr(parser, "completes", None)
    if index is None:
        return []  # a file, a folder, a number, free words: left to the shell
    from ..kb import load

    kb = load(chosen.get("data"), chosen.get("data_mode"))
    return getattr(kb, index).ids()


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
        from ..pages.terminal import silence_stdout

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

# The same, as files a package installs where each shell looks for them
# (bash-completion and fish read the scripts above as they are; zsh wants a
# function body that starts with #compdef).
ZSH_FUNCTION = """\
#compdef ketaminfo
# ketaminfo completion for zsh (installed in site-functions; see ketaminfo completion zsh)
local -a items
items=("${(@f)$(COMP_WORDS="${words[*]}" COMP_CWORD=$((CURRENT - 1)) _KETAMINFO_COMPLETE=zsh ketaminfo 2>/dev/null)}")
if (( ${#items} )); then compadd -a items; else _files; fi
"""
