"""`ketaminfo ask`: questions in plain words answered with cited claims."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ketaminfo.errors import ExitCode, NothingFound
from ketaminfo.kb import load
from ketaminfo.kb.ask import ask
from ketaminfo.kb.textindex import MAX_NGRAM, PhraseKeys, join_phrases

from .conftest import FIXTURE_KB
from .test_output import _golden

ROOT = Path(__file__).parent.parent
QUESTIONS = yaml.safe_load((ROOT / "tests" / "data" / "questions.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def kb():
    return load(ROOT / "data")


def _pages(result):
    return [(a.page_kind, a.page_id) for a in result.answers]


# The questions the issue names --------------------------------------------------


def test_is_ketamine_addictive_is_answered_from_the_misuse_page(kb):
    result = ask(kb, "is ketamine addictive")
    assert _pages(result)[0] == ("topic", "misuse")
    assert result.all_words and not result.corrections


def test_can_i_drive_after_spravato_is_answered_by_the_label(run):
    result = run("ask", "can", "I", "drive", "after", "spravato?", "-f", "json", data=None)
    assert result.exit_code == 0
    envelope = json.loads(result.stdout)
    first = envelope["data"]["answers"][0]
    assert first["page"] == {"kind": "topic", "id": "driving", "title": "Driving and daily activities after a dose"}
    assert "until the next day" in first["text"]
    assert first["sources"] == ["spravato-label"]  # ids, as every other kind gives them


def test_ketamine_during_pregnancy_is_answered_from_the_pregnancy_page(kb):
    result = ask(kb, "ketamine during pregnancy")
    assert {page for page in _pages(result)[:3]} == {("topic", "pregnancy")}


def test_a_word_inside_a_page_questions_phrase_covers_only_its_share(kb):
    # "high" is one word of "high blood pressure" in the contraindications
    # page's questions; "get you high" asks about the experience.
    assert _pages(ask(kb, "does ketamine therapy get you high"))[0] == ("topic", "experience")
    assert _pages(ask(kb, "can i have ketamine with high blood pressure"))[0] == ("topic", "contraindications")


@pytest.mark.parametrize("question, term", [
    ("what is off-label use of ketamine?", "off-label"),
    ("so what exactly is dissociative sedation?", "dissociative-anesthetic"),
    ("what are nmda receptors", "nmda-receptor"),
])
def test_what_is_x_reaches_the_glossary_entry_x(kb, question, term):
    assert _pages(ask(kb, question))[0] == ("term", term)


# The evaluation sets ----------------------------------------------------------------

# Real questions from public pages, each with its address (tests/data/
# questions_real_*.yaml); the held-out half was not read while tuning. And an
# older set written for these tests (questions.yaml), kept as a regression guard.
REAL = {name: yaml.safe_load((ROOT / "tests" / "data" / f"questions_real_{name}.yaml").read_text(encoding="utf-8"))
        for name in ("tune", "heldout", "fresh", "blind", "final", "late", "dec")}
# Floors: what the ranking reached when these sets were adopted or the
# ranking last changed, kept from slipping (the product asks for more: 85%
# top-1, 97% top-3, at most 5% off-topic). The fresh and blind sets were
# collected after the ranking and the pages' questions were written, and
# each measured once, blind: 50.0%, 64.3%, 35.7% and 44.4%, 46.9%, 43.2%.
# The final set, collected last (after 494 more page questions were added),
# was measured blind once: 71.7%, 75.0%, 25.0%; the late set (2026-12-05)
# blind once before the pages' questions' words were weighed together and
# 360 real questions from other pages were added to the pages: 67.9%, 72.6%,
# 21.4%. Neither has been read; after those changes they stood at 68.3%,
# 71.7%, 26.7% and 71.4%, 75.0%, 10.7%, and after frame words ("with",
# "after") began to count among a page's questions' words, at 68.3%, 71.7%,
# 26.7% and 72.6%, 77.4%, 10.7% (fresh: 65.7%, 71.4%, 27.1%). The dec set,
# collected last from pages no other set or page question draws on, leaving
# out questions close to those the pages list, was measured blind once on
# that ranking: 52.0%, 58.7%, 36.0%; it has not been read either. When
# typo correction stopped turning real words into others ("right" into
# "eight", "mental" into "meta"), two late questions lost their first answer
# (70.2%, 77.4%, 11.9%) and one dec question gained a place in the first
# three (52.0%, 60.0%, 33.3%).
FLOORS = {"tune": (0.76, 0.83, 0.20), "heldout": (0.70, 0.73, 0.22), "fresh": (0.64, 0.70, 0.30),
          "blind": (0.47, 0.47, 0.36), "final": (0.66, 0.70, 0.27), "late": (0.69, 0.76, 0.13),
          "dec": (0.50, 0.56, 0.38)}


def _rates(kb, items) -> tuple[float, float, float, list[str]]:
    """Top-1 and top-3 hit rates, and the share of questions with an answer in
    the top three from a page that is neither expected nor listed as related."""
    top1 = top3 = off = 0
    misses = []
    for item in items:
        expected = {tuple(item["expect"].split()), *(tuple(e.split()) for e in item.get("either", ()))}
        related = expected | {tuple(a.split()) for a in item.get("also", ())}
        try:
            pages = _pages(ask(kb, str(item["question"]), limit=3))
        except NothingFound:
            pages = []
        top1 += bool(pages[:1]) and pages[0] in expected
        top3 += bool(expected & set(pages))
        off += any(page not in related for page in pages)
        if not expected & set(pages):
            misses.append(f"{item['question']} -> {pages}")
    n = len(items)
    return top1 / n, top3 / n, off / n, misses


def test_the_written_set_is_answered_in_the_top_three(kb):
    top1, top3, _off, misses = _rates(kb, QUESTIONS)
    assert top3 >= 0.90, misses
    assert top1 >= 0.75, misses  # a guard against silent ranking regressions


@pytest.mark.parametrize("name", list(REAL))
def test_real_questions_reach_the_page_they_are_about(kb, name):
    items = REAL[name]
    top1, top3, off, misses = _rates(kb, items)
    print(f"\n{name}: {len(items)} questions, top-1 {top1:.1%}, top-3 {top3:.1%}, off-topic {off:.1%}")
    low1, low3, high_off = FLOORS[name]
    assert top1 >= low1 and top3 >= low3 and off <= high_off, (top1, top3, off, misses)


SECOND = yaml.safe_load((ROOT / "tests" / "data" / "questions_second_labels.yaml").read_text(encoding="utf-8"))


def test_a_second_reading_of_the_real_questions_covers_them_with_real_pages(kb):
    # tests/data/questions_second_labels.yaml: the pages a second reader
    # chose, without the sets' labels or the program's answers.
    labelled = {(item["set"], item["question"]) for item in SECOND}
    asked = {(name, str(item["question"])) for name in REAL if name != "dec" for item in REAL[name]}
    assert labelled == asked and len(SECOND) == len(asked)
    known = {(kind, entry.id) for kind, entries in (("topic", kb.topics), ("condition", kb.conditions),
                                                    ("term", kb.terms), ("event", kb.events))
             for entry in entries}
    for item in SECOND:
        for page in (item["best"], *item["equal"], *item["related"]):
            assert tuple(page.split()) in known, item


def test_two_readers_agree_on_the_page_about_as_often_as_stated_and_ask_keeps_pace_with_either():
    first = {(name, str(item["question"])): item for name in REAL for item in REAL[name]}
    same = sum(first[(item["set"], item["question"])]["expect"] == item["best"] for item in SECOND)
    assert round(100 * same / len(SECOND), 1) == 84.1  # the figure the README and the file's header give


@pytest.mark.parametrize("names,floor", [(("tune", "heldout", "fresh", "blind"), 0.74), (("final", "late"), 0.70)])
def test_the_first_answer_is_one_either_reader_chose(kb, names, floor):
    # Top-1 counted against both readings (the sets' expected pages and the
    # second reader's best and equal ones): 76.8% on the read sets and 72.2%
    # on the never-read ones when the second reading was added; 75.6% and
    # 72.2% once typo correction stopped turning real words into others.
    second = {(item["set"], item["question"]): item for item in SECOND}
    hits = n = 0
    for name in names:
        for item in REAL[name]:
            other = second[(name, str(item["question"]))]
            accepted = {tuple(page.split()) for page in (item["expect"], *item.get("either", ()),
                                                         other["best"], *other["equal"])}
            try:
                pages = _pages(ask(kb, str(item["question"]), limit=1))
            except NothingFound:
                pages = []
            hits += bool(pages) and pages[0] in accepted
            n += 1
    assert hits / n >= floor, hits / n


def test_the_real_sets_are_large_and_name_their_sources():
    items = [item for name in REAL for item in REAL[name]]
    assert len(items) >= 160
    assert all(str(item["source"]).startswith(("http", "issue")) for item in items)
    asked = {str(item["question"]).lower().rstrip("?") for item in items}
    for quoted in ("how does ketamine work", "how does it work", "spravato side effects", "how long does spravato last",
                   "can i drive after spravato", "is ketamine addictive"):
        assert quoted in asked


def test_the_questions_the_issue_names_reach_their_pages(kb):
    cases = {  # the page that answers, and any other page whose statements may join it in the top three
        "how does ketamine work": ("mechanism", ()), "how does it work": ("mechanism", ()),
        "is it addictive": ("misuse", ()), "spravato side effects": ("safety", ("spravato",)),
        "can I drive after spravato": ("driving", ()), "how long does spravato last": ("what-to-expect", ()),
    }
    for question, (page, also) in cases.items():
        answers = [a.page_id for a in ask(kb, question, limit=3).answers]
        assert answers[0] == page and set(answers) <= {page, *also}, (question, answers)
    cost = [a for a in ask(kb, "spravato side effects", limit=5).answers if a.seq >= 0
            and "$" in kb.topics[a.page_id].points[a.seq].text]
    assert cost == []  # no cost claim among the side effects
    racemic = [kb.topics[a.page_id].points[a.seq].text for a in ask(kb, "can I drive after spravato", limit=3).answers]
    assert not any("racemic" in text for text in racemic)


# Reading the question -------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "is", "ketamine", "addictive"],
        ["ask", "is ketamine addictive?"],
        ["ask", "Is", "KETAMINE", "addictive", "?"],
    ],
)
def test_quotes_case_and_question_marks_do_not_matter(run, argv):
    result = run(*argv, "-f", "json", data=None)
    assert result.exit_code == 0, result.stderr
    first = json.loads(result.stdout)["data"]["answers"][0]
    assert first["page"]["id"] == "misuse"


def test_a_misspelt_word_is_corrected_and_the_correction_reported(run):
    result = run("ask", "is", "ketamine", "adictive", data=None)
    assert result.exit_code == 0
    assert "Read 'adictive' as 'addictive'." in result.stderr
    assert "Dependence and misuse" in result.stdout
    data = json.loads(run("ask", "adictive", "-f", "json", data=None).stdout)["data"]
    assert data["corrections"] == [{"typed": "adictive", "used": "addictive"}]


@pytest.mark.parametrize("question", ["is ketamine right for me", "is it ok to have a beer after my infusion",
                                      "what about mental health", "can i do it while i am at home"])
def test_a_real_word_is_not_corrected_into_another(kb, question):
    # "right" once became "eight", "beer" "better", "mental" "meta": words
    # the statements lack but the pages' questions hold, or no slip of the
    # fingers away from any word the knowledge base has.
    assert ask(kb, question).corrections == []


@pytest.mark.parametrize("typed,meant", [("pregant", "pregnant"), ("anxeity", "anxiety"),
                                         ("depresion", "depression"), ("spravto", "spravato")])
def test_one_slip_of_the_fingers_is_corrected_to_a_word_the_pages_use(kb, typed, meant):
    assert (typed, meant) in ask(kb, f"is ketamine {typed} for me").corrections


@pytest.mark.parametrize("typed,word,slip", [("adictive", "addictive", True), ("anxeity", "anxiety", True),
                                             ("beer", "better", False), ("right", "eight", False),
                                             ("issues", "misses", False), ("dependnace", "dependence", True),
                                             ("dependance", "depandense", False), ("ab", "ba", False),
                                             ("ab", "abc", True), ("anixety", "anxiety", True)])
def test_a_slip_is_one_edit_or_two_in_a_long_word_never_the_first_letter(typed, word, slip):
    from ketaminfo.kb.ask import _slip

    assert _slip(typed, word) is slip


def test_glossary_aliases_work_as_synonyms(kb):
    # "Spravato" is an alias of the esketamine term; the driving claim says "esketamine".
    assert ("topic", "driving") in _pages(ask(kb, "spravato driving", limit=3))


def test_a_knowledge_base_can_bring_its_own_synonyms(tmp_path):
    for name in ("sources.yaml", "pages.yaml"):
        (tmp_path / name).write_bytes((FIXTURE_KB / name).read_bytes())
    before = load(tmp_path)
    with pytest.raises(NothingFound):
        ask(before, "zonk")
    (tmp_path / "words.yaml").write_text("synonyms:\n  - {words: [zonk], means: [receptor]}\n", encoding="utf-8")
    after = load(tmp_path)
    assert ("term", "receptor") in _pages(ask(after, "zonk"))


def test_any_word_ranking_when_no_statement_holds_them_all(kb):
    result = ask(kb, "bladder xylophone", limit=3)
    assert not result.all_words
    assert _pages(result)[0] == ("topic", "organ-harm")


def test_the_limit_is_kept(run):
    result = run("ask", "side", "effects", "-n", "2", "-f", "json", data=None)
    assert len(json.loads(result.stdout)["data"]["answers"]) == 2
    assert run("ask", "side", "effects", "-n", "0", data=None).exit_code == ExitCode.USAGE


def test_nothing_to_look_for_is_exit_1_with_a_hint(run):
    result = run("ask", "what", "is", "it", data=None)
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "No words to look for" in result.stderr
    assert "ketaminfo ask is ketamine addictive" in result.stderr


def test_nothing_found_is_exit_1(run):
    result = run("ask", "qqqzzzx", "wwwvvv", data=None)
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "Nothing in the knowledge base answers" in result.stderr


def test_a_long_question_is_cut_not_slow(kb):
    result = ask(kb, " ".join(["bladder"] + [f"word{n}" for n in range(500)]))
    assert result.answers


# Crisis help -----------------------------------------------------------------------


@pytest.mark.parametrize("question", ["is ketamine used for suicidal thoughts", "ketamine self-harm", "I want to die"])
def test_questions_about_suicide_show_crisis_help_first(run, question):
    result = run("ask", question, data=None)
    assert result.stdout.startswith("!!!!"), result.stdout[:200]  # above the title, before anything else
    assert "988" in result.stdout.split("  - ", 1)[0]
    envelope = json.loads(run("ask", question, "-f", "json", data=None).stdout)
    assert envelope["crisis_help"] and "988" in envelope["crisis_help"]


def test_other_questions_show_no_crisis_box_but_keep_help_in_reach_at_the_end(run):
    stdout = run("ask", "is", "ketamine", "addictive", data=None).stdout
    assert not stdout.startswith("!") and "!!!!" not in stdout and "Help is available now" not in stdout
    body, notice = stdout.rsplit("Information, not medical advice.", 1)
    assert "988" not in body and "988" in notice  # one line under the notice, as under every answer
    envelope = json.loads(run("ask", "is", "ketamine", "addictive", "-f", "json", data=None).stdout)
    assert envelope["crisis_help"] is None and "988" in envelope["notice"]


@pytest.mark.parametrize("argv", [["ask", "qwzx", "blorp"], ["search", "qwzx", "blorp"], ["qwzx", "blorp"]],
                         ids=["ask", "search", "name"])
def test_words_nothing_answers_end_with_the_way_to_help(run, argv):
    result = run(*argv, data=None)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.rstrip().splitlines()[-1].startswith("Thinking about suicide or self-harm?")
    assert "988" in result.stderr.rstrip().splitlines()[-1]


def test_a_single_mistyped_name_gets_a_suggestion_alone(run):
    result = run("mechansm", data=None)
    assert result.exit_code == 1 and "mechanism" in result.stderr and "988" not in result.stderr


# Output ----------------------------------------------------------------------------


def test_json_answer_envelope(run):
    envelope = json.loads(run("ask", "block", "receptor", "-f", "json").stdout)
    assert envelope["kind"] == "answer"
    assert set(envelope["data"]) == {"question", "claim", "answers", "corrections"}
    assert envelope["data"]["claim"] is None  # the question states no claim people meet
    assert envelope["data"]["question"] == "block receptor"
    for answer in envelope["data"]["answers"]:
        assert set(answer) == {"text", "evidence", "correction", "page", "sources"}
        assert set(answer["page"]) == {"kind", "id", "title"}
        assert set(answer["sources"]) <= {s["id"] for s in envelope["sources"]}


def test_a_correction_stands_beside_its_claim(run):
    data = json.loads(run("ask", "second", "thing", "-f", "json").stdout)["data"]
    first = data["answers"][0]
    assert first["text"] == "It may also do a second thing."
    assert first["correction"] == "The record says the second thing is not settled."
    assert first["evidence"] == "hypothesis"


def test_read_more_names_the_page_to_open(run):
    out = run("ask", "block", "receptor").stdout
    assert "Read more: ketaminfo topic mechanism; ketaminfo glossary receptor" in out


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("ask_receptor_80.txt", ["ask", "does", "it", "block", "a", "receptor?"]),
        ("ask_receptor.md", ["ask", "does it block a receptor", "--format", "markdown"]),
        ("ask_receptor.json", ["ask", "does it block a receptor", "--format", "json"]),
    ],
)
def test_ask_golden_files(run, name, args):
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    _golden(name, result.stdout)


def test_escape_sequences_in_a_question_are_not_echoed(run):
    out = run("ask", "block \x1b[31m receptor").stdout
    assert "\x1b" not in out


def test_the_vocabulary_holds_exactly_the_words_a_question_is_read_into():
    """vocabulary_of splits with a table where ``words`` uses a pattern: the same words."""
    import re
    import sys

    from ketaminfo.kb.textindex import _WORD, vocabulary_of, words

    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    assert set(re.findall(r"\w", everything)) == {ch for ch in everything if ch.isalnum() or ch == "_"}
    texts = ["Ketamine's S-enantiomer—esketamine (Spravato™) isn’t ‘new’: 2019; --x-- 'y' _z_ Ⅻ ½ naïve", "", "a\nb",
             "NMDA-receptor’s ’’ -- ' 中文 ﬁ İstanbul ΣΑΣ"]
    expected = {w for text in texts for w in words(text)}
    assert vocabulary_of(texts) == expected
    assert expected >= {"ketamine's", "s-enantiomer", "isn't", "x", "y", "_z_", "中文", "nmda-receptor's"}
    assert _WORD.pattern == r"[\w][\w'’-]*"  # the pattern the table stands for


def test_a_very_large_knowledge_base_ranks_among_the_first_rows_holding_each_word(kb, monkeypatch):
    # Past MAX_RANKED matching rows, questions and statements are ranked in a
    # small private index of the first rows holding each word: the answers
    # still come from the page the question is about.
    import ketaminfo.kb.ask as asking

    monkeypatch.setattr(asking, "MAX_RANKED", 3)
    assert _pages(ask(kb, "is ketamine addictive"))[0] == ("topic", "misuse")
    assert _pages(ask(kb, "can i drive after spravato"))[0] == ("topic", "driving")


def test_the_words_of_all_a_pages_questions_weigh_as_shares_of_belief(kb):
    from ketaminfo.kb.ask import _likely_pages
    from ketaminfo.kb.textindex import words

    kb.store.searchable()
    shares = _likely_pages(kb.store, words("is ketamine addictive"), {})
    assert abs(sum(shares.values()) - 1.0) < 1e-9
    assert max(shares, key=shares.get) == ("topic", "misuse")  # the page whose questions say "addictive" most
    assert _likely_pages(kb.store, words("is it"), {}) == {}  # no word that says what it is about


def test_rows_ranked_among_are_asked_again_without_a_second_copy(kb):
    # ``matching_among`` asks the private index ``ranked_among`` just made
    # when it holds the rows wanted, and answers only for those rows.
    store = kb.store
    store.searchable()
    ranked = [rowid for rowid, _ in store.ranked_among("answers", '"bladder"', (1.0, 0.6), 6, ['"bladder"'])]
    assert len(ranked) == 6
    some = ranked[:3]
    reused = store.matching_among("answers", some, ['"bladder"', '"zzzz"'])
    store._among = None  # a fresh copy of just those rows
    assert reused == store.matching_among("answers", some, ['"bladder"', '"zzzz"']) == [set(some), set()]


def test_the_real_questions_on_pages_name_their_pages_and_draw_on_no_evaluation_set(kb):
    # docs/page-questions.yaml: real questions quoted from public pages and
    # listed among the pages' questions; none from a page an evaluation set
    # draws on, or close to one of their questions.
    import difflib

    from ketaminfo.kb.textindex import words

    listed = yaml.safe_load((ROOT / "docs" / "page-questions.yaml").read_text(encoding="utf-8"))
    assert len(listed) >= 300

    def address(url: str) -> str:
        return str(url).split("://", 1)[-1].removeprefix("www.").split("?")[0].rstrip("/").lower()

    evaluation = [*QUESTIONS, *(item for items in REAL.values() for item in items)]
    sources = {address(item["source"]) for item in evaluation if str(item.get("source", "")).startswith("http")}
    asked = [" ".join(words(str(item["question"]))) for item in evaluation]
    for item in listed:
        kind, page_id = item["page"].split()
        page = kb.topic(page_id) if kind == "topic" else kb.condition(page_id)
        assert item["question"] in page.questions, item
        assert str(item["source"]).startswith("https://") or str(item["source"]).startswith("http://"), item
        assert address(item["source"]) not in sources, item
        mine = " ".join(words(item["question"]))
        for other in asked:
            similar = difflib.SequenceMatcher(None, mine, other)
            assert not (similar.real_quick_ratio() > 0.9 and similar.quick_ratio() > 0.9 and similar.ratio() > 0.9), item


# Synonym phrases ("side effects") joined into one term ----------------------------

_PHRASE_WORDS = ["side", "effects", "high", "blood", "pressure", "nmda", "receptor", "of", "a", "x"]


def _joined_by_hand(tokens, keys):
    """The longest phrase of *keys* at each place, else the word: looked up
    at every word, with no shortcut."""
    out, i = [], 0
    while i < len(tokens):
        for n in range(min(MAX_NGRAM, len(tokens) - i), 1, -1):
            if " ".join(tokens[i : i + n]) in keys:
                out.append(" ".join(tokens[i : i + n]))
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_PHRASE_WORDS), max_size=12),
    st.sets(st.lists(st.sampled_from(_PHRASE_WORDS), min_size=2, max_size=3).map(" ".join), max_size=8),
)
def test_joining_phrases_looks_further_only_at_words_that_start_one(tokens, keys):
    expected = _joined_by_hand(tokens, keys)
    assert join_phrases(tokens, keys) == expected
    assert join_phrases(tokens, PhraseKeys(keys)) == expected
    assert PhraseKeys(keys).starts == {key.split()[0] for key in keys}
