"""Shell completion, answered without importing typer, rich or PyYAML.

A shell asks for completions on every TAB, so this path must start fast: it
reads the words typed so far from the environment, prints one candidate per
line and exits. Commands, options and their choices come from the grammar
table generated from the Typer app (``grammar``), ids from the cached
knowledge base the line names (``--data``, ``--data-mode``) or the default one.

Protocol (used by the scripts ``ketaminfo completion SHELL`` prints):
``_KETAMINFO_COMPLETE=bash|zsh|fish``, ``COMP_WORDS`` (the words typed,
separated by spaces) and ``COMP_CWORD`` (the index of the word being
completed). The answer is one candidate a line: for bash the value alone;
for zsh ``value:description`` and for fish ``value<TAB>description``, which
those shells show beside each candidate. Where a file or folder name goes,
the answer is the one line ``:files`` or ``:folders`` and the shell
completes names itself; free words (a question, a search) get no candidates
at all, and no file names either.
"""

from __future__ import annotations

import os
import sys

ENV = "_KETAMINFO_COMPLETE"
FILES, FOLDERS = ":files", ":folders"  # what the shell should complete itself
_PATHS = {"file": FILES, "folder": FOLDERS, "path": FILES}
# The knowledge-base indexes a name in ``ketaminfo NAME...`` may come from.
_ANY_NAME = ("topics", "conditions", "terms", "event_index", "sources")


def candidates(words: list[str], index: int, described: bool = False) -> list:
    """What may stand at *index* in *words* (words[0] is the program): values,
    or with *described*, (value, description) pairs; or ``[FILES]`` or
    ``[FOLDERS]`` where the shell should complete a path itself."""
    from .grammar import GRAMMAR
    from .values import PARSERS

    current = words[index] if index < len(words) else ""
    command: str | None = None
    expecting: tuple[str, str | None] | None = None  # (parameter, parser) of an option whose value comes next
    chosen: dict[str, str] = {}  # --data and --data-mode, so ids come from that knowledge base
    given: set[str] = set()  # the parameters already on the line
    positionals = 0  # words given to the command's arguments
    for word in words[1:index]:
        spec = GRAMMAR.get(command or "", {"options": {}})
        if expecting is not None:
            chosen[expecting[0]] = word
            expecting = None
        elif word in spec["options"]:
            param, is_flag, parser, _ = spec["options"][word]
            given.add(param)
            if not is_flag:
                expecting = (param, parser)
        elif command is None and not word.startswith("-"):
            if word in GRAMMAR and word != GRAMMAR[""]["fallback"]:
                command = GRAMMAR[word].get("alias_of", word)
            else:  # ketaminfo NAME...: the name's first word
                command, positionals = GRAMMAR[""]["fallback"], 1
        elif command is not None and not word.startswith("-"):
            positionals += 1
    spec = GRAMMAR.get(command or "", {"options": {}, "arguments": []})
    if expecting is not None:
        parser = PARSERS.get(expecting[1] or "")
        if getattr(parser, "name", None) in _PATHS:
            return [_PATHS[parser.name]]  # type: ignore[union-attr]
        found = _values(parser, chosen, described)
    elif current.startswith("-"):
        found = _options(spec, given, positionals, described)
    elif command is None:
        found = _commands(GRAMMAR, described)
        if current:  # ketaminfo mech<TAB>: a name, too (not the whole knowledge base for an empty word)
            found += _names(_ANY_NAME, chosen, described)
    else:
        arguments = spec.get("arguments", [])
        if not arguments or positionals:  # a name is given: ids are single words, none follows one
            return []
        parser = PARSERS.get(arguments[0][3] or "")
        if getattr(parser, "name", None) in _PATHS:
            return [_PATHS[parser.name]]  # type: ignore[union-attr]
        found = _values(parser, chosen, described)
    return [c for c in found if (c[0] if described else c).startswith(current)]


def _commands(grammar: dict, described: bool) -> list:
    names = [name for name, spec in grammar.items() if name and not spec.get("hidden")]
    return [(name, grammar[name].get("summary", "")) for name in names] if described else names


def _options(spec: dict, given: set[str], positionals: int, described: bool) -> list:
    """The options that may still come: not one already given (unless it may be
    repeated), and not ``--list`` once a name is given."""
    out = []
    for spelling, (param, _, _, repeated) in spec["options"].items():
        if (param in given and not repeated) or (param == "list_" and positionals):
            continue
        out.append((spelling, spec.get("help", {}).get(param, "")) if described else spelling)
    return out


def _values(parser: object, chosen: dict[str, str], described: bool) -> list:
    """What a value read by *parser* may be: its choices, or the ids it names."""
    if parser is None:
        return []
    if getattr(parser, "choices", ()):
        choices = list(parser.choices)  # type: ignore[attr-defined]
        return [(c, "") for c in choices] if described else choices
    index = getattr(parser, "completes", None)
    if index is None:
        return []  # a number or free words: nothing to offer, and no file names either
    return _names((index,), chosen, described)


def _names(indexes: tuple[str, ...], chosen: dict[str, str], described: bool) -> list:
    """The ids of *indexes* in the knowledge base the line names; with
    *described*, each with its title (which costs reading the entries)."""
    from ..kb import load

    kb = load(chosen.get("data"), chosen.get("data_mode"))
    if not described:
        return [i for index in indexes for i in getattr(kb, index).ids()]
    return [(e.id, e.title) for index in indexes for e in getattr(kb, index)]


def answer(shell: str, found: list) -> str:
    """The lines a *shell*'s completion script reads."""
    if found in ([FILES], [FOLDERS]):
        return found[0] + "\n"
    if shell == "zsh":
        return "".join(f"{value.replace(':', chr(92) + ':')}:{_one_line(text)}\n" if text else
                       f"{value.replace(':', chr(92) + ':')}\n" for value, text in found)
    if shell == "fish":
        return "".join(f"{value}\t{_one_line(text)}\n" if text else f"{value}\n" for value, text in found)
    return "".join(f"{value}\n" for value in found)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def run() -> int:
    """Answer one completion request from the environment; always exit 0."""
    shell = os.environ.get(ENV, "")
    try:
        words = os.environ.get("COMP_WORDS", "").split()
        index = int(os.environ.get("COMP_CWORD", "0"))
        if index >= len(words):  # completing a new, still empty word
            words.append("")
        found = answer(shell, candidates(words, index, described=shell in ("zsh", "fish")))
    except Exception:  # a completion must never print a traceback into the shell
        found = ""
    try:
        sys.stdout.write(found)
        sys.stdout.flush()
    except OSError:  # the shell stopped reading, or the disk is full: nothing to tell it
        from ..pages.terminal import silence_stdout

        silence_stdout()
    return 0


# What zsh runs on TAB: the function body of both zsh forms below.
_ZSH_BODY = """\
local -a items
items=("${(@f)$(COMP_WORDS="${words[*]}" COMP_CWORD=$((CURRENT - 1)) _KETAMINFO_COMPLETE=zsh ketaminfo 2>/dev/null)}")
case ${items[1]} in
    :files) _files ;;
    :folders) _files -/ ;;
    '') return 1 ;;
    *) _describe -V ketaminfo items ;;
esac
"""

SCRIPTS = {
    "bash": """\
# ketaminfo completion for bash: add to ~/.bashrc
#   eval "$(ketaminfo completion bash)"
_ketaminfo_complete() {
    local IFS=$'\\n'
    local -a found
    found=($(COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD _KETAMINFO_COMPLETE=bash ketaminfo 2>/dev/null))
    case ${found[0]} in
        :files) COMPREPLY=($(compgen -f -- "${COMP_WORDS[COMP_CWORD]}")); compopt -o filenames 2>/dev/null ;;
        :folders) COMPREPLY=($(compgen -d -- "${COMP_WORDS[COMP_CWORD]}")); compopt -o filenames 2>/dev/null ;;
        *) COMPREPLY=("${found[@]}") ;;
    esac
}
complete -F _ketaminfo_complete ketaminfo
""",
    "zsh": """\
# ketaminfo completion for zsh: add to ~/.zshrc (after compinit)
#   eval "$(ketaminfo completion zsh)"
_ketaminfo() {
""" + "".join(f"    {line}\n" for line in _ZSH_BODY.splitlines()) + """\
}
compdef _ketaminfo ketaminfo
""",
    "fish": """\
# ketaminfo completion for fish: save as ~/.config/fish/completions/ketaminfo.fish
#   ketaminfo completion fish > ~/.config/fish/completions/ketaminfo.fish
function __ketaminfo_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l found (COMP_WORDS="$words" COMP_CWORD=(math (count $words) - 1) _KETAMINFO_COMPLETE=fish ketaminfo 2>/dev/null)
    switch "$found[1]"
        case :files
            __fish_complete_path (commandline -ct)
        case :folders
            __fish_complete_directories (commandline -ct)
        case '*'
            if set -q found[1]
                printf '%s\\n' $found
            end
    end
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
""" + _ZSH_BODY
