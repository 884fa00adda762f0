"""The knowledge base: its files, format and rules, and the library API.

    >>> from ketaminfo.kb import load
    >>> kb = load()
    >>> kb.topic("MoA").title

Layers, lowest first: ``model`` (the entries as data, the entry-type
registry), ``files`` (finding folders, reading bytes), ``yamlsafe`` (safe
YAML), ``schema`` and ``rules`` (the format and its rule codes), ``phrases``
(the phrase language of the crisis and claims-met sections), ``textindex``
(text as words, and what the full-text indexes hold), ``store`` (a validated
knowledge base as an indexed SQLite database, written as it is read),
``merge`` (the checks across files, for files read one at a time),
``search``, ``ask``, ``crisis``, ``sentences`` and ``check`` (queries over
the store), ``cache`` (where databases are kept, and when one may be
trusted), ``shipped`` (the bundled knowledge base built into the wheel),
``loading`` (the load pipeline), ``library`` (``load`` and
``KnowledgeBase``). Nothing here prints, and nothing here imports from
``ketaminfo.pages`` or ``ketaminfo.cli``.
"""

from .library import Index, KnowledgeBase, load

__all__ = ["Index", "KnowledgeBase", "load"]
