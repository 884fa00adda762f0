"""A compiled cache of the validated knowledge base.

Parsing and validating the YAML takes several times longer than everything
else a lookup does, so the validated entries are kept as JSON in the user's
cache folder ($XDG_CACHE_HOME/ketaminfo, else ~/.cache/ketaminfo). The key is
a hash of every file's name, layer and bytes, the program version,
the layout of the model and the code that validates; any change gives a new
key, so a stale entry is never used. Only a knowledge base that validated
cleanly is stored. The cache is an optimisation only: a folder that cannot
be written, or an entry that cannot be read or decoded, is ignored and the
YAML is parsed as usual.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from . import __version__
from .loader import SourceFile
from .model import Claim, Condition, Event, EventDate, EvidenceStatus, Note, Source, Term, Topic

FORMAT = 1
KEEP = 4  # cache files kept per folder (one per knowledge base in use)
_PACKAGE = os.path.dirname(os.path.realpath(__file__))
# Source files whose change must invalidate the cache even without a new version.
_CODE = ("model.py", "schema.py", "yamlsafe.py", "cache.py")


def folder() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ketaminfo")


def _entry(cache_key: str) -> str:
    return os.path.join(folder(), f"kb-{cache_key}.json")


def key(layers: list[list[SourceFile]]) -> str:
    """The cache key of a knowledge base read from *layers* (lowest first).

    The data mode needs no place of its own: it decides which layers are
    read, and each file is hashed with its layer's position."""
    try:
        from _blake2 import blake2b  # hashlib's BLAKE2 without loading OpenSSL's bindings
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b

    digest = blake2b(digest_size=16)
    header = [FORMAT, __version__, sys.version_info[:2], _layout()]
    for name in _CODE:
        stat = os.stat(os.path.join(_PACKAGE, name))
        header.append([name, stat.st_size, stat.st_mtime_ns])
    digest.update(json.dumps(header).encode())
    for number, files in enumerate(layers):
        for file in files:
            digest.update(f"\0{number}\0{file.name}\0{len(file.raw)}\0".encode())
            digest.update(file.raw)
    return digest.hexdigest()


def _layout() -> list[Any]:
    kinds = (Source, Note, Claim, Topic, EvidenceStatus, Condition, EventDate, Event, Term)
    return [[kind.__name__, *kind._fields] for kind in kinds]


def read(cache_key: str) -> dict[str, list[Any]] | None:
    """The sections stored under *cache_key*, or None when absent or unusable."""
    try:
        with open(_entry(cache_key), encoding="utf-8") as handle:
            text = handle.read()
        stored = json.loads(text)
        if stored.get("key") != cache_key:
            return None
        return _decode(stored["sections"])
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def write(cache_key: str, sections: dict[str, list[Any]]) -> None:
    """Store *sections* atomically; give up silently if the folder is not writable."""
    target = folder()
    temporary = os.path.join(target, f".kb-{cache_key}.{os.getpid()}.tmp")
    try:
        os.makedirs(target, exist_ok=True)
        payload = json.dumps({"key": cache_key, "sections": sections}, ensure_ascii=False)
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(payload)
        os.replace(temporary, _entry(cache_key))
        _prune(target)
    except (OSError, ValueError):
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _prune(target: str) -> None:
    entries = [e for e in os.scandir(target) if e.name.startswith("kb-") and e.name.endswith(".json")]
    entries.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP:]:
        os.unlink(old.path)


# Decoding: JSON arrays back into the model's tuples --------------------------


def _strings(values: list[Any]) -> tuple[str, ...]:
    return tuple(values)


def _claim(row: list[Any]) -> Claim:
    text, evidence, sources, correction = row
    note = Note(correction[0], _strings(correction[1])) if correction else None
    return Claim(text, evidence, _strings(sources), note)


def _claims(rows: list[Any]) -> tuple[Claim, ...]:
    return tuple(_claim(row) for row in rows)


def _source(row: list[Any]) -> Source:
    return Source(row[0], row[1], row[2], _strings(row[3]), *row[4:])


def _topic(row: list[Any]) -> Topic:
    id_, title, summary, points, aliases, related, crisis = row
    return Topic(id_, title, summary, _claims(points), _strings(aliases), _strings(related), crisis)


def _condition(row: list[Any]) -> Condition:
    id_, name, category, status, summary, points, aliases, related, crisis = row
    evidence = EvidenceStatus(status[0], status[1], _strings(status[2]))
    return Condition(
        id_, name, category, evidence, summary, _claims(points), _strings(aliases), _strings(related), crisis
    )


def _event(row: list[Any]) -> Event:
    id_, date, title, description, category, sources, related = row
    return Event(id_, EventDate(*date), title, description, category, _strings(sources), _strings(related))


def _term(row: list[Any]) -> Term:
    id_, term, definition, sources, aliases, related = row
    return Term(id_, term, definition, _strings(sources), _strings(aliases), _strings(related))


_DECODERS = {
    "sources": _source,
    "topics": _topic,
    "conditions": _condition,
    "timeline": _event,
    "glossary": _term,
}


def _decode(sections: dict[str, list[Any]]) -> dict[str, list[Any]]:
    if set(sections) != set(_DECODERS):
        raise KeyError("sections")
    return {name: [_DECODERS[name](row) for row in rows] for name, rows in sections.items()}
