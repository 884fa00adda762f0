"""Whether a reader's own words call for crisis help.

Every path that takes free text (``ask``, ``search``, ``check``, a name, a
mistyped command) asks this first, and shows where to find help before
anything else when it says so, whether or not anything else matched. The
words that call for help are knowledge, kept in the knowledge base's
``crisis`` and ``phrase-words`` sections as phrases (see ``phrases``) and
validated with it; their compiled form is kept in the store.

The bundled phrases always apply: a knowledge base of one's own (replacing
or overlaying the bundled one) can add phrases, never take any away.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from .library import KnowledgeBase
    from .phrases import Matcher
    from .store import Store


class Crisis(namedtuple("Crisis", "signals kinds withhold")):
    """What was found: the ids of the phrase groups that matched, their
    kinds, and whether the words ask for a harmful amount (then no answer is
    given, only help)."""

    __slots__ = ()
    # signals: tuple[str, ...]
    # kinds: tuple[str, ...]
    # withhold: bool


def check(kb: KnowledgeBase | None, text: str) -> Crisis | None:
    """The crisis phrases *text* holds, or None. *kb* None: the bundled
    knowledge base's phrases alone (for when a knowledge base of one's own
    cannot be read)."""
    signals: dict[str, tuple[str, bool]] = {}
    for store in _stores(kb):
        for name, signal in _found(store, text):
            signals.setdefault(name, signal)
    if not signals:
        return None
    return Crisis(
        tuple(signals),
        tuple(dict.fromkeys(kind for kind, _ in signals.values())),
        any(withhold for _, withhold in signals.values()),
    )


def _stores(kb: KnowledgeBase | None) -> list[Store]:
    stores = [kb.store] if kb is not None else []
    if kb is None or not kb.bundled:
        from ..errors import KetaminfoError
        from .files import bundled_data
        from .library import load

        try:
            stores.append(load(bundled_data()).store)
        except KetaminfoError:  # pragma: no cover - the bundled knowledge base validates (tested)
            pass
    return stores


def _found(store: Store, text: str) -> list[tuple[str, tuple[str, bool]]]:
    """(name, (kind, withhold)) of each crisis phrase of *store* in *text*.
    Compiled phrases read back from a damaged (or planted) database break
    when used: the database is then read again from the files, once."""
    from ..errors import DAMAGE
    from .store import sqlite3  # the module the store reads with (loaded with it)

    while True:
        try:
            matcher, kinds = _matcher(store)
            return [(name, kinds.get(name, ("topic", False))) for name in matcher.find(text)]  # type: ignore[misc]
        except (*DAMAGE, sqlite3.DatabaseError):
            if not store.recover():  # once only: a second failure is raised
                raise


def _matcher(store: Store) -> tuple[Matcher, dict[str, tuple[str, bool]]]:
    """The store's compiled crisis phrases, read once per run."""
    found = getattr(store, "_crisis", None)
    if found is None:
        from .phrases import matcher

        kept = store.meta_value("crisis") or {"classes": {}, "typo_words": [], "unlike": [], "phrases": []}
        found = matcher(kept), {name: tuple(value) for name, value in kept.get("signals", {}).items()}
        store._crisis = found  # type: ignore[attr-defined]
    return found
