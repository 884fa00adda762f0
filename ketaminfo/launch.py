"""The ``ketaminfo`` command's entry point.

Shell completion runs on every TAB, so it is answered here, before the
command-line framework is imported; everything else goes to ``cli``.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    if sys.stdout is None:  # started with standard output closed: nothing to show
        sys.exit(0)
    if os.environ.get("_KETAMINFO_COMPLETE"):
        from .complete import run

        sys.exit(run())
    from .cli import main as cli_main

    cli_main()
