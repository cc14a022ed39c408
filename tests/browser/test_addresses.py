"""Every address lands somewhere sensible: malformed escapes and bare anchors on a first load.

The text needs no Python, so these pages block the service worker and do not
wait for the simulation: each loads the shell fresh, as a reader pasting a
link into a new tab does.
"""
from __future__ import annotations

import pytest

from reader import Reader

pytestmark = pytest.mark.browser


@pytest.fixture()
def fresh(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    r = Reader(context, site)
    yield r
    context.close()


def _article(r: Reader) -> str:
    r.page.wait_for_function("() => document.querySelector('#library article')", timeout=15_000)
    return r.page.eval_on_selector("#library article", "a => a.id")


def _notice(r: Reader) -> str:
    return r.page.evaluate("() => document.querySelector('#library .notice')?.textContent ?? ''")


@pytest.mark.parametrize("hash_", ["#/%E0%A4%A", "#%", "#/p00-c04-matrices%", "#/%/x"])
def test_a_malformed_escape_opens_the_first_page_with_a_notice(fresh, site, hash_):
    fresh.goto(hash_)
    first = site.book["order"][0]
    assert _article(fresh) == first
    assert "could not be read" in _notice(fresh)
    fresh.page.wait_for_function("h => location.hash === h", arg=f"#/{first}")
    assert not fresh.take_errors()


def test_a_bare_anchor_opens_the_page_that_holds_it(fresh):
    fresh.goto("#model-qwen3-32b")
    assert _article(fresh) == "appendix-d"
    fresh.page.wait_for_function("() => location.hash === '#/appendix-d/model-qwen3-32b'")
    top = fresh.page.eval_on_selector("#model-qwen3-32b", "e => e.getBoundingClientRect().top")
    assert -2 <= top < 400, f"the model card is not in view (top {top})"  # sub-pixel scroll offsets
    assert not _notice(fresh)
    assert not fresh.take_errors()


def test_an_unknown_bare_anchor_opens_the_first_page_and_says_so(fresh, site):
    fresh.goto("#no-such-thing")
    assert _article(fresh) == site.book["order"][0]
    fresh.page.wait_for_function("() => document.querySelector('#library .notice')")
    assert "no-such-thing" in _notice(fresh)
    assert not fresh.take_errors()


def test_a_missing_section_opens_the_page_at_the_top_and_says_so(fresh, site):
    first = site.book["order"][0]
    fresh.goto(f"#/{first}/sec-not-here")
    assert _article(fresh) == first
    fresh.page.wait_for_function("() => document.querySelector('#library .notice')", timeout=15_000)
    assert "sec-not-here" in _notice(fresh)
    assert not fresh.take_errors()
