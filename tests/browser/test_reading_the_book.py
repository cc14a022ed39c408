"""The built site in a real browser (headless Chromium), as a reader meets it.

One page boots Python once and visits every chapter, so the whole module
costs a few Pyodide boots: the first visit, an offline reload, and the
reloads that pick up a new build. Tests run in file order and share the page.
"""
from __future__ import annotations

import json
import os
import time

import pytest

from reader import BOOT_TIMEOUT_MS, Reader

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def reader(site, browser):
    context = browser.new_context(viewport=WIDE)
    r = Reader(context, site)
    yield r
    context.close()


@pytest.fixture(scope="module")
def chapters(site):
    """Chapter entries of book.json, in reading order."""
    book = site.book
    by_id = {c["id"]: c for p in book["parts"] for c in p["chapters"]}
    out = [by_id[i] for i in book["order"] if i in by_id]
    assert out, "the built book has no chapters"
    return out


def test_text_is_readable_while_python_boots_then_the_simulation_runs(reader, chapters):
    first = chapters[0]["id"]
    t0 = reader.goto()
    reader.wait_article(first)
    text_s = time.perf_counter() - t0
    # The prose is in place while the worker is still starting Python, and
    # the workshop shows how far it got.
    assert reader.state() == "booting", "Python was ready before the text: nothing to show here"
    assert reader.page.is_visible(".boot-bar")
    assert len(reader.page.text_content("#library article")) > 200
    reader.page.wait_for_function("() => document.querySelector('.boot-bar').value > 0", timeout=BOOT_TIMEOUT_MS)
    reader.wait_ready(first, timeout=BOOT_TIMEOUT_MS)
    ready_s = time.perf_counter() - t0
    print(f"\ntext shown after {text_s:.2f} s; first frame after {ready_s:.2f} s")
    assert reader.painted() > 0.02
    assert not reader.page.is_visible(".boot")
    assert reader.page.title().startswith(chapters[0]["n"])
    assert not reader.take_errors()


def _views_paint(reader, cid, problems):
    for view in reader.views():
        reader.page.click(f".view[data-view='{view}']")
        reader.page.wait_for_function(
            "v => document.querySelector('.view[aria-pressed=true]')?.dataset.view === v", arg=view)
        reader.settle(300)
        if reader.state() != "ready":
            problems.append(f"{cid}[{view}]: workshop is {reader.state()}: {reader.console_lines('error')}")
        elif reader.painted() < 0.02:
            problems.append(f"{cid}[{view}]: canvas not painted")


def _a_control_changes_telemetry(reader, cid, problems):
    reader.pause()
    controls = reader.page.eval_on_selector_all(
        ".control", "els => els.map((e) => [e.dataset.param, e.className])")
    for name, cls in controls:
        before = reader.telemetry()
        sel = f".control[data-param='{name}']"
        if "control-number" in cls:
            reader.page.eval_on_selector(f"{sel} input", """el => {
              el.value = Number(el.value) <= Number(el.min) + (Number(el.max) - Number(el.min)) / 2 ? el.max : el.min;
              el.dispatchEvent(new Event("input", { bubbles: true }));
            }""")
        elif "control-choice" in cls:
            reader.page.eval_on_selector(f"{sel} select", """el => {
              el.selectedIndex = (el.selectedIndex + 1) % el.options.length;
              el.dispatchEvent(new Event("change", { bubbles: true }));
            }""")
        else:
            reader.page.click(f"{sel} input")
        if reader.wait_changed(reader.telemetry, before, 1.5) != before:
            return
    problems.append(f"{cid}: no control changed the telemetry")


# Clicking a trigger exercises the same engine path in every chapter, and
# each trigger's target is already checked against its mode in CPython (the
# build and tests/chapters), so the browser clicks a spread of each chapter's
# triggers: the first, the last and evenly spaced ones between.
# BOOK_ALL_TRIGGERS=1 clicks every one.
TRIGGERS_PER_CHAPTER = None if os.environ.get("BOOK_ALL_TRIGGERS") else 5


def _spread(n: int, k: int | None) -> list[int]:
    """Indices of ``k`` of ``n`` items, first and last included, evenly spaced (all when k is None)."""
    if k is None or n <= k:
        return list(range(n))
    return sorted({round(j * (n - 1) / (k - 1)) for j in range(k)})


def _triggers_switch_the_simulation(reader, cid, problems):
    triggers = reader.page.eval_on_selector_all(
        "#library vis-trigger", "els => els.map((e) => [e.dataset.submode || '', e.dataset.values || '{}'])")
    if not triggers:
        problems.append(f"{cid}: no vis-trigger in the chapter")
    for i in _spread(len(triggers), TRIGGERS_PER_CHAPTER):
        submode, values = triggers[i]
        reader.pause()
        before = (reader.digest(), reader.telemetry(), reader.active_view())
        requested = json.loads(values)
        already = (not submode or submode == before[2]) and all(
            _same(reader.control_value(k), v) for k, v in requested.items())
        trig = reader.page.locator("#library vis-trigger").nth(i)
        # A phrase inside a worked solution is reachable once the solution is open.
        trig.evaluate("el => { const d = el.closest('details'); if (d) d.open = true; }")
        trig.scroll_into_view_if_needed()
        trig.click()
        if submode:
            reader.page.wait_for_function(
                "v => document.querySelector('.view[aria-pressed=true]')?.dataset.view === v", arg=submode)
        for k, v in requested.items():
            if not _same(reader.control_value(k), v):
                reader.wait_changed(lambda k=k: reader.control_value(k), reader.control_value(k), 2.0)
            if not _same(reader.control_value(k), v):
                problems.append(f"{cid}: trigger {i} set {k}={v} but the control shows {reader.control_value(k)}")
        if "active" not in (trig.get_attribute("class") or ""):
            problems.append(f"{cid}: trigger {i} is not highlighted after a click")
        if not already:
            screen = lambda: (reader.digest(), reader.telemetry(), reader.active_view())  # noqa: E731
            if reader.wait_changed(screen, before, 4.0) == before:
                problems.append(f"{cid}: trigger {i} ({submode} {values}) changed nothing on screen")


def _same(shown, v):
    """Whether a control's data-value shows the JSON value v."""
    want = json.dumps(v) if isinstance(v, bool) else str(v)
    return shown == want or (_num(shown) is not None and _num(shown) == _num(want))


def _num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def test_every_chapter_runs_its_simulation(reader, chapters):
    problems = []
    for ch in chapters:
        cid = ch["id"]
        reader.route(f"#/{cid}")
        reader.wait_ready(cid)
        if reader.painted() < 0.02:
            problems.append(f"{cid}: canvas not painted")
        if not reader.page.title().startswith(ch["n"]):
            problems.append(f"{cid}: title is {reader.page.title()!r}")
        # Controls first: the chapter's opening view is the one its text introduces.
        _a_control_changes_telemetry(reader, cid, problems)
        _views_paint(reader, cid, problems)
        _triggers_switch_the_simulation(reader, cid, problems)
        problems += [f"{cid}: {e}" for e in reader.take_errors()]
    assert not problems, "\n".join(problems)


def test_deep_links_reproduce_the_view_and_values(reader, chapters):
    problems = []
    for ch in chapters:
        cid = ch["id"]
        reader.route("#/appendix-a")
        reader.wait_article("appendix-a")
        reader.route(f"#/{cid}")  # opened afresh, in its default view
        reader.wait_ready(cid)
        views = reader.views()
        default = reader.active_view()
        view = next((v for v in views if v != default), default)
        # A number control's current value nudged by one step is a valid, distinct value.
        pick = reader.page.evaluate("""() => {
          for (const el of document.querySelectorAll('.control-number')) {
            const input = el.querySelector('input');
            if (el.dataset.scale === 'log') continue;  // its slider holds positions, not values
            const v = Number(el.dataset.value), step = Number(input.step) || 1;
            const nv = v + step <= Number(input.max) ? v + step : v - step;
            return [el.dataset.param, Number(nv.toPrecision(12))];
          }
          return null;
        }""")
        reader.route("#/" + next(c["id"] for c in chapters + [{"id": "appendix-a"}] if c["id"] != cid))
        reader.page.wait_for_function("id => document.querySelector('#library article')?.id !== id", arg=cid)
        link = f"#/{cid}?view={view}" + (f"&{pick[0]}={pick[1]}" if pick else "")
        reader.route(link)
        reader.wait_ready(cid)
        reader.settle()
        if reader.active_view() != view:
            problems.append(f"{link}: view is {reader.active_view()}")
        if pick and abs((_num(reader.control_value(pick[0])) or 0) - pick[1]) > 1e-9:
            problems.append(f"{link}: {pick[0]} shows {reader.control_value(pick[0])}")
        # The accepted state is written back, so the address reproduces it.
        h = reader.page.evaluate("location.hash")
        if view != default and f"view={view}" not in h:
            problems.append(f"{link}: address lost the view: {h}")
        problems += [f"{cid}: {e}" for e in reader.take_errors()]
    assert not problems, "\n".join(problems)


def test_an_out_of_range_link_is_clamped_with_a_message(reader, chapters):
    cid = chapters[0]["id"]
    reader.route(f"#/{cid}")
    reader.wait_ready(cid)
    name, hi = reader.page.evaluate("""() => {
      const el = document.querySelector('.control-number');
      const input = el.querySelector('input');
      return [el.dataset.param, input.max];
    }""")
    reader.route("#/appendix-a")
    reader.wait_article("appendix-a")
    reader.route(f"#/{cid}?{name}=1e12")
    reader.wait_ready(cid)
    reader.settle()
    warns = " ".join(reader.console_lines("warn"))
    assert "clamped" in warns, warns
    value = _num(reader.control_value(name))
    assert value is not None and value < 1e12
    assert "1e12" not in reader.page.evaluate("location.hash")
    assert not reader.take_errors()


def test_back_forward_and_arrow_keys_move_between_pages(reader, chapters, site):
    order = site.book["order"]
    a, b = order[0], order[1]
    reader.route(f"#/{a}")
    reader.wait_article(a)
    reader.route(f"#/{b}")
    reader.wait_article(b)
    reader.page.go_back()
    reader.wait_article(a)
    reader.page.go_forward()
    reader.wait_article(b)
    reader.page.focus("#library")
    reader.page.keyboard.press("ArrowLeft")
    reader.wait_article(a)
    reader.page.keyboard.press("ArrowRight")
    reader.wait_article(b)
    # Arrow keys inside a control adjust the control, not the page.
    if chapters[0]["id"] == a:
        reader.route(f"#/{a}")
        reader.wait_ready(a)
        reader.page.focus(".control-number input")
        reader.page.keyboard.press("ArrowRight")
        reader.settle()
        assert reader.page.evaluate("document.querySelector('#library article').id") == a
        # Space on the focused canvas plays and pauses.
        playing = reader.page.get_attribute(".transport .play", "aria-pressed")
        reader.page.focus(".stage-canvas")
        reader.page.keyboard.press(" ")
        assert reader.page.get_attribute(".transport .play", "aria-pressed") != playing
    # A route to an anchor opens the page scrolled to it (an exercise here).
    reader.route(f"#/{b}")
    reader.wait_article(b)
    reader.route(f"#/{a}/ex-1")
    reader.wait_article(a)
    reader.page.wait_for_function(
        "() => { const r = document.getElementById('ex-1')?.getBoundingClientRect();"
        " return r && scrollY > 0 && r.top >= -2 && r.bottom <= innerHeight + 2; }", timeout=5000)
    # An appendix has no simulation: the workshop steps aside.
    reader.route("#/appendix-a")
    reader.wait_article("appendix-a")
    assert reader.page.is_hidden("#workshop")
    assert not reader.take_errors()


def test_nothing_is_requested_from_another_origin(reader):
    assert reader.requests, "no requests were seen"
    assert not reader.foreign_requests()


def test_after_one_visit_the_book_works_offline(reader, chapters):
    reader.page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60_000)
    reader.page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    last = chapters[-1]["id"]
    reader.route(f"#/{last}")
    reader.wait_ready(last)
    reader.context.set_offline(True)
    try:
        reader.page.reload()
        reader.wait_ready(last, timeout=BOOT_TIMEOUT_MS)
        problems = []
        for ch in chapters:
            reader.route(f"#/{ch['id']}")
            reader.wait_ready(ch["id"])
            if reader.painted() < 0.02:
                problems.append(f"{ch['id']}: canvas not painted offline")
        reader.route("#/appendix-e")
        reader.wait_article("appendix-e")
        problems += reader.take_errors()
        assert not problems, "\n".join(problems)
    finally:
        reader.context.set_offline(False)


def test_a_returning_reader_gets_the_new_build(reader, site, chapters):
    old = reader.page.get_attribute("html", "data-build")
    assert old == site.book["build"]
    first = chapters[0]["id"]
    src = site.chapters_dir / f"{first}.md"
    marker = "This sentence arrived with a newer build."
    src.write_text(src.read_text(encoding="utf-8").rstrip() + f"\n\n{marker}\n", encoding="utf-8")
    new = site.build()
    assert new != old
    reader.route(f"#/{first}")
    reader.wait_article(first)
    reader.page.reload()
    reader.wait_article(first)
    # The cached build answers at once; the new one installs behind it and says so.
    reader.page.wait_for_selector(".update-notice:not([hidden])", timeout=60_000)
    with reader.page.expect_navigation():
        reader.page.click(".update-reload")
    reader.wait_ready(first, timeout=BOOT_TIMEOUT_MS)
    assert reader.page.get_attribute("html", "data-build") == new
    assert marker in reader.page.text_content("#library article")
    assert not reader.take_errors()
