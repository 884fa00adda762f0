"""The ``ketaminfo`` command's entry point.

Two kinds of request are answered before the command-line framework (typer,
about 50 ms to import) is loaded:

* shell completion, which runs on every TAB (see ``complete``);
* the commonest lookups, ``topic|conditions|glossary|sources NAME``,
  ``search WORD...`` and ``ask WORD...``, with the output options, which call the very views and
  renderer the full command line calls. Anything else (help, other options,
  a name that is not found, a search with no hits, any error) goes to the
  full command line, which then produces the usual messages and exit codes;
  a test checks both paths print the same bytes.
"""

from __future__ import annotations

import os
import sys

# command -> (name of the KnowledgeBase lookup, name of the view)
LOOKUPS = {
    "topic": ("topic", "topic_page"),
    "conditions": ("condition", "condition_page"),
    "glossary": ("term", "term_page"),
    "sources": ("source", "source_page"),
}


def main() -> None:
    if sys.stdout is None:  # started with standard output closed: nothing to show
        sys.exit(0)
    if os.environ.get("_KETAMINFO_COMPLETE"):
        from .complete import run

        sys.exit(run())
    if not lookup(sys.argv[1:]):
        from .cli import main as cli_main

        cli_main()


def lookup(argv: list[str]) -> bool:
    """Show the page of a plain lookup or search; False to leave *argv* to the full CLI."""
    request = _parse(argv)
    if request is None:
        return False
    command, words, search, output = request
    from . import views
    from .errors import KetaminfoError
    from .kb import load

    try:
        kb = load()
        if command == "search":
            text = " ".join(words)
            hits = kb.search(text, *search)
            if not hits:
                return False  # the full command line explains, with suggestions and exit 1
            for note in views.search_notes(text, hits):
                sys.stderr.write(note + "\n")
            page = views.search_page(kb, text, hits)
        elif command == "ask":
            result = kb.ask(" ".join(words), search[1])
            for note in views.answer_notes(result):
                sys.stderr.write(note + "\n")
            page = views.answer_page(kb, result)
        else:
            entry = getattr(kb, LOOKUPS[command][0])(words[0])
            page = getattr(views, LOOKUPS[command][1])(kb, entry)
    except KetaminfoError:
        return False  # the full command line reports it, with its hints and exit code
    from .render import emit

    try:
        emit(page, output)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        if not reader_gone(exc):
            raise
    return True


def reader_gone(exc: OSError) -> bool:
    """Whether *exc* means nobody reads standard output any more (``| head``
    closed the pipe, or stdout was closed). If so, point stdout at devnull, so
    the interpreter's final flush cannot fail again, and let the caller stop
    quietly."""
    import errno

    if exc.errno not in (errno.EPIPE, errno.EBADF):
        return False
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    except OSError:
        pass
    return True


def _parse(argv: list[str]):  # -> tuple[str, list[str], tuple[str | None, int], Output] | None
    """``COMMAND NAME``, ``search WORD...`` or ``ask WORD...`` with
    ``--format/-f F``, ``--color W``, ``--no-pager`` and, for search,
    ``--kind/-k K`` and ``--limit/-n N`` (1-100; for ask, ``--limit/-n N``,
    1-20), each spelt as its own word; else None."""
    if len(argv) < 2 or (argv[0] not in LOOKUPS and argv[0] not in ("search", "ask")):
        return None
    from .model import ENTRY_KINDS
    from .render import COLORS, FORMATS, Output

    many = argv[0] in ("search", "ask")  # commands that take several words and a limit
    most = 100 if argv[0] == "search" else 20
    fmt, color, pager, kind, limit = None, "auto", True, None, 10 if argv[0] == "search" else 5
    words: list[str] = []
    rest = argv[1:]
    while rest:
        word = rest.pop(0)
        value = rest[0] if rest else None
        if not word.startswith("-"):
            words.append(word)
        elif word == "--no-pager":
            pager = False
        elif word in ("--format", "-f") and value in FORMATS:
            fmt = rest.pop(0)
        elif word == "--color" and value in COLORS:
            color = rest.pop(0)
        elif argv[0] == "search" and word in ("--kind", "-k") and value in ENTRY_KINDS:
            kind = rest.pop(0)
        elif many and word in ("--limit", "-n") and value and value.isascii() and value.isdigit() and 1 <= int(value) <= most:
            limit = int(rest.pop(0))
        else:
            return None
    if not words or (not many and len(words) > 1):
        return None
    return argv[0], words, (kind, limit), Output(format=fmt, color=color, pager=pager)
