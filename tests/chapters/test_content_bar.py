"""The content bar of CONTRIBUTING.md, checked on every chapter as the reader gets it.

Counts come from the built fragments: words of prose (math and code not
counted), exercises each holding one worked solution, vis-triggers, terms
introduced with their glossary entries, and citations that resolve to the
paper library. Every registered simulation mode must have its chapter, and
every chapter a registered mode of the same id.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from buildlib import Project  # noqa: E402
from buildlib.book import compile_book  # noqa: E402
from buildlib.htmltree import parse_html  # noqa: E402
from llmviz.registry import mode_ids  # noqa: E402

CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("*.md"))
MIN_WORDS, MAX_WORDS = 1800, 4000
MIN_EXERCISES, MIN_TRIGGERS = 8, 3


@pytest.fixture(scope="module")
def book():
    return compile_book(Project.at(ROOT))


def chapter(book, cid):
    (ch,) = [c for c in book.chapters if c.meta.id == cid]
    return ch, parse_html(book.fragments[f"chapters/{cid}.html"])


@pytest.mark.parametrize("cid", CHAPTERS)
def test_prose_length(book, cid):
    assert MIN_WORDS <= book.words[cid] <= MAX_WORDS, f"{cid}: {book.words[cid]} words of prose"


@pytest.mark.parametrize("cid", CHAPTERS)
def test_exercises_with_worked_solutions(book, cid):
    _, doc = chapter(book, cid)
    exercises = doc.find_all("section", "exercise")
    assert len(exercises) >= MIN_EXERCISES, f"{cid}: {len(exercises)} exercises"
    for ex in exercises:
        (solution,) = ex.find_all(cls="solution")
        assert solution.text().replace("Worked solution", "").strip(), f"{cid} {ex.attrs['id']}: empty solution"


@pytest.mark.parametrize("cid", CHAPTERS)
def test_vis_triggers(book, cid):
    _, doc = chapter(book, cid)
    assert len(doc.find_all("vis-trigger")) >= MIN_TRIGGERS


@pytest.mark.parametrize("cid", CHAPTERS)
def test_terms_have_glossary_entries(book, cid):
    ch, doc = chapter(book, cid)
    dfns = [d for d in doc.find_all("dfn") if "id" in d.attrs]
    assert dfns and ch.meta.glossary
    glossary = parse_html(book.fragments["appendices/appendix-b.html"])
    entries = {dt.attrs["id"] for dt in glossary.find_all("dt")}
    assert {d.attrs["id"] for d in dfns} <= entries


@pytest.mark.parametrize("cid", CHAPTERS)
def test_citations_resolve(book, cid):
    _, doc = chapter(book, cid)
    library = parse_html(book.fragments["appendices/appendix-e.html"])
    papers = {s.attrs["id"] for s in library.find_all("section", "paper")}
    cites = doc.find_all("a", "cite")
    assert cites, f"{cid} cites no paper"
    for a in cites:
        assert a.attrs["href"].startswith("#/appendix-e/")
        assert a.attrs["href"].rsplit("/", 1)[1] in papers


def test_every_mode_has_its_chapter_and_every_chapter_its_mode(book):
    chapters = {c.meta.id: c.meta.mode for c in book.chapters}
    assert all(cid == mode for cid, mode in chapters.items()), "a chapter's mode id is its own id"
    assert set(chapters.values()) == set(mode_ids())
