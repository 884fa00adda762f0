"""How a knowledge base gets from its files into a store: the load pipeline.

``from_cache`` finds the cached database of the files in some folders (by
their status, without reading them, when nothing changed), or reads and
hashes them and opens the database of that content, or, for the bundled
knowledge base, installs the one built into the wheel (``shipped``), or
parses and validates the files and keeps the result. ``library.load`` is
the public entry; ``build_shipped`` is what the wheel build calls.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from typing import Any

    from .store import Store


def from_cache(roots: list[Any]) -> Store | None:
    """The store of the knowledge base in *roots*, from the cache, built and
    saved there first if need be (kept in memory if the cache folder cannot
    be written). None if a file cannot be read: the caller's parse then
    reports that with every other problem, and nothing is cached."""
    import time

    from . import cache as saved
    from .store import Store, build

    if saved.usable_folder(create=True) is None:  # missing and not creatable, or not ours alone
        return None
    read_at = time.time_ns()
    stamp = saved.stamp(roots)
    if stamp is not None and (content_key := saved.linked(stamp.key)):
        found = open_cached(roots, content_key)
        if found is not None:  # nothing changed since the files were last read: no reading at all
            return found
    layers, problems = read_layers(roots)
    if problems:
        return None
    if stamp is not None and saved.stamp(roots) != stamp:  # a file came, went or changed while being read:
        stamp = None  # what was read may not be what the first stamp describes, so link neither to it
    content_key = saved.key(layers)
    found = open_cached(roots, content_key)
    if found is None and len(roots) == 1 and roots[0] == _bundled():
        from . import shipped

        if shipped.install(layers[0], content_key):  # built ahead, when the wheel was made
            found = open_cached(roots, content_key)
    if found is None:
        sections = parse(layers, [])
        if saved.write(content_key, sections) is not None:
            found = open_cached(roots, content_key)
        if found is None:
            return Store(build(sections))
    if stamp is not None:
        saved.remember(stamp, content_key, read_at)
    return found


def _bundled() -> Any:
    from .files import bundled_data

    return bundled_data()


def open_cached(roots: list[Any], content_key: str) -> Store | None:
    from . import cache as saved
    from .store import Store

    def recover():  # the file proved damaged part-way: forget it and rebuild in memory
        from .store import build

        saved.discard(content_key)
        return build(parse(*read_layers(roots)))

    path = saved.database(content_key)
    found = Store.open(path, content_key, recover) if saved.trusted_file(path) else None
    if found is not None:
        found._index = lambda store: saved.index(content_key, store)
    if found is not None:
        saved.opened.append(content_key)
    return found


def read_layers(roots: list[Any]) -> tuple[list[list[Any]], list[Any]]:
    """Every file's bytes, by layer, and the problems of files that cannot be read."""
    from .files import read_files

    layers, problems, size = [], [], 0
    for root in roots:
        files, unreadable = read_files(root, size)  # KnowledgeBaseError past the total size limit
        layers.append(files)
        problems += unreadable
        size += sum(len(file.raw) for file in files)
    return layers, problems


# A knowledge base at least this large, in at least this many files, is read
# by several processes at once (composing YAML is most of the first load).
PARALLEL_BYTES, PARALLEL_FILES = 4 * 1024 * 1024, 8


def parse(layers: list[list[Any]], problems: list[Any]) -> dict[str, list[Any]]:
    """Compose and validate the files of every layer (the slow path); raise
    ``KnowledgeBaseError`` with every problem, *problems* from reading included."""
    from .schema import combine, record

    problems = list(problems)
    read = []
    for files in layers:
        entries, found = _read_layer(files)
        for problem in found:
            record(problems, problem)
        read.append(entries)
    return combine(read, problems).sections()


def _read_layer(files: list[Any]) -> tuple[Any, list[Any]]:
    """One layer's entries and problems; a large layer's files are shared out,
    in order, among worker processes where the platform can fork."""
    from .schema import Entries

    workers = _workers(files)
    if workers < 2:
        return _read_files(files, portable=False)
    import multiprocessing

    size = -(-len(files) // workers)
    chunks = [files[n : n + size] for n in range(0, len(files), size)]
    with multiprocessing.get_context("fork").Pool(len(chunks)) as pool:
        results = pool.map(_read_chunk, chunks)
    entries, problems = Entries(), []
    for portable, found in results:
        entries.join(portable, problems)
        problems += found
    return entries, problems


def _workers(files: list[Any]) -> int:
    import sys

    if len(files) < PARALLEL_FILES or sum(len(f.raw) for f in files) < PARALLEL_BYTES:
        return 1
    if not sys.platform.startswith("linux"):  # fork is safe only where it is the platform's default
        return 1
    return min(os.cpu_count() or 1, 4)


def _read_chunk(files: list[Any]) -> tuple[Any, list[Any]]:
    return _read_files(files, portable=True)


def _read_files(files: list[Any], portable: bool) -> tuple[Any, list[Any]]:
    from .schema import read_layer
    from .yamlsafe import compose_all

    documents, problems = compose_all(files)
    entries = read_layer(documents, problems)
    return (entries.portable() if portable else entries), problems


def build_shipped(data: str, out: str) -> dict[str, str]:
    """Build the knowledge base in the folder *data* into *out* as the wheel
    ships it (see ``shipped``); the files written, by the name they are
    shipped under. Raises ``KnowledgeBaseError`` if it does not validate."""
    from . import shipped, store
    from .files import read_files

    files, problems = read_files(data)
    shipped_key = shipped.key(files)
    sections = parse([files], problems)
    base, index = os.path.join(out, shipped.BASE), os.path.join(out, shipped.INDEX)
    for path in (base, index):
        if os.path.exists(path):
            os.unlink(path)
    store.build(sections, base, shipped_key).close()
    built = store.Store.open(base, shipped_key)
    if built is None:  # pragma: no cover - it was written just now
        raise RuntimeError(f"cannot reopen {base}")
    store.build_index_file(index, shipped_key, built)
    built.close()
    return {shipped.BASE: base, shipped.INDEX: index}
