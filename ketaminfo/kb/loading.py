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
    from collections.abc import Iterator
    from typing import Any

    from .store import Store


def from_cache(roots: list[Any]) -> Store | None:
    """The store of the knowledge base in *roots*, from the cache, built and
    saved there first if need be (built apart if the cache folder cannot be
    written). None if a file cannot be read: the caller's parse then
    reports that with every other problem, and nothing is cached."""
    import time

    from . import cache as saved
    from .store import Store

    if saved.usable_folder(create=True) is None:  # missing and not creatable, or not ours alone
        return None
    read_at = time.time_ns()
    stamp = saved.stamp(roots)
    if stamp is not None and (content_key := saved.linked(stamp.key)):
        found = open_cached(roots, content_key)
        if found is not None:  # nothing changed since the files were last read: no reading at all
            return found
    layers, problems = read_layers(roots)
    content_key = saved.key(layers)  # every file read (and hashed) once, none kept
    if problems:
        return None
    if stamp is not None and saved.stamp(roots) != stamp:  # a file came, went or changed while being read:
        stamp = None  # what was read may not be what the first stamp describes, so link neither to it
    found = open_cached(roots, content_key)
    if found is None and len(roots) == 1 and roots[0] == _bundled():
        from . import shipped

        if shipped.install(list(layers[0]), content_key):  # built ahead, when the wheel was made
            found = open_cached(roots, content_key)
    if found is None:
        if saved.write(content_key, lambda path: parse(*read_layers(roots), path, content_key, True)) is not None:
            found = open_cached(roots, content_key)
        if found is None:  # the folder could not take it, or the files changed while read
            return Store(parse(*read_layers(roots)))
    if stamp is not None:
        saved.remember(stamp, content_key, read_at)
    return found


def _bundled() -> Any:
    from .files import bundled_data

    return bundled_data()


def open_cached(roots: list[Any], content_key: str) -> Store | None:
    from . import cache as saved
    from .store import Store

    def recover():  # the file proved damaged part-way: forget it and rebuild apart
        saved.discard(content_key)
        return parse(*read_layers(roots))

    path = saved.database(content_key)
    found = Store.open(path, content_key, recover) if saved.trusted_file(path) else None
    if found is not None:
        found._index = lambda store: saved.index(content_key, store)
    if found is not None:
        saved.opened.append(content_key)
    return found


class Layer:
    """The files of one folder, read one at a time each time the layer is
    gone through (see ``files.iter_files``)."""

    def __init__(self, root: Any, problems: list[Any], below: list[Layer]) -> None:
        self.root, self.problems, self.below = root, problems, below
        self.read = 0  # bytes of its files, as last gone through

    def __iter__(self) -> Iterator[Any]:
        """Its files, one at a time; ``KnowledgeBaseError`` (KB003) once they
        and the layers below pass the size limit of a whole knowledge base."""
        from .files import iter_files

        total = [sum(layer.read for layer in self.below)]
        start = total[0]
        for file in iter_files(self.root, self.problems, total):
            self.read = total[0] - start
            yield file

    def size(self) -> tuple[int, int]:
        """How many files the folder holds, and their bytes (0, 0 if unknown)."""
        from .files import yaml_files

        if not isinstance(self.root, str):
            return 0, 0
        try:
            found = yaml_files(self.root)
            return len(found), sum(entry.stat().st_size for entry in found)
        except OSError:
            return 0, 0


def read_layers(roots: list[Any]) -> tuple[list[Layer], list[Any]]:
    """Every layer's files, read as each layer is gone through (the layers in
    order: the size limit counts a layer's files with those below), and the
    list the problems of files that cannot be read are added to as they are."""
    problems: list[Any] = []
    layers: list[Layer] = []
    for root in roots:
        layers.append(Layer(root, problems, list(layers)))
    return layers, problems


# A knowledge base at least this large, in at least this many files, is read
# by several processes at once (composing YAML is most of the first load).
PARALLEL_BYTES, PARALLEL_FILES = 4 * 1024 * 1024, 8
WINDOW = 2  # files handed to each worker ahead of the one being stored


def parse(layers: list[Any], problems: list[Any], path: str = "", key: str = "", verify: bool = False) -> Any:
    """Compose and validate the files of every layer (the slow path), writing
    each file's entries into a new database at *path* (by default a private
    temporary one) as it is read, and return the database once the whole
    knowledge base validates. Raise ``KnowledgeBaseError`` with every
    problem, *problems* (those of reading the files, filled as they are
    read) included.

    Only what the checks across files need of each entry is kept (see
    ``merge.Merged``); entries go to the database file by file. With
    *verify*, the files read must hold knowledge base *key* (``cache.key``):
    if they changed since it was computed, ``OSError`` is raised."""
    from . import cache
    from .merge import DROP, Merged
    from .store import KEPT, Builder, ClaimRows

    merged = Merged(problems)
    digest = cache.digest() if verify else None
    builder: Builder | None = None
    finishing: _Finishing | None = None
    try:
        for number, files in enumerate(layers):
            merged.start_layer()
            if builder is not None:
                builder.layer()
            for found in _read_each(files, number, digest):
                merged.add_file(found)
                batch = []
                for section, outline, encoded in found.entries:
                    # The phrase sections' entries are kept whole (their rows), checked together at the end.
                    action, position = merged.add(section, outline, encoded[0] if section in KEPT else None)
                    if action != DROP:
                        batch.append((action, section, outline[0], position, encoded))
                if not merged.failed:  # once a problem is certain, nothing more is written
                    builder = builder or Builder(path)
                    builder.put(batch)
                    builder.synonyms(_synonym_pairs(found.synonyms))
        merged.end()
        claims: list[Any] = []  # kept here only when the store is finished below (no entries: none)
        if builder is not None and not merged.failed:
            # The store is finished (mostly sorting, in SQLite, which leaves
            # Python free) while the checks across files run; the claims
            # people meet go to it as the checks compile their phrases.
            finishing = _Finishing(builder, list(merged.events()), merged.about, merged.phrases(), key)
        rows = ClaimRows(claims.append if finishing is None else finishing.send)
        merged.finish(None if merged.failed else rows.add)  # failed: it raises, nothing is kept
        rows.close()
        if digest is not None and digest.hexdigest() != key:
            raise OSError("the knowledge base changed while it was read")
        if finishing is None:
            builder = builder or Builder(path)
            db = builder.finish(merged.events(), merged.about, merged.phrases(), claims, key)
        else:
            db = finishing.result()
        builder = None
        return db
    finally:
        if finishing is not None and finishing.is_alive():  # a problem, or Ctrl-C: stop it
            finishing.stop()
        merged.close()
        if builder is not None:
            builder.db.close()


class _Finishing:
    """``Builder.finish`` run in a thread of its own, given the rows of the
    claims people meet as they are made (``send``; ``result`` says there
    are no more)."""

    WAITING = 4  # batches of claim rows made and not yet stored, at most

    def __init__(self, builder: Any, events: list[str], about: Any, phrases: dict[str, list[Any]], key: str) -> None:
        import queue
        import threading

        self.builder, self._db, self._error = builder, None, None
        self._claims: queue.Queue[Any] = queue.Queue(self.WAITING)
        self._thread = threading.Thread(target=self._run, args=(events, about, phrases, key), daemon=True)
        self._thread.start()

    def _run(self, events: list[str], about: Any, phrases: dict[str, list[Any]], key: str) -> None:
        try:
            self._db = self.builder.finish(events, about, phrases, iter(self._claims.get, None), key)
        except BaseException as exc:  # raised again in the thread that asks for the result
            self._error = exc

    def send(self, batch: Any) -> None:
        """Hand *batch* to the thread (None: no more), waiting while it has
        ``WAITING``; dropped if the thread has ended (its error is ``result``'s)."""
        import queue

        while self._thread.is_alive():
            try:
                self._claims.put(batch, timeout=0.5)
                return
            except queue.Full:
                continue

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """End the thread early (a problem, or Ctrl-C), whatever it was doing."""
        self.builder.db.interrupt()
        self.send(None)
        self._thread.join()

    def result(self) -> Any:
        self.send(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._db


def _synonym_pairs(groups: list[Any]) -> Any:
    from .textindex import synonym_pairs

    return synonym_pairs(groups, ())


def _read_each(files: Any, number: int, digest: Any) -> Iterator[Any]:
    """What each file of a layer holds (``schema.FileEntries``, its entries
    made ready for the store), in order. A large layer's files are shared
    out among worker processes where the platform can fork, a few at a time
    so that no more than a few files' entries wait to be stored."""
    from . import cache

    def read() -> Iterator[Any]:
        for file in files:
            if digest is not None:
                cache.add_file(digest, number, file)
            yield file

    workers = _workers(files)
    if workers < 2:
        for file in read():
            yield _read_file(file)
        return
    import multiprocessing
    from collections import deque

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        waiting: deque[Any] = deque()
        for file in read():
            waiting.append(pool.apply_async(_read_file, (file,)))
            if len(waiting) > workers * WINDOW:
                yield waiting.popleft().get()
        while waiting:
            yield waiting.popleft().get()


def _workers(files: Any) -> int:
    import sys

    count, size = files.size() if hasattr(files, "size") else (len(files), sum(len(f.raw) for f in files))
    if count < PARALLEL_FILES or size < PARALLEL_BYTES:
        return 1
    if not sys.platform.startswith("linux"):  # fork is safe only where it is the platform's default
        return 1
    return min(os.cpu_count() or 1, 4)


def _read_file(file: Any) -> Any:
    """One file's entries and problems (``schema.FileEntries``), each entry
    as (section, its ``merge.packed`` outline, its ``store.encode``d form):
    plain data, quick to send back from a worker process."""
    from .merge import outline, packed
    from .schema import read_file
    from .store import encode

    found = read_file(file)
    found.entries = [(section, packed(outline(section, entry, place)), encode(section, entry))
                     for section, entry, place in found.entries]
    return found


def build_shipped(data: str, out: str) -> dict[str, str]:
    """Build the knowledge base in the folder *data* into *out* as the wheel
    ships it (see ``shipped``); the files written, by the name they are
    shipped under. Raises ``KnowledgeBaseError`` if it does not validate."""
    from . import shipped, store
    from .files import read_files

    files, problems = read_files(data)
    shipped_key = shipped.key(files)
    base, index = os.path.join(out, shipped.BASE), os.path.join(out, shipped.INDEX)
    for path in (base, index):
        if os.path.exists(path):
            os.unlink(path)
    parse([files], problems, base, shipped_key).close()
    built = store.Store.open(base, shipped_key)
    if built is None:  # pragma: no cover - it was written just now
        raise RuntimeError(f"cannot reopen {base}")
    store.build_index_file(index, shipped_key, built)
    built.close()
    return {shipped.BASE: base, shipped.INDEX: index}
