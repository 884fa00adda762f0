"""A neutral description of a page: what it says, not how it looks.

Views build a ``Page`` from knowledge-base entries; each renderer (styled,
plain, and any later format) draws the same ``Page`` its own way. Text in a
page is always literal: renderers never interpret it as markup.
"""

from __future__ import annotations

from ..kb.model import MATCH_END, MATCH_START
from ..records import record

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

NOTICE = (
    "Information, not medical advice. ketaminfo summarises published sources for "
    "study and reference; decisions about treatment belong with a qualified clinician."
)
CRISIS = (
    "If you are thinking about suicide or feel unsafe, get help now: in the US call "
    "or text 988 (Suicide & Crisis Lifeline); elsewhere call your local emergency number."
)
# Under an answer to a reader's own words (ask, search, check), and after a
# miss of them: crisis help is shown first when their words are recognised as
# calling for it, but no list of phrasings recognises every way it is
# written, so the way to help stays in reach on every such page.
READERS_HELP = ("Thinking about suicide or self-harm? In the US call or text 988; elsewhere call your local "
                "emergency number.")
READERS_NOTICE = f"{NOTICE} {READERS_HELP}"


class Heading(record("Heading", "text")):
    __slots__ = ()
    # text: str


class Paragraph(record("Paragraph", "text markers quiet", defaults=((), False))):
    __slots__ = ()
    # text: str
    # markers: tuple[int, ...]
    # quiet: bool - secondary information, drawn dimmer


class Item(record("Item", "text markers label tag tag_key details quiet_details note note_markers target anchor context "
                          "note_label", defaults=((), None, None, None, (), True, None, (), None, None, None, "Correction"))):
    """A bulleted point, or a line with a label (a date, a number) in front.

    ``tag`` is a short qualifier such as an evidence level; ``tag_key`` is its
    vocabulary key, which styled output uses to choose a colour.
    """

    __slots__ = ()
    # text: str
    # markers: tuple[int, ...]
    # label: str | None
    # tag: str | None
    # tag_key: str | None
    # details: tuple[str, ...]
    # quiet_details: bool
    # note: str | None
    # note_markers: tuple[int, ...]
    # target: tuple[str, str] | None - (kind, id) of the entry this item names, for links
    # anchor: str | None - a stable id for links to this item (export)
    # context: str | None - where the statement comes from, shown quietly under it
    # note_label: str - what the note is ("Correction"; "Record" on a check of a page)


class Table(record("Table", "headers rows ids optional", defaults=((), ()))):
    """Rows under headers. A narrow screen may leave out the *optional*
    columns (in that order) rather than give up the table; words in the
    *ids* columns are never broken, not even at a hyphen."""

    __slots__ = ()
    # headers: tuple[str, ...]
    # rows: tuple[tuple[str, ...], ...]
    # ids: tuple[int, ...] - columns of ids
    # optional: tuple[int, ...] - columns that may be left out, the first first


class Callout(record("Callout", "text")):
    """A message that must stand out, such as where to find crisis help."""

    __slots__ = ()
    # text: str


class Run(record("Run", "items widest")):
    """A run of items given as they are made rather than held (a timeline of
    any length), with what a layout must know before the first: the widest
    label among them, in terminal columns (None when none has a label;
    ``MEASURE`` when not known ahead: a layout that needs it then holds
    the run to measure it). A run has at least one item, and stands
    between other blocks, never next to a plain ``Item``."""

    __slots__ = ()
    # items: Iterable[Item]
    # widest: int | None


MEASURE = -1  # a Run's widest label, when it is not known ahead


class Made:
    """A page's blocks, made by *make* (a generator function) each time the
    page is drawn: a long page is drawn as it is made, never held whole."""

    def __init__(self, make: Callable[[], Iterator[Block]]):
        self._make = make

    def __iter__(self) -> Iterator[Block]:
        return iter(self._make())


Block = Heading | Paragraph | Item | Table | Callout | Run


class Page:
    """A titled sequence of blocks, with the medical notice at its foot.

    ``kind`` and ``data`` describe the same page for programs (JSON output):
    what the page is about as plain data; ``sources`` are the sources it
    cites, as plain data, in the order of their citation numbers.
    """

    __slots__ = ("_cited", "_data", "as_of", "blocks", "kind", "notice", "subtitle", "title")

    def __init__(
        self,
        title: str,
        subtitle: str | None = None,
        blocks: list[Block] | None = None,
        *,
        kind: str = "page",
        data: object = None,
        as_of: str | None = None,
    ):
        self.title = title
        self.subtitle = subtitle
        self.blocks: list[Block] | Made = blocks if blocks is not None else []
        self.notice = NOTICE
        self.kind = kind
        self._data = data  # or a function that makes it: only JSON output asks
        self._cited: list[tuple[int, object]] = []  # (number, Source), in citation order
        self.as_of = as_of  # the knowledge base's date, shown under the notice

    @property
    def data(self) -> object:
        """What the page is about, as plain data (made when first asked for)."""
        if callable(self._data):
            self._data = self._data()
        return self._data

    def cite(self, number: int, source: object) -> None:
        self._cited.append((number, source))

    def cite_later(self, cited: Callable[[], Iterable[tuple[int, object]]]) -> None:
        """The page's (number, source) pairs, read from *cited* when asked for
        (a page made as it is drawn, whose sources are not all held)."""
        self._cited = cited  # type: ignore[assignment]

    @property
    def sources(self) -> list[dict[str, object]]:
        """The sources the page cites, as plain data, in number order."""
        from .data import source_data

        cited = self._cited() if callable(self._cited) else self._cited
        return [{"number": number, **source_data(source)} for number, source in cited]  # type: ignore[arg-type]

    @property
    def dated(self) -> str | None:
        """The line under the notice that says how current the content is."""
        return f"Knowledge base as of {self.as_of}." if self.as_of else None


def leading(blocks: Iterable[Block]) -> tuple[list[Callout], Iterator[Block]]:
    """The crisis-help callouts that open *blocks* (renderers draw them
    above the page's title, so that help is the first thing a reader sees),
    and the blocks after them, one at a time."""
    rest = iter(blocks)
    callouts: list[Callout] = []
    for block in rest:
        if not isinstance(block, Callout):
            return callouts, _chained(block, rest)
        callouts.append(block)
    return callouts, rest


def _chained(first: Block, rest: Iterator[Block]) -> Iterator[Block]:
    yield first
    yield from rest


def with_crisis_help(page: Page) -> None:
    """Put the crisis help first on *page*, if it is not already there (a
    page made as it is drawn gets it in front of what it makes)."""
    blocks = page.blocks
    if any(isinstance(block, Callout) for block in blocks):
        return
    if isinstance(blocks, Made):
        page.blocks = Made(lambda: _chained(Callout(CRISIS), iter(blocks)))
    else:
        blocks.insert(0, Callout(CRISIS))


def grouped(blocks: Iterable[Block]) -> Iterator[Block | list[Item]]:
    """Blocks with each run of consecutive items gathered into one list (a
    ``Run`` stays as it is), one at a time.

    Renderers lay out a run together, so labels share one column.
    """
    items: list[Item] = []
    for block in blocks:
        if isinstance(block, Item):
            items.append(block)
            continue
        if items:
            yield items
            items = []
        yield block
    if items:
        yield items


def highlights(text: str) -> list[tuple[str, bool]]:
    """*text* cut into (piece, is_a_search_match) pairs."""
    if MATCH_START not in text:  # nearly always: only search results are marked
        return [(text, False)] if text else []
    pieces: list[tuple[str, bool]] = []
    for n, part in enumerate(text.split(MATCH_START)):
        if n == 0:
            pieces.append((part, False))
            continue
        matched, _, rest = part.partition(MATCH_END)
        pieces += [(matched, True), (rest, False)]
    return [(piece, marked) for piece, marked in pieces if piece]


def markers_text(markers: tuple[int, ...]) -> str:
    """Citation markers as readers see them: ``[1][3]``."""
    return "".join(f"[{n}]" for n in markers)
