"""A short form (--brief) on every page, one list of everything (list), and
every JSON kind's shape as the README documents it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
PAGES = [
    ["topic", "mechanism"], ["conditions", "trd"], ["timeline", "fda-approval-1970"], ["glossary", "nmda"],
    ["sources", "zarate-2006"], ["timeline", "--from", "2019"], ["search", "nmda"], ["ask", "is", "ketamine",
                                                                                   "addictive"], ["spravato"],
]


@pytest.mark.parametrize("args", PAGES, ids=[" ".join(a) for a in PAGES])
def test_brief_has_no_sources_list_no_markers_and_is_shorter(run, args):
    whole = run(*args, "-f", "plain", data=None)
    brief = run(*args, "--brief", "-f", "plain", data=None)
    assert brief.exit_code == whole.exit_code == 0
    assert "\nSources\n-------" not in brief.stdout and "\nSee also\n" not in brief.stdout
    assert not re.search(r"\[\d+\]", brief.stdout)
    assert len(brief.stdout) < len(whole.stdout)
    assert brief.stdout.splitlines()[0] == whole.stdout.splitlines()[0]  # the same title
    assert "Information, not medical advice" in brief.stdout


def test_a_brief_topic_keeps_summary_key_points_evidence_and_corrections(run):
    from ketaminfo.kb import load
    from ketaminfo.kb.model import EVIDENCE_LEVELS

    topic = load().topic("safety")
    out = " ".join(run("topic", "safety", "--brief", "-f", "plain", data=None).stdout.split())
    assert " ".join(topic.summary.split()) in out
    for claim in topic.points:
        assert f"{' '.join(claim.text.split())} ({EVIDENCE_LEVELS[claim.evidence]})" in out
        if claim.correction:
            assert " ".join(claim.correction.text.split()) in out
    assert "All of it: ketaminfo topic safety" in out


def test_a_brief_page_keeps_the_crisis_help(run):
    assert "988" in run("conditions", "suicidal-ideation", "--brief", data=None).stdout


def test_brief_json_is_the_whole_page(run):
    assert run("topic", "mechanism", "--brief", "-f", "json").stdout == run("topic", "mechanism", "-f", "json").stdout


def test_a_brief_timeline_is_one_line_an_event(run):
    from ketaminfo.kb import load

    out = run("timeline", "--from", "2019", "--brief", "-f", "plain", columns=200, data=None).stdout
    lines = out.splitlines()
    for event in load().timeline(start=2019):
        assert any(line.strip().startswith(event.date.text + " ") and event.title in line for line in lines), event.id
        assert " ".join(event.description.split()[:6]) not in " ".join(out.split())


# ketaminfo list ------------------------------------------------------------


def test_list_names_every_entry_of_every_kind(run):
    from ketaminfo.kb import load

    kb = load()
    data = json.loads(run("list", "-f", "json", data=None).stdout)
    assert data["kind"] == "entry-list"
    expected = {("topic", t.id, t.title) for t in kb.topics} | {("condition", c.id, c.name) for c in kb.conditions} \
        | {("event", e.id, e.title) for e in kb.events} | {("term", t.id, t.term) for t in kb.terms} \
        | {("source", s.id, s.title) for s in kb.sources}
    assert {(e["kind"], e["id"], e["title"]) for e in data["data"]} == expected
    assert len(data["data"]) == len(expected)
    plain = run("list", "-f", "plain", data=None).stdout
    assert plain.splitlines()[5].split()[:2] == ["Id", "Kind"]
    for kind, entry_id, _ in expected:
        assert re.search(rf"^{re.escape(entry_id)} +{kind} ", plain, flags=re.MULTILINE), entry_id


@pytest.mark.parametrize("kind, index", [("topic", "topics"), ("topics", "topics"), ("events", "event_index")])
def test_list_one_kind(run, kind, index):
    from ketaminfo.kb import load

    data = json.loads(run("list", "--kind", kind, "-f", "json", data=None).stdout)["data"]
    assert [e["id"] for e in data] == getattr(load(), index).ids()
    assert {e["kind"] for e in data} == {kind.rstrip("s")}


def test_every_listed_id_opens_its_page(run):
    data = json.loads(run("list", "-f", "json", data=None).stdout)["data"]
    for entry in data[::7]:
        result = run(entry["id"], "-f", "json", data=None)
        assert result.exit_code == 0, entry
        assert json.loads(result.stdout)["kind"] == entry["kind"], entry


# Every JSON kind, as documented -------------------------------------------------------

KINDS = {
    "topic": ["topic", "mechanism"], "condition": ["conditions", "trd"], "event": ["timeline", "fda-approval-1970"],
    "term": ["glossary", "nmda"], "source": ["sources", "zarate-2006"], "choice": ["addiction"],
    "topic-list": ["topic", "--list"], "condition-list": ["conditions", "--list"], "term-list": ["glossary"],
    "source-list": ["sources"], "entry-list": ["list"], "timeline": ["timeline"], "search": ["search", "nmda"],
    "answer": ["ask", "is", "ketamine", "addictive"], "validation": ["validate"],
    "crisis": ["ask", "what", "is", "the", "lethal", "dose"],
    "check": ["check", str(Path(__file__).parent.parent / "docs" / "examples" / "clinic-page.html")],
}
SOURCE_KEYS = ["id", "title", "kind", "authors", "year", "journal", "publisher", "doi", "pmid", "url", "note",
               "reviewed", "link"]


def _json_docs() -> tuple[str, dict[str, str]]:
    """The README's words before the table of JSON kinds (the shared shapes:
    claim, date, source), and the table's ``data`` cell for each kind."""
    before, _, rest = README.partition("| `kind` | from | `data` |")
    table = rest.split("\n\n", 1)[0]
    return before[-700:], dict(re.findall(r"^\| `([a-z-]+)` \| [^|]+ \| (.+) \|$", table, flags=re.MULTILINE))


def _keys(value) -> set[str]:
    """Every key of every object in *value*, however deep."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list) and value:
        return _keys(value[0])
    return set()


@pytest.mark.parametrize("kind", KINDS)
def test_every_json_kind_is_documented_with_its_keys(run, kind):
    shared, documented = _json_docs()
    assert kind in documented, kind
    data = json.loads(run(*KINDS[kind], "-f", "json", data=None).stdout)
    assert data["kind"] == kind
    cell = documented[kind].replace("...source", " ".join(f'"{k}"' for k in SOURCE_KEYS))
    cell = cell.replace("[event]", documented["event"])  # the timeline's events are event pages' data
    for key in _keys(data["data"]):
        assert f'"{key}"' in cell or f'"{key}"' in shared, (kind, key)


def test_no_undocumented_kind():
    assert set(_json_docs()[1]) == set(KINDS)
