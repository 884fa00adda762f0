"""``python -m ketaminfo``: the same program as the ``ketaminfo`` command."""

from ketaminfo.cli import main

main()
