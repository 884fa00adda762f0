"""A page as its sentences, each with the line it starts on.

``ketaminfo check`` reads pages people meet: clinic and telehealth pages,
news stories, posts. They come as plain text, Markdown or HTML. HTML is
parsed, never rendered: tags, scripts and styles are dropped, entities
decoded, and paragraphs, list items, headings, table cells and line breaks
end a block. Markdown's marks (headings, emphasis, links, list bullets) are
dropped. Each block is then cut into sentences in a way that survives real
pages: abbreviations (e.g., Dr., U.S., approx.), decimals and doses
(0.5 mg/kg), ranges (85-90%), initials and closing quotes do not end one.
"""

from __future__ import annotations

import re
from collections import namedtuple
from html.parser import HTMLParser

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Iterator


class Sentence(namedtuple("Sentence", "line text heading", defaults=(False,))):
    """One sentence of a page, the line (from 1) it starts on, and whether
    it is a heading (a title, or an FAQ's question)."""

    __slots__ = ()
    # line: int
    # text: str
    # heading: bool


# Elements whose end (or start) ends a block of text, and those whose text is never shown.
_BLOCKS = frozenset(
    "p li ul ol h1 h2 h3 h4 h5 h6 br div section article header footer nav aside main blockquote "
    "tr td th table dd dt dl figcaption pre hr title summary details option button form label".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6 title summary dt".split())
_HIDDEN = frozenset("script style noscript template svg head iframe object canvas select textarea".split())
_LOOKS_HTML = re.compile(r"<\s*(?:!doctype|html|head|body|p|div|li|h[1-6]|br|span|a|ul|ol|section|article|meta)\b", re.I)


def blocks(text: str, form: str | None = None) -> list[tuple[int, str, bool]]:
    """(line, text, is a heading) of each block of *text*, read as *form*
    ("html", "markdown", "text"; None: HTML if it looks like HTML, else
    Markdown, which reads plain text as it is)."""
    if form is None:
        form = "html" if _LOOKS_HTML.search(text[:5000]) else "markdown"
    if form == "html":
        reader = _HTMLBlocks()
        reader.feed(text)
        reader.close()
        return reader.blocks()
    return list(_markdown_blocks(text))


def sentences(text: str, form: str | None = None) -> list[Sentence]:
    """The sentences of *text* (see ``blocks``), in order."""
    found = []
    for line, block, heading in blocks(text, form):
        found += [Sentence(line + extra, sentence, heading) for extra, sentence in split(block)]
    return found


class _HTMLBlocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._blocks: list[tuple[int, str, bool]] = []
        self._parts: list[str] = []
        self._line = 0
        self._hidden = 0
        self._heading = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BLOCKS:
            self._end()
            self._heading += tag in _HEADINGS

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self._end()
            if tag in _HEADINGS:
                self._heading = max(0, self._heading - 1)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCKS:
            self._end()

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if not data.strip():  # the space between two links still parts their words
            if self._parts:
                self._parts.append(" ")
            return
        if not self._parts:  # the block starts on the line of its first words
            leading = len(data) - len(data.lstrip())
            self._line = self.getpos()[0] + data[:leading].count("\n")
        self._parts.append(data)

    def _end(self) -> None:
        text = "".join(self._parts).strip()  # line breaks kept: they number the sentences' lines
        if text:
            self._blocks.append((self._line, text, self._heading > 0))
        self._parts = []

    def blocks(self) -> list[tuple[int, str, bool]]:
        self._end()
        return self._blocks


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`)")
_MD_LEAD = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,3}[.)]\s+)")
_MD_RULE = re.compile(r"^\s*([-*_=])(\s*\1){2,}\s*$")


def _markdown_blocks(text: str) -> Iterator[tuple[int, str, bool]]:
    """Paragraphs, headings and list items of Markdown (or plain text), with
    their marks dropped; a heading or list item is a block of its own."""
    start, parts, heading = 0, [], False
    for number, raw in enumerate(text.splitlines(), 1):  # parts of a block keep their line breaks
        line = raw.rstrip()
        own = bool(_MD_LEAD.match(line))  # a heading, quote line or list item starts a block
        if not line.strip() or _MD_RULE.match(line) or own:
            if parts:
                yield start, _clean_markdown("\n".join(parts)), heading
            parts, heading = [], False
            if not line.strip() or _MD_RULE.match(line):
                continue
        if not parts:
            start, heading = number, line.lstrip().startswith("#")
        parts.append(_MD_LEAD.sub("", line) if own else line.strip())
    if parts:
        yield start, _clean_markdown("\n".join(parts)), heading


def _clean_markdown(text: str) -> str:
    return _MD_MARKS.sub("", _MD_LINK.sub(r"\1", text))


# Splitting a block into sentences ----------------------------------------------

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs approx dr mr mrs ms prof st no nos fig figs inc ltd co corp jr sr u.s u.k e.u "
    "mg kg ml min mins hr hrs wk wks vol pp p al cf ca a.m p.m jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+|$)")


def split(block: str) -> list[tuple[int, str]]:
    """(lines after the block's first, sentence) for each sentence of *block*,
    its white space made single spaces."""
    out: list[tuple[int, str]] = []
    start = 0

    def add(end: int) -> None:
        piece = block[start:end]
        text = " ".join(piece.split())
        if text:
            out.append((block.count("\n", 0, start + len(piece) - len(piece.lstrip())), text))

    for found in _END.finditer(block):
        end = found.end()
        if not block[start:end].strip():
            continue
        if found.group().startswith(".") and not found.group().startswith(".."):
            before = block[start:found.start()].split()
            word = before[-1].lower().lstrip("(\"'“‘[") if before else ""
            following = block[end:].lstrip()[:1]
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or (following and following.islower()):
                continue  # "Dr. Smith", "J. Smith", "e.g. this", "approx. 40"
        add(end)
        start = end
    add(len(block))
    return out
