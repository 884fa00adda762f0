"""``python -m ketaminfo``: the same program as the ``ketaminfo`` command."""

from ketaminfo.launch import main

main()
