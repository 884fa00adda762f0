"""ketaminfo: an offline, cited reference on ketamine.

The library API lives in ``ketaminfo.kb`` (``load``, ``KnowledgeBase``); the
errors it raises in ``ketaminfo.errors``. Importing this package is cheap: it
loads nothing until asked.
"""

__version__ = "0.1.0"  # the one place the version is written; packaging reads it
