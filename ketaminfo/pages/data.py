"""Entries as plain data (dicts, lists, strings, numbers) for JSON and export."""

from __future__ import annotations

from ..kb.model import EventDate, Source

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from typing import Any


def plain(value: Any) -> Any:
    """*value* with every entry turned into a dict and every tuple into a list."""
    if isinstance(value, EventDate):
        return date_data(value)
    if isinstance(value, Source):
        return source_data(value)
    if hasattr(value, "_asdict"):
        return {key: plain(item) for key, item in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def date_data(date: EventDate) -> dict[str, Any]:
    """A date as written, as ISO 8601, and as the years it covers."""
    if date.day:
        iso = f"{date.start:04d}-{date.month:02d}-{date.day:02d}"
    elif date.month:
        iso = f"{date.start:04d}-{date.month:02d}"
    elif date.end != date.start:
        iso = f"{date.start:04d}/{date.end:04d}"  # a decade or span, as an ISO 8601 interval
    else:
        iso = f"{date.start:04d}"
    return {"text": date.text, "iso": iso, "first_year": date.start, "last_year": date.end}


def source_data(source: Source) -> dict[str, Any]:
    data = {key: plain(item) for key, item in source._asdict().items()}
    data["link"] = source.link
    return data
