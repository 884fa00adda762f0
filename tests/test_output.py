"""Formats, colour, width, encodings, pager, pictures and export."""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketaminfo.errors import ExitCode
from ketaminfo.kb import load
from ketaminfo.pages.jsonout import KEYS
from ketaminfo.pages.output import Output, emit, fit_encoding, run_pager

from .conftest import EXPECTED, FIXTURE_KB, overflowing

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _golden(name: str, text: str) -> None:
    path = EXPECTED / name
    if os.environ.get("KETAMINFO_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "args", "columns"),
    [
        ("topic_mechanism_rich_nocolor_80.txt", ["topic", "mechanism", "--format", "rich", "--color", "never"], 80),
        ("topic_mechanism_rich_nocolor_60.txt", ["topic", "mechanism", "--format", "rich", "--color", "never"], 60),
        ("conditions_list_rich_nocolor_100.txt", ["conditions", "--list", "-f", "rich", "--color", "never"], 100),
        ("topic_mechanism_rich_color_80.txt", ["topic", "mechanism", "--color", "always"], 80),
        ("dark_thoughts_rich_color_60.txt", ["conditions", "dark-thoughts", "--color", "always"], 60),
        ("timeline_rich_color_40.txt", ["timeline", "--color", "always"], 40),
        ("topic_mechanism.md", ["topic", "mechanism", "--format", "markdown"], 80),
        ("timeline.md", ["timeline", "--format", "markdown"], 80),
        ("topic_mechanism.json", ["topic", "mechanism", "--format", "json"], 80),
        ("timeline.json", ["timeline", "--format", "json"], 80),
    ],
)
def test_format_golden_files(run, name, args, columns):
    result = run(*args, columns=columns)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    _golden(name, result.stdout)


# JSON contract -----------------------------------------------------------

ENTRY_KEYS = {
    "topic": {"id", "title", "summary", "points", "aliases", "related", "crisis_help", "questions"},
    "condition": {"id", "name", "category", "evidence", "summary", "points", "aliases", "related", "crisis_help",
                  "questions"},
    "event": {"id", "date", "title", "description", "category", "sources", "related"},
    "source": {"id", "title", "kind", "authors", "year", "journal", "publisher", "doi", "pmid", "url", "note", "reviewed", "link"},
    "claim": {"text", "evidence", "sources", "correction"},
    "date": {"text", "iso", "first_year", "last_year"},
}


def _json(run, *args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)  # valid JSON and nothing else on stdout


def test_json_envelope_keys_are_pinned(run):
    envelope = _json(run, "topic", "mechanism")
    assert tuple(envelope) == KEYS == (
        "schema_version", "kind", "data", "sources", "notice", "crisis_help", "as_of"
    )
    assert envelope["as_of"] == "2026-01-15"  # the fixture knowledge base's about section
    assert envelope["schema_version"] == 1
    assert envelope["kind"] == "topic"
    assert set(envelope["data"]) == ENTRY_KEYS["topic"]
    assert set(envelope["data"]["points"][0]) == ENTRY_KEYS["claim"]
    assert envelope["notice"].startswith("Information, not medical advice")
    assert envelope["crisis_help"] is None
    assert [s["number"] for s in envelope["sources"]] == [1, 2]
    assert set(envelope["sources"][0]) == ENTRY_KEYS["source"] | {"number"}


def test_json_condition_event_and_dates(run):
    condition = _json(run, "conditions", "dark-thoughts")
    assert set(condition["data"]) == ENTRY_KEYS["condition"]
    assert "988" in condition["crisis_help"]
    timeline = _json(run, "timeline")
    event = timeline["data"]["events"][0]
    assert set(event) == ENTRY_KEYS["event"]
    assert set(event["date"]) == ENTRY_KEYS["date"]
    isos = [e["date"]["iso"] for e in timeline["data"]["events"]]
    assert isos == ["1962", "1970/1979", "1970-03-01", "2006-08"]


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["topic", "--list"], "topic-list"),
        (["conditions", "--list"], "condition-list"),
        (["sources"], "source-list"),
        (["sources", "study-one"], "source"),
        (["glossary"], "term-list"),
        (["glossary", "receptor"], "term"),
        (["search", "receptor"], "search"),
        (["validate"], "validation"),
    ],
)
def test_every_command_speaks_json(run, args, kind):
    envelope = _json(run, *args)
    assert envelope["kind"] == kind
    assert tuple(envelope) == KEYS


def test_json_errors_stay_off_stdout(run):
    result = run("topic", "nothing-here", "--format", "json")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert result.stdout == ""


# Colour switches -----------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "args", "ansi"),
    [
        ({}, [], False),  # piped: plain
        ({"FORCE_COLOR": "1"}, [], True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),  # NO_COLOR wins: no colour codes (no-color.org)
        ({"NO_COLOR": "1"}, ["--color", "always"], True),  # only the flag overrides it
        ({"NO_COLOR": "1"}, ["--format", "rich"], False),
        ({"TERM": "dumb", "FORCE_COLOR": ""}, [], False),
        ({}, ["--color", "always"], True),
        ({"FORCE_COLOR": "1"}, ["--color", "never"], False),  # the flag beats the variable
        ({}, ["--format", "rich"], False),  # styled, but not a terminal: no escapes
    ],
)
def test_colour_switches(run, env, args, ansi):
    """Colour is a layer over the plain layout: take the escape codes away
    and the page is the plain page, word for word and space for space."""
    result = run("topic", "mechanism", *args, **env)
    assert result.exit_code == 0
    assert ("\x1b[" in result.stdout) is ansi
    assert ANSI.sub("", result.stdout) == run("topic", "mechanism", "--format", "plain").stdout


@pytest.mark.parametrize("args", [["topic", "mechanism"], ["conditions", "--list"], ["conditions", "dark-thoughts"],
                                  ["timeline"], ["search", "receptor"], ["glossary"], ["sources"]])
@pytest.mark.parametrize("columns", [20, 50, 80, 200])
def test_colour_never_changes_the_layout(run, args, columns):
    styled = run(*args, "--color", "always", columns=columns).stdout
    plain = run(*args, "-f", "plain", columns=columns).stdout
    if args[0] == "search":  # plain text marks matches with *asterisks*; colour marks them in yellow
        plain = plain.replace("*", "")
        styled = ANSI.sub("", styled)
        assert " ".join(styled.split()) == " ".join(plain.split())
        return
    assert ANSI.sub("", styled) == plain
    assert all(not line.endswith(" ") for line in styled.splitlines())


def test_no_color_wins_over_force_color(run):
    # NO_COLOR=1 with FORCE_COLOR=1: no colour is written (no-color.org); FORCE_COLOR
    # still picks the styled layout. --color always is the way to colour anyway.
    result = run("topic", "mechanism", FORCE_COLOR="1", NO_COLOR="1")
    assert "\x1b[" not in result.stdout
    assert "\x1b[" in run("topic", "mechanism", "--color", "always", NO_COLOR="1").stdout


# Safe rendering ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rich", "plain", "json"])
def test_markup_in_data_prints_literally(run, fmt):
    result = run("topic", "mechanism", "--format", fmt, "--color", "always" if fmt == "rich" else "auto")
    text = ANSI.sub("", result.stdout)
    if fmt == "json":
        text = json.loads(text)["data"]["summary"]
    assert "[sic] [bold]not bold[/] :warning:" in text


def test_markdown_citations_link_to_the_sources_on_the_same_page(run):
    import re

    text = run("topic", "mechanism", "--format", "markdown").stdout
    linked = re.findall(r"\[\\\[(\d+)\\\]\]\(#cite-(\d+)\)", text)
    assert linked and all(a == b for a, b in linked)
    for number in {n for n, _ in linked}:
        assert f'<a id="cite-{number}"></a>**\\[{number}\\]**' in text
    assert "\\[1\\]\\[2\\]" not in text  # no longer escaped text


def test_markup_in_data_is_escaped_in_markdown(run):
    result = run("topic", "mechanism", "--format", "markdown")
    assert r"\[sic\] \[bold\]not bold\[/\] :warning:" in result.stdout


# Any terminal --------------------------------------------------------------


@pytest.mark.parametrize("columns", [20, 21, 33, 60, 80, 120, 250])
@pytest.mark.parametrize("args", [["topic", "mechanism"], ["conditions", "--list"], ["timeline"], ["search", "receptor"]])
def test_styled_output_fits_any_width(run, columns, args):
    result = run(*args, "--format", "rich", "--color", "never", columns=columns)
    assert result.exit_code == 0, result.output
    assert overflowing(result.stdout, columns) == []


@pytest.mark.parametrize("columns", [30, 40, 60, 100])
def test_styled_lists_lose_no_words_when_labels_are_wide(columns):
    """Glossary labels are whole terms; on a narrow terminal each definition
    goes below its term rather than into a sliver beside it."""
    from ketaminfo.kb import load
    from ketaminfo.pages import views
    from ketaminfo.pages.styled import render_to_string

    kb = load()
    shown = render_to_string(views.glossary_page(kb), columns, color=False)
    assert overflowing(shown, columns) == []
    words = " ".join(shown.split())
    for term in kb.terms:
        assert " ".join(term.definition.split()) in words


def test_bad_columns_value_is_ignored(run):
    result = run("topic", "mechanism", COLUMNS="abc")
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def _subprocess(*args, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("FORCE_COLOR", "NO_COLOR", "KETAMINFO"))}
    full.update(env)
    return subprocess.run([sys.executable, "-m", "ketaminfo", *args], env=full, capture_output=True, timeout=60)


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0"}])
@pytest.mark.parametrize("args", [["topic", "mechanism"], ["topic", "mechanism", "--color", "always"], ["timeline"]])
def test_narrow_encodings_fall_back_to_ascii(env, args):
    result = _subprocess(*args, **env)
    assert result.returncode == 0, result.stderr.decode()
    assert b"UnicodeEncodeError" not in result.stderr
    if env.get("PYTHONIOENCODING") == "ascii":
        result.stdout.decode("ascii")  # nothing but ASCII


def test_fit_encoding_stand_ins():
    assert fit_encoding("a · b … c – d “é”", "ascii") == 'a - b ... c - d "e"'
    assert fit_encoding("unchanged ·", "utf-8") == "unchanged ·"


def test_closed_stdout_ends_quietly():
    code = "import os, runpy, sys; os.close(1); sys.argv=['ketaminfo','topic','mechanism']; runpy.run_module('ketaminfo', run_name='__main__')"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETAMINFO")}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=False, stderr=subprocess.PIPE, timeout=60)
    assert result.returncode == 0
    assert b"Traceback" not in result.stderr


def test_ctrl_c_exits_130(run, monkeypatch):
    from ketaminfo.pages import views

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(views, "topic_page", interrupted)
    result = run("topic", "mechanism")
    assert result.exit_code == ExitCode.INTERRUPTED


def test_sigint_in_a_real_process_exits_130(tmp_path):
    """Interrupt a slow load (a large knowledge base, no cache) with SIGINT."""
    import signal
    import time

    kb = tmp_path / "big"
    kb.mkdir()
    for n in range(5):
        entries = "".join(
            f"  - {{id: s{n}-{i}, title: Source number {i} with a fairly long title, kind: article}}\n"
            for i in range(12000)
        )
        (kb / f"part{n}.yaml").write_text("sources:\n" + entries, encoding="utf-8")
    blocker = tmp_path / "no-cache"
    blocker.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETAMINFO")}
    env.update(KETAMINFO_DATA=str(kb), XDG_CACHE_HOME=str(blocker))
    # A job started in the background of a shell inherits SIGINT ignored (and
    # rightly keeps ignoring it): the child is given the default, as at a terminal.
    proc = subprocess.Popen([sys.executable, "-m", "ketaminfo", "sources"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr.decode()
    assert b"Traceback" not in stderr


# Pager -----------------------------------------------------------------------


def _mechanism_page():
    from ketaminfo.pages import views

    kb = load(FIXTURE_KB)
    return views.topic_page(kb, kb.topic("mechanism"))


class FakeTerminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


@pytest.fixture
def small_screen(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "10")


def test_long_page_goes_through_the_pager(small_screen, monkeypatch, tmp_path):
    seen = tmp_path / "paged.txt"
    monkeypatch.setenv("KETAMINFO_PAGER", f"cat > {seen}")
    monkeypatch.setenv("PAGER", "false")
    terminal = FakeTerminal()
    emit(_mechanism_page(), Output(color="never"), terminal)
    assert terminal.getvalue() == ""
    assert seen.read_text(encoding="utf-8").startswith("Mechanism of action")


def test_pager_is_skipped_when_piped_short_or_refused(small_screen, monkeypatch, tmp_path):
    seen = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", f"cat > {seen}")
    page = _mechanism_page()
    piped = io.StringIO()
    emit(page, Output(), piped)
    refused = FakeTerminal()
    emit(page, Output(color="never", pager=False), refused)
    monkeypatch.setenv("LINES", "200")
    short = FakeTerminal()
    emit(page, Output(color="never"), short)
    assert not seen.exists()
    assert piped.getvalue() and refused.getvalue() and short.getvalue()


def test_dumb_terminal_is_never_paged(small_screen, monkeypatch, tmp_path):
    seen = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", f"cat > {seen}")
    monkeypatch.setenv("TERM", "dumb")
    terminal = FakeTerminal()
    emit(_mechanism_page(), Output(), terminal)
    assert not seen.exists()
    assert terminal.getvalue().startswith("Mechanism of action\n====")


def test_broken_pager_falls_back_to_printing(small_screen, monkeypatch):
    monkeypatch.setenv("KETAMINFO_PAGER", "no-such-pager-command-xyz")
    terminal = FakeTerminal()
    emit(_mechanism_page(), Output(color="never"), terminal)
    assert terminal.getvalue().startswith("Mechanism of action")


def test_run_pager_sets_less_options(monkeypatch, tmp_path):
    seen = tmp_path / "env.txt"
    monkeypatch.delenv("LESS", raising=False)
    monkeypatch.setenv("PAGER", f'echo "$LESS" > {seen}; cat > /dev/null')
    monkeypatch.delenv("KETAMINFO_PAGER", raising=False)
    assert run_pager("text\n", "utf-8")
    assert seen.read_text().strip() == "FRX"


# Pictures and export -------------------------------------------------------------


def test_pictures_of_the_terminal_rendering(run, tmp_path):
    svg, html = tmp_path / "page.svg", tmp_path / "page.html"
    result = run("topic", "mechanism", "--export-svg", str(svg), "--export-html", str(html))
    assert result.exit_code == 0
    tree = ElementTree.parse(svg)  # well-formed SVG
    assert tree.getroot().tag.endswith("svg")
    assert "Mechanism" in svg.read_text(encoding="utf-8")
    assert "Mechanism of action" in html.read_text(encoding="utf-8")
    assert result.stdout.startswith("Mechanism of action")  # the page still prints


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if "id" in attrs:
            self.ids.add(attrs["id"])
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_title:
            self.title += data


def test_html_export_is_a_linked_site(run, tmp_path):
    site = tmp_path / "site"
    result = run("export", "--out", str(site), data=None)
    assert result.exit_code == 0, result.output
    pages = {p.name: p for p in site.glob("*.html")}
    kb = load()
    assert len(pages) == 1 + len(kb.topics) + len(kb.conditions) + 3
    parsed = {}
    for name, path in pages.items():
        parser = LinkParser()
        parser.feed(path.read_text(encoding="utf-8"))
        parsed[name] = parser
        assert parser.title.endswith("· ketaminfo")
        assert "Information, not medical advice" in "".join(parser.text)
    external = 0
    for name, parser in parsed.items():
        for href in parser.links:
            if href.startswith("http"):
                external += 1
                continue
            file, _, anchor = href.partition("#")
            target = parsed[file or name]
            assert not anchor or anchor in target.ids, (name, href)
    assert external >= 40  # the sources page links out to DOIs and regulators
    assert "988" in "".join(parsed["condition-suicidal-ideation.html"].text)


def test_markdown_export_links_resolve(run, tmp_path):
    site = tmp_path / "md"
    assert run("export", "-f", "markdown", "-o", str(site), data=None).exit_code == 0
    files = {p.name: p.read_text(encoding="utf-8") for p in site.glob("*.md")}
    for name, text in files.items():
        for href in re.findall(r"\]\(([^)]+)\)", text):
            file, _, anchor = href.partition("#")
            file = file or name  # a citation marker links within its own page
            assert file in files, (name, href)
            if anchor:
                assert f'<a id="{anchor}"></a>' in files[file], (name, href)


def test_export_to_an_unwritable_place_is_a_usage_error(run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = run("export", "--out", str(blocker / "site"))
    assert result.exit_code == ExitCode.USAGE
    assert "cannot write" in result.stderr


@given(
    text=st.text(alphabet=st.sampled_from("ab cd-é\t\n  x"), max_size=80),
    width=st.integers(12, 40),  # wider than any indent: textwrap itself can hang when not
    first=st.sampled_from(["", "  ", "  - ", "  [12]  ", "      "]),
    rest=st.sampled_from(["", "  ", "    ", "        "]),
)
@settings(max_examples=500, deadline=None)
def test_fill_is_textwrap_exactly(text, width, first, rest):
    import textwrap

    from ketaminfo.pages.text import fill

    expected = textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=rest,
                             break_on_hyphens=False) or [first.rstrip()]
    assert fill(text, width, first, rest) == expected


@pytest.mark.parametrize("columns", [24, 37, 50, 63, 80])
def test_evidence_labels_are_never_split(run, columns):
    from ketaminfo.kb.model import CONDITION_STATUSES, EVIDENCE_LEVELS

    labels = [f"({label})" for label in [*EVIDENCE_LEVELS.values(), *CONDITION_STATUSES.values()] if " " in label]
    for page in (["conditions", "bipolar-depression"], ["conditions", "ptsd"], ["topic", "safety"], ["topic", "treatment"]):
        lines = run(*page, "-f", "plain", columns=columns, data=None).stdout.splitlines()
        whole = " ".join(line.strip() for line in lines)
        for label in labels:
            assert sum(line.count(label) for line in lines) == whole.count(label), (page, label)


def test_prose_stops_at_100_columns_on_a_wide_terminal(run):
    shown = run("topic", "mechanism", "-f", "plain", columns=200, data=None).stdout
    assert max(len(line) for line in shown.splitlines()) <= 100
    table = run("conditions", "--list", "-f", "plain", columns=200, data=None).stdout
    assert max(len(line) for line in table.splitlines()) > 100  # tables may use the width


def _table_header(text: str) -> list[str]:
    """The column names of the first table in *text* (the line above its rule), or []."""
    lines = text.splitlines()
    for above, line in itertools.pairwise(lines):
        if line.startswith("---") and set(line) <= {"-", " "}:
            return above.split()
    return []


@pytest.mark.parametrize("columns, headers", [
    (200, ["Id", "Condition", "Category", "Evidence", "Sources"]),
    (80, ["Id", "Condition", "Evidence", "Sources"]),
    (60, ["Id", "Condition", "Evidence", "Sources"]),
])
@pytest.mark.parametrize("fmt", ["plain", "rich"])
def test_the_conditions_list_stays_a_table_at_80_columns_and_below(run, columns, headers, fmt):
    """Fewer columns, then words broken at hyphens, before records: the
    optional Category goes first, and the page says so."""
    out = run("conditions", "--list", "-f", fmt, "--color", "never", columns=columns, data=None).stdout
    assert _table_header(out) == headers
    assert ("Not shown at this width: Category." in out) is (columns < 200)
    assert overflowing(out, columns) == []
    from ketaminfo.kb import load

    for condition in load().conditions:  # every id whole, at the start of its row
        assert any(line.startswith(condition.id + " ") for line in out.splitlines()), condition.id


def test_the_conditions_list_is_a_table_when_piped():
    """Piped, the width is 80 unless COLUMNS says otherwise: still a table."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "KETAMINFO_DATA", "FORCE_COLOR")}
    result = subprocess.run([sys.executable, "-m", "ketaminfo", "conditions", "--list"], env=env,
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert "\x1b" not in result.stdout
    assert _table_header(result.stdout) == ["Id", "Condition", "Evidence", "Sources"]


def test_a_screen_too_narrow_for_any_table_gets_records(run):
    out = run("conditions", "--list", "-f", "plain", columns=40, data=None).stdout
    assert _table_header(out) == [] and "Id: trd\nCondition: Treatment-resistant" in out


@pytest.mark.parametrize("columns", [20, 33, 50, 80])
def test_wide_characters_count_as_two_columns(run, tmp_path, columns):
    import shutil

    from ketaminfo.pages.text import cells

    root = tmp_path / "kb"
    shutil.copytree(Path(__file__).parent / "data" / "minimal", root)
    (root / "wide.yaml").write_text(
        "topics:\n  - id: wide\n    title: 氯胺酮的作用机制\n    summary: 氯胺酮阻断NMDA受体，这一作用与其麻醉和抗抑郁效果有关。 Mixed text too.\n"
        "    points:\n      - {text: 这是一个很长的句子，用来检查换行是否按照终端的显示宽度计算，而不是按照字符数。, "
        "evidence: established, sources: [art-one]}\n",
        encoding="utf-8",
    )
    for fmt in (["-f", "plain"], ["--color", "always"]):
        shown = ANSI.sub("", run("topic", "wide", *fmt, data=root, columns=columns).stdout)
        assert max(cells(line) for line in shown.splitlines()) <= max(columns, 20), fmt
        assert "氯胺酮的作用机制" in shown


@pytest.mark.parametrize("color", [False, True])
def test_a_timeline_is_drawn_as_its_events_are_read(monkeypatch, color):
    """Each piece of a long page is written before the next events are read,
    and the pieces make exactly the page drawn whole."""
    from ketaminfo.kb import store
    from ketaminfo.pages import text, views

    kb = load(FIXTURE_KB)
    whole = text.render(views.timeline_page(kb, kb.events_where()), 80, color)
    monkeypatch.setattr(store, "BATCH", 1)
    monkeypatch.setattr(text, "CHUNK_LINES", 1)
    read = []
    real = store.decode
    monkeypatch.setattr(store, "decode", lambda section, row: read.append(section) or real(section, row))
    chunks = text.render_chunks(views.timeline_page(kb, kb.events_where()), 80, color)
    pieces = [next(chunks)]
    assert read.count("timeline") <= 2 and "sources" not in read
    pieces += chunks
    assert read.count("timeline") == len(kb.events) and "".join(pieces) == whole


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_a_timeline_page_made_as_it_is_drawn_keeps_every_format(fmt):
    from ketaminfo.pages import views
    from ketaminfo.pages.output import render

    kb = load(FIXTURE_KB)
    page = views.timeline_page(kb, kb.events_where())
    once = "".join(render(page, fmt, 80, False, "utf-8"))
    assert once == "".join(render(page, fmt, 80, False, "utf-8"))  # drawn again, the same
    if fmt == "json":
        sources = json.loads(once)["sources"]
        assert [s["number"] for s in sources] == list(range(1, len(sources) + 1)) and sources


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_export_reads_entries_a_batch_at_a_time_and_keeps_none(tmp_path, monkeypatch, fmt):
    """No page of an export reads a whole section at once, no page keeps what
    it read for the next, and the pages are what drawing them whole gives."""
    from ketaminfo.kb import store
    from ketaminfo.pages import export, html, markdown

    kb = load()
    expected = {}
    for stem, page in export.pages(kb):
        expected[stem] = markdown.render(page) if fmt == "markdown" else html.render(page, lambda item: None, [])
    monkeypatch.setattr(store.Store, "entries", lambda *a: pytest.fail("read a whole section at once"))
    monkeypatch.setattr(store, "BATCH", 7)
    kept = []
    real_forget = type(kb).forget
    monkeypatch.setattr(type(kb), "forget", lambda self: kept.append(len(self.sources._found)) or real_forget(self))
    written = export.export(kb, tmp_path / "site", fmt)
    assert len(written) == len(expected) and max(kept) > 0
    assert all(len(index._found) == 0 for index in (kb.sources, kb.topics, kb.conditions, kb.terms))
    for stem, page in export.pages(kb):
        text = markdown.render(page) if fmt == "markdown" else html.render(page, lambda item: None, [])
        assert text == expected[stem], stem


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.booleans())
def test_json_is_written_as_the_json_module_writes_it(value, ascii_only):
    from ketaminfo.pages.jsonout import dumps

    assert dumps(value, ascii_only) == json.dumps(value, ensure_ascii=ascii_only, indent=2)


def test_json_values_pages_never_hold_are_written_by_the_json_module():
    from ketaminfo.pages.jsonout import dumps

    odd = {"a": [1.5, float("inf")], "b": {1: "x", None: [2.0]}}
    assert dumps(odd) == json.dumps(odd, ensure_ascii=False, indent=2)
