"""Shared fixtures and helpers: a small fixture knowledge base, and ``run``,
which drives the real entry point as the ``ketaminfo`` command does."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

from ketaminfo import cli

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


def overflowing(text: str, columns: int) -> list[str]:
    """The lines of *text* wider than *columns*, except a web address alone on
    its line: an address is never cut, so one wider than the screen is left
    for the terminal to fold."""

    def lone_address(line: str) -> bool:
        word = line.strip()
        return word.startswith(("https://", "http://")) and " " not in word

    return [line for line in text.splitlines() if len(line) > columns and not lone_address(line)]


class Result(NamedTuple):
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@contextlib.contextmanager
def _environment(env: dict[str, str | None]):
    saved = {name: os.environ.get(name) for name in env}
    try:
        for name, value in env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def invoke(argv: list[str], env: dict[str, str | None], encoding: str = "utf-8") -> Result:
    """Run ketaminfo's real entry point (``ketaminfo.cli.run``, what the
    ``ketaminfo`` command runs) in this process, with *env* and standard
    output and error captured as non-terminal streams in *encoding*."""
    out = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict", newline="")
    err = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="backslashreplace", newline="")
    with _environment(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.run(list(argv))
    texts = []
    for stream in (out, err):
        stream.flush()
        texts.append(stream.buffer.getvalue().decode(encoding, errors="backslashreplace"))  # type: ignore[attr-defined]
    return Result(code, *texts)


class Run:
    """``run("topic", "mechanism")``: the real entry point on the fixture
    knowledge base (``data=None``: the bundled one), at a fixed width."""

    def __call__(self, *args: str, data: Path | None = FIXTURE_KB, columns: int = 80, **env):
        full_env = {**PLAIN_ENV, "COLUMNS": str(columns), "KETAMINFO_DATA": None, **env}
        if data is not None:
            full_env["KETAMINFO_DATA"] = str(data)
        return invoke(list(args), full_env)


@pytest.fixture
def run() -> Run:
    return Run()
