"""Read knowledge-base files into YAML node trees, safely.

Files are untrusted input. They are only ever *composed* into nodes by a safe
loader (libyaml's when present): no tag is ever constructed into an object,
so nothing in a file can run. Aliases, unknown tags, deep nesting, oversized
files and bad encodings are refused here, each with its file and line.
"""

from __future__ import annotations

import re
from operator import is_
from typing import NamedTuple

import yaml

from ..errors import KnowledgeBaseError, Problem
from ..safetext import quoted
from .files import MAX_FILE_BYTES, SourceFile

try:  # libyaml is several times faster; both loaders are safe ones
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"
# Tags a plain scalar may be given that mean nothing here: every value is
# read from its text (see ``schema``), and all of these are allowed.
_AS_TEXT = {f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float", "bool", "timestamp")}
# First characters of plain scalars that may mean something else: null, or a
# tag ``_check_graph`` refuses (the merge key <<, =, and ! & * alone).
_CAREFUL = {
    first for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
    if any(tag not in _AS_TEXT for tag, _ in resolvers)
}


class _Loader(_SafeLoader):  # type: ignore[misc,valid-type]
    """The safe loader, resolving the tag of a plain scalar only where the tag
    matters: null, or one that is refused.

    Resolving a plain scalar's tag (is "yes" a bool? is "1962" an int?)
    runs regular expressions in Python for every scalar of every file; the
    answer is the same text either way, except for those."""

    def resolve(self, kind, value, implicit):  # type: ignore[no-untyped-def]
        if kind is yaml.ScalarNode and implicit[0] and value[:1] not in _CAREFUL and None not in _CAREFUL:
            return _STR
        return super().resolve(kind, value, implicit)

    # The composer calls these for every node to follow path resolvers, of
    # which the safe loader has none: two calls into Python per node, made
    # into calls of C functions that do nothing to speak of.
    if not _SafeLoader.yaml_path_resolvers:
        descend_resolver = is_  # (parent, index) -> a bool, unused
        ascend_resolver = int  # () -> 0, unused


MAX_DEPTH = 32
MAX_NODES = 500_000

_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


class Document(NamedTuple):
    """One YAML file, composed into nodes; ``name`` is how messages refer to it."""

    name: str
    root: yaml.Node | None


def compose_all(files: list[SourceFile]) -> tuple[list[Document], list[Problem]]:
    """Compose every file; a bad file is skipped and its problems returned, so
    one bad file does not hide the problems of the others."""
    documents: list[Document] = []
    problems: list[Problem] = []
    for file in files:
        try:
            documents.append(compose(file.raw, file.name))
        except KnowledgeBaseError as exc:
            problems.extend(exc.problems)
    return documents, problems


def compose(raw: bytes, name: str) -> Document:
    """Decode *raw* as UTF-8 and compose it into a checked YAML node tree."""
    text = _decode(raw, name)
    deep = _flow_depth_exceeded(text)
    if deep is not None:  # refused before the parser sees it: deep enough nesting can crash libyaml
        line, column = deep
        raise KnowledgeBaseError([Problem(name, line, column, "KB005", f"nested more than {MAX_DEPTH} levels deep")])
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = exc.problem or str(exc)
        start = exc.context_mark
        if exc.context and start and (start.line, start.column) != (mark.line, mark.column):
            message += f" ({exc.context}, which starts at line {start.line + 1}, column {start.column + 1})"
        if mark and _tab_near(text, mark.line, mark.column):
            message = "a tab character; indent YAML with spaces only"
        raise KnowledgeBaseError([Problem(name, line, col, "KB001", f"not valid YAML: {message}")]) from None
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError([Problem(name, None, None, "KB001", f"not valid YAML: {exc}")]) from None
    if root is not None:
        _check_graph(root, name)
    return Document(name, root)


# Quoted scalars and comments, whose brackets are text, not nesting.
_NOT_STRUCTURE = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\n]|\'\')*\'|(?:^|(?<=\s))#[^\n]*', re.MULTILINE)
_BRACKETS = re.compile(r"[\[\]{}]")


def _flow_depth_exceeded(text: str) -> tuple[int, int] | None:
    """Where ``[``/``{`` nesting first goes deeper than the limit allows, as
    (line, column), or None. A cheap scan of the text, so that a file of
    40,000 opening brackets is refused without being parsed."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    structure = _NOT_STRUCTURE.sub(lambda m: " " * len(m.group(0)), text)
    depth = 0
    for match in _BRACKETS.finditer(structure):
        depth = depth + 1 if match.group(0) in "[{" else max(0, depth - 1)
        if depth > MAX_DEPTH:
            start = match.start()
            line = structure.count("\n", 0, start) + 1
            return line, start - (structure.rfind("\n", 0, start) + 1) + 1
    return None


def _tab_near(text: str, line: int, column: int) -> bool:
    """Whether the error position is in a line's indentation that holds a tab."""
    lines = text.splitlines()
    if line >= len(lines):
        return False
    head = lines[line][: column + 1]
    return "\t" in head and not head.strip(" \t-")


def _decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise KnowledgeBaseError(
            [Problem(name, None, None, "KB003", f"file is larger than the {limit} MiB limit")]
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise KnowledgeBaseError(
            [Problem(name, 1, 1, "KB002", "file is UTF-16; save it as UTF-8 (without a byte-order mark)")]
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raise KnowledgeBaseError(
            [Problem(name, 1, 1, "KB002", "file starts with a byte-order mark; save it as UTF-8 without one")]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise KnowledgeBaseError(
            [Problem(name, line, column, "KB002", f"bytes that are not UTF-8 ({raw[exc.start:exc.end]!r})")]
        ) from None


def _check_graph(root: yaml.Node, name: str) -> None:
    """Refuse aliases, non-standard tags and runaway size before anything reads values.

    Composition never expands an alias (it shares the node), so walking the
    graph once with a seen-set is linear even for an "alias bomb". The walk
    takes a node's children as one list, level by level, which keeps it
    cheap for the hundreds of thousands of nodes of a large knowledge base.
    """
    seen: set[int] = set()
    add = seen.add
    count = 0
    stack: list[tuple[list[yaml.Node], int]] = [([root], 1)]
    mapping = yaml.MappingNode
    while stack:
        nodes, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise KnowledgeBaseError([_at(name, nodes[0], "KB005", f"nested more than {MAX_DEPTH} levels deep")])
        count += len(nodes)
        if count > MAX_NODES:
            raise KnowledgeBaseError([_at(name, nodes[0], "KB005", f"more than {MAX_NODES} values in one file")])
        for node in nodes:
            key = id(node)
            if key in seen:
                raise KnowledgeBaseError(
                    [_at(name, node, "KB004", "this value is reused through an alias (*); anchors and aliases are not allowed")]
                )
            add(key)
            if node.tag not in _STANDARD_TAGS:
                raise KnowledgeBaseError([_at(name, node, "KB004", f"YAML tag {quoted(node.tag)} is not allowed")])
            value = node.value
            if value and type(value) is list:
                stack.append(([n for pair in value for n in pair] if isinstance(node, mapping) else value, depth + 1))


def _at(name: str, node: yaml.Node, code: str, message: str) -> Problem:
    mark = node.start_mark
    return Problem(name, mark.line + 1, mark.column + 1, code, message)
