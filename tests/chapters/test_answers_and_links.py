"""Checks every chapter shares: printed answers read well, cross-chapter links land."""
import math
import re
import sys
from pathlib import Path

import pytest

from llmviz.answers import answers_for

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("p*.md"))


@pytest.fixture(scope="module")
def book():
    sys.path.insert(0, str(ROOT))
    from buildlib import Project
    from buildlib.book import compile_book
    return compile_book(Project.at(ROOT))


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_every_printed_answer_exists_and_reads_as_a_finite_number(source):
    """Every {ans} a chapter prints is in its answers table, with a printed form and a finite value."""
    text = source.read_text(encoding="utf-8")
    used = set(re.findall(r"\{ans\}`([a-z0-9_]+)`", text))
    table = answers_for(source.stem)
    assert used, "a chapter prints its numbers through {ans}"
    assert used <= set(table), sorted(used - set(table))
    for name, fn in table.items():
        a = fn()
        assert a.text.strip(), name
        assert math.isfinite(a.value), name


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_no_answer_is_followed_by_its_own_unit(source):
    """'{ans}`x` sequences' would print '59 sequences sequences'."""
    text = source.read_text(encoding="utf-8")
    for m in re.finditer(r"\{ans\}`([a-z0-9_-]+:)?([a-z0-9_]+)`\s+(\w+)", text):
        page = (m.group(1) or source.stem + ":")[:-1]
        printed = answers_for(page)[m.group(2)]().text
        assert printed.split()[-1] != m.group(3), m.group(0)


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_links_into_other_chapters_land_on_an_anchor(source, book):
    """A link like #/p02-c04-attention/sec-the-causal-mask must name a heading or term that exists."""
    mine = book.fragments[f"chapters/{source.stem}.html"]
    for target, anchor in set(re.findall(r'href="#/(p\d\d-c\d\d-[a-z0-9-]+)/([a-z0-9-]+)"', mine)):
        assert f'id="{anchor}"' in book.fragments[f"chapters/{target}.html"], (target, anchor)
