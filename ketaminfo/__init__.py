"""ketaminfo: an offline, cited reference on ketamine.

The library API lives in ``ketaminfo.kb`` (``load``, ``KnowledgeBase``); the
errors it raises in ``ketaminfo.errors``. Importing this package is cheap: it
loads nothing until asked.
"""
