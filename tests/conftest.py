"""Shared fixtures: a small fixture knowledge base and a CLI runner bound to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketaminfo.cli.app import app

HERE = Path(__file__).parent
FIXTURE_KB = HERE / "data" / "minimal"
RULE_FIXTURES = HERE / "data" / "rules"
YAML_FIXTURES = HERE / "data" / "yaml"
EXPECTED = HERE / "expected"
# Environment for predictable output: fixed width, no colour, fixture data.
PLAIN_ENV = {"COLUMNS": "80", "FORCE_COLOR": None, "NO_COLOR": None, "TERM": "xterm"}


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """No test sees the developer's own data path, colour settings or cache."""
    for name in ("KETAMINFO_DATA", "KETAMINFO_DATA_MODE", "FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def bad_kb(tmp_path):
    """A knowledge-base folder holding one failing fixture.

    ``bad_kb("KB007")`` uses tests/data/rules/KB007.yaml (or the folder
    KB018/); ``bad_kb("alias.yaml")`` a file from tests/data/yaml/.
    """

    def make(name: str) -> Path:
        source = RULE_FIXTURES / name
        if source.is_dir():
            return source
        if not source.suffix:
            source = source.with_suffix(".yaml")
        if not source.exists():
            source = YAML_FIXTURES / name
        folder = tmp_path / source.stem
        folder.mkdir()
        shutil.copy(source, folder / source.name)
        return folder

    return make


class Run:
    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, data: Path | None = FIXTURE_KB, columns: int = 80, **env):
        full_env = {**PLAIN_ENV, "COLUMNS": str(columns), **env}
        if data is not None:
            full_env["KETAMINFO_DATA"] = str(data)
        return self.runner.invoke(app, list(args), env=full_env, prog_name="ketaminfo")


@pytest.fixture
def run() -> Run:
    return Run()
