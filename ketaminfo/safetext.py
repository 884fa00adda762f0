"""Text from outside ketaminfo, made safe to show and to store.

Anything a user or another user controls (arguments, environment variables,
file and folder names, the values of a knowledge-base file that failed
validation, rows read back from the cache) may hold escape sequences that
recolour or rewrite a terminal, bidirectional controls that reorder what a
reader sees, or bytes that are not text at all. ``visible`` writes every
such character out as a visible escape (``\\x1b``, ``\\u202e``), so a file
named ``a\\nb.yaml`` cannot forge a second line of output.
"""

from __future__ import annotations

# Categories never shown raw: controls, format characters (zero-width and
# bidirectional marks, tag characters), line and paragraph separators,
# surrogates (undecodable bytes), private use and unassigned code points.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def hidden(ch: str) -> bool:
    """Whether *ch* must not reach a terminal as itself."""
    return not ch.isprintable() and _category(ch) in HIDDEN_CATEGORIES  # printable: in none of them


def _category(ch: str) -> str:
    """``unicodedata.category``, imported when first needed (only text that is
    not plainly printable needs it)."""
    global _category
    from unicodedata import category

    _category = category
    return category(ch)


def visible(text: str) -> str:
    """*text* with every hidden character written as a Python-style escape."""
    if text.isprintable() and text.isascii():
        return text  # the common case, without a look at each character
    return "".join(_escape(ch) if hidden(ch) else ch for ch in text)


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def clean(text: str) -> bool:
    """Whether *text* holds no hidden character (what validation guarantees
    for every text value, and what is re-checked when rows are read back)."""
    return text.isprintable() or not any(hidden(ch) for ch in text)


def argument(text: str) -> str:
    """An argument or environment value as text: bytes that were not UTF-8
    (which Python keeps as lone surrogates) become U+FFFD, so they can be
    searched for, compared and printed without an encoding error."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


def quoted(value: object, limit: int = 60) -> str:
    """*value* quoted for a message, as ``repr`` does (which escapes every
    hidden character), cut to about *limit* characters: a one-megabyte
    argument should not become a one-megabyte error."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
