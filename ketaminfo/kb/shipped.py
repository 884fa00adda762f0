"""The bundled knowledge base, built ahead: so the first run after install is fast.

Building the cache database on a first run means importing PyYAML, parsing
and validating every file and indexing the result: about 60 ms before the
first page. The wheel therefore carries the bundled knowledge base already
built (``hatch_build.py`` calls ``loading.build_shipped`` when the wheel
is made), and the
first run copies it into the cache instead of parsing the YAML.

It is used only when it provably matches: its key covers the bytes of every
bundled file and the source of the code that reads them and lays out the
database (``key``), computed again from the installed files before use. A
source checkout or an editable install has no shipped database and builds
its cache as before.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from typing import Any

# Where the wheel puts the prebuilt databases (a folder, not a module).
FOLDER = os.path.join(os.path.dirname(os.path.realpath(__file__)), "shipped-db")
BASE, INDEX = "kb.sqlite", "ix.sqlite"


def key(files: list[Any]) -> str:
    """The key of the bundled knowledge base read as *files*: each file's
    name and bytes, and the content of the code that turns them into a
    database (unlike the cache's key, no path or modification time, which
    differ from one installation to the next)."""
    from .cache import _CODE, _PACKAGE, FORMAT, _blake2b

    digest = _blake2b()
    digest.update(f"shipped\0{FORMAT}\0".encode())
    for name in _CODE:
        with open(os.path.join(_PACKAGE, name), "rb") as handle:
            digest.update(name.encode() + b"\0" + handle.read())
    for file in files:
        digest.update(b"\0" + os.path.basename(file.name).encode() + f"\0{len(file.raw)}\0".encode())
        digest.update(file.raw)
    return digest.hexdigest()


def install(files: list[Any], content_key: str) -> bool:
    """Copy the shipped databases into the cache as knowledge base
    *content_key*, if they were built from exactly *files* and this code.
    False if there are none, they do not match, or the cache cannot take them."""
    import sqlite3

    from . import cache, store

    base = os.path.join(FOLDER, BASE)
    if not os.path.isfile(base):
        return False
    shipped_key = key(files)
    found = store.Store.open(base, shipped_key)
    if found is None:
        return False
    found.close()

    def copy(source: str):
        def make(path: str) -> None:
            with open(source, "rb") as handle, open(path, "wb") as target:
                target.write(handle.read())
            db = sqlite3.connect(path)
            try:
                with db:
                    db.execute("UPDATE meta SET value = ? WHERE name = 'key'", (content_key,))
            finally:
                db.close()

        return make

    if not cache._atomically(cache.database(content_key), copy(base)):
        return False
    index = os.path.join(FOLDER, INDEX)
    if os.path.isfile(index):  # the search indexes too, so the first search is fast as well
        cache._atomically(cache.index_file(content_key), copy(index))
    return True


# In the repository the files point editors at ../ketaminfo/knowledge-base.schema.json;
# installed, they sit in ketaminfo/data/, one folder below the schema.
SCHEMA_LINE = "# yaml-language-server: $schema=../ketaminfo/knowledge-base.schema.json"
INSTALLED_SCHEMA_LINE = "# yaml-language-server: $schema=../knowledge-base.schema.json"


def installed_data(source: str, target: str) -> str:
    """Copy the knowledge-base files from *source* to *target* as the wheel
    installs them (``hatch_build.py``): with the JSON Schema line pointing
    where the schema will be."""
    os.makedirs(target, exist_ok=True)
    for name in sorted(os.listdir(source)):
        if not name.endswith((".yaml", ".yml")):
            continue
        with open(os.path.join(source, name), encoding="utf-8") as handle:
            text = handle.read()
        with open(os.path.join(target, name), "w", encoding="utf-8") as handle:
            handle.write(text.replace(SCHEMA_LINE, INSTALLED_SCHEMA_LINE, 1))
    return target
