"""Offline and updates in a real browser: one visit caches the book; a new build reaches a returning reader."""
from __future__ import annotations

import functools
import json
import shutil
import time
from threading import Thread

import pytest

from buildlib.serve import SiteHandler, SiteServer
from build_run import ROOT, run_build

pytestmark = pytest.mark.browser


class CountingHandler(SiteHandler):
    requests: list[str] = []

    def do_GET(self):
        CountingHandler.requests.append(self.path.split("?", 1)[0])
        super().do_GET()


def cache_names(page) -> list[str]:
    """The service worker's precaches (the engine keeps a Python snapshot in a cache of its own)."""
    return [n for n in page.evaluate("caches.keys()") if n.startswith("llmviz-")]


def wait_for(predicate, timeout=90.0, what=""):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_offline_after_one_visit_and_updates_on_a_new_build(tmp_path, dist, book, browser):
    site = tmp_path / "site"
    shutil.copytree(dist, site)
    httpd = SiteServer(("127.0.0.1", 0), functools.partial(CountingHandler, directory=str(site)))
    Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    chapters = [c["id"] for p in book["parts"] for c in p["chapters"]]
    first = book["order"][0]
    n_files = sum(1 for p in site.rglob("*") if p.is_file()) - 1  # everything but sw.js
    context = browser.new_context()
    try:
        context.add_init_script("""window.swMessages = [];
            navigator.serviceWorker?.addEventListener("message", (e) => window.swMessages.push(e.data));""")
        page = context.new_page()
        page.goto(url + f"#/{first}")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=90_000)
        cache = f"llmviz-{book['build']}"
        wait_for(lambda: cache_names(page) == [cache], what="the precache")
        stored = page.evaluate(f"caches.open('{cache}').then(c => c.keys()).then(k => k.length)")
        assert stored == n_files + 1  # plus the stored precache manifest

        context.set_offline(True)
        for page_id in (chapters or [first]) + ["appendix-b"]:
            page.goto(url + f"#/{page_id}")
            page.reload()
            page.wait_for_selector(f"article#{page_id}", timeout=30_000)
        if chapters:
            page.goto(url + f"#/{chapters[0]}")
            page.reload()
            page.wait_for_selector(f"article#{chapters[0]}")
            page.wait_for_function("() => document.querySelector('#workshop').dataset.state === 'ready'",
                                   timeout=90_000)
        context.set_offline(False)

        appendices = tmp_path / "appendices"
        shutil.copytree(ROOT / "appendices", appendices)
        intro = appendices / "c-notation.md"
        intro.write_text(intro.read_text() + "\nSymbols are listed once, where they are defined.\n")
        proc = run_build("--out", str(site), "--appendices", str(appendices), "--quiet")
        assert proc.returncode == 0, proc.stderr
        new_build = json.loads((site / "book.json").read_text())["build"]
        assert new_build != book["build"]
        CountingHandler.requests.clear()

        page.reload()
        wait_for(lambda: cache_names(page) == [f"llmviz-{new_build}"], what="the new build's cache")
        assert "/appendices/appendix-c.html" in CountingHandler.requests
        assert "/pyodide/pyodide.asm.wasm" not in CountingHandler.requests, "unchanged files come from the old cache"
        wait_for(lambda: {"type": "activated", "build": new_build} in page.evaluate("window.swMessages"),
                 what="the page to hear that the new build is active")
        page.reload()
        page.wait_for_selector("article")
        assert page.evaluate("document.documentElement.dataset.build") == new_build
    finally:
        context.close()
        httpd.shutdown()
        httpd.server_close()
