"""Pages as lines of text: plain for pipes and files, coloured for terminals.

One layout serves both. Plain text has no escape codes (search matches are
marked ``*like this*``); with *color*, the same lines carry ANSI styles:
bold titles and labels, evidence levels in their colours, citations dim,
corrections in yellow, matches in bold yellow. Words are never broken
across lines; a web address is never broken at all: one that does not fit
starts a line of its own, and one wider than the screen is left whole for
the terminal to fold (with *links*, it is also a terminal hyperlink, OSC 8).
Tables shrink to their longest word, then leave out their optional columns,
then break words at hyphens, and become lists of records only when even
that does not fit. No line ends in spaces.
"""

from __future__ import annotations

from .document import (
    MEASURE,
    Block,
    Callout,
    Heading,
    Item,
    Page,
    Paragraph,
    Run,
    Table,
    grouped,
    highlights,
    leading,
    markers_text,
)
from .terminal import MIN_WIDTH

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_PROSE = 100  # wider lines are hard to read: text stops here however wide the terminal (tables do not)
KEEP = "\xa0"  # joins words that must stay on one line (an evidence label); shown as a space
BULLET = "- "
STACK_BELOW = 24  # narrower text beside a label column than this, and labels go on their own lines
CHUNK_LINES = 64  # lines drawn before they are handed on (see ``render_chunks``)

# Styles by role; each is a set of SGR attributes (see _SGR).
TAG_STYLES = {
    # evidence levels
    "established": "bold green",
    "trials": "green",
    "early": "yellow",
    "hypothesis": "magenta",
    "articles-only": "red",  # the weakest evidence in a colour that warns, never the faintest
    # condition statuses
    "approved": "bold green",
    "randomized-trials": "green",
    "not-supported": "red",
    # event categories
    "discovery": "cyan",
    "clinical-use": "blue",
    "regulation": "red",
    "research": "green",
    "culture": "magenta",
}
TITLE, HEADING, LABEL, QUIET, MATCH, NOTE, ALARM = "bold", "bold cyan", "bold", "dim", "bold yellow", "yellow", "bold red"
_SGR = {
    "bold": "1", "dim": "2", "italic": "3", "red": "31", "green": "32", "yellow": "33", "blue": "34",
    "magenta": "35", "cyan": "36", "bright_black": "90",
}

_STARTS: dict[str, str] = {}  # the escape code that starts each style, made once
Spans = list[tuple[str, str]]  # (text, style); style "" is unstyled


def render(page: Page, width: int, color: bool = False, links: bool = False) -> str:
    """The whole page as lines no wider than *width* (at least 20; only a
    web address alone on its line may be wider); with *color*, styled with
    ANSI escape codes; with *links*, web addresses are terminal hyperlinks."""
    return "".join(render_chunks(page, width, color, links))


def render_chunks(page: Page, width: int, color: bool = False, links: bool = False) -> Iterator[str]:
    """``render``, a few dozen lines at a time, drawn as the page's blocks
    are made: the text of a long page is never held whole."""
    chunks = _Layout(max(MIN_WIDTH, width), color).page(page)
    return map(hyperlinked, chunks) if links else chunks


# A web address as printed: printable ASCII, which also ends it at an escape
# code or a space. Punctuation after it belongs to the sentence. Compiled
# when first needed: the regular-expression module costs a lookup 5 ms.
_ADDRESS = r"https?://[!-~]+"


def hyperlinked(text: str) -> str:
    """*text* with each web address made a terminal hyperlink (OSC 8): the
    address stays the visible text, so a terminal that ignores the codes
    shows the same page."""
    if "http" not in text:
        return text
    import re

    def link(match) -> str:
        url = match.group(0).rstrip(".,;:!?'\"")
        if url.endswith(")") and "(" not in url:
            url = url[:-1]
        tail = match.group(0)[len(url):]
        return f"\x1b]8;;{url}\x1b\\{url}\x1b]8;;\x1b\\{tail}"

    return re.sub(_ADDRESS, link, text)


_LINK_CODE = "\x1b]8;[^\x1b]*\x1b\\\\"


def without_links(text: str) -> str:
    """*text* with its hyperlink codes taken out (the addresses stay)."""
    if "\x1b]8;" not in text:
        return text
    import re

    return re.sub(_LINK_CODE, "", text)


def cells(text: str) -> int:
    """How many terminal columns *text* takes: two for a wide (CJK)
    character, none for a combining mark, one for the rest."""
    if text.isascii():
        return len(text)
    total = len(text)
    for ch in set(text):  # each character once: a long text holds few different ones
        if ch >= "\u0300":  # nothing before the combining marks is wide or zero-width
            width = _CELLS.get(ch)
            if width is None:
                width = _CELLS[ch] = _width(ch)
            if width != 1:
                total += (width - 1) * text.count(ch)
    return total


_CELLS: dict[str, int] = {}


def _width(ch: str) -> int:
    import unicodedata

    return 0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def is_url(word: str) -> bool:
    """Whether *word* is a web address, which must never be cut."""
    return word.startswith(("https://", "http://"))


def _fill_cells(text: str, width: int, first: str, rest: str) -> list[str]:
    """``fill`` measured in terminal columns, for text with wide characters
    or an address wider than the line: a word wider than the line is cut
    where the line ends, except a web address, which stays whole on a line
    of its own."""
    room = width - max(cells(first), cells(rest))
    words: list[str] = []
    for word in text.split(" "):
        while cells(word) > room and not is_url(word):
            cut = 1
            while cut < len(word) and cells(word[: cut + 1]) <= room:
                cut += 1
            words.append(word[:cut])
            word = word[cut:]
        if word:
            words.append(word)
    return _greedy(words, width, first, rest, cells)


def _greedy(words: list[str], width: int, first: str, rest: str, measure=len) -> list[str]:
    """*words* (each narrow enough) put on lines of at most *width*, as
    measured by *measure*, after the indents *first* and *rest*."""
    lines, line = [], first + (words[0] if words else "")
    if words and is_url(words[0]) and measure(line) > width and first.strip():
        lines, line = [first.rstrip()], rest + words[0]  # an address too wide beside a label goes below it
    for word in words[1:]:
        if measure(line) + 1 + measure(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = rest + word
    lines.append(line)
    return lines


def fill(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """*text* in lines of at most *width*, after the indents *first* and
    *rest*: exactly what ``textwrap.wrap`` gives (without breaking on
    hyphens), several times faster for the usual case of words between
    single spaces, each narrower than the line."""
    if (text and len(first) + len(text) <= width and text.isascii() and text.isprintable()
            and text[0] != " " and text[-1] != " " and "  " not in text):
        return [first + text]  # it fits on one line: what the fill below would give
    words = text.split(" ")
    room = width - max(len(first), len(rest))
    if room < 1:  # indents as wide as the line (never in a layout): one character of room
        width, room = width - room + 1, 1
    if not text.isascii() and cells(text) != len(text):
        return _fill_cells(text, width, first, rest)
    too_wide = max(map(len, words)) > room
    if too_wide and "" not in words and any(is_url(w) and len(w) > room for w in words):
        return _fill_cells(text, width, first, rest)
    if not text or "" in words or too_wide or not text.replace(KEEP, "_").isprintable():
        import textwrap  # text with runs of spaces, or words wider than the line: rare

        return textwrap.wrap(
            text, width=width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
        ) or [first.rstrip()]
    return _greedy_spaces(text, width, first, rest)


def _greedy_spaces(text: str, width: int, first: str, rest: str) -> list[str]:
    """``_greedy`` for words between single spaces, each narrower than the
    line: each line ends at the last space that lets it fit."""
    lines, indent = [], first
    while len(indent) + len(text) > width:
        cut = text.rfind(" ", 0, width - len(indent) + 1)
        lines.append(indent + text[:cut])
        text, indent = text[cut + 1 :], rest
    lines.append(indent + text)
    return lines


class _Layout:
    def __init__(self, width: int, color: bool):
        self.width, self.table_width, self.color = min(width, MAX_PROSE), width, color

    # Pieces ---------------------------------------------------------------

    def paint(self, text: str, style: str) -> str:
        if not self.color or not style or not text:
            return text
        start = _STARTS.get(style)
        if start is None:
            start = _STARTS[style] = "\x1b[" + ";".join(_SGR[name] for name in style.split()) + "m"
        return f"{start}{text}\x1b[0m"

    def spans(self, text: str, style: str = "") -> Spans:
        """*text* as spans, its search matches marked (``*x*`` in plain text)."""
        out: Spans = []
        for piece, marked in highlights(text):
            if marked:
                out.append((piece, MATCH) if self.color else (f"*{piece}*", style))
            else:
                out.append((piece, style))
        return out

    def wrap(self, spans: Spans | str, first: str = "", rest: str = "", lead: str = "") -> list[str]:
        """*spans* wrapped to the width after the indents *first* and *rest*
        (the words of *first* drawn in style *lead*), never breaking a word."""
        if isinstance(spans, str):
            spans = self.spans(spans)
        logical = "".join(text for text, _ in spans)
        lines = fill(logical, self.width, first, rest)
        if not self.color:
            return [line.replace(KEEP, " ") for line in lines]
        if len(spans) == 1 and len(lines) == 1 and lines[0] == first + logical:  # the usual short line
            return [(self._indent(first, lead) + self.paint(logical, spans[0][1])).replace(KEEP, " ")]
        ends, styles, at = [], [], 0  # where each span ends in the logical text, and its style
        for text, style in spans:
            at += len(text)
            ends.append(at)
            styles.append(style)
        paint, count = self.paint, len(spans)
        out, at, span = [], 0, 0
        for number, line in enumerate(lines):
            indent = first if number == 0 else rest
            if not line.startswith(indent):
                indent = indent.rstrip()
            body = line[len(indent):]
            while at < len(logical) and logical[at] == " " and not logical.startswith(body, at):
                at += 1  # the space the wrap dropped at a line break
            pieces = [self._indent(indent, lead) if number == 0 else indent]
            if logical.startswith(body, at):
                end = at + len(body)
                while span < count and ends[span] <= at:
                    span += 1
                begin, part = at, span
                while part < count and begin < end:  # each span's part of the line, in its style
                    stop = min(ends[part], end)
                    if stop > begin:
                        pieces.append(paint(logical[begin:stop], styles[part]))
                        begin = stop
                    part += 1
                at = end
            else:  # pragma: no cover - the wrap changed more than spaces: show it unstyled
                pieces.append(body)
            out.append("".join(pieces).replace(KEEP, " "))
        return out

    def _indent(self, indent: str, style: str) -> str:
        if not style or not indent.strip():
            return indent
        start = len(indent) - len(indent.lstrip())
        word = indent.strip()
        end = start + len(word)
        return indent[:start] + self.paint(word, style) + indent[end:]

    # The page -------------------------------------------------------------

    def page(self, page: Page) -> Iterator[str]:
        callouts, blocks = leading(page.blocks)
        lines = []
        for callout in callouts:  # crisis help above everything else
            lines += self.block(callout)[1:] + [""]
        lines += self.wrap(self.spans(page.title, TITLE))
        lines.append(self.paint("=" * min(cells(page.title), self.width), QUIET))
        if page.subtitle:
            lines += self.wrap(self.spans(page.subtitle, QUIET))
        previous: object = None
        for part in grouped(blocks):
            if isinstance(part, (list, Run)):
                if not isinstance(previous, Heading):
                    lines.append("")
                for item_lines in self.each_item(part):
                    lines += item_lines
                    if len(lines) >= CHUNK_LINES:
                        yield "\n".join(lines) + "\n"
                        lines = []
            else:
                lines += self.block(part)
            previous = part
        lines.append("")
        lines += self.wrap([(page.notice, "dim italic")])
        if page.dated:
            lines += self.wrap([(page.dated, QUIET)])
        yield "\n".join(lines) + "\n"

    def block(self, block: Block) -> list[str]:
        if isinstance(block, Heading):
            underline = self.paint("-" * min(cells(block.text), self.width), QUIET)
            return ["", *self.wrap(self.spans(block.text, HEADING)), underline]
        if isinstance(block, Paragraph):
            spans = self.spans(block.text, QUIET if block.quiet else "")
            if block.markers:
                spans.append((" " + markers_text(block.markers), QUIET))
            return ["", *self.wrap(spans)]
        if isinstance(block, Callout):
            rule = self.paint("!" * self.width, ALARM)
            return ["", rule, *self.wrap(block.text, "! ", "! ", ALARM), rule]
        if isinstance(block, Table):
            return ["", *self.table(block)]
        raise TypeError(f"cannot render {block!r}")  # pragma: no cover

    def each_item(self, run: list[Item] | Run) -> Iterator[list[str]]:
        """The lines of each item of a run, one item at a time; labelled
        items share one label column."""
        if isinstance(run, Run) and run.widest != MEASURE:
            items, widest = run.items, run.widest
        else:
            items = list(run.items if isinstance(run, Run) else run)
            labels = [cells(it.label) for it in items if it.label]
            widest = max(labels) if labels else None
        label_width = min(widest, self.width // 3) if widest is not None else 0
        # Too narrow for text beside the labels: each label on its own line.
        stacked = widest is not None and self.width - label_width - 4 < STACK_BELOW
        for item in items:
            lines: list[str] = []
            lead = LABEL
            if item.label is not None and stacked:
                lines += self.wrap([(item.label, LABEL)], "  ", "  ")
                indent = 4
                first, lead = " " * indent, ""
            elif item.label is not None:
                indent = 2 + label_width + 2
                first = f"  {item.label}{' ' * (label_width - cells(item.label))}  "
                if cells(item.label) > label_width:  # too long to share the column
                    lines += self.wrap([(item.label, LABEL)], "  ", "  ")
                    first, lead = " " * indent, ""
            else:
                indent = 2 + len(BULLET)
                first, lead = "  " + BULLET, ""
            rest = " " * indent
            body = self.spans(item.text)
            tag = [(f" ({item.tag.replace(' ', KEEP)})", TAG_STYLES.get(item.tag_key or "", ""))] if item.tag else []
            details = [self.spans(d, QUIET if item.quiet_details else "") for d in item.details]
            markers = [(" " + markers_text(item.markers), QUIET)] if item.markers else []
            if details:  # the tag after the text, the citations after the last detail
                details[-1] += markers
                first_line = body + tag
            else:  # the citations, then the tag
                first_line = body + markers + tag
            lines += self.wrap(first_line, first, rest, lead)
            for detail in details:
                lines += self.wrap(detail, rest, rest)
            if item.context:
                lines += self.wrap(self.spans(item.context, QUIET), rest, rest)
            if item.note:
                note = [(f"{item.note_label}: {item.note}", NOTE)]
                if item.note_markers:
                    note.append((" " + markers_text(item.note_markers), QUIET))
                lines += self.wrap(note, rest + "! ", rest + "  ", NOTE)
            yield lines

    def table(self, table: Table) -> list[str]:
        """Columns sized to their content, narrowed (never below their longest
        word) until they fit. A table that does not fit leaves out its optional
        columns, then breaks words at hyphens (never an id), and becomes a list
        of records only when even that does not fit."""
        everything = range(len(table.headers))
        for hyphens in (False, True):
            for left_out in range(len(table.optional) + 1):
                dropped = table.optional[:left_out]
                columns = [c for c in everything if c not in dropped]
                lines = self._columns(table, columns, hyphens)
                if lines is not None:
                    if dropped:
                        names = ", ".join(table.headers[c] for c in dropped)
                        lines += self.wrap(self.spans(f"Not shown at this width: {names}.", QUIET))
                    return lines
        return self.records(table)

    def _columns(self, table: Table, columns: list[int], hyphens: bool) -> list[str] | None:
        """*table*'s *columns* laid out in the width, or None if they cannot fit."""
        gap = 2
        texts = [[table.headers[c], *(row[c] for row in table.rows)] for c in columns]
        breakable = [hyphens and c not in table.ids for c in columns]
        sizes = [max(map(cells, col)) for col in texts]
        floors = [max(cells(word) for cell in col for word in _words(cell, split)) for col, split in zip(texts, breakable)]
        available = self.table_width - gap * (len(sizes) - 1)
        if sum(floors) > available:
            return None
        while sum(sizes) > available:
            widest = max((n for n in range(len(sizes)) if sizes[n] > floors[n]), key=lambda n: sizes[n])
            sizes[widest] -= 1
        headers = tuple(table.headers[c] for c in columns)
        lines = self.row(headers, sizes, gap, LABEL, breakable)
        lines.append(self.paint((" " * gap).join("-" * s for s in sizes).rstrip(), QUIET))
        for row in table.rows:
            lines += self.row(tuple(row[c] for c in columns), sizes, gap, "", breakable)
        return lines

    def row(self, row_cells: tuple[str, ...], sizes: list[int], gap: int, style: str,
            breakable: list[bool]) -> list[str]:
        wrapped = [_cell(cell, size, split) if cell else [""] for cell, size, split in zip(row_cells, sizes, breakable)]
        height = max(len(w) for w in wrapped)
        out = []
        for line in range(height):
            parts = [(w[line] if line < len(w) else "") for w in wrapped]
            padded = [part + " " * (size - cells(part)) for part, size in zip(parts, sizes)]
            text = (" " * gap).join(padded).rstrip()
            if self.color and style:
                text = (" " * gap).join(self.paint(p, style) + " " * (s - cells(p)) for p, s in zip(parts, sizes)).rstrip()
            out.append(text)
        return out

    def records(self, table: Table) -> list[str]:
        """A table too wide for the screen, as one block of "Header: value" lines per row."""
        lines: list[str] = []
        for row in table.rows:
            if lines:
                lines.append("")
            for header, cell in zip(table.headers, row):
                lines += self.wrap([(f"{header}:", LABEL), (f" {cell}", "")], "", "  ")
        return lines


def _words(cell: str, hyphens: bool) -> list[str]:
    """The pieces of *cell* a table line may not cut: words, or with
    *hyphens*, the parts of words after each hyphen."""
    words = cell.split() or [""]
    if not hyphens:
        return words
    import re  # a table too narrow for its words: rare

    return [part for word in words for part in re.findall(r"[^-]*-|[^-]+", word)]


def _cell(cell: str, size: int, hyphens: bool) -> list[str]:
    """*cell* in lines of at most *size* columns, broken after a hyphen if need be."""
    if hyphens and "-" in cell and max(cells(w) for w in cell.split()) > size:
        import textwrap

        return textwrap.wrap(cell, size, break_on_hyphens=True, break_long_words=False) or [""]
    return fill(cell, size)
