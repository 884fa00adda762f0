"""Shared fixtures: a small fixture knowledge base and a CLI runner bound to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketaminfo.cli import app

HERE = Path(__file__).parent
FIXTURE_KB = HERE / "data" / "minimal"
BAD = HERE / "data" / "bad"
EXPECTED = HERE / "expected"
# Environment for predictable output: fixed width, no colour, fixture data.
PLAIN_ENV = {"COLUMNS": "80", "FORCE_COLOR": None, "NO_COLOR": None, "TERM": "xterm"}


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch):
    """No test sees the developer's own data path or colour settings."""
    for name in ("KETAMINFO_DATA", "FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def bad_kb(tmp_path):
    """Copy one file from tests/data/bad into an empty knowledge-base folder."""

    def make(name: str) -> Path:
        folder = tmp_path / name.replace(".", "_")
        folder.mkdir()
        shutil.copy(BAD / name, folder / name)
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
