"""The knowledge-base format: turn YAML node trees into validated entries.

Every value is read from the node's own text, never from YAML's implicit
typing, so ``no`` stays the word "no", ``1:30`` stays a string and a bare date
is parsed by our own date rules. Each problem is recorded with its file, line,
column and entry id; all problems are collected before anything is raised.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import yaml

from ..errors import KnowledgeBaseError, Problem
from ..safetext import clean, hidden, quoted
from .model import (
    CONDITION_STATUSES,
    CRISIS_KINDS,
    EVENT_CATEGORIES,
    EVIDENCE_LEVELS,
    SOURCE_KINDS,
    VERDICTS,
    About,
    Claim,
    ClaimMet,
    Condition,
    CrisisSignal,
    Event,
    EventDate,
    EvidenceStatus,
    Figure,
    Note,
    PhraseWords,
    Source,
    Synonyms,
    Term,
    Topic,
)
from .yamlsafe import Document

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DATE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"([0-9]{4})"), "year"),
    (re.compile(r"([0-9]{4})-([0-9]{2})"), "month"),
    (re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"), "day"),
    (re.compile(r"([0-9]{3}0)s"), "decade"),
    (re.compile(r"([0-9]{4})/([0-9]{4})"), "span"),
]
MAX_TEXT = 10_000  # characters in one value: far more than any statement needs
MAX_PROBLEMS = 1_000  # problems reported for one knowledge base; the rest are counted
# A web address: http(s), then only characters a URL may hold unescaped (no
# spaces, quotes or angle brackets, which could end a link early or carry HTML).
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%\[\]]+")
DATE_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD, a decade such as 1970s, or a span such as 1970/1989"


class Invalid(Exception):
    """Raised by a converter; the reader records it as a problem at *node*."""

    def __init__(self, message: str, node: yaml.Node, code: str = "KB011"):
        super().__init__(message)
        self.message = message
        self.node = node
        self.code = code


class Reported(Invalid):
    """A nested value failed and its problems are already recorded."""


class Reader:
    """Collects problems for one file while its entries are converted."""

    def __init__(self, name: str, problems: list[Problem]):
        self.name = name
        self.problems = problems
        self.entry_id: str | None = None
        self.reported = 0  # problems found by this reader, listed or not (see ``record``)

    def problem(self, node: yaml.Node | None, code: str, message: str) -> None:
        self.reported += 1
        mark = node.start_mark if node is not None else None
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        record(self.problems, Problem(self.name, line, col, code, message, self.entry_id))


def record(problems: list[Problem], problem: Problem) -> None:
    """Add *problem*, unless ``MAX_PROBLEMS`` are listed already: a file with
    a million bad values must not need a million messages to say so."""
    if len(problems) < MAX_PROBLEMS:
        problems.append(problem)
    elif len(problems) == MAX_PROBLEMS:
        problems.append(Problem(problem.file, None, None, "KB005",
                                f"more than {MAX_PROBLEMS} problems; the rest are not listed"))


# Converters: (node, reader) -> value, raising Invalid. Each one also records
# the JSON Schema of what it accepts, for editors (see ketaminfo.jsonschema).

Converter = Callable[[yaml.Node, Reader], Any]
JSON_SCHEMAS: dict[Converter, dict[str, Any]] = {}


def accepts(json_schema: dict[str, Any]) -> Callable[[Converter], Converter]:
    """Record the JSON Schema of the values *converter* accepts."""

    def register(converter: Converter) -> Converter:
        JSON_SCHEMAS[converter] = json_schema
        return converter

    return register


_YEAR_JSON = {"type": "integer", "minimum": 1000, "maximum": 9999}


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


@accepts({"type": "string", "minLength": 1})
def text(node: yaml.Node, reader: Reader) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise Invalid("expected text", node, "KB010")
    value = " ".join(node.value.split())
    if not value:
        raise Invalid("is empty", node)
    if len(value) > MAX_TEXT:
        raise Invalid(f"is longer than {MAX_TEXT} characters", node)
    if not clean(value):
        ch = next(ch for ch in value if hidden(ch))
        kind = "control" if unicodedata.category(ch) == "Cc" else "invisible, blank or format"
        raise Invalid(f"contains a {kind} character (U+{ord(ch):04X})", node, "KB013")
    return value


@accepts({"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"})
def identifier(node: yaml.Node, reader: Reader) -> str:
    value = text(node, reader)
    if not ID_PATTERN.fullmatch(value):
        raise Invalid(f"{quoted(value)} is not a valid id (lowercase letters, digits and dashes)", node)
    return value


@accepts({"anyOf": [_YEAR_JSON, {"type": "string", "pattern": "^[0-9]{4}$"}]})
def year(node: yaml.Node, reader: Reader) -> int:
    value = text(node, reader)
    if not re.fullmatch(r"[0-9]{4}", value):
        raise Invalid(f"{quoted(value)} is not a four-digit year", node)
    return int(value)


@accepts({"type": "boolean"})
def flag(node: yaml.Node, reader: Reader) -> bool:
    value = text(node, reader)
    if value not in ("true", "false"):
        raise Invalid(f"{quoted(value)} is not true or false", node)
    return value == "true"


@accepts({"anyOf": [{"type": "integer", "minimum": 0, "maximum": 100}, {"type": "string", "pattern": "^[0-9]{1,3}$"}]})
def share(node: yaml.Node, reader: Reader) -> int:
    """A whole number from 0 to 100 (a percentage)."""
    value = text(node, reader)
    if not re.fullmatch(r"[0-9]{1,3}", value) or int(value) > 100:
        raise Invalid(f"{quoted(value)} is not a whole number from 0 to 100", node)
    return int(value)


MAX_PMID_DIGITS = 10  # PubMed ids have 8 digits today; 10 leave room for centuries of growth


@accepts({"anyOf": [{"type": "integer", "minimum": 0, "maximum": 10**MAX_PMID_DIGITS - 1},
                    {"type": "string", "pattern": f"^[0-9]{{1,{MAX_PMID_DIGITS}}}$"}]})
def pmid(node: yaml.Node, reader: Reader) -> str:
    value = text(node, reader)
    if not re.fullmatch(r"[0-9]+", value):
        raise Invalid(f"{quoted(value)} should be digits 0-9 only", node)
    if len(value) > MAX_PMID_DIGITS:
        raise Invalid(f"{quoted(value)} is not a PubMed id (at most {MAX_PMID_DIGITS} digits)", node)
    return value


@accepts({"type": "string", "pattern": "^10\\.[0-9]{4,9}/[^\\s<>\"]+$"})
def doi(node: yaml.Node, reader: Reader) -> str:
    value = text(node, reader)
    if not re.fullmatch(r"10\.[0-9]{4,9}/[^\s<>\"]+", value):
        raise Invalid(f"{quoted(value)} is not a DOI (10.NNNN/..., without spaces, quotes or < >)", node)
    return value


@accepts({"type": "string", "pattern": "^https?://[A-Za-z0-9\\-._~:/?#@!$&'()*+,;=%\\[\\]]+$"})
def url(node: yaml.Node, reader: Reader) -> str:
    value = text(node, reader)
    if not _URL.fullmatch(value):
        raise Invalid(f"{quoted(value)} is not an http(s) URL (spaces, quotes and < > must be %-encoded)", node)
    return value


@accepts(
    {
        "anyOf": [
            _YEAR_JSON,
            {
                "type": "string",
                "pattern": "^([0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?|[0-9]{3}0s|[0-9]{4}/[0-9]{4})$",
            },
        ],
        "description": DATE_FORMS,
    }
)
def event_date(node: yaml.Node, reader: Reader) -> EventDate:
    value = text(node, reader)
    for pattern, form in _DATE_PATTERNS:
        match = pattern.fullmatch(value)
        if not match:
            continue
        parts = [int(g) for g in match.groups()]
        first = parts[0]
        if form == "decade":
            return EventDate(first, end=first + 9, text=value)
        if form == "span":
            if parts[1] <= first:
                raise Invalid(f"span {quoted(value)} must end after it starts", node, "KB012")
            return EventDate(first, end=parts[1], text=value)
        month = parts[1] if len(parts) > 1 else 0
        day = parts[2] if len(parts) > 2 else 0
        if month and not 1 <= month <= 12 or day and not _valid_day(first, month, day):
            raise Invalid(f"{quoted(value)} is not a real date", node, "KB012")
        return EventDate(first, month, day, end=first, text=value)
    raise Invalid(f"{quoted(value)} is not a date; use {DATE_FORMS}", node, "KB012")


@accepts({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "YYYY-MM-DD"})
def day(node: yaml.Node, reader: Reader) -> str:
    """A calendar day written YYYY-MM-DD (a review or "as of" date)."""
    value = text(node, reader)
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value, flags=re.ASCII)
    if not match:
        raise Invalid(f"{quoted(value)} is not a date written YYYY-MM-DD", node, "KB012")
    y, m, d = (int(g) for g in match.groups())
    if not (1 <= m <= 12 and _valid_day(y, m, d)):
        raise Invalid(f"{quoted(value)} is not a real date", node, "KB012")
    return value


def _valid_day(y: int, m: int, d: int) -> bool:
    import calendar

    return 1 <= d <= calendar.monthrange(y, m)[1]


def choice(options: dict[str, str]) -> Converter:
    @accepts({"enum": list(options)})
    def convert(node: yaml.Node, reader: Reader) -> str:
        value = text(node, reader)
        if value not in options:
            raise Invalid(f"{quoted(value)} is not one of: {', '.join(options)}", node)
        return value

    return convert


def list_of(item: Converter, *, min_items: int = 0) -> Converter:
    json_schema: dict[str, Any] = {"type": "array", "items": JSON_SCHEMAS[item], "uniqueItems": True}
    if min_items:
        json_schema["minItems"] = min_items

    @accepts(json_schema)
    def convert(node: yaml.Node, reader: Reader) -> tuple[Any, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise Invalid("expected a list", node, "KB010")
        if len(node.value) < min_items:
            raise Invalid(f"needs at least {min_items} item(s)", node)
        values = []
        for child in node.value:
            try:
                values.append(item(child, reader))
            except Reported:
                pass
            except Invalid as exc:
                reader.problem(exc.node, exc.code, exc.message)
        if len(values) < len(node.value):
            raise Reported("invalid items", node)
        if len(set(values)) < len(values) and all(isinstance(v, str) for v in values):
            raise Invalid("lists the same value twice", node)
        return tuple(values)

    return convert


def entry(cls: type, fields: dict[str, tuple[Converter, bool]], kind: str) -> Converter:
    """A converter for a mapping whose keys are *fields* ({key: (converter, required)})."""

    @accepts(
        {
            "type": "object",
            "title": kind,
            "properties": {key: JSON_SCHEMAS[conv] for key, (conv, _) in fields.items()},
            "required": [key for key, (_, required) in fields.items() if required],
            "additionalProperties": False,
        }
    )
    def convert(node: yaml.Node, reader: Reader) -> Any:
        if not isinstance(node, yaml.MappingNode):
            raise Invalid(f"each {kind} must be a mapping of keys to values", node, "KB006")
        before = reader.reported
        values: dict[str, Any] = {}
        seen: set[str] = set()
        failed: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                reader.problem(key_node, "KB010", "keys must be plain words")
                continue
            if key in seen:
                reader.problem(key_node, "KB009", f"duplicate key {quoted(key)} in this {kind}")
                continue
            seen.add(key)
            if key not in fields:
                hint = difflib.get_close_matches(key, fields, n=1)
                extra = f" (did you mean {hint[0]!r}?)" if hint else ""
                allowed = ", ".join(fields)
                reader.problem(key_node, "KB007", f"unknown key {quoted(key)} in a {kind}{extra}; keys: {allowed}")
                continue
            if _is_null(value_node):
                continue
            try:
                values[key] = fields[key][0](value_node, reader)
            except Reported:
                failed.add(key)
            except Invalid as exc:
                failed.add(key)
                reader.problem(exc.node, exc.code, f"{key}: {exc.message}")
        for key, (_, required) in fields.items():
            if required and key not in values and key not in failed:
                reader.problem(node, "KB008", f"{kind} is missing required key {quoted(key)}")
        if reader.reported > before:
            raise Reported(f"invalid {kind}", node)
        return cls(**values)

    return convert


ids = list_of(identifier)
source_ids = list_of(identifier, min_items=1)

NOTE = entry(Note, {"text": (text, True), "sources": (source_ids, True)}, "correction")
CLAIM = entry(
    Claim,
    {
        "text": (text, True),
        "evidence": (choice(EVIDENCE_LEVELS), True),
        "sources": (source_ids, True),
        "correction": (NOTE, False),
    },
    "claim",
)
claims = list_of(CLAIM, min_items=1)

SOURCE = entry(
    Source,
    {
        "id": (identifier, True),
        "title": (text, True),
        "kind": (choice(SOURCE_KINDS), True),
        "authors": (list_of(text), False),
        "year": (year, False),
        "journal": (text, False),
        "publisher": (text, False),
        "doi": (doi, False),
        "pmid": (pmid, False),
        "url": (url, False),
        "note": (text, False),
        "reviewed": (day, False),
    },
    "source",
)
# Fields every page (topic or condition) has besides its id and name.
PAGE_FIELDS: dict[str, tuple[Converter, bool]] = {
    "aliases": (list_of(text), False),
    "summary": (text, True),
    "points": (claims, True),
    "related": (ids, False),
    "crisis_help": (flag, False),
    "questions": (list_of(text), False),
}
TOPIC = entry(
    Topic,
    {"id": (identifier, True), "title": (text, True), **PAGE_FIELDS},
    "topic",
)
EVIDENCE_STATUS = entry(
    EvidenceStatus,
    {
        "status": (choice(CONDITION_STATUSES), True),
        "summary": (text, True),
        "sources": (source_ids, True),
    },
    "evidence status",
)
CONDITION = entry(
    Condition,
    {
        "id": (identifier, True),
        "name": (text, True),
        "category": (text, True),
        "evidence": (EVIDENCE_STATUS, True),
        **PAGE_FIELDS,
    },
    "condition",
)
EVENT = entry(
    Event,
    {
        "id": (identifier, True),
        "date": (event_date, True),
        "title": (text, True),
        "description": (text, True),
        "category": (choice(EVENT_CATEGORIES), True),
        "sources": (source_ids, True),
        "related": (ids, False),
    },
    "event",
)
TERM = entry(
    Term,
    {
        "id": (identifier, True),
        "term": (text, True),
        "aliases": (list_of(text), False),
        "definition": (text, True),
        "sources": (source_ids, True),
        "related": (ids, False),
    },
    "term",
)

PHRASE_WORDS = entry(
    PhraseWords,
    {
        "id": (identifier, True),
        "words": (list_of(text, min_items=1), True),
        "typos": (flag, False),
        "unlike": (list_of(text), False),
    },
    "crisis word class",
)
CRISIS = entry(
    CrisisSignal,
    {
        "id": (identifier, True),
        "kind": (choice(CRISIS_KINDS), True),
        "says": (text, True),
        "phrases": (list_of(text, min_items=1), True),
        "unless": (list_of(text), False),
        "examples": (list_of(text, min_items=1), True),
        "near": (list_of(text), False),
        "withhold": (flag, False),
    },
    "crisis phrase group",
)

FIGURE = entry(
    Figure,
    {"unit": (choice({"percent": "percent"}), True), "most": (share, True), "within": (choice(VERDICTS), True)},
    "figure",
)
CLAIM_MET = entry(
    ClaimMet,
    {
        "id": (identifier, True),
        "says": (text, True),
        "verdict": (choice(VERDICTS), True),
        "phrases": (list_of(text, min_items=1), True),
        "record": (text, False),
        "evidence": (choice(EVIDENCE_LEVELS), False),
        "sources": (ids, False),
        "related": (ids, False),
        "unless": (list_of(text), False),
        "figure": (FIGURE, False),
        "examples": (list_of(text, min_items=1), True),
        "near": (list_of(text), False),
    },
    "claim people meet",
)

ABOUT = entry(About, {"as_of": (day, True), "note": (text, False)}, "about section")
SYNONYMS = entry(
    Synonyms,
    {"words": (list_of(text, min_items=1), True), "means": (list_of(text, min_items=1), True)},
    "synonym group",
)

#: Top-level sections a file may hold, the converter for their entries, and
#: the collection each feeds.
SECTIONS: dict[str, Converter] = {
    "sources": SOURCE,
    "topics": TOPIC,
    "conditions": CONDITION,
    "timeline": EVENT,
    "glossary": TERM,
    "phrase-words": PHRASE_WORDS,
    "crisis": CRISIS,
    "claims-met": CLAIM_MET,
}
#: The one section that is a single mapping rather than a list: facts about the
#: knowledge base itself. At most one file of a knowledge base may hold it.
ABOUT_SECTION = "about"
#: Words readers use for what the entries call by other names (see ``ask``).
#: A list like the sections above, but its groups have no ids.
SYNONYMS_SECTION = "synonyms"


class FileEntries:
    """What one file holds, read on its own (here or in a worker process):
    its entries, each with where it was read, and its problems.

    The problems of converting its entries are kept in two parts around
    its ``about`` section, whose problems depend on the files before it
    (a second ``about`` in a layer is one problem, not a conversion)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.composing: list[Problem] = []  # the file is not valid YAML: nothing more was read
        self.before: list[Problem] = []  # converting entries, before the about section (all, if none)
        self.about: tuple[About | None, list[Problem], tuple[str, int, int]] | None = None
        self.after: list[Problem] = []
        self.entries: list[Any] = []  # (section, entry, place); the loader may turn entries into rows
        self.synonyms: list[Synonyms] = []
        self.broken: list[str] = []  # ids of entries that failed to convert


def read_file(file: Any) -> FileEntries:
    """Compose and convert one ``files.SourceFile``."""
    from .yamlsafe import compose

    found = FileEntries(file.name)
    try:
        doc = compose(file.raw, file.name)
    except KnowledgeBaseError as exc:
        found.composing = exc.problems
        return found
    _read_document(doc, Reader(doc.name, found.before), found)
    return found


def _read_document(doc: Document, reader: Reader, found: FileEntries) -> None:
    root = doc.root
    if root is None:
        return  # an empty file is allowed: it adds nothing
    if not isinstance(root, yaml.MappingNode):
        reader.problem(root, "KB006", f"a file must be a mapping with sections: {', '.join([*SECTIONS, ABOUT_SECTION, SYNONYMS_SECTION])}")
        return
    seen: set[str] = set()
    for key_node, value_node in root.value:
        section = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if section == ABOUT_SECTION and section not in seen:
            seen.add(section)
            if not _is_null(value_node):
                found.about = (*_read_about(value_node, doc.name), _place(doc.name, value_node))
                reader.problems = found.after  # the problems that follow come after the about section's
            continue
        if section == SYNONYMS_SECTION and section not in seen:
            seen.add(section)
            _read_synonyms(value_node, reader, found)
            continue
        if section not in SECTIONS:
            hint = difflib.get_close_matches(str(section), [*SECTIONS, ABOUT_SECTION, SYNONYMS_SECTION], n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            reader.problem(key_node, "KB006", f"unknown section {quoted(section)}{extra}")
            continue
        if section in seen:
            reader.problem(key_node, "KB006", f"section {quoted(section)} appears twice in this file")
            continue
        seen.add(section)
        if _is_null(value_node):
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            reader.problem(value_node, "KB006", f"section {quoted(section)} must be a list of entries")
            continue
        convert = SECTIONS[section]
        for item in value_node.value:
            reader.entry_id = _peek_id(item)
            try:
                value = convert(item, reader)
            except Invalid as exc:
                if not isinstance(exc, Reported):
                    reader.problem(exc.node, exc.code, exc.message)
                if reader.entry_id:
                    found.broken.append(reader.entry_id)
                continue
            finally:
                reader.entry_id = None
            found.entries.append((section, value, _place(doc.name, item)))


def _read_about(node: yaml.Node, name: str) -> tuple[About | None, list[Problem]]:
    """The about section, and the problems converting it."""
    problems: list[Problem] = []
    reader = Reader(name, problems)
    try:
        return ABOUT(node, reader), problems
    except Invalid as exc:
        if not isinstance(exc, Reported):
            reader.problem(exc.node, exc.code, exc.message)
        return None, problems


def _read_synonyms(node: yaml.Node, reader: Reader, found: FileEntries) -> None:
    if _is_null(node):
        return
    if not isinstance(node, yaml.SequenceNode):
        reader.problem(node, "KB006", f"section {SYNONYMS_SECTION!r} must be a list of synonym groups")
        return
    for item in node.value:
        try:
            found.synonyms.append(SYNONYMS(item, reader))
        except Invalid as exc:
            if not isinstance(exc, Reported):
                reader.problem(exc.node, exc.code, exc.message)


def _place(name: str, node: yaml.Node) -> tuple[str, int, int]:
    mark = node.start_mark
    return name, mark.line + 1, mark.column + 1


def _peek_id(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "id":
                return str(value.value) if isinstance(value, yaml.ScalarNode) else None
    return None
