"""Read a command line by the grammar table, without loading Typer.

``parse`` accepts exactly the command lines the Typer app would accept and
reads them the same way (options anywhere among the arguments, ``--opt=value``,
``--`` before arguments that start with a dash, the last of a repeated
option winning unless it may be repeated, when each value counts), with the
same value parsers (``values``). Anything else,
from a typo in an option to a value a parser refuses, returns None: the
Typer app then reads the line and explains the mistake in its usual words.
Tests check both readings agree.
"""

from __future__ import annotations

from ..records import record
from .grammar import GRAMMAR

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from typing import Any


class Help(record("Help", "command")):
    """A request for the help of *command* ("" for the program)."""

    __slots__ = ()
    # command: str


def parse(argv: list[str]) -> Any:
    """A ``commands.Request``, a ``Help``, or None (leave it to Typer)."""
    from .values import PARSERS

    top = GRAMMAR[""]
    found = _read(argv, top, interspersed=False)
    if found is None:
        return None
    values, rest = found
    if "help" in values:
        return Help("")
    if "version" in values:
        return _request("--version", {}, {})
    if not rest or rest[0] == "":
        return None  # no command: Typer explains
    if rest[0] in GRAMMAR and rest[0] != top["fallback"]:
        command, rest = GRAMMAR[rest[0]].get("alias_of", rest[0]), rest[1:]
    elif rest[0].startswith("-"):
        return None
    else:  # words that name no command: a look-up of what they name
        command = top["fallback"]
    spec = GRAMMAR[command]
    found = _read(rest, spec, interspersed=True)
    if found is None:
        return None
    params, positionals = found
    if "help" in params:
        return Help(command)
    try:
        globals_ = {name: _convert(PARSERS, top, name, value) for name, value in values.items()}
        params = {name: _convert(PARSERS, spec, name, value) for name, value in params.items()}
        if not _place(spec, positionals, params, PARSERS):
            return None
    except ValueError:
        return None
    if any(name not in params for name in spec["required"]):
        return None
    if command == "help":  # ketaminfo help COMMAND: that command's help screen
        return Help(params.get("command") or "")
    return _request(command, {**spec["defaults"], **params}, {**top["defaults"], **globals_})


def _request(command: str, params: dict[str, Any], globals_: dict[str, Any]) -> Any:
    from .commands import Request

    return Request(command, params, globals_.get("data"), globals_.get("data_mode"))


def _read(argv: list[str], spec: dict[str, Any], interspersed: bool) -> tuple[dict[str, Any], list[str]] | None:
    """The options in *argv* (raw values, by parameter) and the other words;
    None for anything the table does not know."""
    options = spec["options"]
    values: dict[str, Any] = {}
    positionals: list[str] = []
    words = list(argv)
    while words:
        word = words.pop(0)
        if word == "--":
            if not interspersed:
                return None  # rare before a command; Typer reads it
            positionals += words
            break
        if not word.startswith("-") or word == "-":
            positionals.append(word)
            if not interspersed:  # a group stops at its command
                positionals += words
                break
            continue
        name, equals, attached = word.partition("=") if word.startswith("--") else (word, "", "")
        if name not in options:
            return None  # an unknown option, or short options run together (-lf)
        param, is_flag, _, repeated = options[name]
        if is_flag:
            if equals:
                return None
            values[param] = True
            continue
        if equals:
            value = attached
        elif words:
            value = words.pop(0)
        else:
            return None  # an option at the end, missing its value
        if repeated:
            values.setdefault(param, []).append(value)
        else:
            values[param] = value
    return values, positionals


def _convert(parsers: dict[str, Any], spec: dict[str, Any], param: str, value: Any) -> Any:
    parser = next((p for name, _, p, _ in spec["options"].values() if name == param), None)
    if parser is None or value is True:
        return value
    if isinstance(value, list):  # an option that may be repeated
        return [parsers[parser](each) for each in value]
    return parsers[parser](value)


def _place(spec: dict[str, Any], words: list[str], params: dict[str, Any], parsers: dict[str, Any]) -> bool:
    """Give the positional *words* to the arguments, as Typer would; False
    if they do not fit (too many, or a required one missing)."""
    words = list(words)
    for name, nargs, required, parser in spec["arguments"]:
        convert = parsers[parser] if parser else (lambda value: value)
        if nargs == -1:
            if required and not words:
                return False
            if words:  # none given: the default stands, as Typer leaves it
                params[name] = [convert(word) for word in words]
            words = []
        elif words:
            params[name] = convert(words.pop(0))
        elif required:
            return False
    return not words
