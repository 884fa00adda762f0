"""Find the knowledge-base folders and files, and read their bytes.

Nothing here parses YAML (that is ``yamlsafe``), so a run that finds its
knowledge base in the cache never imports PyYAML.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .errors import KnowledgeBaseError, Problem, UsageError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

DATA_ENV = "KETAMINFO_DATA"
MODE_ENV = "KETAMINFO_DATA_MODE"
MODES = ("replace", "overlay")


class SourceFile(NamedTuple):
    """A knowledge-base file's name (as messages show it) and its bytes."""

    name: str
    raw: bytes


def bundled_data() -> Traversable | Path:
    """The knowledge base shipped inside the package.

    A wheel carries it as ``ketaminfo/data``, found on disk beside this module
    or, for an installation that is not a plain folder (a zip), through
    importlib.resources. A source checkout or an editable install keeps it in
    ``data/`` beside the package.
    """
    package = Path(__file__).resolve().parent
    for folder in (package / "data", package.parent / "data"):  # a wheel; a checkout
        if folder.is_dir():  # either way, no need to import importlib.resources (~5 ms)
            return folder
    from importlib.resources import files

    shipped = files("ketaminfo") / "data"
    if shipped.is_dir():
        return shipped
    raise KnowledgeBaseError(
        [Problem(str(shipped), None, None, "KB018", "the bundled knowledge base is missing")]
    )


def data_layers(
    path: str | os.PathLike[str] | None = None, mode: str | None = None
) -> list[Traversable | Path]:
    """The folders to read, lowest layer first.

    The folder is *path*, else ``$KETAMINFO_DATA``, else the bundled knowledge
    base alone. *mode* (else ``$KETAMINFO_DATA_MODE``) is ``replace`` (the
    default: the folder is the whole knowledge base) or ``overlay`` (the
    folder is laid over the bundled knowledge base).
    """
    chosen = path if path is not None else os.environ.get(DATA_ENV) or None
    mode = mode or os.environ.get(MODE_ENV) or "replace"
    if mode not in MODES:
        raise UsageError(f"data mode {mode!r} is not one of: {', '.join(MODES)} (check ${MODE_ENV})")
    if chosen is None:
        return [bundled_data()]
    folder = Path(chosen).expanduser()
    if not folder.is_dir():
        source = "--data" if path is not None else f"${DATA_ENV}"
        raise KnowledgeBaseError(
            [Problem(str(folder), None, None, "KB018", f"{source} names no readable directory")]
        )
    return [bundled_data(), folder] if mode == "overlay" else [folder]


def yaml_files(root: Traversable | Path) -> list[Traversable]:
    """The ``*.yaml`` and ``*.yml`` files directly inside *root*, sorted by name."""
    found = [f for f in root.iterdir() if f.name.endswith((".yaml", ".yml")) and f.is_file()]
    if not found:
        raise KnowledgeBaseError([Problem(str(root), None, None, "KB018", "no .yaml files found")])
    return sorted(found, key=lambda f: f.name)


def read_files(root: Traversable | Path) -> tuple[list[SourceFile], list[Problem]]:
    """The bytes of every YAML file in *root*; unreadable files become problems."""
    found: list[SourceFile] = []
    problems: list[Problem] = []
    for file in yaml_files(root):
        try:
            found.append(SourceFile(str(file), file.read_bytes()))
        except OSError as exc:
            problems.append(Problem(str(file), None, None, "KB018", f"cannot read file: {exc.strerror}"))
    return found, problems
