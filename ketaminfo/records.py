"""Records: named, immutable tuples, made without compiling code up front.

``collections.namedtuple`` writes out and compiles the source of each
class's ``__new__`` as the class is made: about a tenth of a millisecond a
class, and a lookup makes some twenty of them at every start. ``record``
makes the same kind of class (a tuple subclass with the same fields,
defaults, properties, ``_fields``, ``_field_defaults``, ``_make``,
``_replace``, ``_asdict``, repr, pattern matching and pickling) whose
``__new__`` takes every field in order as it is; the first call that names
a field or leaves one to its default compiles namedtuple's ``__new__`` for
that class. Most classes are never called so on a given run.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

try:
    from _collections import _tuplegetter  # the fast field accessor namedtuple uses
except ImportError:  # pragma: no cover - another Python
    from operator import itemgetter

    def _tuplegetter(index: int, doc: str) -> Any:
        return property(itemgetter(index), doc=doc)


_new = tuple.__new__


def record(typename: str, field_names: str, defaults: Iterable[Any] = ()) -> type:
    """A tuple subclass named *typename* whose fields are *field_names*
    (separated by spaces), the last of them defaulting to *defaults*; used
    as ``collections.namedtuple`` is."""
    fields = tuple(field_names.split())
    count = len(fields)
    defaults = tuple(defaults)
    required = count - len(defaults)

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if not kwargs and len(args) == count:  # every field, in order: the call reading rows makes
            return _new(cls, args)
        # Any other call: compile the __new__ namedtuple would have (named
        # arguments, defaults), once, for the classes that are called so.
        made = eval(f"lambda _cls, {', '.join(fields)}: _new(_cls, ({', '.join(fields)},))", {"_new": _new})
        made.__name__, made.__qualname__, made.__defaults__ = "__new__", f"{typename}.__new__", defaults or None
        base.__new__ = staticmethod(made)
        return made(cls, *args, **kwargs)

    def _make(cls, iterable: Iterable[Any]) -> Any:
        made = _new(cls, iterable)
        if len(made) != count:
            raise TypeError(f"Expected {count} arguments, got {len(made)}")
        return made

    def _replace(self, **changes: Any) -> Any:
        made = self._make(map(changes.pop, fields, self))
        if changes:
            raise ValueError(f"Got unexpected field names: {list(changes)!r}")
        return made

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{name}={value!r}' for name, value in zip(fields, self))})"

    def _asdict(self) -> dict[str, Any]:
        return dict(zip(fields, self))

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(self)

    namespace: dict[str, Any] = {
        "__slots__": (),
        "__doc__": f"{typename}({', '.join(fields)})",
        "__new__": __new__,
        "__repr__": __repr__,
        "__getnewargs__": __getnewargs__,
        "__match_args__": fields,
        "_fields": fields,
        "_field_defaults": dict(zip(fields[required:], defaults)),
        "_make": classmethod(_make),
        "_replace": _replace,
        "_asdict": _asdict,
    }
    for n, name in enumerate(fields):
        namespace[name] = _tuplegetter(n, f"Alias for field number {n}")
    base = type(typename, (tuple,), namespace)
    return base
