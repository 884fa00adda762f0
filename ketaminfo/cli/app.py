"""The command line: parse arguments, ask the library one question, show one page.

Errors from the library become a message on stderr and a documented exit
code (see ``errors.ExitCode``); no user mistake ends in a traceback.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .complete import SHELLS
from ..errors import ExitCode, KetaminfoError, KnowledgeBaseError, NotFound, NothingFound
from ..kb.library import KnowledgeBase, load
from . import DAMAGE, output_failed, say, write_out
from ..kb.files import MODES
from ..kb.model import ENTRY_KINDS, EVENT_CATEGORIES, normalise
from ..pages.output import COLORS, EXPORT_FORMATS, FORMATS
from ..safetext import quoted, visible

HINTS = {
    "topic": "See every topic: ketaminfo topic --list",
    "condition": "See every condition: ketaminfo conditions --list",
    "source": "See every source: ketaminfo sources",
    "term": "See every term: ketaminfo glossary",
}


# The base of the usage errors the command-line parser raises (found from a
# public class, since typer has both bundled and depended on click).
_PARSER_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class ErrorReportingGroup(TyperGroup):
    """Turns library errors and closed pipes into messages and exit codes."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except _PARSER_ERROR as exc:
            raise _escaped(exc) from None

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return self._invoke(ctx)
        except _PARSER_ERROR as exc:
            raise _escaped(exc) from None

    def _invoke(self, ctx: typer.Context) -> Any:
        # The group consumes the words of the command line as it runs; keep
        # them, to run the command once more after damage (below).
        words = (list(ctx._protected_args), list(ctx.args))
        try:
            try:
                return super().invoke(ctx)
            except DAMAGE:
                from ..kb import cache

                if not cache.forget_opened():
                    raise  # nothing came from the cache: a fault of ketaminfo's own
                # A cached row that decoded but broke the page: discard the
                # database and run again from the files (nothing was printed:
                # pages are rendered whole before they are written).
                ctx._protected_args, ctx.args = list(words[0]), list(words[1])
                return super().invoke(ctx)
        except KetaminfoError as exc:
            report(exc)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            code = output_failed(exc)
            if code is None:
                raise
            raise typer.Exit(code) from None


def _escaped(exc: Any) -> Any:
    """*exc*, a parser error, with the words typed escaped: ``No such option:
    -\u202e`` must not reorder or recolour the terminal."""
    exc.message = visible(exc.message)
    return exc


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
    hint = exc.hint or (HINTS.get(exc.kind) if isinstance(exc, NotFound) else None)
    if hint:
        say(hint)


app = typer.Typer(
    cls=ErrorReportingGroup,
    name="ketaminfo",
    help=(
        "An offline, cited reference on ketamine: its history, how it works, what it is\n"
        "used and studied for, and the evidence behind each statement.\n\n"
        "Every point shows its sources as [1][2] and an evidence level (established,\n"
        "randomized trials, early evidence, hypothesis, articles only).\n\n"
        "Information, not medical advice."
    ),
    epilog=(
        "\b\nExamples:\n"
        "  ketaminfo topic mechanism\n"
        "  ketaminfo conditions --list\n"
        "  ketaminfo timeline --from 1990 --category regulation\n"
        "  ketaminfo sources"
    ),
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _one_of(choices: tuple[str, ...]) -> Callable[[str | None], str | None]:
    """A parameter callback that accepts only *choices* (or nothing)."""

    def check(value: str | None) -> str | None:
        if value is not None and value not in choices:
            raise typer.BadParameter(f"{value!r} is not one of: {', '.join(choices)}")
        return value

    return check


def _count(low: int, high: int) -> Callable[[str], int]:
    """A parser for a whole number from *low* to *high* written in ASCII
    digits (``int`` would also take ``٣`` or ``³``-like digits of other scripts)."""

    def parse(value: str | int) -> int:
        if isinstance(value, int):  # the default
            return value
        if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
            raise typer.BadParameter(f"{quoted(value)} is not a whole number from {low} to {high}")
        return int(value)

    return parse


def _version(value: bool) -> None:
    if value:
        # The package metadata's version is read from __version__ at build time
        # (see pyproject.toml), so this is the same value without the ~20 ms
        # importlib.metadata costs; a test checks the two agree.
        from .. import __version__

        line = f"ketaminfo {__version__}"
        try:  # the knowledge base the commands read by default (bundled, or $KETAMINFO_DATA)
            as_of = load().as_of
        except KetaminfoError:
            as_of = None
        typer.echo(line + (f" (knowledge base as of {as_of})" if as_of else ""))
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            metavar="DIR",
            help="Read the knowledge base from DIR instead of the bundled one "
            "(also: KETAMINFO_DATA=DIR).",
            show_default=False,
        ),
    ] = None,
    data_mode: Annotated[
        str | None,
        typer.Option(
            "--data-mode",
            metavar="MODE",
            callback=_one_of(MODES),
            help="replace: DIR is the whole knowledge base (default). overlay: DIR is laid over the "
            "bundled one; the same id replaces an entry, new ids add (also: KETAMINFO_DATA_MODE).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    ctx.obj = (data, data_mode)


def _kb(ctx: typer.Context) -> KnowledgeBase:
    data, mode = ctx.find_root().obj
    return load(data, mode)


# The options every page command takes: (name, annotation, default).
OUTPUT_PARAMETERS: list[tuple[str, Any, Any]] = [
    (
        "output_format",
        Annotated[
            str | None,
            typer.Option(
                "--format", "-f", metavar="FORMAT", callback=_one_of(FORMATS), show_default=False,
                help="rich, plain, json or markdown (default: rich on a terminal, plain when piped).",
            ),
        ],
        None,
    ),
    (
        "color",
        Annotated[
            str,
            typer.Option(
                "--color", metavar="WHEN", callback=_one_of(COLORS),
                help="Colour and styles: auto (default; honours NO_COLOR, FORCE_COLOR, TERM=dumb), always, never.",
            ),
        ],
        "auto",
    ),
    (
        "no_pager",
        Annotated[bool, typer.Option("--no-pager", help="Never page long output (see KETAMINFO_PAGER, PAGER).")],
        False,
    ),
    (
        "export_svg",
        Annotated[
            Path | None,
            typer.Option("--export-svg", metavar="FILE", dir_okay=False, help="Also save the styled page as SVG.", show_default=False),
        ],
        None,
    ),
    (
        "export_html",
        Annotated[
            Path | None,
            typer.Option("--export-html", metavar="FILE", dir_okay=False, help="Also save the styled page as HTML.", show_default=False),
        ],
        None,
    ),
]


def output_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give *command* the output options; their values reach it as ``ctx.meta["output"]``.

    The command's own signature stays short; Typer sees the extra options
    through the wrapper's ``__signature__``.
    """
    signature = inspect.signature(command, eval_str=True)
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
        for name, annotation, default in OUTPUT_PARAMETERS
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from ..pages.output import Output

        values = {name: kwargs.pop(name, default) for name, _, default in OUTPUT_PARAMETERS}
        ctx = kwargs["ctx"]
        ctx.meta["output"] = Output(
            format=values["output_format"],
            color=values["color"],
            pager=not values["no_pager"],
            svg=values["export_svg"],
            html=values["export_html"],
        )
        command(*args, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*signature.parameters.values(), *extra])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in wrapper.__signature__.parameters.values()}  # type: ignore[attr-defined]
    return wrapper


def _show(ctx: typer.Context, page: Any) -> None:
    from ..pages.output import Output, emit

    emit(page, ctx.meta.get("output", Output()))


def _name_or_list(name: str | None, list_: bool, command: str) -> bool:
    """True when the command should list; a usage error when asked for both."""
    if name is not None and list_:
        raise typer.BadParameter(f"give a NAME or --list, not both (try: ketaminfo {command} --list)")
    return name is None


ListOption = Annotated[bool, typer.Option("--list", "-l", help="List them all instead.")]


@app.command()
@output_options
def topic(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(help="A topic id, title or alias, e.g. mechanism, MoA, history.", show_default=False),
    ] = None,
    list_: ListOption = False,
) -> None:
    """Show a topic: summary, cited key points and sources.

    \b
    Examples:
      ketaminfo topic mechanism
      ketaminfo topic --list
    """
    from ..pages import views

    kb = _kb(ctx)
    if _name_or_list(name, list_, "topic"):
        _show(ctx, views.topic_list(kb))
    else:
        _show(ctx, views.topic_page(kb, kb.topic(name)))  # type: ignore[arg-type]


@app.command()
@output_options
def conditions(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(help="A condition id, name or alias, e.g. trd, PTSD.", show_default=False),
    ] = None,
    list_: ListOption = False,
) -> None:
    """List conditions ketamine is used or studied for, or show one.

    \b
    Examples:
      ketaminfo conditions --list
      ketaminfo conditions trd
    """
    from ..pages import views

    kb = _kb(ctx)
    if _name_or_list(name, list_, "conditions"):
        _show(ctx, views.condition_list(kb))
    else:
        _show(ctx, views.condition_page(kb, kb.condition(name)))  # type: ignore[arg-type]


def _category(value: str | None) -> str | None:
    if value is None:
        return None
    for key in EVENT_CATEGORIES:
        if normalise(key) == normalise(value):
            return key
    raise typer.BadParameter(f"{value!r} is not one of: {', '.join(EVENT_CATEGORIES)}")


@app.command()
@output_options
def timeline(
    ctx: typer.Context,
    start: Annotated[
        int | None,
        typer.Option("--from", metavar="YEAR", min=1, max=9999, help="Only events in or after YEAR.", show_default=False),
    ] = None,
    end: Annotated[
        int | None,
        typer.Option("--to", metavar="YEAR", min=1, max=9999, help="Only events in or before YEAR.", show_default=False),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            "-c",
            metavar="CATEGORY",
            callback=_category,
            help=f"Only one kind of event: {', '.join(EVENT_CATEGORIES)}.",
            show_default=False,
        ),
    ] = None,
    topic_name: Annotated[
        str | None,
        typer.Option("--topic", metavar="TOPIC", help="Only events linked to a topic.", show_default=False),
    ] = None,
    condition_name: Annotated[
        str | None,
        typer.Option("--condition", metavar="CONDITION", help="Only events linked to a condition.", show_default=False),
    ] = None,
) -> None:
    """Show the history of ketamine, oldest first, grouped by decade.

    \b
    Examples:
      ketaminfo timeline
      ketaminfo timeline --from 2000 --to 2020
      ketaminfo timeline --category regulation
      ketaminfo timeline --topic mechanism
      ketaminfo timeline --condition ptsd
    """
    from ..pages import views

    if start is not None and end is not None and start > end:
        raise typer.BadParameter(f"--from {start} is after --to {end}", param_hint="'--from'")
    if topic_name is not None and condition_name is not None:
        raise typer.BadParameter("give --topic or --condition, not both", param_hint="'--topic'")
    kb = _kb(ctx)
    page = kb.topic(topic_name) if topic_name else kb.condition(condition_name) if condition_name else None
    events = kb.timeline(start, end, category, linked_to=page)
    if not events:
        raise NothingFound("No events match those filters.", hint="Widen --from/--to, or drop a filter.")
    _show(ctx, views.timeline_page(kb, events, start, end, category, page))


@app.command()
@output_options
def sources(
    ctx: typer.Context,
    source_id: Annotated[
        str | None,
        typer.Argument(metavar="[ID]", help="A source id (see the list), e.g. berman-2000.", show_default=False),
    ] = None,
) -> None:
    """List sources and how often each is cited, or show one.

    \b
    Examples:
      ketaminfo sources
      ketaminfo sources berman-2000
    """
    from ..pages import views

    kb = _kb(ctx)
    if source_id is None:
        _show(ctx, views.source_list(kb))
    else:
        _show(ctx, views.source_page(kb, kb.source(source_id)))


@app.command()
@output_options
def glossary(
    ctx: typer.Context,
    term: Annotated[
        str | None,
        typer.Argument(help="A term or abbreviation, e.g. NMDA, BDNF, REMS.", show_default=False),
    ] = None,
) -> None:
    """Define a term used on the pages, with sources; without a term, list them all.

    \b
    Examples:
      ketaminfo glossary
      ketaminfo glossary nmda
    """
    from ..pages import views

    kb = _kb(ctx)
    _show(ctx, views.term_list(kb) if term is None else views.term_page(kb, kb.term(term)))


@app.command()
def validate(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="[PATH]",
            help="A knowledge-base folder; default: the one the other commands read.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", metavar="FORMAT", callback=_one_of(FORMATS), show_default=False,
            help="json for a JSON envelope; any other format prints one problem per line.",
        ),
    ] = None,
) -> None:
    """Check a knowledge base and list every problem as file:line:col: CODE message.

    Exit status 0 when clean, 3 when there are problems. Rule codes are
    explained in docs/rules.md.

    \b
    Examples:
      ketaminfo validate
      ketaminfo validate ./my-notes
      ketaminfo --data-mode overlay validate ./my-notes
    """
    data, mode = ctx.find_root().obj
    problems: list[Any] = []
    counts: dict[str, int] = {}
    try:
        kb = load(path if path is not None else data, mode, cache=False)
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
        if output_format == "json":
            from ..pages.output import Output, emit
            from ..pages.document import Page

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
        raise typer.Exit(ExitCode.BAD_DATA if problems and code == 0 else code) from None
    if problems:
        from ..kb.schema import MAX_PROBLEMS

        count = len(problems)
        if count > MAX_PROBLEMS:  # the last one says how many were left out
            say(f"More than {MAX_PROBLEMS} problems found; the first {MAX_PROBLEMS} are listed.")
        else:
            say(f"{count} problem{'s' if count != 1 else ''} found.")
        raise typer.Exit(ExitCode.BAD_DATA)


@app.command()
@output_options
def search(
    ctx: typer.Context,
    query: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...",
            help='Words to find. Stems match (receptor finds receptors); use "nasal spray" '
            "(in single quotes for the shell) for a phrase, neuro* for a prefix, OR / NOT to combine.",
            show_default=False,
        ),
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", "-k", metavar="KIND", callback=_one_of(ENTRY_KINDS),
            help="Only topic, condition, event, term or source.", show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", parser=_count(1, 100), help="At most this many results (1-100).")
    ] = 10,
) -> None:
    """Search every page, event, term and source; best matches first.

    \b
    Examples:
      ketaminfo search nmda
      ketaminfo search '"nasal spray"'
      ketaminfo search 'neuro*' --kind topic
      ketaminfo search ptsd OR ocd -n 5
    """
    from ..pages import views

    text = " ".join(query)
    kb = _kb(ctx)
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
    _show(ctx, views.search_page(kb, text, hits))


@app.command()
@output_options
def ask(
    ctx: typer.Context,
    question: Annotated[
        list[str],
        typer.Argument(
            metavar="QUESTION...",
            help="A question in plain words, with or without quotes and a question mark.",
            show_default=False,
        ),
    ],
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", parser=_count(1, 20), help="At most this many answers (1-20).")
    ] = 5,
) -> None:
    """Answer a question with the claims that answer it, each with its evidence and sources.

    Words are matched in any form (addictive finds addiction), with the
    knowledge base's own synonyms (spravato finds esketamine); a misspelt word
    is corrected. Statements holding every word rank first.

    \b
    Examples:
      ketaminfo ask is ketamine addictive
      ketaminfo ask "can I drive after spravato?"
      ketaminfo ask ketamine during pregnancy -n 3
    """
    from ..pages import views

    kb = _kb(ctx)
    result = kb.ask(" ".join(question), limit)
    for note in views.answer_notes(result):
        say(note)
    _show(ctx, views.answer_page(kb, result))


@app.command()
def export(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", file_okay=False, help="The folder to write (created if needed).")
    ],
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", callback=_one_of(EXPORT_FORMATS), help="markdown or html."),
    ] = "html",
) -> None:
    """Write the whole knowledge base as linked pages you can share or host.

    A page per topic and condition, a timeline, a glossary, a sources page and
    an index, all linked to each other.

    \b
    Examples:
      ketaminfo export --out ketamine-site
      ketaminfo export --format markdown --out notes/ketamine
    """
    from ..pages.export import export as write_pages

    kb = _kb(ctx)
    try:
        written = write_pages(kb, out, output_format)
    except OSError as exc:
        raise typer.BadParameter(f"cannot write to {out}: {exc.strerror}", param_hint="'--out'") from None
    write_out(f"Wrote {len(written)} pages to {visible(str(out))}/ (start at {written[0].name}).\n")


@app.command()
def completion(
    shell: Annotated[
        str, typer.Argument(metavar="SHELL", callback=_one_of(SHELLS), help="bash, zsh or fish.", show_default=False)
    ],
) -> None:
    """Print the script that makes TAB complete commands and ids in your shell.

    \b
    Examples:
      eval "$(ketaminfo completion bash)"     # in ~/.bashrc
      eval "$(ketaminfo completion zsh)"      # in ~/.zshrc, after compinit
      ketaminfo completion fish > ~/.config/fish/completions/ketaminfo.fish
    """
    from .complete import SCRIPTS

    typer.echo(SCRIPTS[shell], nl=False)


def main() -> None:
    """Entry point of the ``ketaminfo`` command and of ``python -m ketaminfo``."""
    app(prog_name="ketaminfo")
