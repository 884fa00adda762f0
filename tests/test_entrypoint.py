"""The installed program, run as a user runs it: a separate process, any directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURE_KB

SCRIPT = shutil.which("ketaminfo", path=str(Path(sys.executable).parent)) or shutil.which("ketaminfo")
pytestmark = pytest.mark.skipif(SCRIPT is None, reason="the ketaminfo command is not installed")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "KETAMINFO_DATA")}
    env.update({"COLUMNS": "80", **extra})
    return env


def _run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, *args], cwd=cwd, env=_env(**env), capture_output=True, text=True, timeout=60
    )


def test_lookup_works_from_any_directory(tmp_path):
    result = _run("topic", "mechanism", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Mechanism of action\n")
    assert "Information, not medical advice" in result.stdout
    assert "\x1b[" not in result.stdout  # piped: plain text


def test_module_and_script_agree(tmp_path):
    script = _run("conditions", "--list", cwd=tmp_path)
    module = subprocess.run(
        [sys.executable, "-m", "ketaminfo", "conditions", "--list"],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=60,
    )
    assert script.returncode == module.returncode == 0
    assert script.stdout == module.stdout


def test_force_color_gives_styled_output(tmp_path):
    result = _run("timeline", cwd=tmp_path, FORCE_COLOR="1")
    assert result.returncode == 0
    assert "\x1b[" in result.stdout


def test_exit_codes_in_a_real_process(tmp_path):
    assert _run("topic", "nope-nothing", cwd=tmp_path).returncode == 1
    assert _run("timeline", "--from", "x", cwd=tmp_path).returncode == 2
    bad = tmp_path / "kb"
    bad.mkdir()
    (bad / "a.yaml").write_text("topics: [1, 2", encoding="utf-8")
    result = _run("topic", "--list", cwd=tmp_path, KETAMINFO_DATA=str(bad))
    assert result.returncode == 3
    assert "a.yaml:2:" in result.stderr
    assert "starts at line 1, column 9" in result.stderr
    assert "Traceback" not in result.stderr


def test_closed_pipe_ends_quietly(tmp_path):
    """`ketaminfo timeline | head -1`: no traceback, exit status 0."""
    proc = subprocess.Popen(
        [SCRIPT, "timeline"], cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in stderr and "Error" not in stderr


def test_data_option_reads_another_knowledge_base(tmp_path):
    result = _run("--data", str(FIXTURE_KB), "topic", "--list", cwd=tmp_path)
    assert result.returncode == 0
    assert "mechanism" in result.stdout and "history" in result.stdout
