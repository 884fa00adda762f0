"""Crisis help: checked first on every path that takes a reader's own words.

The phrasings come from public pages (tests/data/crisis_tune.yaml,
crisis_heldout.yaml, crisis_blind.yaml, crisis_late.yaml and crisis_dec.yaml,
each item with its address; the blind set recognised 62.7% when first
measured, the late set 55.9%, the dec set 46% and 65% of its two parts, of
which the second is held out, and its parts C and D, collected after, 51%
and 63%); the calm sentences share
words with them but speak of no harm to oneself. The phrases that recognise
them are knowledge-base data (data/crisis.yaml), validated like the rest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ketaminfo.kb import load
from ketaminfo.kb.crisis import check
from ketaminfo.pages.document import CRISIS

ROOT = Path(__file__).parent.parent
DATA = ROOT / "tests" / "data"
SETS = {name: yaml.safe_load((DATA / f"crisis_{name}.yaml").read_text(encoding="utf-8")) for name in ("tune", "heldout", "blind", "late")}
CRISIS_PHRASINGS = [str(item["text"]) for s in SETS.values() for item in s["crisis"] if not item.get("context")]
CONTEXT_ONLY = [str(item["text"]) for s in SETS.values() for item in s["crisis"] if item.get("context")]
# The dec set's part A, and parts C and D collected after it (crisis_c.yaml,
# crisis_d.yaml), were read to widen the phrases; part B is held out (see
# their headers).
DEC = yaml.safe_load((DATA / "crisis_dec.yaml").read_text(encoding="utf-8"))
PART_C = yaml.safe_load((DATA / "crisis_c.yaml").read_text(encoding="utf-8"))
PART_D = yaml.safe_load((DATA / "crisis_d.yaml").read_text(encoding="utf-8"))
CALM = [str(item["text"]) for s in (*SETS.values(), DEC, PART_C, PART_D) for item in s["calm"] if not item.get("may_trigger")]
# The calm questions the issue names, and lethal-dose questions, which get help and never a number.
ISSUE_CALM = ["does ketamine kill pain", "when does the dissociation end", "how long until the effects die down"]
LETHAL = ["what is the lethal dose of ketamine", "how much ketamine would kill me", "fatal dose of esketamine",
          "how many mg of ketamine to overdose"]
HELP_LINE = "988 (Suicide & Crisis Lifeline)"


def help_first(stdout: str) -> bool:
    """Whether a plain page opens with the crisis help (its box of "!")."""
    lines = stdout.splitlines()
    return bool(lines) and set(lines[0]) == {"!"} and HELP_LINE in " ".join(l.strip("! ") for l in lines[:6])


@pytest.fixture(scope="module")
def kb():
    return load(ROOT / "data")


def test_the_sets_are_large_enough_and_name_their_sources():
    assert len(CRISIS_PHRASINGS) >= 100
    assert len(CALM) >= 50
    for s in (*SETS.values(), DEC, PART_C, PART_D):
        for item in (*s["crisis"], *s["calm"]):
            assert str(item["source"]).startswith(("http://", "https://")), item
    assert {item["part"] for item in (*DEC["crisis"], *DEC["calm"])} == {"A", "B"}
    assert {item["part"] for item in (*PART_C["crisis"], *PART_C["calm"])} == {"C"}
    assert {item["part"] for item in (*PART_D["crisis"], *PART_D["calm"])} == {"D"}


@pytest.mark.parametrize(("part", "floor"), [("A", 75), ("B", 76), ("C", 138), ("D", 133)])
def test_the_newest_set_is_recognised_as_when_last_measured(kb, part, floor):
    # Part A: 36 of 79 when first measured, blind; 75 after the phrases were
    # widened to it. Part C: 87 of 170, blind, then 138. Part D: 93 of 148,
    # blind, then 133. Part B, never read: 69 of 106, then 73 after part A,
    # 75 after part C and 76 after part D.
    items = {"C": PART_C, "D": PART_D}.get(part, DEC)["crisis"]
    phrasings = [str(item["text"]) for item in items if item["part"] == part and not item.get("context")]
    found = sum(check(kb, text) is not None for text in phrasings)
    print(f"\ndec part {part}: {found} of {len(phrasings)}")
    assert found >= floor


def test_every_crisis_phrasing_calls_for_help(kb):
    missed = [text for text in CRISIS_PHRASINGS if check(kb, text) is None]
    assert missed == []


def test_calm_sentences_rarely_call_for_help(kb):
    # At most 3 in 50, in all the sets together and in the first one alone.
    flagged = [text for text in CALM if check(kb, text) is not None]
    print(f"\ncalm sentences flagged: {len(flagged)} of {len(CALM)}")
    assert len(flagged) * 50 <= 3 * len(CALM), flagged
    first = [str(item["text"]) for item in SETS["tune"]["calm"] if not item.get("may_trigger")]
    assert len(first) >= 50 and sum(check(kb, text) is not None for text in first) <= 3
    assert [text for text in ISSUE_CALM if check(kb, text) is not None] == []


def test_rates_by_set_are_reported(kb, capsys):
    """Recall on each set, printed for the record (the held-out set was
    first measured blind: see its header)."""
    for name, s in SETS.items():
        found = sum(check(kb, str(item["text"])) is not None for item in s["crisis"])
        calm = [item for item in s["calm"] if not item.get("may_trigger")]
        flagged = sum(check(kb, str(item["text"])) is not None for item in calm)
        print(f"\n{name}: {found} of {len(s['crisis'])} crisis phrasings, {flagged} of {len(calm)} calm flagged")
    assert all(check(kb, text) is None for text in CONTEXT_ONLY)  # when one is caught, drop its mark


@pytest.mark.parametrize("path", [["ask"], ["search"], []], ids=["ask", "search", "name"])
def test_every_phrasing_shows_help_first_on_every_free_text_path(run, path):
    for text in CRISIS_PHRASINGS:
        result = run(*path, *text.split(), data=None, columns=100)
        assert help_first(result.stdout), (text, result.stdout[:300])
        assert "Traceback" not in result.stderr


def test_a_name_that_names_nothing_and_a_mistyped_command_show_help_too(run):
    for argv in (["topic", "i", "want", "to", "die"], ["glossary", "kill", "myself"],
                 ["ask", "--bogus", "i", "want", "to", "die"], ["timeline", "--topic", "end", "my", "life"]):
        result = run(*argv, data=None)
        assert help_first(result.stdout), argv


def test_help_comes_whether_or_not_anything_else_matched(run):
    answered = run("ask", "can", "ketamine", "help", "my", "suicidal", "thoughts", data=None)
    assert answered.exit_code == 0 and help_first(answered.stdout)
    assert "Suicidal ideation" in answered.stdout
    alone = run("ask", "i", "want", "to", "kill", "myself", data=None)
    assert alone.exit_code == 0 and help_first(alone.stdout) and alone.stderr == ""


def test_lethal_dose_questions_get_help_and_never_a_number(run):
    for question in LETHAL:
        result = run("ask", *question.split(), "-f", "json", data=None)
        page = json.loads(result.stdout)
        assert page["crisis_help"] == CRISIS
        assert page["kind"] == "crisis" and page["data"] == {"withheld": True}
        assert page["sources"] == []
        plain = run("ask", *question.split(), data=None).stdout
        assert "mg" not in plain.replace("mg/", "") and not any(ch.isdigit() for ch in plain.replace("988", "").split("Knowledge base as of")[0])


def test_json_says_crisis_help_on_answers_and_searches(run):
    for argv in (["ask", "is", "ketamine", "used", "for", "suicidal", "thoughts"], ["search", "suicide"]):
        page = json.loads(run(*argv, "-f", "json", data=None).stdout)
        assert page["crisis_help"] == CRISIS
        assert page["kind"] in ("answer", "search")


def test_a_knowledge_base_of_ones_own_cannot_take_the_bundled_phrases_away(run, tmp_path):
    (tmp_path / "kb.yaml").write_text(
        "sources:\n  - {id: s1, title: One, kind: study}\n"
        "topics:\n  - id: t1\n    title: T\n    summary: S.\n"
        "    points:\n      - {text: A claim., evidence: established, sources: [s1]}\n",
        encoding="utf-8",
    )
    result = run("ask", "i", "want", "to", "die", data=tmp_path)
    assert help_first(result.stdout)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.yaml").write_text("topics: [", encoding="utf-8")
    result = run("ask", "i", "want", "to", "die", data=broken)
    assert help_first(result.stdout) and result.exit_code == 3


def test_a_very_long_word_is_not_read_as_a_typo(kb, monkeypatch):
    """A path or a hash in the reader's words is no misspelt word: reading it
    as one would cost time in the square of its length."""
    from ketaminfo.kb import phrases

    def refuse(word):
        raise AssertionError(f"typo search on a {len(word)}-letter word")

    matcher = phrases.Matcher([], phrases.Classes({}, frozenset(["suicide"]), frozenset()))
    monkeypatch.setattr(phrases, "_deletions", refuse)
    assert matcher.find("a" * 100_000 + " and more") == []


def test_phrases_found_through_their_kept_first_words_are_those_found_by_indexing_them_afresh(kb):
    # The first words each phrase can start with are found when the phrases
    # are compiled and kept with them; a run fills in only the words its
    # text holds. Indexing every phrase afresh must find the same.
    from ketaminfo.kb.phrases import matcher

    kept = kb.store.meta_value("crisis")
    assert kept["starts"]["words"] and kept["starts"]["stems"]
    lazy, afresh = matcher(kept), matcher({k: v for k, v in kept.items() if k != "starts"})
    texts = [str(item["text"]) for s in (*SETS.values(), DEC, PART_C, PART_D) for item in (*s["crisis"], *s["calm"])]
    texts += ["su1c1de", "k m s", "unaliving myself", "overdosing tonight", "selfharming again", *ISSUE_CALM, *LETHAL]
    assert len(texts) > 1400
    assert [lazy.spans(text) for text in texts] == [afresh.spans(text) for text in texts]
    assert sorted(map(repr, lazy.first_words())) == sorted(map(repr, afresh.first_words()))
