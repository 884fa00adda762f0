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


# What a cached knowledge base that decodes but breaks a page raises (see main).
DAMAGE = (KeyError, AttributeError, TypeError, IndexError, ValueError)


def main() -> None:
    if sys.stdout is None:  # started with standard output closed: nothing to show
        sys.exit(0)
    try:
        try:
            _run()
        except DAMAGE:
            from ..kb import cache

            if not cache.forget_opened():
                raise  # nothing came from the cache: a fault of ketaminfo's own
            _run()  # once more, with the knowledge base read afresh from its files
    except KeyboardInterrupt:
        silence_stdout()
        sys.exit(130)
    except OSError as exc:
        code = output_failed(exc)
        if code is None:
            raise
        sys.exit(code)


def _run() -> None:
    if os.environ.get("_KETAMINFO_COMPLETE"):
        from .complete import run

        sys.exit(run())
    if not lookup(sys.argv[1:]):
        from .app import main as cli_main

        cli_main()


def lookup(argv: list[str]) -> bool:
    """Show the page of a plain lookup or search; False to leave *argv* to the full CLI."""
    request = _parse(argv)
    if request is None:
        return False
    command, words, search, output = request
    from ..pages import views
    from ..errors import KetaminfoError
    from ..kb.library import load

    try:
        kb = load()
        if command == "search":
            text = " ".join(words)
            hits = kb.search(text, *search)
            if not hits:
                return False  # the full command line explains, with suggestions and exit 1
            for note in views.search_notes(text, hits):
                say(note)
            page = views.search_page(kb, text, hits)
        elif command == "ask":
            result = kb.ask(" ".join(words), search[1])
            for note in views.answer_notes(result):
                say(note)
            page = views.answer_page(kb, result)
        else:
            entry = getattr(kb, LOOKUPS[command][0])(words[0])
            page = getattr(views, LOOKUPS[command][1])(kb, entry)
    except KetaminfoError:
        return False  # the full command line reports it, with its hints and exit code
    from ..pages.output import emit

    emit(page, output)
    return True


def reader_gone(exc: OSError) -> bool:
    """Whether *exc* means nobody reads standard output any more (``| head``
    closed the pipe, or stdout was closed). If so, point stdout at devnull, so
    the interpreter's final flush cannot fail again, and let the caller stop
    quietly."""
    import errno

    if exc.errno not in (errno.EPIPE, errno.EBADF):
        return False
    silence_stdout()
    return True


def say(text: str) -> None:
    """Write *text* (a message, a hint, a note) to standard error, every
    control or format character escaped and every character the terminal
    cannot show replaced; an error writing it is ignored."""
    from ..pages.output import fit_encoding
    from ..safetext import visible

    lines = "".join(visible(line) + "\n" for line in text.splitlines())
    try:
        sys.stderr.write(fit_encoding(lines, getattr(sys.stderr, "encoding", None)))
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def write_out(text: str) -> None:
    """Write *text* to standard output, with stand-ins for characters its
    encoding cannot represent (see ``pages.output.fit_encoding``)."""
    from ..pages.output import fit_encoding

    sys.stdout.write(fit_encoding(text, getattr(sys.stdout, "encoding", None)))
    sys.stdout.flush()


def output_failed(exc: OSError) -> int | None:
    """The exit status for an error writing the output, or None if *exc* is
    not one: 0 when the reader has gone (``| head``), 1 with a message when
    the output cannot be written (a full disk)."""
    import errno

    if reader_gone(exc):
        return 0
    if exc.errno not in (errno.ENOSPC, errno.EIO, errno.EFBIG, getattr(errno, "EDQUOT", -1)):
        return None
    silence_stdout()
    try:
        sys.stderr.write(f"Error: cannot write the output: {exc.strerror}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return 1


def silence_stdout() -> None:
    """Point standard output at devnull, so that nothing more (the
    interpreter's final flush included) can fail writing to it."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    except OSError:
        pass


def _parse(argv: list[str]):  # -> tuple[str, list[str], tuple[str | None, int], Output] | None
    """``COMMAND NAME``, ``search WORD...`` or ``ask WORD...`` with
    ``--format/-f F``, ``--color W``, ``--no-pager`` and, for search,
    ``--kind/-k K`` and ``--limit/-n N`` (1-100; for ask, ``--limit/-n N``,
    1-20), each spelt as its own word; else None."""
    if len(argv) < 2 or (argv[0] not in LOOKUPS and argv[0] not in ("search", "ask")):
        return None
    from ..kb.model import ENTRY_KINDS
    from ..pages.output import COLORS, FORMATS, Output

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
