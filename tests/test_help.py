"""Help for a newcomer: what to type first, whole descriptions, examples,
and mistakes answered with what was meant."""

from __future__ import annotations

import re

import pytest

from ketaminfo.cli.app import HELP_ORDER, app


def _commands_section(text: str) -> list[tuple[str, str]]:
    """(name, whole description) of each row of the Commands section."""
    section = text.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    rows: list[list[str]] = []
    for line in section.splitlines():
        if re.match(r"  \S", line):
            name, _, text = line.strip().partition(" ")
            rows.append([name, text.strip()])
        else:
            rows[-1][1] += " " + line.strip()
    return [(name, text) for name, text in rows]


@pytest.mark.parametrize("columns", [80, 120, 200])
def test_help_lists_what_a_newcomer_needs_first_with_whole_descriptions(run, columns):
    from typer.main import get_command

    from ketaminfo.cli.app import summary

    result = run("--help", columns=columns)
    assert result.exit_code == 0
    rows = _commands_section(result.stdout)
    assert [name for name, _ in rows[:6]] == ["NAME...", "ask", "search", "check", "topic", "timeline"]
    group = get_command(app)
    for name, text in rows[1:]:
        assert text == summary(group.commands[name]), name  # never cut with "..."
    assert "..." not in "".join(text for _, text in rows)
    assert result.stdout.index("\nCommands:") < result.stdout.index("\nOptions:")


def test_every_command_has_a_place_in_the_help_order():
    """A new command goes into HELP_ORDER (one line); until it does, it is listed last."""
    from typer.main import get_command

    group = get_command(app)
    visible = [name for name, command in group.commands.items() if not command.hidden]
    assert sorted(visible) == sorted(HELP_ORDER)


def test_help_shows_an_example_of_each_way_in(run):
    examples = run("--help").stdout.split("Examples:", 1)[1]
    for start in ("ketaminfo mechanism", "ketaminfo ask ", "ketaminfo search ", "ketaminfo topic ",
                  "ketaminfo timeline "):
        assert start in examples, start


def test_help_at_60_columns_fits(run):
    out = run("--help", columns=60).stdout
    assert max(len(line) for line in out.splitlines()) <= 60


@pytest.mark.parametrize("args, meant", [
    (["conditons", "--list"], "conditions"),
    (["searhc", "nmda", "-n", "3"], "search"),
    (["timelin", "--from", "2000"], "timeline"),
])
def test_a_misspelt_command_gets_did_you_mean_and_no_internal_name(run, args, meant):
    result = run(*args, data=None)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"Error: No such command {args[0]!r}. Did you mean {meant!r}?" in result.stderr
    assert "lookup" not in result.stderr
    assert result.stderr.startswith("Usage: ketaminfo [OPTIONS] COMMAND [ARGS]...\n       ketaminfo NAME... [OPTIONS]\n")


def test_an_option_a_name_does_not_take_is_explained_as_such(run):
    result = run("mechanism", "--list", data=None)
    assert result.exit_code == 2
    assert "No such option: --list (after a NAME, only the output options)" in result.stderr
    assert "lookup" not in result.stderr


@pytest.mark.parametrize("args", [["lookup", "-h"], ["mechanism", "--help"]])
def test_the_name_form_has_honest_help(run, args):
    """No internal command name and no markup: the help of ``ketaminfo NAME...``."""
    result = run(*args)
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ketaminfo NAME... [OPTIONS]\n")
    assert "``" not in result.stdout and "lookup" not in result.stdout


def test_lookup_is_no_command_of_its_own(run):
    """The word "lookup" is read as a name, as any word that is no command."""
    result = run("lookup", "mechanism", data=None)
    assert result.exit_code == 1
    assert "Nothing in the knowledge base is called 'lookup mechanism'" in result.stderr
    assert "lookup" not in run("--help").stdout.split("Commands:")[1]
