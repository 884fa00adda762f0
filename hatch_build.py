"""Build the bundled knowledge base into the wheel (see ketaminfo/kb/shipped.py).

The first run after install then copies a ready database into the cache
instead of parsing and validating the YAML. An editable install gets none:
it builds its cache from the files, as a source checkout does.
"""

from __future__ import annotations

import os
import sys
import tempfile

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class ShippedKnowledgeBase(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        sys.path.insert(0, self.root)
        try:
            from ketaminfo.kb.loading import build_shipped

            out = tempfile.mkdtemp(prefix="ketaminfo-wheel-")
            for name, path in build_shipped(os.path.join(self.root, "data"), out).items():
                build_data["force_include"][path] = f"ketaminfo/kb/shipped-db/{name}"
        finally:
            sys.path.remove(self.root)
            for name in [m for m in sys.modules if m == "ketaminfo" or m.startswith("ketaminfo.")]:
                del sys.modules[name]
