"""The shipped JSON Schema stays in step with the loader and accepts what it accepts."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from ketaminfo.kb.jsonschema import SCHEMA_FILE, json_schema, render

from .conftest import FIXTURE_KB, RULE_FIXTURES

jsonschema = pytest.importorskip("jsonschema")
ROOT = Path(__file__).parent.parent


class Yaml12ishLoader(yaml.SafeLoader):
    """Reads like an editor's YAML 1.2 language server: dates stay strings and
    only true/false are booleans (not yes/no/on/off)."""


Yaml12ishLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12ishLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def _validator():
    schema = json.loads((files("ketaminfo") / SCHEMA_FILE).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(path: Path) -> list[str]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12ishLoader)
    return [e.message for e in _validator().iter_errors(data)]


def test_shipped_schema_matches_the_loader():
    shipped = (files("ketaminfo") / SCHEMA_FILE).read_text(encoding="utf-8")
    assert shipped == render(), "regenerate: python -m ketaminfo.kb.jsonschema > ketaminfo/" + SCHEMA_FILE


def test_schema_knows_every_section_and_required_key():
    from ketaminfo.kb.schema import ABOUT_SECTION, SECTIONS, SYNONYMS_SECTION

    schema = json_schema()
    assert set(schema["properties"]) == {*SECTIONS, ABOUT_SECTION, SYNONYMS_SECTION}
    assert schema["properties"][ABOUT_SECTION]["required"] == ["as_of"]
    topic = schema["properties"]["topics"]["items"]
    assert topic["required"] == ["id", "title", "summary", "points"]
    assert topic["additionalProperties"] is False


@pytest.mark.parametrize("path", sorted((ROOT / "data").glob("*.yaml")) + sorted(FIXTURE_KB.glob("*.yaml")), ids=lambda p: p.name)
def test_valid_files_pass_the_schema(path):
    assert _errors(path) == []


@pytest.mark.parametrize("code", ["KB006", "KB007", "KB008", "KB010", "KB011"])
def test_invalid_files_fail_the_schema(code):
    assert _errors(RULE_FIXTURES / f"{code}.yaml") != []


def test_every_data_file_points_editors_at_the_schema():
    for path in (ROOT / "data").glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../ketaminfo/{SCHEMA_FILE}", path.name
