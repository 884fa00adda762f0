"""Hostile input, second round: no stale cache, nothing written through a
link, no false success.

One test (at least) per problem the second adversarial review found, in its
order: a stale cache, the export manifest, export paths that cannot be
checked, a closed standard output, Ctrl-C during an export, invisible
characters, where the cache goes, an empty pager, over-long values, the size
of a knowledge base, and short writes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ketaminfo.kb import cache, load, loading

from .conftest import FIXTURE_KB

POSIX = hasattr(os, "getuid")
posix_only = pytest.mark.skipif(not POSIX, reason="needs POSIX links and permissions")
LATE_TOPIC = ("topics:\n  - id: late\n    title: Late\n    summary: Added while the others were read.\n"
              "    points:\n      - {text: It came late., evidence: established, sources: [art-one]}\n")


@pytest.fixture
def kb_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the copied files are new: let their stat key be recorded
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, root)
    return root


# --- 1. A file that changes while the files are read is never recorded under the old stamp ------


def _inside_the_read(monkeypatch, change) -> None:
    """Run *change* once, after the loader stamps the files and before it reads them."""
    real = loading.read_layers

    def racing(roots):
        monkeypatch.setattr(loading, "read_layers", real)
        change()
        return real(roots)

    monkeypatch.setattr(loading, "read_layers", racing)


def test_a_file_added_while_the_files_are_read_is_not_served_once_it_is_gone(kb_copy, monkeypatch):
    late = kb_copy / "late.yaml"
    _inside_the_read(monkeypatch, lambda: late.write_text(LATE_TOPIC, encoding="utf-8"))
    assert "late" in load(kb_copy).topics.ids()  # what was read: the new set of files
    late.unlink()  # the old set again, every file's status as it was at the first stamp
    assert "late" not in load(kb_copy).topics.ids()
    assert "late" not in load(kb_copy).topics.ids()  # and not on a later run either


@posix_only
def test_a_folder_link_flipped_while_the_files_are_read_is_not_served_once_flipped_back(kb_copy, tmp_path,
                                                                                       monkeypatch):
    other = tmp_path / "other"
    shutil.copytree(kb_copy, other)
    (other / "late.yaml").write_text(LATE_TOPIC, encoding="utf-8")
    link = tmp_path / "current"
    link.symlink_to(kb_copy)

    def flip(target: Path) -> None:
        (tmp_path / "next").symlink_to(target)
        os.replace(tmp_path / "next", link)

    _inside_the_read(monkeypatch, lambda: flip(other))
    assert "late" in load(link).topics.ids()
    flip(kb_copy)
    assert "late" not in load(link).topics.ids()
