"""Option values as people type them: repeated, misspelt, plural, by decade."""

from __future__ import annotations

import json

import pytest


def _events(run, *args):
    return json.loads(run("timeline", *args, "-f", "json", data=None).stdout)["data"]


def test_a_repeated_category_adds_to_the_others(run):
    both = _events(run, "--category", "regulation", "--category", "research")
    kinds = {e["category"] for e in both["events"]}
    assert kinds == {"regulation", "research"}
    one = [len(_events(run, "-c", kind)["events"]) for kind in ("regulation", "research")]
    assert len(both["events"]) == sum(one)
    assert both["filters"]["categories"] == ["regulation", "research"] and both["filters"]["category"] is None
    plain = run("timeline", "-c", "regulation", "-c", "research", "-f", "plain", data=None).stdout
    assert "regulation or research · " in plain.splitlines()[2]


def test_one_category_keeps_its_json_shape(run):
    filters = _events(run, "--category", "regulation")["filters"]
    assert filters["category"] == "regulation" and filters["categories"] == ["regulation"]


def test_the_fast_path_and_typer_read_a_repeated_category_alike():
    from ketaminfo.cli.parse import parse

    request = parse(["timeline", "-c", "regulation", "--category=Research"])
    assert request.params["category"] == ["regulation", "research"]


@pytest.mark.parametrize("args, meant", [
    (["timeline", "--category", "regulatoin"], "(did you mean 'regulation'?)"),
    (["help", "topc"], "(did you mean 'topic'?)"),
    (["search", "x", "--kind", "toppic"], "(did you mean 'topic'?)"),
    (["topic", "mechanism", "-f", "jsno"], "(did you mean 'json'?)"),
])
def test_a_misspelt_value_gets_did_you_mean(run, args, meant):
    result = run(*args, data=None)
    assert result.exit_code == 2
    assert meant in result.stderr


def test_a_value_far_from_any_choice_gets_the_choices_only(run):
    result = run("timeline", "--category", "war", data=None)
    assert result.exit_code == 2 and "did you mean" not in result.stderr
    assert "'war' is not one of: discovery, clinical-use, regulation, research, culture" in result.stderr


def test_a_decade_is_a_year_range(run):
    sixties = _events(run, "--from", "1960s", "--to", "1960s")
    assert sixties["filters"]["from"] == 1960 and sixties["filters"]["to"] == 1969
    assert sixties["events"] and all(1960 <= e["date"]["first_year"] <= 1969 for e in sixties["events"])
    assert _events(run, "--from", "1960", "--to", "1969") == sixties
    assert run("timeline", "--from", "196s", data=None).exit_code == 2
    assert run("timeline", "--from", "1965s", data=None).exit_code == 2


@pytest.mark.parametrize("plural, kind", [("topics", "topic"), ("conditions", "condition"), ("events", "event"),
                                          ("terms", "term"), ("sources", "source"), ("Glossary", "term"),
                                          ("timeline", "event")])
def test_search_kind_takes_plurals_and_the_command_names(run, plural, kind):
    result = run("search", "ketamine", "--kind", plural, "-f", "json", data=None)
    assert result.exit_code == 0, result.stderr
    assert {r["kind"] for r in json.loads(result.stdout)["data"]["results"]} == {kind}
