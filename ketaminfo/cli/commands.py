"""What each command does, once its arguments are read.

Both ways in call ``execute``: the fast path (``ketaminfo.cli.parse``, which
reads the command line by the grammar table) and the Typer app
(``ketaminfo.cli.app``, which reads it by its own declarations). So every
command has one implementation, one error funnel and one mapping from
errors to exit codes:

* a ``KetaminfoError`` becomes a message and hint on stderr and its exit
  code (1 nothing found, 2 usage, 3 bad knowledge-base data);
* a cached database that decodes but breaks a page is discarded and the
  command runs once more from the files;
* an output error, Ctrl-C and the like are left to ``ketaminfo.cli.main``.
"""

from __future__ import annotations

from ..errors import (
    ExitCode,
    KetaminfoError,
    KnowledgeBaseError,
    NotFound,
    NothingFound,
    UsageError,
)
from ..kb.model import BY_KIND
from ..pages.output import Output
from ..pages.terminal import output_failed, say, write_out
from ..records import record
from ..safetext import quoted, visible

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from typing import Any

# What a cached knowledge base that decodes but breaks a page raises.
DAMAGE = (KeyError, AttributeError, TypeError, IndexError, ValueError)


class Request(record("Request", "command params data data_mode", defaults=(None, None))):
    """A command line, read: the command, its parameters by name, and the
    global options."""

    __slots__ = ()
    # command: str
    # params: dict[str, Any]
    # data: str | Path | None
    # data_mode: str | None

    @property
    def output(self) -> Output:
        p = self.params
        return Output(
            format=p.get("output_format"),
            color=p.get("color") or "auto",
            pager=not p.get("no_pager", False),
            svg=p.get("export_svg"),
            html=p.get("export_html"),
        )


def execute(request: Request) -> int:
    """Carry out *request*; its exit status."""
    try:
        try:
            return COMMANDS[request.command](request) or ExitCode.OK
        except DAMAGE:
            from ..kb import cache

            if not cache.forget_opened():
                raise  # nothing came from the cache: a fault of ketaminfo's own
            # A cached row that decoded but broke the page: run again from the
            # files (nothing was printed: pages are rendered whole first).
            return COMMANDS[request.command](request) or ExitCode.OK
    except KetaminfoError as exc:
        report(exc)
        return exc.exit_code


def report(exc: KetaminfoError) -> None:
    """Explain *exc* on stderr, with a hint for what to do next."""
    if isinstance(exc, KnowledgeBaseError):
        count = len(exc.problems)
        lines = [f"Error: the knowledge base has {count} problem{'s' if count != 1 else ''}:"]
        lines += [f"  {problem}" for problem in exc.problems[:50]]
        if count > 50:
            lines.append(f"  ... and {count - 50} more")
        lines.append("Fix the file(s) above, or leave out --data to use the bundled knowledge base.")
        say("\n".join(lines))
        return
    say(f"Error: {exc}")
    if isinstance(exc, NotFound) and exc.elsewhere:
        for kind, entry_id in exc.elsewhere:
            where = "it is on the timeline: ketaminfo timeline" if kind == "event" else (
                f"ketaminfo {BY_KIND[kind].command} {entry_id}")
            say(f"{quoted(exc.name)} is {_article(kind)} {kind}: {where}")
        return
    hint = exc.hint or (_list_hint(exc.kind) if isinstance(exc, NotFound) else None)
    if hint:
        say(hint)


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"



def _list_hint(kind: str) -> str | None:
    entry_type = BY_KIND.get(kind)
    if entry_type is None:
        return None
    listing = {"topic": "topic --list", "condition": "conditions --list"}.get(kind, entry_type.command)
    return f"See every {kind}: ketaminfo {listing}"


def _kb(request: Request):
    from ..kb import load

    return load(request.data, request.data_mode)


def _show(request: Request, page: Any) -> None:
    from ..pages.output import emit

    emit(page, request.output)


# The commands -----------------------------------------------------------


def _name(request: Request, param: str) -> str | None:
    """The name given as one or several words (quotes are not needed), or None."""
    words = request.params.get(param)
    if isinstance(words, str):
        return words
    return " ".join(words) if words else None


def _name_or_list(request: Request, name: str | None) -> bool:
    """True when the command should list; a usage error when asked for both."""
    if name is not None and request.params.get("list_"):
        raise UsageError(
            "give a NAME or --list, not both", hint=f"Try: ketaminfo {request.command} --list"
        )
    return name is None


def _list_or_page(request: Request, param: str, listing: str, page: str, lookup: str) -> None:
    """A command that shows one entry by name, or lists them all: the list
    view *listing*, or the page view *page* of ``kb.<lookup>(name)``."""
    from ..pages import views

    name = _name(request, param)
    wants_list = _name_or_list(request, name)
    kb = _kb(request)
    if wants_list:
        _show(request, getattr(views, listing)(kb))
    else:
        _show(request, getattr(views, page)(kb, getattr(kb, lookup)(name)))


def topic(request: Request) -> None:
    _list_or_page(request, "name", "topic_list", "topic_page", "topic")


def conditions(request: Request) -> None:
    _list_or_page(request, "name", "condition_list", "condition_page", "condition")


def sources(request: Request) -> None:
    _list_or_page(request, "source_id", "source_list", "source_page", "source")


def glossary(request: Request) -> None:
    _list_or_page(request, "term", "term_list", "term_page", "term")


def timeline(request: Request) -> None:
    from ..pages import views

    p = request.params
    if p.get("event"):
        if any(p.get(f) is not None for f in ("start", "end", "category", "topic_name", "condition_name")):
            raise UsageError("give an event id or filters, not both", hint="Try: ketaminfo timeline ID")
        kb = _kb(request)
        _show(request, views.event_page(kb, kb.event(p["event"])))
        return
    start, end, category = p.get("start"), p.get("end"), p.get("category")
    topic_name, condition_name = p.get("topic_name"), p.get("condition_name")
    if start is not None and end is not None and start > end:
        raise UsageError(f"--from {start} is after --to {end}", hint="Try: ketaminfo timeline --from 1990 --to 2020")
    if topic_name is not None and condition_name is not None:
        raise UsageError("give --topic or --condition, not both")
    kb = _kb(request)
    page = kb.topic(topic_name) if topic_name else kb.condition(condition_name) if condition_name else None
    events = kb.events_where(start, end, category, linked_to=page)
    if not events:
        raise NothingFound("No events match those filters.", hint="Widen --from/--to, or drop a filter.")
    _show(request, views.timeline_page(kb, events, start, end, category, page))


def search(request: Request) -> None:
    from ..pages import views

    text = " ".join(request.params["query"])
    kind, limit = request.params.get("kind"), request.params.get("limit", 10)
    kb = _kb(request)
    hits = kb.search(text, kind, limit)
    if not hits:
        close = kb.suggest_any(text)
        hint = f"Did you mean: {', '.join(close)}? " if close else ""
        raise NothingFound(
            f"No matches for {quoted(text)}" + (f" among {kind}s." if kind else "."),
            hint=hint + "Try fewer words, a prefix such as neuro*, or another spelling.",
        )
    for note in views.search_notes(text, hits):
        say(note)
    _show(request, views.search_page(kb, text, hits))


def ask(request: Request) -> None:
    from ..pages import views

    kb = _kb(request)
    result = kb.ask(" ".join(request.params["question"]), request.params.get("limit", 5))
    for note in views.answer_notes(result):
        say(note)
    _show(request, views.answer_page(kb, result))


def lookup(request: Request) -> None:
    """``ketaminfo NAME...``: the page of whatever NAME names; a choice when
    it names several entries."""
    from ..kb.model import ENTRY_KINDS, normalise
    from ..pages import views

    name = _name(request, "name") or ""
    kb = _kb(request)
    found = sorted(kb.store.named_anywhere(normalise(name)), key=lambda found: ENTRY_KINDS.index(found[0]))
    if len(found) == 1:
        kind, entry_id = found[0]
        entry = getattr(kb, BY_KIND[kind].attribute)[entry_id]
        _show(request, getattr(views, f"{kind}_page")(kb, entry))
        return
    if found:
        _show(request, views.choice_page(kb, name, found))
        return
    raise NothingFound(f"Nothing in the knowledge base is called {quoted(name)}.", hint=_lookup_hint(kb, name))


def _lookup_hint(kb: Any, name: str) -> str:
    import difflib

    from .grammar import GRAMMAR

    first, _, rest = name.partition(" ")
    commands = [c for c, spec in GRAMMAR.items() if c and not spec.get("hidden")]
    close = difflib.get_close_matches(first, commands, n=1, cutoff=0.7)
    if close:
        return f"Did you mean the command {close[0]!r}? ketaminfo {close[0]}{' ' + rest if rest else ''}"
    near = kb.suggest_any(name)
    tip = "Try ketaminfo search WORDS, or ketaminfo --help for the commands."
    return f"Did you mean: {', '.join(near)}? {tip}" if near else tip


def validate(request: Request) -> int:
    from ..kb import load

    if request.params.get("explain"):
        return _explain(request.params["explain"])
    path = request.params.get("path")
    problems: list[Any] = []
    counts: dict[str, int] = {}
    try:
        kb = load(path if path is not None else request.data, request.data_mode, cache=False)
        counts = {
            "sources": len(kb.sources),
            "topics": len(kb.topics),
            "conditions": len(kb.conditions),
            "events": len(kb.events),
            "terms": len(kb.terms),
        }
    except KnowledgeBaseError as exc:
        problems = exc.problems
    try:
        if request.params.get("output_format") == "json":
            from ..pages.document import Page
            from ..pages.output import emit

            page = Page("Validation", kind="validation", data={
                "problems": [p._asdict() for p in problems], "counts": counts,
            })
            emit(page, Output(format="json"))
        elif problems:
            write_out("".join(f"{problem}\n" for problem in problems))
        else:
            write_out("No problems found: " + ", ".join(f"{n} {name}" for name, n in counts.items()) + ".\n")
    except OSError as exc:
        code = output_failed(exc)
        if code is None:
            raise
        return ExitCode.BAD_DATA if problems and code == 0 else code
    if not problems:
        return ExitCode.OK
    from ..kb.schema import MAX_PROBLEMS

    count = len(problems)
    if count > MAX_PROBLEMS:  # the last one says how many were left out
        say(f"More than {MAX_PROBLEMS} problems found; the first {MAX_PROBLEMS} are listed.")
    else:
        say(f"{count} problem{'s' if count != 1 else ''} found.")
    return ExitCode.BAD_DATA


def _explain(code: str) -> int:
    """Print the section of docs/rules.md about rule *code*."""
    import re

    from ..kb.files import shipped_file

    path = shipped_file("docs", "rules.md")
    if path is None:
        raise UsageError("the rule explanations (docs/rules.md) are not installed")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    found = re.search(rf"^## {re.escape(code)}:.*?(?=^## |\Z)", text, flags=re.M | re.S)
    if found is None:  # pragma: no cover - every code has a section (tested)
        raise UsageError(f"no explanation of {code} in {path}")
    write_out(found.group(0).rstrip() + "\n")
    return ExitCode.OK


def paths(request: Request) -> None:
    """Where ketaminfo reads and writes."""
    import os

    from ..kb import cache
    from ..kb.files import DATA_ENV, bundled_data, data_layers, shipped_file
    from ..kb.jsonschema import SCHEMA_FILE

    try:
        reads = [str(folder) for folder in data_layers(request.data, request.data_mode)]
    except KetaminfoError:
        reads = []
    places = [
        ("knowledge base", " + ".join(reads) or "(none: check --data or $" + DATA_ENV + ")"),
        ("bundled knowledge base", str(bundled_data())),
        ("cache", cache.folder() + ("" if os.path.isdir(cache.folder()) else "  (not created yet)")),
        ("JSON Schema", shipped_file(SCHEMA_FILE) or "(not installed)"),
        ("rule explanations", shipped_file("docs", "rules.md") or "(not installed)"),
    ]
    if request.params.get("output_format") == "json":
        import json

        write_out(json.dumps({name.lower().replace(" ", "_"): where for name, where in places}, indent=2) + "\n")
        return
    write_out("".join(f"{name + ':':<24}{visible(where)}\n" for name, where in places))


def export(request: Request) -> None:
    import gc

    from ..pages.export import export as write_pages

    gc.enable()  # thousands of pages, each dropped once written: let the collector reclaim them

    from pathlib import Path

    out = Path(request.params["out"])
    kb = _kb(request)
    try:
        written = write_pages(kb, out, request.params.get("output_format") or "html", force=request.params.get("force", False))
    except OSError as exc:
        raise UsageError(f"cannot write to {visible(str(out))}: {exc.strerror}") from None
    write_out(f"Wrote {len(written)} pages to {visible(str(out))}/ (start at {written[0].name}).\n")


def completion(request: Request) -> None:
    from .complete import SCRIPTS

    write_out(SCRIPTS[request.params["shell"]])


def version(request: Request) -> None:
    # The package metadata's version is read from __version__ at build time
    # (see pyproject.toml), so this is the same value without the ~20 ms
    # importlib.metadata costs; a test checks the two agree.
    from .. import __version__
    from ..kb import load

    try:  # the knowledge base the commands read by default (bundled, or $KETAMINFO_DATA)
        as_of = load().as_of
    except KetaminfoError:
        as_of = None
    write_out(f"ketaminfo {__version__}" + (f" (knowledge base as of {as_of})" if as_of else "") + "\n")


COMMANDS = {
    "topic": topic,
    "conditions": conditions,
    "timeline": timeline,
    "sources": sources,
    "glossary": glossary,
    "search": search,
    "ask": ask,
    "validate": validate,
    "export": export,
    "completion": completion,
    "lookup": lookup,
    "paths": paths,
    "--version": version,
}
