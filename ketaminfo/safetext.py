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
# Characters that draw nothing, or only a blank, though Unicode files them as
# letters, marks or symbols: every Default_Ignorable_Code_Point (Unicode's
# DerivedCoreProperties.txt) not already in a category above (the Hangul
# fillers, the combining grapheme joiner, the Khmer inherent vowels, the
# Mongolian and other variation selectors), and the two symbols drawn as a
# blank: U+2800 BRAILLE PATTERN BLANK and U+FFFC OBJECT REPLACEMENT CHARACTER.
# Spaces of every kind are not here: text values fold them into one space.
BLANK = frozenset(map(chr, (0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, *range(0x180B, 0x1810), 0x3164,
                            *range(0xFE00, 0xFE10), 0xFFA0, *range(0xE0100, 0xE01F0), 0x2800, 0xFFFC)))


def hidden(ch: str) -> bool:
    """Whether *ch* must not reach a terminal as itself."""
    if ch in BLANK:
        return True
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
    if text.isascii() and text.isprintable():
        return text  # the common case, without a look at each character
    return "".join(_escape(ch) if hidden(ch) else ch for ch in text)


MAX_SHOWN = 256  # characters of a path or value repeated in a message (see ``shown``)


def shown(text: str, limit: int = MAX_SHOWN) -> str:
    """*text* as ``visible`` writes it, cut to at most *limit* characters
    (see ``cut``)."""
    return cut(visible(text), limit)


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    """*text* cut in the middle to at most *limit* characters: a 100 KB path
    is not repeated whole in a message, and the end of a long one (its file
    name) still shows."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


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
    if text.isprintable():  # no character of a hidden category (but perhaps a blank one)
        return text.isascii() or BLANK.isdisjoint(text)
    return not any(hidden(ch) for ch in text)


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
