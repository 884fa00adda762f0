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

The cache folder is untrusted: another user may have made it, or planted a
file in it. It is used only if it is a real folder (not a link) owned by the
user and writable by no one else; it is created private (0700) and every
file is written private (0600) through a new, randomly named temporary file
(``mkstemp``: never an existing path, never through a link), then renamed
into place. Files not owned by the user, or writable by others, are never
read. Temporary files left by an interrupted build are removed later.
"""

from __future__ import annotations

import os
import sys

from .. import __version__
from ..records import record
from .files import Folder, SourceFile, yaml_files

try:  # SQLite's C module alone: the sqlite3 package adds date adapters, whose datetime import costs a millisecond
    import _sqlite3 as sqlite3
except ImportError:  # pragma: no cover - a Python that builds sqlite3 another way
    import sqlite3

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

FORMAT = 2  # 1 was a JSON document per knowledge base
KEEP = 4  # databases kept (one per knowledge base in use); stat keys: KEEP * 4
RACY_NS = 2_000_000_000
_PACKAGE = os.path.dirname(os.path.realpath(__file__))
# Source files whose change must invalidate the cache even without a new version.
_CODE = ("model.py", "files.py", "schema.py", "merge.py", "yamlsafe.py", "store.py", "textindex.py", "phrases.py",
         "cache.py",
         "loading.py", "shipped.py")


TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".part"
STALE_NS = 3600 * 1_000_000_000  # a temporary file older than this was left by an interrupted run


def folder() -> str | None:
    """$XDG_CACHE_HOME/ketaminfo, else $HOME/.cache/ketaminfo; None (no
    cache) when neither is an absolute path. A relative XDG_CACHE_HOME is
    ignored, as the XDG specification says; an empty or relative HOME gives
    no cache, never one at /.cache or in the current folder."""
    found = _base()
    return os.path.join(found[0], "ketaminfo") if found else None


def _base() -> tuple[str, str | None] | None:
    """The folder caches go in, and the folder that must already exist for
    it to be made (the home folder; None for $XDG_CACHE_HOME)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return xdg, None
    home = os.environ.get("HOME")
    if home is None:  # unset: the account's home, as os.path.expanduser finds it
        home = os.path.expanduser("~")
    return (os.path.join(home, ".cache"), home) if os.path.isabs(home) else None


def _path(name: str) -> str:
    """Where the cache file *name* is (or would be). With no cache folder, a
    path under the null device: it never exists, so every use of it fails
    as for a missing file."""
    return os.path.join(folder() or os.devnull, name)


def _private(st: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (always true where
    there are no user ids)."""
    getuid = getattr(os, "getuid", None)
    return getuid is None or (st.st_uid == getuid() and not st.st_mode & 0o022)


def usable_folder(create: bool = False) -> str | None:
    """The cache folder if it may be trusted (created private if *create*),
    else None."""
    import stat as kinds

    found = _base()
    if found is None:
        return None
    path = os.path.join(found[0], "ketaminfo")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        if not create or (found[1] is not None and not os.path.isdir(found[1])):  # never make a home folder
            return None
        try:
            _make(path)
            st = os.lstat(path)
        except OSError:
            return None
    except OSError:
        return None
    return path if kinds.S_ISDIR(st.st_mode) and _private(st) else None


def _make(path: str) -> None:
    """Make the folder *path* and every missing folder above it, each
    private (0700), as the XDG specification asks."""
    parent = os.path.dirname(path)
    if parent != path and not os.path.isdir(parent):
        _make(parent)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass


def trusted_file(path: str) -> bool:
    """Whether *path* is a regular file (not a link) that this user owns and
    no one else can write."""
    import stat as kinds

    try:
        st = os.lstat(path)
    except OSError:
        return False
    return kinds.S_ISREG(st.st_mode) and _private(st)


def database(content_key: str) -> str:
    """Where the database of *content_key* is (or would be) kept."""
    return _path(f"kb-{content_key}.sqlite")


def _blake2b():
    try:
        from _blake2 import blake2b  # hashlib's BLAKE2 without loading OpenSSL's bindings
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b
    return blake2b(digest_size=16)


def _header() -> bytes:
    from .model import (
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
        Term,
        Topic,
    )

    kinds = (Source, Note, Claim, Topic, EvidenceStatus, Condition, EventDate, Event, Term, PhraseWords, CrisisSignal,
             ClaimMet, Figure)
    header: list[Any] = [FORMAT, __version__, sys.version_info[:2], [[k.__name__, *k._fields] for k in kinds]]
    for name in _CODE:
        stat = os.stat(os.path.join(_PACKAGE, name))
        header.append([name, stat.st_size, stat.st_mtime_ns])
    return repr(header).encode()


def key(layers: list[Iterable[SourceFile]]) -> str:
    """The content key of a knowledge base read from *layers* (lowest first).

    The data mode needs no place of its own: it decides which layers are
    read, and each file is hashed with its layer's position."""
    found = digest()
    for number, files in enumerate(layers):
        for file in files:
            add_file(found, number, file)
    return found.hexdigest()


def digest() -> Any:
    """A new hash for a content key (see ``key``), files added with ``add_file``."""
    found = _blake2b()
    found.update(_header())
    return found


def add_file(found: Any, number: int, file: SourceFile) -> None:
    """Add *file*, of layer *number*, to a content key's hash."""
    found.update(f"\0{number}\0".encode() + os.fsencode(file.name) + f"\0{len(file.raw)}\0".encode())
    found.update(file.raw)


class Stamp(record("Stamp", "key changed")):
    __slots__ = ()
    # key: str
    # changed: int - the latest status-change time (ctime) of any file, in ns


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
                digest.update(f"\0{number}\0".encode() + os.fsencode(entry.path))
                digest.update(f"\0{st.st_size}\0{st.st_ino}\0{st.st_dev}\0".encode())
                digest.update(f"{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_mode}".encode())
                changed = max(changed, st.st_ctime_ns)
    except OSError:
        return None
    return Stamp(digest.hexdigest(), changed)


def linked(stat_key: str) -> str | None:
    """The content key recorded for *stat_key*, if any."""
    path = _path(f"stat-{stat_key}")
    if usable_folder() is None or not trusted_file(path):
        return None
    try:
        with open(path, "rb") as handle:  # bytes: a text file would load the ascii codec, at every start
            content_key = handle.read(64).decode("ascii")
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
    target = _path(f"stat-{found.key}")
    _atomically(target, lambda path: _write_text(path, content_key))


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:  # the private temporary file mkstemp made
        handle.write(text)


def write(content_key: str, build: Callable[[str], sqlite3.Connection]) -> str | None:
    """Build the database of knowledge base *content_key* with *build* (given
    a path, it writes the database there) and move it into place
    atomically; its path, or None if the folder cannot be written."""
    target = database(content_key)
    return target if _atomically(target, lambda path: build(path).close()) else None


def index_file(content_key: str) -> str:
    """Where the full-text index database of *content_key* is (or would be) kept."""
    return _path(f"ix-{content_key}.sqlite")


def index(content_key: str, store: Any) -> str | None:
    """The path of the kept index database of *store* (knowledge base
    *content_key*), built and kept first if there is none; None if the
    cache folder cannot be used (the caller then builds it in memory)."""
    from . import store as stores

    target = index_file(content_key)
    if usable_folder() is not None and trusted_file(target):
        return target
    if _atomically(target, lambda path: stores.build_index_file(path, content_key, store)):
        return target
    return None


def _atomically(target: str, make) -> bool:
    """Run *make* on a new private temporary file in the cache folder, then
    rename it to *target*. False if the folder cannot be trusted or written."""
    import tempfile

    home = usable_folder(create=True)
    if home is None or os.path.dirname(target) != home:
        return False
    try:
        handle, temporary = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=home)  # 0600, O_EXCL
    except OSError:
        return False
    os.close(handle)
    done = False
    try:
        make(temporary)
        os.replace(temporary, target)
        done = True
    except (OSError, sqlite3.Error):  # an optimisation only: a read-only folder, a full disk
        return False
    finally:
        if not done:  # also on Ctrl-C: leave nothing half-written behind
            try:
                os.unlink(temporary)
            except OSError:
                pass
    try:
        _prune(home)
    except OSError:  # another run pruning at the same time; the next write tries again
        pass
    return True


def read_note(name: str, limit: int = 1 << 20) -> str | None:
    """The text kept under *name* in the cache folder (see ``write_note``),
    if the folder and the file may be trusted; else None."""
    path = _path(name)
    if usable_folder() is None or not trusted_file(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(limit + 1)
    except (OSError, ValueError):
        return None
    from ..safetext import clean

    lines = text.split("\n")
    return text if len(text) <= limit and all(clean(line) for line in lines) else None


def write_note(name: str, text: str) -> None:
    """Keep *text* (such as a help screen) under *name* in the cache folder,
    privately and atomically; silently nothing if the folder cannot be used."""

    def make(path: str) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)

    _atomically(_path(name), make)


#: Content keys of the databases this process has opened (see ``forget_opened``).
opened: list[str] = []


def forget_opened() -> bool:
    """Discard every database this process opened; False if there was none.

    A database that decodes but then breaks a page (a damaged row that still
    parses) is damage like any other: the caller runs again from the files."""
    found = bool(opened)
    while opened:
        discard(opened.pop())
    return found


def discard(content_key: str) -> None:
    """Remove a database found damaged, so the next run builds it again."""
    for path in (database(content_key), index_file(content_key)):
        try:
            os.unlink(path)
        except OSError:
            pass


def _prune(target: str) -> None:
    def newest_first(prefix: str, suffix: str = "") -> list[os.DirEntry]:
        found = [e for e in os.scandir(target) if e.name.startswith(prefix) and e.name.endswith(suffix)]
        return sorted(found, key=lambda e: e.stat().st_mtime_ns, reverse=True)

    old = newest_first("kb-", ".sqlite")[KEEP:] + newest_first("ix-", ".sqlite")[KEEP:]
    old += newest_first("stat-")[KEEP * 4 :] + newest_first("note-")[KEEP * 16 :]
    old += newest_first("kb-", ".json")  # format 1
    import time

    now = time.time_ns()
    old += [e for e in newest_first(TEMP_PREFIX) if now - e.stat().st_mtime_ns > STALE_NS]
    for entry in old:
        os.unlink(entry.path)
