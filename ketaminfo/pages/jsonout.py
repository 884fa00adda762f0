"""JSON: one versioned envelope per page, and nothing else on stdout.

Envelope (schema_version 1; a new key may be added, none is removed or
renamed without a new version):

    {
      "schema_version": 1,
      "kind": "topic",              # what the page is: topic, condition, timeline, ...
      "data": {...},                # the page's entries as plain data
      "sources": [{"number": 1, "id": ..., ...}],   # numbered as in the text output
      "notice": "Information, not medical advice. ...",
      "crisis_help": null,          # the crisis-help text on pages that carry it
      "as_of": "2026-12-02"         # the date the knowledge base is current to (null if it gives none)
    }

Dates appear as written (``text``), as ISO 8601 (``iso``; a decade or span
is an interval such as 1970/1979) and as the years covered.
"""

from __future__ import annotations

from ..safetext import hidden
from .document import CRISIS, Callout, Page, Run

SCHEMA_VERSION = 1
KEYS = ("schema_version", "kind", "data", "sources", "notice", "crisis_help", "as_of")


def envelope(page: Page) -> dict[str, object]:
    # Every block drawn (each run's items too), so a page made as it is
    # drawn has numbered its sources before they are asked for.
    blocks = [b for block in page.blocks for b in (block.items if isinstance(block, Run) else [block])]
    crisis = CRISIS if any(isinstance(b, Callout) for b in blocks) else None
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": page.kind,
        "data": page.data,
        "sources": page.sources,
        "notice": page.notice,
        "crisis_help": crisis,
        "as_of": page.as_of,
    }


def render(page: Page, ascii_only: bool = False) -> str:
    """The envelope as JSON. Characters a terminal could act on (controls,
    bidi marks, bytes that were not UTF-8) are written as \\u escapes, which
    JSON readers turn back into the same values; with *ascii_only*, every
    non-ASCII character is, for outputs that cannot encode it."""
    text = dumps(envelope(page), ascii_only) + "\n"
    if ascii_only or (text.isascii() and "\x7f" not in text):
        return text
    # Outside strings, JSON text is ASCII letters, digits, punctuation and
    # whitespace (strings have their C0 controls escaped), so any other hidden
    # character is inside a string; only non-ASCII characters and DEL need a look.
    escapes = {ord(ch): _escape(ch) for ch in set(text) if ch > "\x7e" and hidden(ch)}
    return text.translate(escapes) if escapes else text


def _escape(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def dumps(value: object, ascii_only: bool = False) -> str:
    """``json.dumps(value, ensure_ascii=ascii_only, indent=2)``, the same text
    for the values pages hold (text, numbers, booleans, null, lists, tuples
    and dictionaries with text keys). The json package writes indented JSON
    in Python anyway, and loading it costs more than a lookup's page: it
    brings the regular-expression module and its decoder along."""
    try:
        from _json import encode_basestring, encode_basestring_ascii
    except ImportError:  # pragma: no cover - a Python without the C module
        from json.encoder import py_encode_basestring as encode_basestring
        from json.encoder import py_encode_basestring_ascii as encode_basestring_ascii
    string = encode_basestring_ascii if ascii_only else encode_basestring
    parts: list[str] = []
    write = parts.append

    def value_of(item: object, indent: str) -> None:
        if isinstance(item, str):
            write(string(item))
        elif item is None:
            write("null")
        elif item is True:
            write("true")
        elif item is False:
            write("false")
        elif isinstance(item, int):
            write(int.__repr__(item))
        elif isinstance(item, (list, tuple)):
            if not item:
                write("[]")
                return
            inner = indent + "  "
            write("[")
            for n, member in enumerate(item):
                write(",\n" + inner if n else "\n" + inner)
                value_of(member, inner)
            write("\n" + indent + "]")
        elif isinstance(item, dict) and all(isinstance(key, str) for key in item):
            if not item:
                write("{}")
                return
            inner = indent + "  "
            write("{")
            for n, (key, member) in enumerate(item.items()):
                write((",\n" if n else "\n") + inner + string(key) + ": ")
                value_of(member, inner)
            write("\n" + indent + "}")
        else:  # a value pages do not hold (a float, a key that is not text): json's own way
            import json

            text = json.dumps(item, ensure_ascii=ascii_only, indent=2)
            write(text.replace("\n", "\n" + indent))

    value_of(value, "")
    return "".join(parts)
