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


def test_a_worker_killed_while_python_starts_is_restarted_and_opens_what_was_asked(reader, site):
    cid, views = _views(site)
    view = views[-1]
    reader.goto(f"#/{cid}?view={view}")
    page = reader.page
    page.wait_for_function("() => globalThis.llmvizSim?.worker && "
                           "document.getElementById('workshop').dataset.state === 'booting'", timeout=20_000)
    # Killed before it said "ready": the page hears nothing more from it. The
    # watchdog's limit is shortened for the dead worker only, then restored so a
    # slow but live restart on a busy machine is not taken for a hang.
    page.evaluate("""() => {
      const dead = llmvizSim.worker;
      llmvizSim.bootStallMs = 3000;
      dead.terminate();
      const restore = setInterval(() => {
        if (llmvizSim.worker && llmvizSim.worker !== dead) {
          llmvizSim.bootStallMs = 30000;
          clearInterval(restore);
        }
      }, 50);
    }""")
    reader.wait_ready(cid, timeout=BOOT_TIMEOUT_MS)
    assert any("Python stopped starting. Python was started again and the simulation opened as asked" in line
               for line in reader.console_lines("warn")), \
        reader.console_lines()
    assert reader.active_view() == view, "the restarted simulation opened another view than the link asked for"
    assert reader.painted() > 0.02
    assert not [e for e in reader.take_errors() if "terminate" not in e]


def _damage(path):
    """Overwrite a file of the served site with bytes of the same length; returns the original."""
    good = path.read_bytes()
    path.write_bytes(bytes((b ^ 0x5A) for b in good))
    return good


def test_a_damaged_package_says_so_and_try_again_starts_python(reader, site):
    cid, views = _views(site)
    wheel = site.dir / site.book["wheel"]
    good = _damage(wheel)
    try:
        reader.goto(f"#/{cid}?view={views[-1]}")
        page = reader.page
        page.wait_for_selector(".boot-retry:visible", timeout=BOOT_TIMEOUT_MS)
        assert reader.state() == "unavailable"
        said = page.inner_text(".boot")
        assert "could not start" in said and "text of every chapter still reads" in said, said
        assert "Error" not in said and "Traceback" not in said, f"the reader sees the raw fault: {said}"
        assert page.is_hidden(".boot-bar")
        # The chapter itself reads normally.
        assert len(page.inner_text("#library article")) > 1000
        assert any("Python could not start" in line for line in reader.console_lines("error"))
    finally:
        wheel.write_bytes(good)
    reader.take_errors()
    # The file is fixed on the server; the browser's HTTP cache may still hold
    # the damaged copy, which the retry asks past.
    page.click(".boot-retry")
    assert page.is_hidden(".boot-retry")
    reader.wait_ready(cid, timeout=BOOT_TIMEOUT_MS)
    assert reader.active_view() == views[-1]
    assert reader.painted() > 0.02
    assert page.evaluate("document.activeElement.classList.contains('stage-canvas')"), \
        "focus was lost with the hidden button"
    assert not reader.take_errors()


def test_the_offline_copy_keeps_no_damaged_file_and_heals_from_the_network(browser, site):
    book = site.book
    # The last chapter: far from the first, so the page does not fetch it ahead.
    other = [c for c in book["order"] if (site.dir / "chapters" / f"{c}.html").exists()][-1]
    path = site.dir / "chapters" / f"{other}.html"
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    r = Reader(context, site)
    good = _damage(path)
    try:
        first = book["order"][0]
        r.goto(f"#/{first}")
        r.page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60_000)
        cached = r.page.evaluate("""async (name) => {
          const cache = await caches.open((await caches.keys()).find((k) => k.includes(document.documentElement.dataset.build)));
          const manifest = await (await cache.match(new URL("__precache-manifest__", location.href))).json();
          return { stored: Boolean(await cache.match(new URL(name, location.href))), listed: name in manifest };
        }""", f"chapters/{other}.html")
        assert cached == {"stored": False, "listed": False}, cached
    finally:
        path.write_bytes(good)
    try:
        # Asked for again, the good copy comes from the network and is kept for offline use.
        r.route(f"#/{other}")
        r.wait_article(other)
        r.page.wait_for_function("""async (name) => {
          const cache = await caches.open((await caches.keys()).find((k) => k.includes(document.documentElement.dataset.build)));
          return Boolean(await cache.match(new URL(name, location.href)));
        }""", arg=f"chapters/{other}.html", timeout=20_000)
    finally:
        context.close()


def test_offline_support_installs_even_when_python_never_finishes_starting(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    held = []

    def stall(route):
        # Python's download of its package never answers, so its start hangs
        # (as it did under a policy that blocked WebAssembly); the service
        # worker's own copy of the file downloads normally.
        if route.request.service_worker:
            route.continue_()
        else:
            held.append(route)

    context.route("**/*.whl", stall)
    r = Reader(context, site)
    try:
        first = site.book["order"][0]
        r.goto(f"#/{first}")
        r.page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=90_000)
        assert held, "the package request was not held"
        assert r.state() == "booting", "Python started although its package never arrived"
    finally:
        context.close()
