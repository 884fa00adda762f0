"""Save a file the user asked for, whole, and never through a link.

``export`` writes its pages and manifest, and ``--export-svg`` and
``--export-html`` their pictures, into folders that other people may be able
to write (a shared web root). Each file is written into a new temporary
file beside it, whose random name is opened exclusively (never an existing
file, never through a link), then renamed over the file asked for: a link
planted there is replaced, never followed, and an interruption leaves the
old file or none, never half a file.
"""

from __future__ import annotations

import errno
import os

TYPE_CHECKING = False  # typing costs milliseconds to import; type names are for checkers only

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

TEMP_PREFIX, TEMP_SUFFIX = ".ketaminfo-", ".part"  # a file being written, renamed into place once whole


def save(path: Path, text: str | Iterable[str]) -> None:
    """Make *text* (or its pieces, written as they come) the file *path*,
    whole or not at all (see above). The umask applies, as for any file the
    user writes."""
    folder = path.parent
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temporary = folder / f"{TEMP_PREFIX}{os.urandom(8).hex()}{TEMP_SUFFIX}"
        try:
            fd = os.open(temporary, flags, 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - a hundred random 64-bit names all taken
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))
    try:
        with open(fd, "w", encoding="utf-8") as handle:
            for piece in [text] if isinstance(text, str) else text:
                handle.write(piece)
        os.replace(temporary, path)
    except BaseException:  # also Ctrl-C: leave nothing half-written behind
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
