"""Exit codes and the exceptions the library raises.

The library never prints: it raises one of these, and the command-line layer
turns each into a message on stderr and the matching exit code.
"""

from __future__ import annotations

from .records import record
from .safetext import quoted, shown, visible


class ExitCode:
    """Every exit status ketaminfo uses (documented in the README): plain
    numbers (an IntEnum costs a third of a millisecond to define, at every
    start)."""

    OK = 0
    NOT_FOUND = 1
    USAGE = 2
    BAD_DATA = 3
    FLAGGED = 4  # check --strict: a sentence was overstated or contradicted
    INTERRUPTED = 130


class KetaminfoError(Exception):
    """Base class: an error with a message meant for the user and an exit code."""

    exit_code: int = ExitCode.NOT_FOUND
    hint: str | None = None


class UsageError(KetaminfoError):
    """A request that cannot be carried out as asked (options that conflict,
    an invalid query, an invalid environment variable)."""

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


class NothingFound(KetaminfoError):
    """A question had no answer (no match for a name, no event in a range)."""

    exit_code = ExitCode.NOT_FOUND

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


class NotFound(NothingFound):
    """A name matched no entry of the asked-for kind."""

    def __init__(self, kind: str, name: str, suggestions: list[str], elsewhere: list[tuple[str, str]] | None = None):
        self.kind = kind
        self.name = name
        self.suggestions = suggestions
        self.elsewhere = elsewhere or []  # (kind, id) of entries of other kinds the name names
        message = f"No {kind} called {quoted(name)}."
        if suggestions:
            message += " Did you mean: " + ", ".join(suggestions) + "?"
        super().__init__(message)


class Problem(record("Problem", "file line column code message entry_id", defaults=(None,))):
    """One thing wrong with a knowledge-base file, located as precisely as known."""

    __slots__ = ()
    # file: str
    # line: int | None
    # column: int | None
    # code: str - a rule code from ketaminfo.rules, e.g. KB007
    # message: str
    # entry_id: str | None

    def __str__(self) -> str:
        """``file:line:col: CODE [entry] message``, the form editors can jump to.

        File names and entry ids come from the user's files, so any control
        or format character in them is written out as an escape (``\n``
        cannot start a forged line, ``\x1b`` cannot colour the terminal),
        and a path too long to be a file's is cut (see ``safetext.shown``)."""
        where = shown(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        entry = f"[{visible(self.entry_id)}] " if self.entry_id else ""
        return f"{where}: {self.code} {entry}{visible(self.message)}"


class KnowledgeBaseError(KetaminfoError):
    """The knowledge base could not be loaded: it is unreadable or invalid.

    ``file``, ``line`` and ``entry_id`` locate the first problem; ``problems``
    holds all of them, in file order.
    """

    exit_code = ExitCode.BAD_DATA

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("KnowledgeBaseError needs at least one problem")
        self.problems = problems
        first = problems[0]
        self.file = first.file
        self.line = first.line
        self.entry_id = first.entry_id
        super().__init__("\n".join(str(p) for p in problems))


# What a cached knowledge base that decodes but then breaks raises (a page,
# or its compiled crisis phrases): the run reads the files again.
DAMAGE = (KeyError, AttributeError, TypeError, IndexError, ValueError)
