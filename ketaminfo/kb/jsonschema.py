"""The JSON Schema of a knowledge-base file, built from the loader's own field specs.

Editors with YAML language support use it to check files as they are typed.
The shipped copy is ketaminfo/knowledge-base.schema.json; regenerate it with

    python -m ketaminfo.jsonschema > ketaminfo/knowledge-base.schema.json

(a test fails when the shipped copy and the loader disagree). The loader
stays the authority: some rules (unique ids, references, dates that exist)
are beyond what a schema can say.
"""

from __future__ import annotations

import json
from typing import Any

from .schema import ABOUT, ABOUT_SECTION, JSON_SCHEMAS, SECTIONS, SYNONYMS, SYNONYMS_SECTION

SCHEMA_FILE = "knowledge-base.schema.json"


def json_schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ketaminfo knowledge-base file",
        "description": "One YAML file of a ketaminfo knowledge base: any of the sections below.",
        "type": "object",
        "properties": {
            **{
                section: {"type": "array", "items": JSON_SCHEMAS[converter]}
                for section, converter in SECTIONS.items()
            },
            ABOUT_SECTION: JSON_SCHEMAS[ABOUT],
            SYNONYMS_SECTION: {"type": "array", "items": JSON_SCHEMAS[SYNONYMS]},
        },
        "additionalProperties": False,
    }


def render() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
