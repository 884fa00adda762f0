"""The command line, declared once: every command, argument and option.

This Typer app is the one place the grammar is written. The fast path and
completion read ``grammar.GRAMMAR``, a table generated from this app
(``python -m ketaminfo.cli.app > ketaminfo/cli/grammar.py``; a test keeps it
equal), and each command's body hands its values to
``commands.execute``, the code both paths share.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from ..kb.model import EVENT_CATEGORIES
from ..safetext import visible
from . import helptext
from .commands import Request, execute
from .values import PARSERS as VALUE_PARSERS


class _Parser:
    """A value parser from ``values`` as Typer calls it: its refusal becomes
    the usual "Invalid value for ..." message, in the parser's own words."""

    def __init__(self, parser: Any):
        self.parser = parser
        self.name = parser.name  # what the grammar table records

    def __call__(self, value: Any) -> Any:
        try:
            return self.parser(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None


PARSERS = {name: _Parser(parser) for name, parser in VALUE_PARSERS.items()}

# The base of the errors the command-line parser raises, and of its usage
# errors (found from a public class, since typer has both bundled and
# depended on click).
_PARSER_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
_USAGE_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")

# The order --help lists the commands in: what a newcomer needs first. A
# command not named here is listed after these, in the order it is declared.
HELP_ORDER = (
    "ask", "search", "check", "topic", "timeline", "conditions", "glossary", "sources", "list",
    "export", "validate", "paths", "completion", "help",
)


def _escaped(exc: Any) -> Any:
    """*exc*, a parser error, with the words typed escaped: ``No such option:
    -\\u202e`` must not reorder or recolour the terminal. (The help shown for
    no arguments at all is an error too, but all ours.)"""
    if type(exc).__name__ != "NoArgsIsHelpError":
        exc.message = visible(exc.message)
    return exc


def _guarded(step: Callable[[], Any]) -> Any:
    """Run a step of the parser: its errors escaped, an output error (help
    into a closed pipe or a full disk) turned into its exit status."""
    try:
        return step()
    except _PARSER_ERROR as exc:
        raise _escaped(exc) from None
    except OSError as exc:
        from ..pages.terminal import output_failed

        code = output_failed(exc)
        if code is None:
            raise
        raise typer.Exit(code) from None


def summary(command: Any) -> str:
    """The first paragraph of *command*'s help, whole, on one line."""
    text = inspect.cleandoc(command.help or "").split("\n\n")[0]
    return " ".join(text.split())


class Group(TyperGroup):
    """The program: escapes the parser's messages, keeps its help screens,
    and reads ``ketaminfo NAME...`` as a look-up of whatever NAME names."""

    # The command for words that name no command (recorded in the grammar
    # table). It has no name of its own: ``ketaminfo lookup`` looks up "lookup".
    FALLBACK = "lookup"

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:
        if args and not args[0].startswith("-") and (args[0] == self.FALLBACK or self.get_command(ctx, args[0]) is None):
            return self.FALLBACK, self.get_command(ctx, self.FALLBACK), args
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: typer.Context) -> list[str]:
        declared = super().list_commands(ctx)
        return sorted(declared, key=lambda name: (HELP_ORDER.index(name) if name in HELP_ORDER else len(HELP_ORDER),
                                                  declared.index(name)))

    def format_usage(self, ctx: typer.Context, formatter: Any) -> None:
        super().format_usage(ctx, formatter)
        formatter.write_usage(ctx.command_path, "NAME... [OPTIONS]", prefix=" " * len("Usage: "))

    def format_options(self, ctx: typer.Context, formatter: Any) -> None:
        """The commands first (a newcomer's question is what to type), then the options."""
        self._commands(ctx, formatter)
        self._listed = True
        try:
            super().format_options(ctx, formatter)
        finally:
            self._listed = False

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:
        if not getattr(self, "_listed", False):
            self._commands(ctx, formatter)

    def _commands(self, ctx: typer.Context, formatter: Any) -> None:
        """Every command with its whole summary (wrapped, never cut short),
        after ``NAME...``, the form most look-ups take."""
        rows = [("NAME...", summary(self.get_command(ctx, self.FALLBACK)))]
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, summary(command)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        return _guarded(lambda: super(Group, self).make_context(*args, **kwargs))

    def invoke(self, ctx: typer.Context) -> Any:
        return _guarded(lambda: super(Group, self).invoke(ctx))

    def get_help(self, ctx: typer.Context) -> str:
        text = super().get_help(ctx)
        helptext.remember("", text)
        return text


class Command(TyperCommand):
    """A command: keeps its help screen for the fast path (see ``helptext``)."""

    def get_help(self, ctx: typer.Context) -> str:
        text = super().get_help(ctx)
        helptext.remember(self.name or "", text)
        return text


class Fallback(Command):
    """``ketaminfo NAME...``: its usage is that form, and a line it cannot
    read is explained as the program's mistake (``ketaminfo conditons
    --list`` is a misspelt command), never as the mistake of a command
    nobody typed."""

    def format_usage(self, ctx: typer.Context, formatter: Any) -> None:
        formatter.write_usage(ctx.find_root().command_path, "NAME... [OPTIONS]")

    def make_context(self, info_name: Any, args: list[str], parent: Any = None, **extra: Any) -> Any:
        word = args[0] if args else ""  # before the parser consumes the list
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except _USAGE_ERROR as exc:
            if parent is None:
                raise
            import difflib

            group = parent.command
            commands = [n for n in group.list_commands(parent) if not group.get_command(parent, n).hidden]
            close = difflib.get_close_matches(word.casefold(), commands, n=1, cutoff=0.6)
            if close:
                message = f"No such command {visible(repr(word))}. Did you mean {close[0]!r}?"
            elif type(exc).__name__ == "NoSuchOption":
                message = f"{exc.format_message()} (after a NAME, only the output options)"
            else:
                message = exc.format_message()
            raise _USAGE_ERROR(message, ctx=parent) from None


app = typer.Typer(
    cls=Group,
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
        "  ketaminfo mechanism\n"
        "  ketaminfo ask is ketamine addictive\n"
        "  ketaminfo search '\"nasal spray\"'\n"
        "  ketaminfo topic --list\n"
        "  ketaminfo timeline --from 1990 --category regulation\n"
        "  ketaminfo conditions --list\n"
        "  ketaminfo spravato --brief\n"
        "  ketaminfo list\n"
        "  ketaminfo help ask"
    ),
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _run(ctx: typer.Context, command: str, **params: Any) -> None:
    """Hand the values Typer read to the shared implementation."""
    data, data_mode = ctx.find_root().obj or (None, None)
    code = execute(Request(command, {**params, **ctx.meta.get("output", {})}, data, data_mode))
    if code:
        raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        code = execute(Request("--version", {}))
        raise typer.Exit(code)


@app.callback()
def _global(
    ctx: typer.Context,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            metavar="DIR",
            parser=PARSERS["path"],
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
            parser=PARSERS["data-mode"],
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


# The options every page command takes: (name, annotation, default).
OUTPUT_PARAMETERS: list[tuple[str, Any, Any]] = [
    (
        "output_format",
        Annotated[
            str | None,
            typer.Option(
                "--format", "-f", metavar="FORMAT", parser=PARSERS["format"], show_default=False,
                help="rich, plain, json, markdown or html (default: rich on a terminal, plain when piped).",
            ),
        ],
        None,
    ),
    (
        "color",
        Annotated[
            str,
            typer.Option(
                "--color", metavar="WHEN", parser=PARSERS["color"],
                help="Colour and styles: auto (default; honours NO_COLOR, FORCE_COLOR, TERM=dumb), always, never.",
            ),
        ],
        "auto",
    ),
    (
        "brief",
        Annotated[bool, typer.Option("--brief", help="Only the title, summary and key points with their evidence: "
                                                     "no sources, no related pages (JSON is always whole).")],
        False,
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
            typer.Option("--export-svg", metavar="FILE", parser=PARSERS["file"],
                         help="Also save the styled page as SVG.", show_default=False),
        ],
        None,
    ),
    (
        "export_html",
        Annotated[
            Path | None,
            typer.Option("--export-html", metavar="FILE", parser=PARSERS["file"],
                         help="Also save the styled page as HTML.", show_default=False),
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
        kwargs["ctx"].meta["output"] = {name: kwargs.pop(name, default) for name, _, default in OUTPUT_PARAMETERS}
        command(*args, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*signature.parameters.values(), *extra])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in wrapper.__signature__.parameters.values()}  # type: ignore[attr-defined]
    return wrapper


ListOption = Annotated[bool, typer.Option("--list", "-l", help="List them all instead.")]


@app.command(cls=Command)
@output_options
def topic(
    ctx: typer.Context,
    name: Annotated[
        list[str] | None,
        typer.Argument(metavar="[NAME]...", parser=PARSERS["topic-name"],
                       help="A topic id, title or alias, e.g. mechanism, MoA, how it works.", show_default=False),
    ] = None,
    list_: ListOption = False,
) -> None:
    """Show a topic: summary, cited key points and sources.

    \b
    Examples:
      ketaminfo topic mechanism
      ketaminfo topic --list
    """
    _run(ctx, "topic", name=name, list_=list_)


@app.command(cls=Command)
@output_options
def conditions(
    ctx: typer.Context,
    name: Annotated[
        list[str] | None,
        typer.Argument(metavar="[NAME]...", parser=PARSERS["condition-name"],
                       help="A condition id, name or alias, e.g. trd, PTSD, chronic pain.", show_default=False),
    ] = None,
    list_: ListOption = False,
) -> None:
    """List conditions ketamine is used or studied for, or show one.

    \b
    Examples:
      ketaminfo conditions --list
      ketaminfo conditions trd
    """
    _run(ctx, "conditions", name=name, list_=list_)


@app.command(cls=Command)
@output_options
def timeline(
    ctx: typer.Context,
    event: Annotated[
        str | None,
        typer.Argument(metavar="[ID]", parser=PARSERS["event-id"],
                       help="One event, by its id (search results and See also name them).", show_default=False),
    ] = None,
    start: Annotated[
        int | None,
        typer.Option("--from", metavar="YEAR", parser=PARSERS["from-year"],
                     help="Only events in or after YEAR (or a decade: 1960s).", show_default=False),
    ] = None,
    end: Annotated[
        int | None,
        typer.Option("--to", metavar="YEAR", parser=PARSERS["to-year"],
                     help="Only events in or before YEAR (or a decade: 1960s).", show_default=False),
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            "-c",
            metavar="CATEGORY",
            parser=PARSERS["category"],
            help=f"Only events of this kind: {', '.join(EVENT_CATEGORIES)}; repeat it for several.",
            show_default=False,
        ),
    ] = None,
    topic_name: Annotated[
        str | None,
        typer.Option("--topic", metavar="TOPIC", parser=PARSERS["topic-name"], help="Only events linked to a topic.",
                     show_default=False),
    ] = None,
    condition_name: Annotated[
        str | None,
        typer.Option("--condition", metavar="CONDITION", parser=PARSERS["condition-name"],
                     help="Only events linked to a condition.", show_default=False),
    ] = None,
) -> None:
    """Show the history of ketamine, oldest first, grouped by decade; or one event.

    \b
    Examples:
      ketaminfo timeline
      ketaminfo timeline fda-1970
      ketaminfo timeline --from 2000 --to 2020
      ketaminfo timeline --from 1960s --to 1970s
      ketaminfo timeline --category regulation --category research
      ketaminfo timeline --topic mechanism
      ketaminfo timeline --condition ptsd
    """
    _run(ctx, "timeline", event=event, start=start, end=end, category=category, topic_name=topic_name,
         condition_name=condition_name)


@app.command(cls=Command)
@output_options
def sources(
    ctx: typer.Context,
    source_id: Annotated[
        list[str] | None,
        typer.Argument(metavar="[ID]...", parser=PARSERS["source-id"],
                       help="A source id or title (see the list), e.g. berman-2000.", show_default=False),
    ] = None,
    list_: ListOption = False,
) -> None:
    """List sources and how often each is cited, or show one.

    \b
    Examples:
      ketaminfo sources
      ketaminfo sources berman-2000
    """
    _run(ctx, "sources", source_id=source_id, list_=list_)


@app.command(cls=Command)
@output_options
def glossary(
    ctx: typer.Context,
    term: Annotated[
        list[str] | None,
        typer.Argument(metavar="[TERM]...", parser=PARSERS["term-name"],
                       help="A term or abbreviation, e.g. NMDA, BDNF, NMDA receptor.", show_default=False),
    ] = None,
    list_: ListOption = False,
) -> None:
    """Define a term used on the pages, with sources; without a term, list them all.

    \b
    Examples:
      ketaminfo glossary
      ketaminfo glossary nmda
    """
    _run(ctx, "glossary", term=term, list_=list_)


@app.command("list", cls=Command)
@output_options
def list_(
    ctx: typer.Context,
    kind: Annotated[
        str | None,
        typer.Option("--kind", "-k", metavar="KIND", parser=PARSERS["kind"],
                     help="Only topic, condition, event, term or source (or topics, terms, ...).", show_default=False),
    ] = None,
) -> None:
    """List every entry of every kind: its id, kind and title.

    Any id opens its page: ketaminfo ID. JSON gives the same as a list of
    {"id", "kind", "title"}.

    \b
    Examples:
      ketaminfo list
      ketaminfo list --kind topic
      ketaminfo list -f json
    """
    _run(ctx, "list", kind=kind)


@app.command(cls=Command)
def validate(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="[PATH]",
            parser=PARSERS["path"],
            help="A knowledge-base folder; default: the one the other commands read.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", metavar="FORMAT", parser=PARSERS["format"], show_default=False,
            help="json for a JSON envelope; any other format prints one problem per line.",
        ),
    ] = None,
    explain: Annotated[
        str | None,
        typer.Option("--explain", metavar="CODE", parser=PARSERS["rule"],
                     help="Explain a rule code (KB001-KB018) with a bad and a good example, and exit.",
                     show_default=False),
    ] = None,
) -> None:
    """Check a knowledge base and list every problem as file:line:col: CODE message.

    Exit status 0 when clean, 3 when there are problems. Each rule code is
    explained by --explain CODE (and in docs/rules.md).

    \b
    Examples:
      ketaminfo validate
      ketaminfo validate ./my-notes
      ketaminfo --data-mode overlay validate ./my-notes
      ketaminfo validate --explain KB011
    """
    _run(ctx, "validate", path=path, output_format=output_format, explain=explain)


@app.command(cls=Command)
def paths(
    ctx: typer.Context,
    output_format: Annotated[
        str | None,
        typer.Option("--format", "-f", metavar="FORMAT", parser=PARSERS["format"], show_default=False,
                     help="json for a JSON object; any other format prints one line each."),
    ] = None,
) -> None:
    """Show where ketaminfo reads and writes: the knowledge base, the cache, the JSON Schema, the rules.

    \b
    Examples:
      ketaminfo paths
      ketaminfo paths --format json
    """
    _run(ctx, "paths", output_format=output_format)


@app.command(cls=Command)
@output_options
def search(
    ctx: typer.Context,
    query: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...",
            parser=PARSERS["words"],
            help='Words to find. Stems match (receptor finds receptors); use "nasal spray" '
            "(in single quotes for the shell) for a phrase, neuro* for a prefix, OR / NOT to combine.",
            show_default=False,
        ),
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", "-k", metavar="KIND", parser=PARSERS["kind"],
            help="Only topic, condition, event, term or source (or topics, terms, ...).", show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", parser=PARSERS["results"], help="At most this many results (1-100).")
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
    _run(ctx, "search", query=query, kind=kind, limit=limit)


@app.command(cls=Command)
@output_options
def ask(
    ctx: typer.Context,
    question: Annotated[
        list[str],
        typer.Argument(
            metavar="QUESTION...",
            parser=PARSERS["words"],
            help="A question in plain words, with or without quotes and a question mark.",
            show_default=False,
        ),
    ],
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", parser=PARSERS["answers"], help="At most this many answers (1-20).")
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
    _run(ctx, "ask", question=question, limit=limit)


@app.command(cls=Command)
@output_options
def check(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", parser=PARSERS["file"],
                       help="A page to check: plain text, Markdown or HTML; - reads standard input.", show_default=False),
    ],
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 4 if any sentence is overstated or contradicted (for scripts).")
    ] = False,
) -> None:
    """Judge a page claim by claim: each sentence's verdict against the record.

    Verdicts: supported, overstated, contradicted, unsupported, unknown (the
    knowledge base has nothing on it) or not a claim. Each judged sentence
    shows what the record says, its evidence level, its sources and the
    page to read next; the input's own words are shown, never run.

    \b
    Examples:
      ketaminfo check clinic-page.html
      curl -s https://example.org/ketamine | ketaminfo check -
      ketaminfo check draft.md --strict --format json
    """
    _run(ctx, "check", file=file, strict=strict)


@app.command(cls=Command)
def export(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", parser=PARSERS["folder"],
                           help="The folder to write (created if needed).")
    ],
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", parser=PARSERS["export-format"], help="markdown or html."),
    ] = "html",
    force: Annotated[
        bool, typer.Option("--force", help="Replace files in DIR that an earlier export did not write.")
    ] = False,
) -> None:
    """Write the whole knowledge base as linked pages you can share or host.

    A page per topic and condition, a timeline, a glossary, a sources page and
    an index, all linked to each other.

    \b
    Examples:
      ketaminfo export --out ketamine-site
      ketaminfo export --format markdown --out notes/ketamine
    """
    _run(ctx, "export", out=out, output_format=output_format, force=force)


@app.command(cls=Command)
def completion(
    ctx: typer.Context,
    shell: Annotated[
        str, typer.Argument(metavar="SHELL", parser=PARSERS["shell"], help="bash, zsh or fish.", show_default=False)
    ],
) -> None:
    """Print the script that makes TAB complete commands and ids in your shell.

    \b
    Examples:
      eval "$(ketaminfo completion bash)"     # in ~/.bashrc
      eval "$(ketaminfo completion zsh)"      # in ~/.zshrc, after compinit
      ketaminfo completion fish > ~/.config/fish/completions/ketaminfo.fish
    """
    _run(ctx, "completion", shell=shell)


@app.command("help", cls=Command)
def help_(
    ctx: typer.Context,
    command: Annotated[
        str | None,
        typer.Argument(metavar="[COMMAND]", parser=PARSERS["command"], help="A command, e.g. topic.",
                       show_default=False),
    ] = None,
) -> None:
    """Show the help of the program, or of one command.

    \b
    Examples:
      ketaminfo help
      ketaminfo help timeline
    """
    print_help(command or "")


@app.command(Group.FALLBACK, hidden=True, cls=Fallback)
@output_options
def lookup(
    ctx: typer.Context,
    name: Annotated[
        list[str],
        typer.Argument(metavar="NAME...", parser=PARSERS["words"],
                       help="An id, title or alias of anything in the knowledge base; no quotes needed.",
                       show_default=False),
    ],
) -> None:
    """Show whatever NAME names: a topic, condition, glossary term, source or event.

    An exact id or title opens its page; a name that several entries share
    equally gives the choice, and one that names nothing gets the closest
    names.

    \b
    Examples:
      ketaminfo mechanism
      ketaminfo nmda receptor
      ketaminfo spravato --brief
    """
    _run(ctx, "lookup", name=name)


# The names people try for the commands above: accepted, not advertised.
for _alias, _command in (("topics", topic), ("condition", conditions), ("source", sources), ("term", glossary),
                         ("terms", glossary), ("event", timeline)):
    app.command(_alias, hidden=True, cls=Command)(_command)


def print_help(name: str) -> None:
    """Print the help screen of the command *name* ("" for the program)."""
    import typer.main

    group = typer.main.get_command(app)
    root = group.make_context("ketaminfo", [], resilient_parsing=True)
    if not name:
        typer.echo(group.get_help(root))
        return
    command = group.get_command(root, name)
    typer.echo(command.get_help(command.make_context(name, [], parent=root, resilient_parsing=True)))


# The grammar table ------------------------------------------------------


def describe() -> dict[str, Any]:
    """The command line as plain data, read from the Typer app: for each
    command (and ``""``, the global options), its options by spelling and
    its arguments in order, with the parser (see ``values``) of each value."""
    import typer.main

    group = typer.main.get_command(app)

    def params(command: Any) -> dict[str, Any]:
        options: dict[str, Any] = {}
        arguments: list[Any] = []
        defaults: dict[str, Any] = {}
        required: list[str] = []
        for p in command.params:
            parser = getattr(getattr(p.type, "func", None), "name", None)
            if p.param_type_name == "argument":
                arguments.append([p.name, p.nargs, p.required, parser])
            else:
                for spelling in [*p.opts, *p.secondary_opts]:
                    options[spelling] = [p.name, bool(p.is_flag), parser, bool(p.multiple)]
                if p.required:
                    required.append(p.name)
            if not p.required and not p.is_eager:
                defaults[p.name] = p.default
        helps = {p.name: _first_sentence(p.help) for p in command.params if p.param_type_name == "option" and p.help}
        return {"options": options, "arguments": arguments, "defaults": defaults, "required": required,
                "summary": summary(command), "help": {**helps, "help": "Show the help and exit."}}

    table = {"": params(group)}
    table[""]["fallback"] = Group.FALLBACK
    def declared(command: Any) -> Any:  # the function under Typer's wrapper
        return getattr(command.callback, "__wrapped__", command.callback)

    ordered = {name: group.commands[name] for name in group.list_commands(None)}  # as help lists them
    callbacks = {declared(command): name for name, command in ordered.items() if not command.hidden}
    for name, command in ordered.items():
        if command.hidden and declared(command) in callbacks:  # another name for a command
            table[name] = {"alias_of": callbacks[declared(command)], "hidden": True}
            continue
        table[name] = params(command)
        if command.hidden:
            table[name]["hidden"] = True
    table[""]["options"].update({"--help": ["help", True, None, False], "-h": ["help", True, None, False]})
    for spec in table.values():
        if "options" in spec:
            spec["options"].update({"--help": ["help", True, None, False], "-h": ["help", True, None, False]})
    return table


def _first_sentence(text: str) -> str:
    """The first sentence of an option's help, for completion menus."""
    text = " ".join(text.split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def render_grammar() -> str:
    """The source of ``grammar.py``."""
    import pprint

    return (
        '"""The command line as a table, generated from the Typer app in ``app``.\n\n'
        "Do not edit: run ``python -m ketaminfo.cli.app > ketaminfo/cli/grammar.py``.\n"
        "For each command (\"\" holds the global options): ``options`` maps each\n"
        "spelling to [parameter, is a flag, parser, may be repeated]; ``arguments`` lists\n"
        "[parameter, nargs, required, parser]; ``defaults`` gives each optional\n"
        "parameter's value when it is not given, ``required`` the options that\n"
        "must be, ``summary`` and ``help`` what completion shows beside a\n"
        "command and an option, ``hidden`` the commands help and completion do not offer\n"
        "(``alias_of``: another name for that command, read as it is);\n"
        "the program's ``fallback`` is the command for words that name no command;\n"
        "parsers are named in ``values``.\n"
        '"""\n\n'
        f"GRAMMAR = {pprint.pformat(describe(), width=100, sort_dicts=False)}\n"
    )


# The manual page ----------------------------------------------------------

EXIT_STATUS = (
    ("0", "success (also when the reader of the output goes away early, as with | head)"),
    ("1", "nothing found: an unknown name, no event matching the filters; or the output could not be written"),
    ("2", "usage error: an unknown option or command, a bad value, options that conflict"),
    ("3", "bad knowledge-base data; the message gives file:line:column, the rule code and the entry id"),
    ("4", "check --strict: a sentence of the page is overstated or contradicted"),
    ("130", "interrupted (Ctrl-C)"),
)
ENVIRONMENT = (
    ("KETAMINFO_DATA", "a knowledge-base folder to read instead of the bundled one (as --data)"),
    ("KETAMINFO_DATA_MODE", "replace or overlay (as --data-mode)"),
    ("KETAMINFO_PAGER, PAGER", "the pager for long pages on a terminal, the first that is set (default: less, "
     "with LESS=FRX); set to nothing or cat, no pager"),
    ("NO_COLOR, FORCE_COLOR, TERM", "colour: NO_COLOR turns it off (even with FORCE_COLOR), FORCE_COLOR on (even into a pipe); TERM=dumb gives plain text"),
    ("KETAMINFO_HYPERLINKS", ("never turns off the hyperlinks (OSC 8) web addresses get on a terminal; always keeps "
                              "them where they are left out by default (TERM=linux, GNU screen, Emacs)")),
    ("COLUMNS, LINES", "the size to lay pages out for"),
    ("XDG_CACHE_HOME", "where the cache folder goes (default ~/.cache)"),
)


def _roff(text: str) -> str:
    """*text* safe in a roff line: backslashes, dashes and leading dots escaped."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text.startswith((".", "'")) else text


def _roff_help(text: str) -> list[str]:
    """A docstring as roff: paragraphs filled, \\b blocks (examples) kept as they are."""
    import inspect

    out: list[str] = []
    for block in inspect.cleandoc(text).split("\n\n"):
        lines = block.split("\n")
        if lines[0].strip() == "\b":
            out += [".PP", ".nf", *(_roff(line) for line in lines[1:]), ".fi"]
        else:
            out += [".PP", _roff(" ".join(line.strip() for line in lines))]
    return out


def _roff_params(command: Any) -> list[str]:
    out: list[str] = []
    for p in command.params:
        if getattr(p, "hidden", False):
            continue
        if p.param_type_name == "argument":
            head = f"\\fI{_roff(p.metavar or p.name.upper())}\\fR"
        else:
            names = ", ".join(f"\\fB{_roff(o)}\\fR" for o in [*p.opts, *p.secondary_opts])
            head = names + ("" if p.is_flag else f" \\fI{_roff(p.metavar or 'VALUE')}\\fR")
        out += [".TP", head, _roff(p.help or "")]
    return out


def render_man() -> str:
    """The manual page ketaminfo(1), drawn from the Typer app."""
    import typer.main

    from .. import __version__

    group = typer.main.get_command(app)
    lines = [
        '.\\" Generated from the Typer app: python -c "from ketaminfo.cli.app import render_man; print(render_man(), end=\'\')"',
        f'.TH KETAMINFO 1 "" "ketaminfo {__version__}" "User Commands"',
        ".SH NAME",
        "ketaminfo \\- an offline, cited reference on ketamine",
        ".SH SYNOPSIS",
        ".B ketaminfo",
        "[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGUMENTS\\fR]",
        ".br",
        ".B ketaminfo",
        "\\fINAME\\fR...",
        ".SH DESCRIPTION",
        *_roff_help(group.help or ""),
        ".PP",
        "Words that name no command are looked up as a name of anything in the knowledge base.",
        ".SH GLOBAL OPTIONS",
        *_roff_params(group),
    ]
    lines.append(".SH COMMANDS")
    for name in group.list_commands(None):
        command = group.commands[name]
        if command.hidden:
            continue
        usage = " ".join(command.collect_usage_pieces(command.make_context(name, [], resilient_parsing=True)))
        lines += [f'.SS "ketaminfo {_roff(name)} {_roff(usage)}"', *_roff_help(command.help or "")]
        lines += _roff_params(command)
    lines += [".SH EXIT STATUS"]
    for code, meaning in EXIT_STATUS:
        lines += [".TP", f"\\fB{code}\\fR", _roff(meaning)]
    lines += [".SH ENVIRONMENT"]
    for names, meaning in ENVIRONMENT:
        lines += [".TP", f"\\fB{_roff(names)}\\fR", _roff(meaning)]
    lines += [
        ".SH FILES",
        ".TP",
        "\\fI~/.cache/ketaminfo/\\fR",
        _roff("The cache: each validated knowledge base as SQLite (private: folder 0700, files 0600). "
              "Always safe to delete. ketaminfo paths shows it and the other files in use."),
        ".SH NOTES",
        _roff("Information, not medical advice. Every statement shows its sources and an evidence level; "
              "decisions about treatment belong with a qualified clinician."),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_grammar(), end="")
