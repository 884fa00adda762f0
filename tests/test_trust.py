"""Trust: every statement rests on a source that can hold what it says.

The attribution tests check that an article is cited only for what it says.
These check the rest of the record the same way:

* what each kind of record can vouch for is declared here (``CAN_SUPPORT``),
  and every statement is checked against it: a product-code (NDC) record can
  vouch for a drug's schedule, never for monitoring, a restricted programme
  or an approval;
* each warning section of a label the knowledge base cites appears in some
  statement that cites that label;
* the questions readers bring about blood pressure, driving and pregnancy
  land on the statements that answer them.

Why a table here rather than a field on each source: what a kind of record
can support is an editorial rule, like the attribution lists, and belongs
beside the check that applies it; the data stay a bibliography, the format
does not change for other knowledge bases, and a test below fails when a
regulatory or news source is added without being declared.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ketaminfo.kb import load
from ketaminfo.kb.ask import ask

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def kb():
    return load(ROOT / "data")


# What a statement speaks of, found by the words that say it ------------------

SUBJECTS = {
    "monitoring": re.compile(r"\b(monitor\w*|observ\w*|watched|watch|pulse oximeter|measured|checked)\b", re.I),
    "restricted use": re.compile(r"\b(REMS|restricted|certified|safety programme|take it home|home use)\b", re.I),
    "approval": re.compile(r"\b(approv\w*|indicated|indication|licensed|marketing authori[sz]ation)\b", re.I),
    "dose": re.compile(r"\b(\d+(\.\d+)? ?mg|mg per kg)\b", re.I),
    "legal control": re.compile(
        r"\b(Schedule (III|II|2)|Class [ABC]|controlled (drug|substance|medicine)s?|controlled as|Misuse of Drugs|dangerous drug)\b"
    ),
    "driving": re.compile(r"\b(driv\w*|machinery)\b", re.I),
    "figures": re.compile(r"\d%"),
}
EVERYTHING = frozenset(SUBJECTS)

# What each kind of record can vouch for. Peer-reviewed studies, reviews and
# books report findings (figures, doses, how patients were monitored) but do
# not make approvals or laws; a label or a regulator's own page can say
# anything about its medicine; the rest are narrow.
CAN_SUPPORT: dict[str, frozenset[str]] = {
    "label": EVERYTHING,
    "regulator": EVERYTHING,
    "rems programme": frozenset({"monitoring", "restricted use"}),
    "product listing": frozenset({"legal control"}),
    "law": frozenset({"legal control"}),
    "government letter": frozenset({"legal control", "figures"}),
    "news": frozenset({"approval", "legal control", "figures"}),
    "drug information": frozenset({"monitoring", "driving"}),
    "research": frozenset({"figures", "dose", "monitoring", "restricted use", "driving"}),
}
# A record of one of these kinds is cited only where the statement speaks of
# something it can vouch for (an NDC record on a monitoring rule is wrong
# even if the label beside it is right).
NARROW = frozenset({"rems programme", "product listing", "law", "government letter", "drug information"})

# The kind of record of every regulatory or news source (and of any other
# whose kind says too little); peer-reviewed studies, reviews and books are
# "research" unless listed.
RECORDS = {
    "ketamine-label": "label", "ketalar-label": "label", "ketalar-par-label": "label", "spravato-label": "label",
    "spravato-rems": "rems programme", "fda-rems-spravato": "rems programme",
    "fda-spravato-ndc": "product listing",
    "dea-1999": "law", "uk-order-2014": "law", "hk-2000": "law",
    "uk-acmd-commission-2025": "government letter", "acmd-2026": "government letter",
    "who-2015": "regulator", "ema-spravato": "regulator", "fda-compounded-2023": "regulator",
    "fda-nasal-spray-2022": "regulator", "nice-ta854": "regulator", "nice-ta854-review": "regulator",
    "nice-news-2020": "regulator", "uk-rescheduling-2014": "regulator",
    "canady-2020": "news", "canady-2025": "news", "bmj-2019-eu": "news", "pharmaletter-2021": "news",
    "atai-2023": "news", "beckers-2025": "news",
    "mayo-ketamine-injection": "drug information",
}


def record_kind(kb, source_id: str) -> str | None:
    """The kind of record a source is, or None for a popular article (which
    the attribution tests check)."""
    if kb.sources[source_id].kind == "article":
        return None
    return RECORDS.get(source_id, "research")


# "Not approved" and "no regulator has approved" say what no record holds;
# the research that found no benefit is the right source for them.
NOT_APPROVED = re.compile(r"\b(not|no regulator has|never)\b[^.;]{0,24}?\bapprov\w*", re.I)


def subjects(text: str) -> set[str]:
    text = NOT_APPROVED.sub("", text)
    return {name for name, pattern in SUBJECTS.items() if pattern.search(text)}


def statements(kb):
    """(where, text, sources, evidence or None) for every statement that cites
    the record: claims and their corrections, evidence summaries, events and
    glossary definitions."""
    for page in (*kb.topics, *kb.conditions):
        for n, claim in enumerate(page.points, 1):
            yield f"{page.kind} {page.id}#{n}", claim.text, claim.sources, claim.evidence
            if claim.correction:
                note = claim.correction
                yield f"{page.kind} {page.id}#{n} (correction)", note.text, note.sources, None
    for condition in kb.conditions:
        status = condition.evidence
        yield f"condition {condition.id} (evidence)", status.summary, status.sources, None
    for event in kb.events:
        yield f"event {event.id}", f"{event.title}. {event.description}", event.sources, None
    for term in kb.terms:
        yield f"term {term.id}", term.definition, term.sources, None


def problems_with(kb, text: str, cited) -> list[str]:
    """What in *text* no cited source can vouch for, and every narrow source
    cited for something it cannot hold."""
    about = subjects(text)
    kinds = {s: record_kind(kb, s) for s in cited}
    problems = [
        f"{source} ({kind}) cannot vouch for {sorted(about) or 'what it says'}"
        for source, kind in kinds.items()
        if kind in NARROW and not about & CAN_SUPPORT[kind]
    ]
    problems += [
        f"nothing cited can vouch for its {subject}"
        for subject in sorted(about)
        if not any(kind and subject in CAN_SUPPORT[kind] for kind in kinds.values())
    ]
    return problems


def test_every_statement_cites_a_record_that_can_hold_it(kb):
    problems = [
        f"{where}: {problem}"
        for where, text, cited, evidence in statements(kb)
        if evidence != "articles-only"  # rests on the articles alone, by its own grade
        for problem in problems_with(kb, text, cited)
    ]
    assert problems == []


def test_every_regulatory_and_news_source_is_declared(kb):
    undeclared = [s.id for s in kb.sources if s.kind in ("regulatory", "news") and s.id not in RECORDS]
    assert undeclared == []
    assert set(RECORDS) <= {s.id for s in kb.sources}, set(RECORDS) - {s.id for s in kb.sources}
    assert set(RECORDS.values()) <= set(CAN_SUPPORT)


@pytest.mark.parametrize(
    ("text", "cited", "expected"),
    [
        ("Patients are watched for two hours in a certified clinic.", ["fda-spravato-ndc"], 3),
        ("Patients are watched for two hours in a certified clinic.", ["spravato-rems"], 0),
        ("The spray is a Schedule III drug.", ["fda-spravato-ndc"], 0),
        ("It was approved in 2019 for depression.", ["spravato-rems", "spravato-label"], 1),
        ("It was approved in 2019 for depression.", ["gastaldon-2019"], 1),
        ("22.5% were in remission.", ["beckers-2025"], 0),
    ],
)
def test_the_support_check_itself(kb, text, cited, expected):
    assert len(problems_with(kb, text, cited)) == expected, problems_with(kb, text, cited)


def test_trial_results_rest_on_a_trial_report(kb):
    """A claim graded by randomized trials cites a study or review, not only
    a news report of one."""
    bare = [
        where for where, _text, cited, evidence in statements(kb)
        if evidence == "trials" and not any(kb.sources[s].kind in ("study", "review") for s in cited)
    ]
    assert bare == []


def test_approvals_and_laws_are_cited_to_a_regulator(kb):
    """A claim about what a regulator approved or what the law says cites a
    label, a regulator or the law itself, not only a news report."""
    official = {"label", "regulator", "law", "government letter", "product listing", "rems programme"}
    bare = [
        where for where, text, cited, evidence in statements(kb)
        if evidence not in (None, "articles-only")
        and subjects(text) & {"approval", "legal control"}
        and not any(record_kind(kb, s) in official for s in cited)
    ]
    assert bare == []


# Each label's warnings appear in what cites it --------------------------------

# The warning sections of each label, as its copies list them, and the words
# that show a statement speaks of each.
LABEL_WARNINGS = {
    "spravato-label": {
        "sedation": r"sedat",
        "dissociation": r"dissociat",
        "respiratory depression": r"respiratory depression|breathing",
        "abuse and misuse": r"abuse|misuse",
        "restricted programme (REMS)": r"REMS|restricted programme|safety programme",
        "suicidal thoughts and behaviours": r"suicid",
        "increase in blood pressure": r"blood pressure",
        "cognitive impairment": r"cognitive|thinking|memory",
        "impaired ability to drive": r"driv",
        "ulcerative or interstitial cystitis": r"cystitis",
        "embryo-fetal toxicity": r"fetus|fetal|pregnan",
    },
    "ketalar-label": {
        "hemodynamic instability": r"blood pressure|vital signs",
        "emergence reactions": r"emergence|vivid dreams|psychiatric effects",
        "respiratory depression": r"respiratory depression",
        "procedures of the pharynx, larynx or airways": r"pharynx|larynx|airway",
        "pediatric neurotoxicity": r"brain development|developing brain",
        "drug-induced liver injury": r"liver",
    },
}


def _citing(kb, source_id: str, pages=None) -> list[str]:
    texts = []
    for page in pages if pages is not None else (*kb.topics, *kb.conditions):
        for claim in page.points:
            if source_id in claim.sources:
                texts.append(claim.text)
            if claim.correction and source_id in claim.correction.sources:
                texts.append(claim.correction.text)
    return texts


@pytest.mark.parametrize(
    ("label", "section"), [(label, section) for label, sections in LABEL_WARNINGS.items() for section in sections]
)
def test_each_label_warning_appears_in_a_claim_citing_the_label(kb, label, section):
    pattern = re.compile(LABEL_WARNINGS[label][section], re.I)
    assert any(pattern.search(text) for text in _citing(kb, label)), f"{label}: {section}"


def test_the_spravato_page_gives_the_label_warnings_or_links_to_them(kb):
    page = kb.topic("spravato")
    linked = [kb.topic(r) for r in page.related if r in {t.id for t in kb.topics}]
    own = _citing(kb, "spravato-label", [page])
    near = _citing(kb, "spravato-label", linked)
    missing = []
    for section, words in LABEL_WARNINGS["spravato-label"].items():
        pattern = re.compile(words, re.I)
        if not any(pattern.search(t) for t in own + near):
            missing.append(section)
    assert missing == []
    # Its own side effects and the warnings a patient meets first are on the page itself.
    for words in (r"sedat", r"dissociat", r"blood pressure", r"cystitis", r"cognitive"):
        assert any(re.search(words, t, re.I) for t in own), words


def test_the_spravato_page_links_to_what_a_patient_needs_next(kb):
    related = set(kb.topic("spravato").related)
    assert {"safety", "contraindications", "driving", "pregnancy", "access", "what-to-expect", "interactions"} <= related


# What readers ask lands on the claims that answer it ----------------------------


def _first_claim(kb, question):
    answer = ask(kb, question, limit=3).answers[0]
    page = kb.topic(answer.page_id) if answer.page_kind == "topic" else kb.condition(answer.page_id)
    return page.id, page.points[answer.seq]


@pytest.mark.parametrize(
    ("question", "page", "words"),
    [
        ("I have high blood pressure, can I have esketamine?", "contraindications", ["40 minutes", "140/90"]),
        ("when is blood pressure checked with spravato", None, ["40 minutes"]),
        ("can I drive after a ketamine infusion", "driving", ["24 hours"]),
        ("driving after ketamine anesthesia", "driving", ["24 hours"]),
        ("is esketamine safe during pregnancy", "pregnancy", ["pregnancy"]),
    ],
)
def test_safety_questions_land_on_the_claims_that_answer_them(kb, question, page, words):
    found_page, claim = _first_claim(kb, question)
    if page:
        assert found_page == page, (question, found_page, claim.text)
    for word in words:
        assert word in claim.text, (question, claim.text)
    assert "spravato-label" in claim.sources or "ketalar-par-label" in claim.sources


# What the third check found stays fixed -----------------------------------------


def test_no_claim_says_people_were_never_imaged_for_synapses(kb):
    for _where, text, _cited, _evidence in statements(kb):
        assert "measured symptoms, not synapses" not in text


def test_bdnf_is_not_stated_as_a_human_fact(kb):
    for page in (*kb.topics, *kb.conditions):
        for claim in page.points:
            if "BDNF" in claim.text and claim.evidence != "articles-only":
                assert re.search(r"\b(rodents|mice|rats|animal)\b", claim.text), claim.text
            if "BDNF" in claim.text and claim.evidence == "articles-only":
                assert claim.correction, claim.text


def test_hedged_or_promotional_article_claims_carry_a_correction(kb):
    for topic, phrase in (("mechanism", "neuroinflammation"), ("stigma", "giving way"),
                          ("neuroplasticity", "said to promote neural plasticity")):
        claim = next(c for c in kb.topic(topic).points if phrase in c.text)
        assert claim.correction, (topic, phrase)


def test_sources_that_could_not_be_confirmed_are_gone(kb):
    assert "benzinga-2025" not in {s.id for s in kb.sources}
    news_only = [s.id for s in kb.sources if s.id.endswith("-news") and s.kind == "news"]
    assert news_only == []  # the ACMD advice is cited to its own letter
