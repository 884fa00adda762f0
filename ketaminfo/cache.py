"""The cache of validated knowledge bases, one SQLite database each.

Parsing and validating the YAML takes many times longer than everything else
a lookup does, so a knowledge base that validated cleanly is written once
into a database (see ``store``) in the user's cache folder
($XDG_CACHE_HOME/ketaminfo, else ~/.cache/ketaminfo) and read from there
until its files change.

Two keys find a database:

* the *content key* (``kb-KEY.sqlite``): a hash of every file's layer, name
  and bytes, the program version, the model's layout and the code that
  validates and builds. Any change gives a new key, so a stale database is
  never used.
* the *stat key* (``stat-KEY``, a small file naming a content key): a hash of
  the same files' paths, sizes, inodes, modification and change times, which
  costs a few system calls where the content key costs reading every byte.
  It is only recorded for files last changed well before they were read (two
  seconds, the coarsest file-system clock in use), so two edits within one
  clock tick cannot hide behind an unchanged time stamp: the "racy" case
  git's index guards against the same way.

The cache is an optimisation only: a folder that cannot be written, or a file
that cannot be read or does not match, is ignored and the YAML is parsed as
usual.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from typing import Any, NamedTuple

from . import __version__
from .loader import Folder, SourceFile, yaml_files

FORMAT = 2  # 1 was a JSON document per knowledge base
KEEP = 4  # databases kept (one per knowledge base in use); stat keys: KEEP * 4
RACY_NS = 2_000_000_000
_PACKAGE = os.path.dirname(os.path.realpath(__file__))
# Source files whose change must invalidate the cache even without a new version.
_CODE = ("model.py", "schema.py", "yamlsafe.py", "store.py", "search.py", "ask.py", "cache.py")


def folder() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ketaminfo")


def database(content_key: str) -> str:
    """Where the database of *content_key* is (or would be) kept."""
    return os.path.join(folder(), f"kb-{content_key}.sqlite")


def _blake2b():
    try:
        from _blake2 import blake2b  # hashlib's BLAKE2 without loading OpenSSL's bindings
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b
    return blake2b(digest_size=16)


def _header() -> bytes:
    from .model import Claim, Condition, Event, EventDate, EvidenceStatus, Note, Source, Term, Topic

    kinds = (Source, Note, Claim, Topic, EvidenceStatus, Condition, EventDate, Event, Term)
    header: list[Any] = [FORMAT, __version__, sys.version_info[:2], [[k.__name__, *k._fields] for k in kinds]]
    for name in _CODE:
        stat = os.stat(os.path.join(_PACKAGE, name))
        header.append([name, stat.st_size, stat.st_mtime_ns])
    return json.dumps(header).encode()


def key(layers: list[list[SourceFile]]) -> str:
    """The content key of a knowledge base read from *layers* (lowest first).

    The data mode needs no place of its own: it decides which layers are
    read, and each file is hashed with its layer's position."""
    digest = _blake2b()
    digest.update(_header())
    for number, files in enumerate(layers):
        for file in files:
            digest.update(f"\0{number}\0{file.name}\0{len(file.raw)}\0".encode())
            digest.update(file.raw)
    return digest.hexdigest()


class Stamp(NamedTuple):
    key: str
    changed: int  # the latest status-change time (ctime) of any file, in ns


def stamp(roots: list[Folder]) -> Stamp | None:
    """The stat key of the knowledge base in *roots*, or None when a folder is
    not on disk (a zipped installation) or cannot be listed."""
    digest = _blake2b()
    digest.update(_header())
    changed = 0
    try:
        for number, root in enumerate(roots):
            if not isinstance(root, str):
                return None
            for entry in yaml_files(root):
                st = entry.stat()
                digest.update(f"\0{number}\0{entry.path}\0{st.st_size}\0{st.st_ino}\0{st.st_dev}\0".encode())
                digest.update(f"{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_mode}".encode())
                changed = max(changed, st.st_ctime_ns)
    except OSError:
        return None
    return Stamp(digest.hexdigest(), changed)


def linked(stat_key: str) -> str | None:
    """The content key recorded for *stat_key*, if any."""
    try:
        with open(os.path.join(folder(), f"stat-{stat_key}"), encoding="ascii") as handle:
            content_key = handle.read(64)
    except (OSError, ValueError):
        return None
    return content_key if len(content_key) == 32 and all(c in "0123456789abcdef" for c in content_key) else None


def remember(found: Stamp, content_key: str, read_at: int) -> None:
    """Record that *found*'s files hold *content_key*, unless a file changed
    within ``RACY_NS`` of *read_at* (when the files were read).

    The change time (ctime) is the one to check: every write sets it, and
    unlike the modification time no tool can set it back. Once it is older
    than the coarsest clock tick, any later edit gives a new ctime, and so a
    new stat key."""
    if found.changed >= read_at - RACY_NS:
        return
    target = os.path.join(folder(), f"stat-{found.key}")
    _atomically(target, lambda path: _write_text(path, content_key))


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


def write(content_key: str, sections: dict[str, list[Any]]) -> str | None:
    """Build the database of *sections* and move it into place atomically;
    its path, or None if the folder cannot be written."""
    from . import store

    def build(path: str) -> None:
        store.build(sections, path, content_key).close()

    target = database(content_key)
    return target if _atomically(target, build) else None


def _atomically(target: str, make) -> bool:
    """Run *make* on a temporary file beside *target*, then rename it there."""
    temporary = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.{os.getpid()}.tmp")
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        make(temporary)
        os.replace(temporary, target)
    except (OSError, sqlite3.Error):  # an optimisation only: a read-only folder, a full disk
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False
    try:
        _prune(os.path.dirname(target))
    except OSError:  # another run pruning at the same time; the next write tries again
        pass
    return True


def discard(content_key: str) -> None:
    """Remove a database found damaged, so the next run builds it again."""
    try:
        os.unlink(database(content_key))
    except OSError:
        pass


def _prune(target: str) -> None:
    def newest_first(prefix: str, suffix: str = "") -> list[os.DirEntry]:
        found = [e for e in os.scandir(target) if e.name.startswith(prefix) and e.name.endswith(suffix)]
        return sorted(found, key=lambda e: e.stat().st_mtime_ns, reverse=True)

    old = newest_first("kb-", ".sqlite")[KEEP:] + newest_first("stat-")[KEEP * 4 :]
    old += newest_first("kb-", ".json")  # format 1
    for entry in old:
        os.unlink(entry.path)
