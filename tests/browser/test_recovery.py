"""A book that heals itself: the Python worker dies, and the simulation comes back where it was."""
from __future__ import annotations

import pytest

from reader import BOOT_TIMEOUT_MS, Reader

pytestmark = pytest.mark.browser


@pytest.fixture()
def reader(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    r = Reader(context, site)
    yield r
    context.close()


def _views(site):
    from llmviz.registry import get_mode_class
    first = site.book["order"][0]
    return first, [v for v in get_mode_class(first).submodes]


def test_a_killed_worker_is_noticed_and_the_simulation_reopens_where_it_was(reader, site):
    cid, views = _views(site)
    view = views[-1]
    reader.goto(f"#/{cid}?view={view}")
    reader.wait_ready(cid, timeout=BOOT_TIMEOUT_MS)
    page = reader.page
    page.wait_for_function("() => parseFloat(document.querySelector('.sim-time').textContent.slice(4)) > 1")
    hash_before = page.evaluate("location.hash")
    # Kill Python mid-animation: the page gets no event, only silence.
    page.evaluate("() => llmvizSim.worker.terminate()")
    page.wait_for_function("() => document.getElementById('workshop').dataset.state === 'booting'",
                           timeout=20_000)
    assert page.is_visible(".boot-bar"), "the reader sees that Python is starting again"
    reader.wait_ready(cid, timeout=BOOT_TIMEOUT_MS)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.console li')].some((l) => l.textContent.includes('reopened where it was'))",
        timeout=BOOT_TIMEOUT_MS)
    assert reader.active_view() == view
    assert page.evaluate("location.hash") == hash_before
    t0 = page.inner_text(".sim-time")
    assert float(t0.split()[2]) > 1, f"time restarted from zero: {t0}"
    assert reader.wait_changed(lambda: page.inner_text(".sim-time"), t0) != t0, "the animation did not resume"
    assert reader.painted() > 0.02
    assert not [e for e in reader.take_errors() if "terminate" not in e]
