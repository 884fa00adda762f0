"""Find the knowledge-base folders and files, and read their bytes.

Nothing here parses YAML (that is ``yamlsafe``), so a run that finds its
knowledge base in the cache never imports PyYAML.
"""

from __future__ import annotations

import os

from ..errors import KnowledgeBaseError, Problem, UsageError
from ..records import record
from ..safetext import cut, quoted

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Iterator

# A folder: a path on disk (the usual case; os functions, no pathlib import on
# the hot path) or, for an installation that is not a plain folder, a Traversable.
Folder = "str | Traversable"  # written as a string: only type checkers read it

DATA_ENV = "KETAMINFO_DATA"
MODE_ENV = "KETAMINFO_DATA_MODE"
MODES = ("replace", "overlay")


class SourceFile(record("SourceFile", "name raw")):
    """A knowledge-base file's name (as messages show it) and its bytes."""

    __slots__ = ()
    # name: str
    # raw: bytes


def bundled_data() -> Folder:
    """The knowledge base shipped inside the package.

    A wheel carries it as ``ketaminfo/data``, found on disk beside this module
    or, for an installation that is not a plain folder (a zip), through
    importlib.resources. A source checkout or an editable install keeps it in
    ``data/`` beside the package.
    """
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # ketaminfo/
    for folder in (os.path.join(package, "data"), os.path.join(os.path.dirname(package), "data")):
        if os.path.isdir(folder):  # a wheel; a checkout: no need for importlib.resources (~5 ms)
            return folder
    from importlib.resources import files

    shipped = files("ketaminfo") / "data"
    if shipped.is_dir():
        return shipped
    raise KnowledgeBaseError(
        [Problem(str(shipped), None, None, "KB018", "the bundled knowledge base is missing")]
    )


def shipped_file(*parts: str) -> str | None:
    """A file shipped with the package (``docs/rules.md``, the JSON Schema):
    in a wheel it is inside the package; in a checkout, beside it."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # ketaminfo/
    for path in (os.path.join(package, *parts), os.path.join(os.path.dirname(package), *parts)):
        if os.path.isfile(path):
            return path
    return None


def data_layers(
    path: str | os.PathLike[str] | None = None, mode: str | None = None
) -> list[Folder]:
    """The folders to read, lowest layer first.

    The folder is *path*, else ``$KETAMINFO_DATA``, else the bundled knowledge
    base alone. *mode* (else ``$KETAMINFO_DATA_MODE``) is ``replace`` (the
    default: the folder is the whole knowledge base) or ``overlay`` (the
    folder is laid over the bundled knowledge base).
    """
    chosen = path if path is not None else os.environ.get(DATA_ENV) or None
    mode = mode or os.environ.get(MODE_ENV) or "replace"
    if mode not in MODES:
        raise UsageError(f"data mode {quoted(mode)} is not one of: {', '.join(MODES)} (check ${MODE_ENV})")
    if chosen is None:
        return [bundled_data()]
    folder = os.path.expanduser(os.fspath(chosen))
    if not os.path.isdir(folder):
        source = "" if path is not None else f" (the folder ${DATA_ENV} names)"
        problem = Problem(cut(folder), None, None, "KB018", f"no readable folder at this path{source}")  # perhaps 100 KB
        raise KnowledgeBaseError([problem])
    return [bundled_data(), folder] if mode == "overlay" else [folder]


def _is_yaml(name: str) -> bool:
    return name.endswith((".yaml", ".yml"))


MAX_FILE_BYTES = 2 * 1024 * 1024  # the size limit (KB003), checked before a file is read
# The size limit of a whole knowledge base, every layer's files together (KB003):
# about 1,900 times the bundled one's files. It loads in bounded memory (under
# 200 MB for 1000 times its entries, see README "Performance"), in a minute or two.
MAX_TOTAL_BYTES = 512 * 1024 * 1024


def yaml_files(root: str) -> list[os.DirEntry[str]]:
    """The ``*.yaml``/``*.yml`` files directly in the folder *root*, by name.

    A name that cannot be examined (a link loop, a link into a folder this
    user may not enter) is kept, so reading it reports the problem."""
    with os.scandir(root) as entries:
        return sorted((e for e in entries if _is_yaml(e.name) and _file_or_unknown(e)), key=lambda e: e.name)


def _file_or_unknown(entry: os.DirEntry[str]) -> bool:
    """A file, or a name that should be one but cannot be read (a link
    that loops or leads nowhere); not a folder, a device or a pipe."""
    try:
        if entry.is_file():
            return True
        if not entry.is_symlink():
            return False
        os.stat(entry.path)  # a link to something that exists, but is no file
        return False
    except OSError:
        return True


def _read_regular(path: str) -> bytes:
    """At most ``MAX_FILE_BYTES + 1`` bytes of the regular file *path*.

    Opened without blocking and checked once open, so a name swapped for a
    pipe or a device in the meantime cannot hang or flood the reader."""
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file")
        return handle.read(MAX_FILE_BYTES + 1)  # never more: a huge file is not read whole


def read_files(root: Folder, before: int = 0) -> tuple[list[SourceFile], list[Problem]]:
    """The bytes of every ``*.yaml``/``*.yml`` file directly in *root*, by name.

    Unreadable files become problems; a folder with none is KB018. Reading
    stops with ``KnowledgeBaseError`` (KB003) once the files, with the
    *before* bytes of the layers below, pass ``MAX_TOTAL_BYTES``.
    """
    problems: list[Problem] = []
    return list(iter_files(root, problems, [before])), problems


def iter_files(root: Folder, problems: list[Problem], total: list[int] | None = None) -> Iterator[SourceFile]:
    """``read_files`` one file at a time: each file's bytes are read when the
    caller asks for the file, and dropped when it moves on (a large knowledge
    base is never held whole). Problems are added to *problems* as found.
    *total* (one number, in a list) counts the bytes read, those of the
    layers below included: past ``MAX_TOTAL_BYTES``, reading stops with
    ``KnowledgeBaseError`` (KB003)."""
    found, before = 0, len(problems)
    total = total if total is not None else [0]

    def counted(file: SourceFile) -> SourceFile:
        total[0] += len(file.raw)
        if total[0] > MAX_TOTAL_BYTES:
            limit = MAX_TOTAL_BYTES // (1024 * 1024)
            raise KnowledgeBaseError([Problem(
                cut(str(root)), None, None, "KB003",
                f"the knowledge base is larger than the {limit} MiB limit for all its files together "
                f"(reading stopped at {os.path.basename(file.name)}); use fewer or smaller files")])
        return file

    if isinstance(root, str):
        try:
            entries = yaml_files(root)
        except OSError as exc:
            problems.append(Problem(root, None, None, "KB018", f"cannot list the folder: {exc.strerror}"))
            return
        for entry in entries:
            path = entry.path
            try:
                raw = _read_regular(path)
            except OSError as exc:
                problems.append(Problem(path, None, None, "KB018", f"cannot read file: {exc.strerror}"))
                continue
            if len(raw) > MAX_FILE_BYTES:
                limit = MAX_FILE_BYTES // (1024 * 1024)
                problems.append(Problem(path, None, None, "KB003", f"file is larger than the {limit} MiB limit"))
                continue
            found += 1
            yield counted(SourceFile(path, raw))
    else:
        files = sorted((f for f in root.iterdir() if _is_yaml(f.name) and f.is_file()), key=lambda f: f.name)
        for file in files:
            try:
                raw = file.read_bytes()
            except OSError as exc:
                problems.append(Problem(str(file), None, None, "KB018", f"cannot read file: {exc.strerror}"))
                continue
            found += 1
            yield counted(SourceFile(str(file), raw))
    if not found and len(problems) == before:
        problems.append(Problem(str(root), None, None, "KB018", "no .yaml files found"))
