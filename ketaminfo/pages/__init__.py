"""Pages: what each command shows, and how it looks.

``views`` turns entries into neutral ``document.Page`` objects; the
renderers lay them out (``text`` for plain text, ``styled`` for a colour
terminal, ``markdown``, ``html``, ``jsonout``); ``output`` holds the terminal
policy (format, colour, size, encoding, pager) and writes a page; ``export``
writes the whole reference as linked files. Pages read the knowledge base
through ``ketaminfo.kb`` and never import the command line.
"""
