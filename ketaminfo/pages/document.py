"""A neutral description of a page: what it says, not how it looks.

Views build a ``Page`` from knowledge-base entries; each renderer (styled,
plain, and any later format) draws the same ``Page`` its own way. Text in a
page is always literal: renderers never interpret it as markup.
"""

from __future__ import annotations

from collections import namedtuple

from ..kb.model import MATCH_END, MATCH_START

NOTICE = (
    "Information, not medical advice. ketaminfo summarises published sources for "
    "study and reference; decisions about treatment belong with a qualified clinician."
)
CRISIS = (
    "If you are thinking about suicide or feel unsafe, get help now: in the US call "
    "or text 988 (Suicide & Crisis Lifeline); elsewhere call your local emergency number."
)


class Heading(namedtuple("Heading", "text")):
    __slots__ = ()
    # text: str


class Paragraph(namedtuple("Paragraph", "text markers quiet", defaults=((), False))):
    __slots__ = ()
    # text: str
    # markers: tuple[int, ...]
    # quiet: bool - secondary information, drawn dimmer


class Item(namedtuple("Item", "text markers label tag tag_key details quiet_details note note_markers target anchor context "
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


class Table(namedtuple("Table", "headers rows ids optional", defaults=((), ()))):
    """Rows under headers. A narrow screen may leave out the *optional*
    columns (in that order) rather than give up the table; words in the
    *ids* columns are never broken, not even at a hyphen."""

    __slots__ = ()
    # headers: tuple[str, ...]
    # rows: tuple[tuple[str, ...], ...]
    # ids: tuple[int, ...] - columns of ids
    # optional: tuple[int, ...] - columns that may be left out, the first first


class Callout(namedtuple("Callout", "text")):
    """A message that must stand out, such as where to find crisis help."""

    __slots__ = ()
    # text: str


Block = Heading | Paragraph | Item | Table | Callout


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
        self.blocks: list[Block] = blocks if blocks is not None else []
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

    @property
    def sources(self) -> list[dict[str, object]]:
        """The sources the page cites, as plain data, in number order."""
        from .data import source_data

        return [{"number": number, **source_data(source)} for number, source in self._cited]  # type: ignore[arg-type]

    @property
    def dated(self) -> str | None:
        """The line under the notice that says how current the content is."""
        return f"Knowledge base as of {self.as_of}." if self.as_of else None


def leading(blocks: list[Block]) -> int:
    """How many crisis-help callouts open *blocks*: renderers draw them above
    the page's title, so that help is the first thing a reader sees."""
    n = 0
    while n < len(blocks) and isinstance(blocks[n], Callout):
        n += 1
    return n


def with_crisis_help(page: Page) -> None:
    """Put the crisis help first on *page*, if it is not already there."""
    if not any(isinstance(block, Callout) for block in page.blocks):
        page.blocks.insert(0, Callout(CRISIS))


def grouped(blocks: list[Block]) -> list[Block | list[Item]]:
    """Blocks with each run of consecutive items gathered into one list.

    Renderers lay out a run together, so labels share one column.
    """
    out: list[Block | list[Item]] = []
    for block in blocks:
        if isinstance(block, Item):
            last = out[-1] if out else None
            if isinstance(last, list):
                last.append(block)
            else:
                out.append([block])
        else:
            out.append(block)
    return out




def highlights(text: str) -> list[tuple[str, bool]]:
    """*text* cut into (piece, is_a_search_match) pairs."""
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
