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

import json
import re

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
    text = json.dumps(envelope(page), ensure_ascii=ascii_only, indent=2) + "\n"
    return text if ascii_only else _CANDIDATE.sub(_escape, text)


# Outside strings, JSON text is ASCII letters, digits, punctuation and
# whitespace (json.dumps already escapes C0 controls), so any other hidden
# character is inside a string; only non-ASCII characters and DEL need a look.
_CANDIDATE = re.compile("[^\\x00-\\x7e]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    if not hidden(ch):
        return ch
    code = ord(ch)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"
