"""Property: any input ends in a loaded knowledge base or a KnowledgeBaseError.

Random YAML documents (some shaped like knowledge-base files, so the schema
code is exercised, not only the parser) and random mutations of the bundled
files are loaded; no other exception may escape.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketaminfo.errors import KnowledgeBaseError
from ketaminfo.kb import KnowledgeBase, load
from ketaminfo.kb.schema import SECTIONS

ROOT = Path(__file__).parent.parent
BUNDLED = {p.name: p.read_bytes() for p in sorted((ROOT / "data").glob("*.yaml"))}
FIELDS = ["id", "title", "kind", "summary", "points", "text", "evidence", "sources", "related", "name",
          "category", "status", "date", "description", "term", "definition", "aliases", "crisis_help",
          "correction", "year", "doi", "pmid", "url", "authors"]
WORDS = ["s1", "t1", "article", "study", "established", "trials", "early", "approved", "research",
         "1962", "1970s", "1970/1989", "2019-03-05", "2019-02-30", "no", "yes", "true", "1:30", "10.1/x",
         "https://x.org", "", " ", "\u202e", "[bold]x[/]", "é"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 3000), st.floats(allow_nan=True),
    st.sampled_from(WORDS), st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), inner, max_size=5),
    ),
    max_leaves=25,
)
entries = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)
kb_shaped = st.dictionaries(
    st.one_of(st.sampled_from(list(SECTIONS)), st.text(max_size=6)),
    st.one_of(st.lists(entries, max_size=4), values),
    max_size=5,
)


def _load_bytes(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, raw in files.items():
            (Path(folder) / name).write_bytes(raw)
        try:
            assert isinstance(load(folder), KnowledgeBase)
        except KnowledgeBaseError as exc:
            assert exc.problems and all(p.code.startswith("KB") for p in exc.problems)


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.one_of(values, kb_shaped))
def test_random_yaml_documents(document):
    _load_bytes({"random.yaml": yaml.safe_dump(document, allow_unicode=True).encode("utf-8")})


@PROPERTY
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_random_bytes(raw):
    _load_bytes({"random.yaml": raw})


mutation = st.tuples(
    st.sampled_from(["delete", "insert", "replace", "duplicate-line", "swap-lines"]),
    st.integers(min_value=0),
    st.integers(min_value=0, max_value=40),
    st.binary(min_size=1, max_size=8),
)


def _mutate(raw: bytes, steps) -> bytes:
    for kind, at, length, blob in steps:
        at %= max(len(raw), 1)
        if kind == "delete":
            raw = raw[:at] + raw[at + length:]
        elif kind == "insert":
            raw = raw[:at] + blob + raw[at:]
        elif kind == "replace":
            raw = raw[:at] + blob + raw[at + len(blob):]
        else:
            lines = raw.split(b"\n")
            i = at % len(lines)
            j = (i + length) % len(lines)
            if kind == "duplicate-line":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            raw = b"\n".join(lines)
    return raw


@PROPERTY
@given(st.sampled_from(sorted(BUNDLED)), st.lists(mutation, min_size=1, max_size=4))
def test_mutated_bundled_files(name, steps):
    files = dict(BUNDLED)
    files[name] = _mutate(files[name], steps)
    _load_bytes(files)
