"""Docs that cannot drift: every command is documented, CI runs the README's commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ketaminfo.cli.app import app
from ketaminfo.errors import ExitCode

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands():
    from typer.main import get_command

    group = get_command(app)
    return group, sorted(n for n, c in group.commands.items() if not c.hidden)  # type: ignore[attr-defined]


def test_there_are_commands():
    _, names = _commands()
    assert names == [
        "ask", "check", "completion", "conditions", "export", "glossary", "help", "list", "paths", "search", "sources",
        "timeline", "topic", "validate",
    ]


@pytest.mark.parametrize("name", _commands()[1])
def test_every_command_has_help_with_an_example(run, name):
    group, _ = _commands()
    command = group.commands[name]  # type: ignore[attr-defined]
    assert command.help and command.help.strip()
    result = run(name, "--help")
    assert result.exit_code == 0
    assert f"ketaminfo {name}" in result.stdout.split("Examples:")[1]


@pytest.mark.parametrize("name", _commands()[1])
def test_every_command_is_in_the_readme(name):
    assert f"`ketaminfo {name}" in README


def test_every_exit_code_is_documented():
    table = re.findall(r"^\| (\d+) \|", README, flags=re.MULTILINE)
    codes = [value for name, value in vars(ExitCode).items() if name.isupper()]
    assert sorted(int(code) for code in table) == sorted(codes) and len(codes) == 6


def _setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_two_setup_commands():
    commands = _setup_commands()
    assert len(commands) == 2
    assert "ketaminfo topic mechanism" in commands[0]
    assert "[test]" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in _setup_commands():
        assert command in ci, command


RULES_DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def _rule_sections() -> dict[str, str]:
    parts = re.split(r"^## (KB\d{3}):", RULES_DOC, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


def test_every_rule_is_documented_with_a_bad_and_a_good_example():
    from ketaminfo.kb.rules import RULES

    sections = _rule_sections()
    assert sorted(sections) == sorted(RULES)
    for code, body in sections.items():
        assert re.search(r"```\w+ bad\n", body), code
        assert re.search(r"```\w+ good\n", body), code


@pytest.mark.parametrize("code", sorted(_rule_sections()))
def test_rule_examples_in_the_docs_behave_as_documented(tmp_path, code):
    from ketaminfo.errors import KnowledgeBaseError
    from ketaminfo.kb import load

    body = _rule_sections()[code]
    for kind, text in re.findall(r"```yaml (bad|good)\n(.*?)\n```", body, flags=re.DOTALL):
        folder = tmp_path / kind
        folder.mkdir()
        (folder / "example.yaml").write_text(text + "\n", encoding="utf-8")
        if kind == "good":
            load(folder)
        else:
            with pytest.raises(KnowledgeBaseError) as info:
                load(folder)
            assert {p.code for p in info.value.problems} == {code}


def test_the_readme_sample_is_real_output(run):
    sample = README.split("$ ketaminfo conditions bipolar\n", 1)[1].split("```", 1)[0]
    result = run("conditions", "bipolar", data=None, columns=78)
    assert result.exit_code == 0
    assert result.stdout == sample


def test_the_readme_lists_every_bundled_topic():
    from ketaminfo.kb import load

    listed = README.split("\nTopics: ", 1)[1].split("\n\n", 1)[0]
    assert [t.strip(" .\n") for t in listed.split(",")] == [t.id for t in load().topics]


def test_the_manual_page_is_generated_from_the_typer_app():
    """Regenerate: python -c "from ketaminfo.cli.app import render_man; print(render_man(), end='')" > man/ketaminfo.1"""
    from ketaminfo.cli.app import render_man

    assert (ROOT / "man" / "ketaminfo.1").read_text(encoding="utf-8") == render_man()


def test_the_manual_page_documents_every_command_and_exit_code():
    from ketaminfo.errors import ExitCode

    page = (ROOT / "man" / "ketaminfo.1").read_text(encoding="utf-8")
    for name in _commands()[1]:
        assert f'.SS "ketaminfo {name}' in page, name
    for code in [value for name, value in vars(ExitCode).items() if name.isupper()]:
        assert f"\\fB{int(code)}\\fR" in page


@pytest.mark.parametrize("shell, name", [("bash", "ketaminfo.bash"), ("fish", "ketaminfo.fish")])
def test_installed_completion_files_are_the_completion_scripts(shell, name):
    from ketaminfo.cli.complete import SCRIPTS

    assert (ROOT / "completions" / name).read_text(encoding="utf-8") == SCRIPTS[shell]


def test_readme_links_work_on_a_package_index():
    """A package index shows the README without the repository beside it:
    no link may point at a file by a relative path."""
    links = re.findall(r"\]\(([^)]+)\)", README)
    assert [link for link in links if not link.startswith(("http://", "https://", "#"))] == []


def test_the_installed_zsh_function_is_the_zsh_completion():
    from ketaminfo.cli.complete import ZSH_FUNCTION

    assert (ROOT / "completions" / "_ketaminfo").read_text(encoding="utf-8") == ZSH_FUNCTION
    assert ZSH_FUNCTION.startswith("#compdef ketaminfo\n")


def test_the_wheel_installs_the_manual_page_and_a_completion_file_for_each_shell():
    import tomllib

    shared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]["build"]["targets"][
        "wheel"]["shared-data"]
    assert shared == {
        "man/ketaminfo.1": "share/man/man1/ketaminfo.1",
        "completions/ketaminfo.bash": "share/bash-completion/completions/ketaminfo",
        "completions/ketaminfo.fish": "share/fish/vendor_completions.d/ketaminfo.fish",
        "completions/_ketaminfo": "share/zsh/site-functions/_ketaminfo",
    }
    for target in shared.values():  # the README names each one
        assert target.removeprefix("share/") in README
