"""Build the bundled knowledge base into the wheel (see ketaminfo/kb/shipped.py).

The first run after install then copies a ready database into the cache
instead of parsing and validating the YAML. The knowledge-base files go into
the wheel from here too, their JSON Schema line pointing at the installed
schema. An editable install gets none of this: it reads data/ beside the
package and builds its cache from the files, as a source checkout does.
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
            from ketaminfo.kb.shipped import installed_data

            out = tempfile.mkdtemp(prefix="ketaminfo-wheel-")
            data = installed_data(os.path.join(self.root, "data"), os.path.join(out, "data"))
            for name in sorted(os.listdir(data)):
                build_data["force_include"][os.path.join(data, name)] = f"ketaminfo/data/{name}"
            for name, path in build_shipped(data, out).items():
                build_data["force_include"][path] = f"ketaminfo/kb/shipped-db/{name}"
        finally:
            sys.path.remove(self.root)
            for name in [m for m in sys.modules if m == "ketaminfo" or m.startswith("ketaminfo.")]:
                del sys.modules[name]
