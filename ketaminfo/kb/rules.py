"""Stable codes for every problem a knowledge base can have.

Codes never change meaning and are never reused; docs/rules.md gives a bad
and a good example of each, and tests/data/rules/ holds one failing fixture
per code.
"""

from __future__ import annotations

RULES: dict[str, str] = {
    "KB001": "not valid YAML (syntax, tab indentation, several documents in one file)",
    "KB002": "not UTF-8 text (invalid bytes, a byte-order mark, UTF-16)",
    "KB003": "file, or whole knowledge base, larger than the size limit",
    "KB004": "unsafe YAML feature (a tag such as !!python/..., an anchor or alias)",
    "KB005": "too deeply nested, too many values, or too many problems to list",
    "KB006": "wrong file structure (not a mapping of known sections, a section that is not a list, an entry that is not a mapping)",
    "KB007": "unknown key in an entry",
    "KB008": "required key missing",
    "KB009": "the same key twice in one entry",
    "KB010": "wrong kind of value (text, list or mapping expected)",
    "KB011": "invalid value (not in the vocabulary, a malformed id, year, DOI, URL or PMID, empty or over-long text, a repeated list item)",
    "KB012": "invalid date",
    "KB013": "control, invisible, blank or format character in text",
    "KB014": "duplicate id",
    "KB015": "cites a source that does not exist",
    "KB016": "related id that names nothing",
    "KB017": "a name or alias that two entries share (or that only look alike)",
    "KB018": "no knowledge base at that path (missing or unreadable folder or file, no .yaml files)",
    "KB019": "a phrase (crisis or claims-met) that cannot be read (its syntax, or a class no phrase-words entry defines)",
    "KB020": "an example that none of its entry's phrases match (crisis or claims-met)",
    "KB021": "a near sentence that the phrases match (crisis: any crisis phrase; claims-met: its own)",
    "KB022": "a question that two pages say they answer",
    "KB023": "a claim people meet, judged on the record, without the record's answer and sources",
}
