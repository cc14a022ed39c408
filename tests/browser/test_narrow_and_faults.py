"""A phone-sized reader who prefers reduced motion, and faults that must stay contained.

This page runs without the service worker, so requests can be intercepted:
a chapter whose fragment names a simulation that does not exist must show a
readable fault on the canvas and in the console, keep its text readable, and
leave every other chapter working.
"""
from __future__ import annotations

import pytest

from reader import BOOT_TIMEOUT_MS, Reader

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def phone(site, browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, service_workers="block",
                                  has_touch=True, is_mobile=True, reduced_motion="reduce")
    r = Reader(context, site)
    yield r
    context.close()


@pytest.fixture(scope="module")
def order(site):
    book = site.book
    chapters = [c["id"] for p in book["parts"] for c in p["chapters"]]
    assert len(chapters) >= 2, "these tests need two chapters"
    return chapters


def test_panes_stack_on_a_narrow_screen(phone, order):
    phone.goto(f"#/{order[0]}")
    phone.wait_ready(order[0], timeout=BOOT_TIMEOUT_MS)
    page = phone.page
    # Reduced motion: the simulation waits, paused, and moves one step per press.
    assert page.get_attribute(".transport .play", "aria-pressed") == "false"
    t_before = page.inner_text(".sim-time")
    page.click("[data-action=step]")
    assert phone.wait_changed(lambda: page.inner_text(".sim-time"), t_before) != t_before
    lib = page.locator("#library").bounding_box()
    ws = page.locator("#workshop").bounding_box()
    assert ws["y"] >= lib["y"] + lib["height"] - 1, "the workshop is not below the text"
    assert lib["width"] <= PHONE["width"] and ws["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    # The contents are a menu: closed, then opened by its button, closed by a choice.
    assert page.is_hidden("#sidebar")
    page.click(".menu-button")
    assert page.is_visible("#sidebar")
    page.click(f"#sidebar a[data-route='{order[1]}']")
    phone.wait_ready(order[1])
    assert page.is_hidden("#sidebar")
    assert phone.painted() > 0.02
    # A phrase in the text brings the simulation below it into view (once the
    # whole chapter is in: slices arriving above the pane would move it).
    page.wait_for_function("() => !document.getElementById('library').hasAttribute('aria-busy')")
    trig = page.locator("#library vis-trigger").first
    trig.scroll_into_view_if_needed()
    trig.click()
    page.wait_for_function("() => { const r = document.getElementById('workshop').getBoundingClientRect();"
                           " return r.top < innerHeight && r.bottom > 0; }")
    assert not phone.take_errors()


def test_a_broken_simulation_is_contained(phone, order, site):
    broken, healthy = order[0], order[1]

    def swap_mode(route):
        html = route.fetch().text().replace(f'data-mode="{broken}"', 'data-mode="no-such-simulation"', 1)
        route.fulfill(body=html, content_type="text/html; charset=utf-8")

    phone.page.route(f"**/chapters/{broken}.html", swap_mode)
    try:
        phone.route(f"#/{broken}")
        phone.page.reload()  # fragments already read are kept in memory; start afresh
        phone.wait_article(broken)
        page = phone.page
        page.wait_for_function("() => document.getElementById('workshop').dataset.state === 'fault'",
                               timeout=BOOT_TIMEOUT_MS)
        errors = " ".join(phone.console_lines("error"))
        assert "no-such-simulation" in errors, errors
        # The fault is drawn on the canvas (a panel in the palette's "bad" colour).
        assert phone.painted() > 0.02
        assert len(page.text_content("#library article")) > 200, "the text went with the simulation"
        # Another chapter opens and runs in the same page, in the same Python worker.
        workers = [w.url for w in page.workers]
        phone.route(f"#/{healthy}")
        phone.wait_ready(healthy)
        assert phone.painted() > 0.02
        assert [w.url for w in page.workers] == workers and len(workers) == 1
    finally:
        phone.page.unroute(f"**/chapters/{broken}.html")
    # The page's own console stays clean: the fault was reported, not thrown.
    assert not [e for e in phone.take_errors() if "no-such-simulation" not in e]


def test_a_bad_value_in_a_link_gets_a_message_and_a_default(phone, order):
    cid = order[1]
    phone.route(f"#/{order[0]}")
    phone.wait_article(order[0])
    phone.route(f"#/{cid}?view=no-such-view")
    phone.wait_ready(cid)
    phone.settle()
    warns = " ".join(phone.console_lines("warn"))
    assert "no-such-view" in warns, warns
    assert phone.active_view(), "no view is active after a bad view name"
    assert not phone.take_errors()
