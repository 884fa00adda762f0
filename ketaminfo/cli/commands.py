"""What each command does, once its arguments are read.

Both ways in call ``execute``: the fast path (``ketaminfo.cli.parse``, which
reads the command line by the grammar table) and the Typer app
(``ketaminfo.cli.app``, which reads it by its own declarations). So every
command has one implementation, one error funnel and one mapping from
errors to exit codes:

* the reader's own words (a question, a query, a name) are checked for
  words that call for crisis help first (``kb.crisis``): when they do, the
  crisis help comes before anything else on stdout, with the page or,
  when the command fails, on its own;
* a ``KetaminfoError`` becomes a message and hint on stderr and its exit
  code (1 nothing found, 2 usage, 3 bad knowledge-base data);
* a cached database that decodes but breaks a page is discarded and the
  command runs once more from the files;
* an output error, Ctrl-C and the like are left to ``ketaminfo.cli.main``.
"""

from __future__ import annotations

from ..errors import (
    DAMAGE,
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
from ..safetext import cut, quoted, shown, visible

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from typing import Any

class Request(record("Request", "command params data data_mode crisis kb", defaults=(None, None, None, None))):
    """A command line, read: the command, its parameters by name, and the
    global options; once checked, what the reader's words call for
    (``crisis``) and the knowledge base read to check them (``kb``)."""

    __slots__ = ()
    # command: str
    # params: dict[str, Any]
    # data: str | Path | None
    # data_mode: str | None
    # crisis: ketaminfo.kb.crisis.Crisis | None
    # kb: KnowledgeBase | None

    @property
    def output(self) -> Output:
        p = self.params
        return Output(
            format=p.get("output_format"),
            color=p.get("color") or "auto",
            pager=not p.get("no_pager", False),
            svg=p.get("export_svg"),
            html=p.get("export_html"),
            crisis=self.crisis is not None,
        )


def execute(request: Request) -> int:
    """Carry out *request*; its exit status."""
    try:
        if _free_text(request, questions_only=True):  # a question or a query: checked before anything else
            request = checked(request)
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
        if request.crisis is None and not isinstance(exc, KnowledgeBaseError):  # a name that named nothing, say
            request = checked(request, load_first=False)
        if request.crisis is not None:
            crisis_first(request)
            if isinstance(exc, (NotFound, NothingFound)):  # nothing else matched: the help is the answer
                return ExitCode.OK
        elif isinstance(exc, NothingFound) and len(_free_text(request, questions_only=True).split()) > 1:
            # Words nothing answers, that no crisis phrase recognised: the way
            # to help stays in reach, as under every answer to them (a single
            # word is a name or a keyword, whose miss needs no more than a
            # suggestion).
            from ..pages.document import READERS_HELP

            report(exc, then=READERS_HELP)
            return exc.exit_code
        report(exc)
        return exc.exit_code


def checked(request: Request, load_first: bool = True) -> Request:
    """*request* with what its reader's words call for (see ``kb.crisis``).

    The knowledge base the command reads is loaded to check them (and kept
    for the command); if it cannot be read, the bundled phrases still
    apply."""
    from ..kb.crisis import check

    text = _free_text(request)
    if not text:
        return request
    kb = request.kb
    if kb is None and load_first:
        try:
            kb = _kb(request)
        except KetaminfoError:
            kb = None
    return request._replace(crisis=check(kb, text), kb=kb)


def crisis_after_mistake(words: list[str]) -> None:
    """After a command line that could not be read (Typer has explained the
    mistake on stderr): crisis help on stdout, if the reader's words call
    for it. Which knowledge base was meant is unknown: the one the
    environment names, else the bundled one's phrases alone."""
    from ..kb.crisis import check

    text = " ".join(word for word in words if not word.startswith("-"))
    if not text:
        return
    try:
        kb = _kb(Request("", {}))
    except KetaminfoError:
        kb = None
    found = check(kb, text)
    if found is not None:
        crisis_first(Request("", {}, crisis=found, kb=kb))


def crisis_first(request: Request) -> None:
    """Show the crisis help alone, as the page this command would have shown."""
    from ..pages import views

    _show(request, views.crisis_page(request.kb, request.crisis))


def _free_text(request: Request, questions_only: bool = False) -> str:
    """The words the reader typed as a question, a query or a name (the
    parameters the grammar reads with a ``Name`` parser), joined; with
    *questions_only*, only a command whose main argument is free words
    (``ask``, ``search``, a look-up)."""
    from .grammar import GRAMMAR
    from .values import PARSERS, Name

    spec = GRAMMAR.get(request.command)
    if not spec:
        return ""
    declared = [(name, parser) for name, _, _, parser in spec["arguments"]]
    if questions_only and not any(parser == "words" for _, parser in declared):
        return ""
    declared += [(name, parser) for name, _, parser, _ in spec["options"].values() if parser]
    words: list[str] = []
    for name, parser in dict(declared).items():
        value = request.params.get(name)
        if value and isinstance(PARSERS.get(parser), Name):
            words += [value] if isinstance(value, str) else list(value)
    return " ".join(words)


def report(exc: KetaminfoError, then: str | None = None) -> None:
    """Explain *exc* on stderr, with a hint for what to do next (and *then*
    a last line, if given)."""
    _why(exc)
    if then:
        say(then)


def _why(exc: KetaminfoError) -> None:
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
    if request.kb is not None:  # read already, to check the reader's words
        return request.kb
    from ..kb import load

    return load(request.data, request.data_mode)


def _show(request: Request, page: Any) -> None:
    from ..pages.output import emit

    emit(page, request.output)


# The commands -----------------------------------------------------------


def _brief(request: Request) -> bool:
    """Whether the page should be brief (``--brief``): summary and key points only."""
    return bool(request.params.get("brief"))


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
        _show(request, getattr(views, page)(kb, getattr(kb, lookup)(name), brief=_brief(request)))


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
        if any(p.get(f) not in (None, [], ()) for f in ("start", "end", "category", "topic_name", "condition_name")):
            raise UsageError("give an event id or filters, not both", hint="Try: ketaminfo timeline ID")
        kb = _kb(request)
        _show(request, views.event_page(kb, kb.event(p["event"]), brief=_brief(request)))
        return
    start, end = p.get("start"), p.get("end")
    category = list(dict.fromkeys(p.get("category") or ())) or None  # repeated --category: any of them
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
    _show(request, views.timeline_page(kb, events, start, end, category, page, brief=_brief(request)))


def list_(request: Request) -> None:
    """``ketaminfo list``: every entry of every kind."""
    from ..pages import views

    _show(request, views.entry_list(_kb(request), request.params.get("kind")))


def _withheld(request: Request) -> bool:
    """Whether the reader asked for an amount that could do harm: then the
    crisis help is the whole answer."""
    if request.crisis is None or not request.crisis.withhold:
        return False
    from ..pages import views

    _show(request, views.crisis_page(_kb(request), request.crisis))
    return True


def search(request: Request) -> None:
    from ..pages import views

    if _withheld(request):
        return
    from ..kb.search import search as find

    text = " ".join(request.params["query"])
    kind, limit = request.params.get("kind"), request.params.get("limit", 10)
    kb = _kb(request)
    hits = find(kb, text, kind, limit)
    if not hits:
        close = kb.suggest_any(text)
        hint = f"Did you mean: {', '.join(close)}? " if close else ""
        raise NothingFound(
            f"No matches for {quoted(text)}" + (f" among {kind}s." if kind else "."),
            hint=hint + "Try fewer words, a prefix such as neuro*, or another spelling.",
        )
    for note in views.search_notes(text, hits):
        say(note)
    _show(request, views.search_page(kb, text, hits, brief=_brief(request)))


def ask(request: Request) -> None:
    from ..pages import views

    if _withheld(request):
        return
    from ..kb.ask import Answers
    from ..kb.ask import ask as answer
    from ..kb.check import stated

    kb = _kb(request)
    question = " ".join(request.params["question"])
    claim = stated(kb, question)  # "do 70% respond after one infusion?": the record's verdict first
    try:
        result = answer(kb, question, request.params.get("limit", 5))
    except NothingFound:
        if claim is None:
            raise
        result = Answers(question, [], [], True)
    for note in views.answer_notes(result):
        say(note)
    _show(request, views.answer_page(kb, result, brief=_brief(request), stated=claim))


def check(request: Request) -> int:
    """``ketaminfo check FILE``: a page judged sentence by sentence."""
    from ..kb.check import check as judge_page
    from ..kb.crisis import check as crisis_check
    from ..pages import views

    name, text, form = _page_to_check(request.params["file"])
    kb = _kb(request)
    report = judge_page(kb, text, name, form)
    if not report.sentences:
        raise NothingFound(f"No sentences to check in {quoted(name)}.", hint="Give a page with some text in it.")
    found = crisis_check(kb, text)  # a page that speaks of suicide or self-harm carries the crisis help
    if found is not None:
        request = request._replace(crisis=found)
    _show(request, views.check_page(kb, report, brief=_brief(request)))
    flagged = report.counts["overstated"] + report.counts["contradicted"]
    return ExitCode.FLAGGED if request.params.get("strict") and flagged else ExitCode.OK


_FORMS = {".html": "html", ".htm": "html", ".xhtml": "html", ".md": "markdown", ".markdown": "markdown",
          ".txt": "text", ".text": "text"}


def _page_to_check(path: Any) -> tuple[str, str, str | None]:
    """(name, text, form) of the page at *path* ("-": standard input); a
    usage error for what cannot be read as text (missing, a folder, binary,
    not UTF-8, larger than the limit)."""
    import os
    import sys

    from ..kb.check import MAX_BYTES

    name = os.fspath(path)
    limit = f"{MAX_BYTES // (1024 * 1024)} MiB"
    try:
        if name == "-":
            raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with open(name, "rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise UsageError(f"{quoted(name)} is a folder, not a page", hint="Give a file, or - for standard input.") from None
    except OSError as exc:
        raise UsageError(f"cannot read {quoted(name)}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise UsageError(f"{quoted(name)} is larger than {limit}: check a page at a time")
    if b"\0" in raw:
        raise UsageError(f"{quoted(name)} is not text (it holds NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{quoted(name)} is not UTF-8 text (byte {exc.start + 1})",
                         hint="Save the page as UTF-8, or convert it: iconv -t UTF-8") from None
    return name, text, _FORMS.get(os.path.splitext(name)[1].lower())


def lookup(request: Request) -> None:
    """``ketaminfo NAME...``: the page of whatever NAME names. An exact id or
    title opens its page; a choice only when several entries have an equal
    claim to the name. Entries the name names less strongly are pointed to
    on stderr, so stdout is the same page ``ketaminfo KIND NAME`` shows."""
    from ..pages import views

    name = _name(request, "name") or ""
    if _withheld(request):
        return
    kb = _kb(request)
    best, others = kb.named(name)
    if len(best) == 1:
        kind, entry_id = best[0]
        entry = getattr(kb, BY_KIND[kind].attribute)[entry_id]
        for other_kind, other_id in others:
            say(f"{quoted(name)} also names {_article(other_kind)} {other_kind}: "
                f"ketaminfo {BY_KIND[other_kind].command} {other_id}")
        _show(request, getattr(views, f"{kind}_page")(kb, entry, brief=_brief(request)))
        return
    if best:
        _show(request, views.choice_page(kb, name, best + others))
        return
    if _question_like(name):  # "ketaminfo is ketamine addictive": answered as a question
        try:
            from ..kb.ask import ask as answer

            result = answer(kb, name, 5)
        except NothingFound:
            result = None
        if result is not None and result.all_words:
            say(f"Answered as a question (ketaminfo ask {visible(shown_words(name))}).")
            for note in views.answer_notes(result):
                say(note)
            _show(request, views.answer_page(kb, result))
            return
    raise NothingFound(f"Nothing in the knowledge base is called {quoted(name)}.", hint=_lookup_hint(kb, name))


# Words that open a question ("is it addictive", "how does it work").
QUESTION_WORDS = frozenset(
    "how what why when where which who whom whose is are was were can could does do did will would should "
    "may might must shall am has have had".split()
)


def _question_like(words: str) -> bool:
    """Whether words typed without ``ask`` read as a question: a question
    word first, a question mark, or four words or more."""
    parts = words.lower().split()
    return bool(parts) and (parts[0] in QUESTION_WORDS or words.rstrip().endswith("?") or len(parts) >= 4)


def shown_words(words: str) -> str:
    from ..pages.views import shown

    return shown(words)


def _lookup_hint(kb: Any, name: str) -> str:
    import difflib

    from .grammar import GRAMMAR

    first, _, rest = name.partition(" ")
    commands = [c for c, spec in GRAMMAR.items() if c and not spec.get("hidden")]
    close = difflib.get_close_matches(first, commands, n=1, cutoff=0.7)
    if close:
        return f"Did you mean the command {close[0]!r}? ketaminfo {close[0]}{' ' + cut(rest, 60) if rest else ''}"
    near = kb.suggest_any(name)
    tip = f"To ask it as a question: ketaminfo ask {shown_words(name)}"
    if not _question_like(name):
        tip = "Try ketaminfo search WORDS, ketaminfo ask QUESTION, or ketaminfo --help for the commands."
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
        ("cache", _cache_place(cache.folder())),
        ("JSON Schema", shipped_file(SCHEMA_FILE) or "(not installed)"),
        ("rule explanations", shipped_file("docs", "rules.md") or "(not installed)"),
    ]
    if request.params.get("output_format") == "json":
        import json

        write_out(json.dumps({name.lower().replace(" ", "_"): where for name, where in places}, indent=2) + "\n")
        return
    write_out("".join(f"{name + ':':<24}{visible(where)}\n" for name, where in places))


def _cache_place(folder: str | None) -> str:
    import os

    if folder is None:
        return "(none: neither XDG_CACHE_HOME nor HOME is an absolute path)"
    return folder + ("" if os.path.isdir(folder) else "  (not created yet)")


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
        raise UsageError(f"cannot write to {shown(str(out))}: {exc.strerror or exc}") from None
    write_out(f"Wrote {len(written)} pages to {shown(str(out))}/ (start at {written[0].name}).\n")


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
    "list": list_,
    "ask": ask,
    "check": check,
    "validate": validate,
    "export": export,
    "completion": completion,
    "lookup": lookup,
    "paths": paths,
    "--version": version,
}
