"""The command line: whole-output golden files, exit codes and error messages.

Golden files live in tests/expected/; after an intended change to the output,
review the diff and regenerate them with:  KETAMINFO_UPDATE_GOLDEN=1 pytest
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ketaminfo.errors import ExitCode

from .conftest import EXPECTED, FIXTURE_KB, overflowing

GOLDEN = [
    ("topic_mechanism_80.txt", ["topic", "mechanism"], 80),
    ("topic_mechanism_60.txt", ["topic", "mechanism"], 60),
    ("topic_list_80.txt", ["topic", "--list"], 80),
    ("condition_low_mood_80.txt", ["conditions", "lmd"], 80),
    ("condition_dark_thoughts_60.txt", ["conditions", "dark thoughts"], 60),
    ("conditions_list_80.txt", ["conditions", "--list"], 80),
    ("conditions_list_40.txt", ["conditions", "--list"], 40),
    ("timeline_80.txt", ["timeline"], 80),
    ("timeline_1970s_regulation_160.txt", ["timeline", "--from", "1970", "--to", "1979", "-c", "regulation"], 160),
    ("sources_80.txt", ["sources"], 80),
    ("source_study_80.txt", ["sources", "study-one"], 80),
    ("glossary_80.txt", ["glossary"], 80),
    ("glossary_receptors_60.txt", ["glossary", "receptors"], 60),
]


@pytest.mark.parametrize(("name", "args", "columns"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_output_matches_golden_file(run, name, args, columns):
    result = run(*args, columns=columns)
    assert result.exit_code == 0, result.stderr
    path = EXPECTED / name
    if os.environ.get("KETAMINFO_UPDATE_GOLDEN"):
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8")
    assert result.stderr == ""


@pytest.mark.parametrize("columns", [20, 35, 60, 80, 160, 250])
def test_no_line_is_wider_than_the_terminal(run, columns):
    for args in (["topic", "mechanism"], ["timeline"], ["sources"], ["conditions", "low-mood"]):
        result = run(*args, columns=columns)
        assert result.exit_code == 0
        assert overflowing(result.stdout, max(columns, 20)) == [], (args, columns)


def test_plain_output_has_no_escape_codes(run):
    result = run("topic", "mechanism")
    assert "\x1b[" not in result.stdout


def test_force_color_styles_output_and_keeps_markup_literal(run):
    result = run("topic", "mechanism", FORCE_COLOR="1")
    assert result.exit_code == 0
    assert "\x1b[" in result.stdout
    assert "[bold]not bold[/]" in result.stdout
    assert ":warning:" in result.stdout
    assert "Information, not medical advice" in result.stdout


def test_every_page_ends_with_the_medical_notice_and_the_date(run):
    for args in (["topic", "history"], ["conditions", "--list"], ["timeline"], ["sources"], ["sources", "art-one"]):
        lines = run(*args).stdout.rstrip().splitlines()
        assert "Information, not medical advice" in "\n".join(lines[-4:]), args
        assert lines[-1] == "Knowledge base as of 2026-01-15.", args


def test_a_knowledge_base_without_a_date_shows_none(run, tmp_path):
    for name in ("sources.yaml", "pages.yaml"):
        (tmp_path / name).write_bytes((FIXTURE_KB / name).read_bytes())
    out = run("topic", "history", data=tmp_path).stdout
    assert "as of" not in out
    assert json.loads(run("topic", "history", "-f", "json", data=tmp_path).stdout)["as_of"] is None


def test_crisis_help_shows_on_flagged_pages_only(run):
    assert "988" in run("conditions", "dark-thoughts").stdout
    assert "988" not in run("conditions", "low-mood").stdout


def test_citation_markers_match_numbered_sources(run):
    out = run("topic", "mechanism").stdout
    assert "[1][2] (established)" in out
    assert "[1]  A popular article." in out
    assert "[2]  Smith A et al. (2000). A trial of something." in out


# Errors and exit codes ---------------------------------------------------


def test_unknown_topic_suggests_and_exits_1(run):
    result = run("topic", "mechansim")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert result.stdout == ""
    assert "No topic called 'mechansim'. Did you mean: mechanism?" in result.stderr
    assert "ketaminfo topic --list" in result.stderr


def test_unknown_condition_and_source_exit_1(run):
    assert run("conditions", "nothing-like-it").exit_code == ExitCode.NOT_FOUND
    result = run("sources", "study-two")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "study-one" in result.stderr


def test_unknown_term_exits_1_with_hint(run):
    result = run("glossary", "receptr")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "Did you mean: receptor?" in result.stderr
    assert "ketaminfo glossary" in result.stderr


def test_empty_timeline_range_exits_1(run):
    result = run("timeline", "--from", "2020")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "No events match" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["topic", "mechanism", "--list"],
        ["timeline", "--from", "2000", "--to", "1990"],
        ["timeline", "--from", "soon"],
        ["timeline", "--category", "gossip"],
        ["topic", "--no-such-option"],
        ["--no-such-global-option"],
    ],
)
def test_usage_errors_exit_2_with_a_message(run, args):
    result = run(*args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert "Error" in result.stderr or "Usage" in result.stderr
    assert "Traceback" not in result.stderr


def test_category_is_forgiving_about_spelling(run):
    result = run("timeline", "--category", "Clinical Use", data=None)
    assert result.exit_code == 0
    assert "(clinical use)" in result.stdout


@pytest.mark.parametrize("code", ["KB007", "KB004", "KB001", "KB002"])
def test_bad_knowledge_base_exits_3_with_file_and_line(run, bad_kb, code):
    folder = bad_kb(code)
    result = run("topic", "--list", data=folder)
    assert result.exit_code == ExitCode.BAD_DATA
    assert f"{code}.yaml:" in result.stderr and f": {code} " in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_data_option_overrides_environment(run, bad_kb):
    result = run("--data", str(bad_kb("KB007")), "topic", "--list")
    assert result.exit_code == ExitCode.BAD_DATA


def test_missing_data_directory_exits_3(run, tmp_path):
    result = run("topic", "--list", data=tmp_path / "missing")
    assert result.exit_code == ExitCode.BAD_DATA
    assert "no readable folder" in result.stderr


def test_no_arguments_shows_help(run):
    result = run()
    assert "Usage: ketaminfo" in result.output
    assert "topic" in result.output


def test_version_comes_from_package_metadata(run):
    from importlib.metadata import version

    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"ketaminfo {version('ketaminfo')} (knowledge base as of 2026-01-15)"


def test_the_glossary_lists_terms_alphabetically_with_their_definitions(run):
    from ketaminfo.kb import load

    result = run("glossary", "-f", "json", data=None)
    listed = json.loads(result.stdout)["data"]
    assert [t["term"].casefold() for t in listed] == sorted(t["term"].casefold() for t in listed)
    terms = {t.id: t for t in load().terms}
    for entry in listed:
        assert terms[entry["id"]].definition.startswith(entry["short"])
    plain = " ".join(run("glossary", "-f", "plain", data=None).stdout.split())
    assert "NMDA receptor A receptor for glutamate" in plain


@pytest.mark.parametrize(
    "args, hint",
    [
        (["topic", "ptsd"], "'ptsd' is a condition: ketaminfo conditions ptsd"),
        (["conditions", "nmda"], "'nmda' is a term: ketaminfo glossary nmda-receptor"),
        (["glossary", "mechanism"], "'mechanism' is a topic: ketaminfo topic mechanism"),
        (["sources", "Spravato"], "is a topic: ketaminfo topic spravato"),
    ],
)
def test_a_name_of_another_kind_gets_a_pointer_to_its_page(run, args, hint):
    result = run(*args, data=None)
    assert result.exit_code == 1
    assert hint in result.stderr


@pytest.mark.parametrize("given, shown", [("MD", "markdown"), ("md", "markdown"), ("Json", "json"), ("PLAIN", "plain"),
                                          ("text", "plain")])
def test_formats_in_any_case_and_md(run, given, shown):
    assert run("topic", "mechanism", "-f", given).stdout == run("topic", "mechanism", "-f", shown).stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["topic", "mechanism", "--format", "xml"], "'xml' is not one of: rich, plain, json, markdown"),
        (["search", "x", "-n", "0"], "'0' is not a whole number from 1 to 100"),
        (["timeline", "--category", "war"], "'war' is not one of: discovery"),
        (["completion", "tcsh"], "'tcsh' is not one of: bash, zsh, fish"),
    ],
)
def test_a_refused_value_says_what_would_do(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_one_event_has_its_own_page(run):
    result = run("timeline", "made", "-f", "plain")
    assert result.exit_code == 0
    assert result.stdout.startswith("It is made\n")
    assert "event made · 1962 · discovery" in result.stdout and "Chemists make it. [1]" in result.stdout
    assert "topic  Mechanism of action (mechanism)" in result.stdout  # the topic that links to it
    data = json.loads(run("timeline", "made", "-f", "json").stdout)
    assert data["kind"] == "event" and data["data"]["id"] == "made"


def test_event_search_results_say_how_to_open_them(run):
    result = run("search", "chemists", "-f", "plain")
    assert "(made)" in result.stdout and "ketaminfo timeline ID" in result.stdout
    assert run("timeline", "made", "--from", "1900").exit_code == 2
    assert run("timeline", "nothing-here").exit_code == 1


@pytest.mark.parametrize(
    "args, title",
    [
        (["conditions", "chronic", "pain"], "Chronic pain"),
        (["glossary", "nmda", "receptor"], "NMDA receptor"),
        (["topic", "how", "it", "works"], "Mechanism of action"),
    ],
)
def test_names_of_several_words_need_no_quotes(run, args, title):
    result = run(*args, "-f", "plain", data=None)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(title + "\n")


@pytest.mark.parametrize("command", ["topic", "conditions", "glossary", "sources"])
def test_every_listing_command_takes_list(run, command):
    listed = run(command, "--list", "-f", "json", data=None)
    assert listed.exit_code == 0 and json.loads(listed.stdout)["kind"].endswith("-list")


@pytest.mark.parametrize("args, title", [(["mechanism"], "Mechanism of action"), (["nmda"], "NMDA receptor"),
                                         (["post", "traumatic", "stress", "disorder"], "Post-traumatic stress disorder"),
                                         (["zarate-2006"], None)])
def test_a_name_alone_shows_its_page_whatever_its_kind(run, args, title):
    result = run(*args, "-f", "plain", data=None)
    assert result.exit_code == 0, result.stderr
    if title:
        assert result.stdout.startswith(title + "\n")


@pytest.mark.parametrize("name, command", [("spravato", ["topic", "spravato"]), ("trd", ["conditions", "trd"]),
                                           ("Dependence", ["glossary", "dependence"]),
                                           ("Esketamine nasal spray (Spravato)", ["topic", "spravato"])])
def test_an_exact_id_or_title_opens_its_page(run, name, command):
    """An id or a title beats an alias of another entry: no choice to make."""
    result = run(*name.split(), "-f", "plain", data=None)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == run(*command, "-f", "plain", data=None).stdout


def test_the_others_a_name_names_are_pointed_to_on_stderr(run):
    result = run("spravato", data=None)
    assert result.stderr == "'spravato' also names a term: ketaminfo glossary esketamine\n"


def test_a_choice_only_between_equal_claims(run):
    result = run("addiction", "-f", "plain", data=None)
    assert result.exit_code == 0
    assert result.stdout.startswith("addiction: 3 entries\n")
    lines = [line.split()[:2] for line in result.stdout.splitlines() if line.startswith("  ") and "(" in line]
    assert lines == [["topic", "Dependence"], ["condition", "Cocaine"], ["term", "Dependence"]]
    assert "ketaminfo topic misuse" in result.stdout


@pytest.mark.parametrize("args, hint", [(["tpoic", "mechanism"], "Did you mean the command 'topic'? ketaminfo topic mechanism"),
                                        (["zzqqxx"], "ketaminfo search WORDS")])
def test_a_name_that_names_nothing_gets_a_way_on(run, args, hint):
    result = run(*args, data=None)
    assert result.exit_code == 1 and hint in result.stderr


@pytest.mark.parametrize("alias, command", [("topics", ["topic", "--list"]), ("condition", ["conditions", "ptsd"]),
                                            ("term", ["glossary", "nmda"]), ("source", ["sources", "zarate-2006"]),
                                            ("event", ["timeline", "fda-approval-1970"])])
def test_the_names_people_try_for_commands_work(run, alias, command):
    expected = run(*command, "-f", "plain", data=None)
    assert expected.exit_code == 0
    assert run(alias, *command[1:], "-f", "plain", data=None).stdout == expected.stdout


def test_help_command_shows_a_commands_help(run):
    assert run("help", "timeline").stdout == run("timeline", "--help").stdout
    assert run("help").stdout == run("--help").stdout
    assert run("help", "nosuch").exit_code == 2


def test_export_never_overwrites_what_it_did_not_write(run, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("mine")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / "timeline.html").symlink_to(victim)
    refused = run("export", "--out", str(out))
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert (out / "index.html").read_text() == "mine" and len(list(out.iterdir())) == 2
    assert run("export", "--out", str(out), "--force").exit_code == 0
    assert (out / "index.html").read_text() != "mine"
    assert victim.read_text() == "precious" and not (out / "timeline.html").is_symlink()  # the link replaced, not followed
    assert run("export", "--out", str(out)).exit_code == 0  # its own files: no --force needed


def test_paths_says_where_things_are(run):
    result = run("paths", "-f", "json", data=None)
    found = json.loads(result.stdout)
    assert set(found) == {"knowledge_base", "bundled_knowledge_base", "cache", "json_schema", "rule_explanations"}
    assert Path(found["json_schema"]).is_file() and Path(found["rule_explanations"]).is_file()
    assert "knowledge base:" in run("paths").stdout


@pytest.mark.parametrize("code", [f"KB{n:03d}" for n in range(1, 19)])
def test_every_rule_can_be_explained(run, code):
    result = run("validate", "--explain", code.lower())
    assert result.exit_code == 0 and result.stdout.startswith(f"## {code}:")
    assert "Bad:" in result.stdout or "bad" in result.stdout


def test_an_unknown_rule_is_a_usage_error(run):
    assert run("validate", "--explain", "KB999").exit_code == 2


def test_sources_n_opens_the_nth_of_the_numbered_list(run):
    """The list's numbers and the lookup agree, in plain text and in JSON."""
    import re

    listed = run("sources", "-f", "plain", data=None).stdout
    numbered, number = {}, None
    for line in listed.splitlines():
        if found := re.match(r"  (\d+)\. ", line):
            number = found.group(1)
        elif number and (found := re.match(r"\s+([a-z0-9-]+) · ", line)):
            numbered[number], number = found.group(1), None
    from ketaminfo.kb import load

    count = len(load().sources)
    assert len(numbered) == count
    entries = json.loads(run("sources", "-f", "json", data=None).stdout)["data"]
    assert {str(e["number"]): e["id"] for e in entries} == numbered
    for number in ("1", "9", str(count)):
        page = run("sources", number, "-f", "plain", data=None).stdout
        assert page == run("sources", numbered[number], "-f", "plain", data=None).stdout
    assert run("sources", str(count + 1), data=None).exit_code == 1


def test_sources_are_numbered_by_kind_then_oldest_first(run):
    from ketaminfo.kb.model import SOURCE_KINDS

    entries = json.loads(run("sources", "-f", "json", data=None).stdout)["data"]
    kinds = list(SOURCE_KINDS)
    keys = [(kinds.index(e["kind"]), e["year"] is None, e["year"] or 0, e["id"]) for e in entries]
    assert keys == sorted(keys)
    assert [e["number"] for e in entries] == list(range(1, len(entries) + 1))
