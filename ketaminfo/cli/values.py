"""What an option's value may be, and how it is read.

Each parser here is given to Typer (``typer.Option(parser=...)``), which
turns its ``ValueError`` into the usual "Invalid value" message; the fast
path (``ketaminfo.cli.parse``) calls the very same parser, found by the
name the grammar table records, so both read a value alike. Completion
offers a parser's ``choices``.
"""

from __future__ import annotations

from ..kb.files import MODES
from ..kb.model import ENTRY_KINDS, EVENT_CATEGORIES, normalise
from ..kb.rules import RULES
from ..pages.output import COLORS, EXPORT_FORMATS, FORMATS
from ..safetext import quoted
from .grammar import GRAMMAR

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from pathlib import Path


class OneOf:
    """One of a few words; *fold* also accepts another case or spelling
    (``Clinical use`` for ``clinical-use``) and gives the canonical word."""

    def __init__(self, name: str, choices: tuple[str, ...], fold: bool = False, aliases: dict[str, str] | None = None):
        self.name, self.choices, self.fold, self.aliases = name, choices, fold, aliases or {}

    def __call__(self, value: str) -> str:
        if value in self.choices:
            return value
        if self.fold:
            for choice in self.choices:
                if normalise(choice) == normalise(value):
                    return choice
            if normalise(value) in self.aliases:
                return self.aliases[normalise(value)]
        raise ValueError(f"{quoted(value)} is not one of: {', '.join(self.choices)}{self.closest(value)}")

    def closest(self, value: str) -> str:
        """" (did you mean 'x'?)" for a value close to a choice, else ""."""
        import difflib  # only for a refused value

        typed = normalise(value) if self.fold else value
        found = difflib.get_close_matches(typed, [normalise(c) if self.fold else c for c in self.choices], n=1, cutoff=0.6)
        if not found:
            return ""
        choice = next(c for c in self.choices if (normalise(c) if self.fold else c) == found[0])
        return f" (did you mean {choice!r}?)"


class Name:
    """The name of an entry, read as typed; *completes* is the knowledge-base
    index whose ids completion offers (``topics``), or None."""

    choices = ()

    def __init__(self, name: str, completes: str | None = None):
        self.name, self.completes = name, completes

    def __call__(self, value: str) -> str:
        return value


class Count:
    """A whole number from *low* to *high*, written in ASCII digits (``int``
    alone would also take digits of other scripts, such as ``٣``)."""

    choices = ()

    def __init__(self, name: str, low: int, high: int):
        self.name, self.low, self.high = name, low, high

    def __call__(self, value: str | int) -> int:
        if isinstance(value, int):  # a default
            return value
        if not (value.isascii() and value.isdigit() and self.low <= int(value) <= self.high):
            raise ValueError(f"{quoted(value)} is not a whole number from {self.low} to {self.high}")
        return int(value)


class Year:
    """A year from 1 to 9999 in ASCII digits, or a decade such as ``1960s``:
    its first year for a lower bound, its last for an upper one (*last*)."""

    choices = ()

    def __init__(self, name: str, last: bool):
        self.name, self.last = name, last

    def __call__(self, value: str | int) -> int:
        if isinstance(value, int):  # a default
            return value
        digits = value[:-1] if value.endswith("s") and value[-2:-1] == "0" else value
        if not (digits.isascii() and digits.isdigit() and 1 <= int(digits) <= 9999):
            raise ValueError(f"{quoted(value)} is not a year from 1 to 9999 or a decade such as 1960s")
        return int(digits) + (9 if self.last and digits != value else 0)


class FilePath:
    """A path; *folder* says whether it must name a folder (if it exists)
    or a file (if it exists). Whether it can be written is found out later."""

    choices = ()

    def __init__(self, name: str, folder: bool | None):
        self.name, self.folder = name, folder

    def __call__(self, value: str | Path) -> Path:
        import errno
        import os
        import stat
        from pathlib import Path  # only when a path is given: pathlib costs 3 ms to import

        path = Path(value)
        if self.folder is None:
            return path
        try:
            found = os.stat(path)
        except OSError as exc:  # not there (fine: it is made), or not even checkable: too long, no access
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return path
            raise ValueError(f"{quoted(str(value))} cannot be used: {exc.strerror or exc}") from None
        except ValueError:  # a NUL byte
            raise ValueError(f"{quoted(str(value))} is not a possible path") from None
        if stat.S_ISDIR(found.st_mode) != self.folder:
            kind = "a file" if self.folder else "a folder"
            raise ValueError(f"{quoted(str(value))} is {kind}")
        return path


PARSERS = {
    parser.name: parser
    for parser in (
        OneOf("format", FORMATS, fold=True, aliases={"md": "markdown", "text": "plain", "txt": "plain"}),
        OneOf("color", COLORS, fold=True),
        OneOf("data-mode", MODES),
        OneOf("kind", ENTRY_KINDS, fold=True, aliases={
            **{normalise(kind + "s"): kind for kind in ENTRY_KINDS}, "glossary": "term", "timeline": "event",
        }),
        OneOf("category", tuple(EVENT_CATEGORIES), fold=True),
        OneOf("export-format", EXPORT_FORMATS, fold=True, aliases={"md": "markdown", "htm": "html"}),
        OneOf("shell", ("bash", "zsh", "fish")),
        Name("topic-name", "topics"),
        Name("condition-name", "conditions"),
        Name("term-name", "terms"),
        Name("source-id", "sources"),
        Name("event-id", "event_index"),
        Name("words"),
        OneOf("command", tuple(name for name, spec in GRAMMAR.items() if name and not spec.get("hidden"))),
        OneOf("rule", tuple(RULES), fold=True),
        Year("from-year", last=False),
        Year("to-year", last=True),
        Count("results", 1, 100),
        Count("answers", 1, 20),
        FilePath("file", folder=False),
        FilePath("folder", folder=True),
        FilePath("path", folder=None),
    )
}
